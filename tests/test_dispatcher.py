"""Incoming updates: de-duplicated by event_id and handled in order for each person."""

from __future__ import annotations

import asyncio
import random
import sqlite3

from tortoise.exceptions import OperationalError

from bot.runtime.dispatcher import UpdateDispatcher, ordering_key
from bot.runtime.supervisor import Backoff
from tests.fakes import MemoryClaims

QUICK = Backoff(first=0.001, maximum=0.004)
LOCKED = OperationalError(sqlite3.OperationalError("database is locked"))


def message(event_id: str, from_id: int, text: str) -> dict:
    return {
        "type": "message_new",
        "event_id": event_id,
        "object": {"message": {"from_id": from_id, "peer_id": from_id, "text": text}},
    }


async def test_one_persons_updates_are_handled_in_order_others_concurrently() -> None:
    handled: list[tuple[int, str]] = []
    running: set[int] = set()
    overlap = False

    async def handle(update: dict) -> None:
        nonlocal overlap
        msg = update["object"]["message"]
        if msg["from_id"] in running:
            overlap = True
        running.add(msg["from_id"])
        await asyncio.sleep(random.uniform(0, 0.01))
        handled.append((msg["from_id"], msg["text"]))
        running.discard(msg["from_id"])

    dispatcher = UpdateDispatcher(handle, MemoryClaims())
    for i in range(20):
        await dispatcher.feed([message(f"a{i}", 1, str(i)), message(f"b{i}", 2, str(i))])
    await dispatcher.drain()
    assert not overlap
    assert [t for p, t in handled if p == 1] == [str(i) for i in range(20)]
    assert [t for p, t in handled if p == 2] == [str(i) for i in range(20)]


async def test_redelivered_event_is_dropped() -> None:
    handled: list[str] = []

    async def handle(update: dict) -> None:
        handled.append(update["event_id"])

    dispatcher = UpdateDispatcher(handle, MemoryClaims())
    await dispatcher.feed([message("e1", 7, "x"), message("e2", 7, "x")])
    await dispatcher.feed([message("e1", 7, "x"), message("e3", 7, "x"), message("e2", 7, "x")])
    await dispatcher.drain()
    assert handled == ["e1", "e2", "e3"]


async def test_a_failing_update_does_not_block_the_next() -> None:
    handled: list[str] = []

    async def handle(update: dict) -> None:
        if update["event_id"] == "bad":
            raise RuntimeError("boom")
        handled.append(update["event_id"])

    dispatcher = UpdateDispatcher(handle, MemoryClaims())
    await dispatcher.feed([message("bad", 1, "x"), message("good", 1, "y")])
    await dispatcher.drain()
    assert handled == ["good"]


def test_ordering_key_is_the_person_for_messages_and_callbacks() -> None:
    assert ordering_key(message("e", 5, "x")) == 5
    callback = {"type": "message_event", "object": {"user_id": 9, "peer_id": 9}}
    assert ordering_key(callback) == 9
    assert ordering_key({"type": "group_join", "object": {}}) == ("type", "group_join")


async def test_a_claim_the_database_failed_is_repeated_with_the_same_mark() -> None:
    """While the database is away the batch waits; the repeat carries the first attempt's
    mark, so a claim committed before its answer was lost is still this batch's."""
    marks: list[object] = []
    handled: list[str] = []

    async def claim(event_ids: list[str], moment: object) -> set[str]:
        marks.append(moment)
        if len(marks) < 3:
            raise LOCKED
        return set(event_ids)

    async def handle(update: dict) -> None:
        handled.append(update["event_id"])

    dispatcher = UpdateDispatcher(handle, claim, QUICK)
    await dispatcher.feed([message("e1", 1, "x"), message("e2", 2, "y")])
    await dispatcher.drain()
    assert len(marks) == 3 and len(set(marks)) == 1
    assert sorted(handled) == ["e1", "e2"]


async def test_an_update_the_database_failed_is_handled_again_and_a_bug_is_not() -> None:
    attempts: dict[str, int] = {}
    done: list[str] = []

    async def handle(update: dict) -> None:
        event_id = update["event_id"]
        attempts[event_id] = attempts.get(event_id, 0) + 1
        if event_id == "locked" and attempts[event_id] < 3:
            raise LOCKED
        if event_id == "bug":
            raise RuntimeError("boom")
        done.append(event_id)

    dispatcher = UpdateDispatcher(handle, MemoryClaims(), QUICK)
    await dispatcher.feed([message("locked", 1, "x"), message("after", 1, "y"), message("bug", 2, "z")])
    await dispatcher.drain()
    assert attempts == {"locked": 3, "after": 1, "bug": 1}
    assert done == ["locked", "after"]  # the person's next update waited for the retried one
