"""Incoming updates: de-duplicated by event_id and handled in order for each person."""

from __future__ import annotations

import asyncio
import random

from bot.runtime.dispatcher import UpdateDispatcher, ordering_key


def message(event_id: str, from_id: int, text: str) -> dict:
    return {
        "type": "message_new",
        "event_id": event_id,
        "object": {"message": {"from_id": from_id, "peer_id": from_id, "text": text}},
    }


class MemoryClaims:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def __call__(self, event_ids: list[str], moment: object) -> set[str]:
        new = {i for i in event_ids if i not in self.seen}
        self.seen |= new
        return new


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
