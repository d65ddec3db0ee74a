"""The Callback API inbox shared by processes: one person's events held by one process at a
time and handed out in order, a dead process's claims taken over, a clean stop hands them back."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from storage import inbox

LEASE = timedelta(seconds=30)


async def put(event_id: str, person: int) -> None:
    assert await inbox.store(event_id, str(person), {"event_id": event_id, "person": person})


async def ids(holder: str, lease: timedelta = LEASE) -> list[str]:
    return [event.event_id for event in await inbox.claim(holder, lease)]


async def test_one_person_is_held_by_one_process_at_a_time(db: str) -> None:
    await put("a1", 1)
    await put("b1", 2)
    await put("a2", 1)
    assert await ids("A") == ["a1", "b1", "a2"]
    assert await ids("B") == []  # everything is A's
    await put("a3", 1)
    await put("c1", 3)
    assert await ids("B") == ["c1"]  # A holds person 1: a3 waits for A
    assert await ids("A") == ["a3"]
    rows = {e.event_id: e.id for e in await _all()}
    for event_id in ("a1", "a2", "a3"):
        await inbox.done(rows[event_id])
    await put("a4", 1)
    assert await ids("B") == ["a4"]  # person 1 is free again
    assert await inbox.backlog() == 3  # b1 (A), c1 and a4 (B)


async def _all() -> list[inbox.Claimed]:
    from storage.models import InboxEvent

    return [inbox.Claimed(r.id, r.event_id, r.body) for r in await InboxEvent.all()]


async def test_a_dead_process_is_taken_over_after_its_lease(db: str) -> None:
    await put("a1", 1)
    await put("a2", 1)
    assert await ids("A", timedelta(seconds=0.3)) == ["a1", "a2"]
    assert await ids("B") == []
    await asyncio.sleep(0.4)
    assert await ids("B") == ["a1", "a2"]  # in order, both


async def test_renewing_keeps_the_claims_and_release_hands_them_back(db: str) -> None:
    await put("a1", 1)
    assert await ids("A", timedelta(seconds=0.3)) == ["a1"]
    await asyncio.sleep(0.2)
    assert await inbox.renew("A", LEASE) == 1
    await asyncio.sleep(0.2)
    assert await ids("B") == []  # renewed: still A's
    assert await inbox.release("A") == 1
    assert await ids("B") == ["a1"]


async def test_a_repeated_event_id_is_not_stored_again(db: str) -> None:
    await put("a1", 1)
    assert not await inbox.store("a1", "1", {"event_id": "a1"})
    assert await inbox.backlog() == 1


async def test_concurrent_claimers_keep_each_person_in_order_and_apart(db: str) -> None:
    """Three claimers working at once: every event handled once, each person's in order, and
    never two claimers on one person at the same time."""
    people, per_person = 8, 15
    for n in range(per_person):
        for person in range(people):
            await put(f"{person}-{n}", person)
    handled: dict[int, list[int]] = {person: [] for person in range(people)}
    busy: dict[int, str] = {}
    rng = random.Random(7)

    async def worker(name: str) -> None:
        idle = 0
        while idle < 20:
            claimed = await inbox.claim(name, LEASE, limit=5)
            if not claimed:
                idle += 1
                await asyncio.sleep(0.01)
                continue
            idle = 0
            for event in claimed:
                person = event.body["person"]
                assert busy.setdefault(person, name) == name, "two claimers on one person"
                await asyncio.sleep(rng.random() * 0.003)
                handled[person].append(int(event.event_id.split("-")[1]))
                if not any(e.body["person"] == person for e in claimed if e.id > event.id):
                    del busy[person]  # done with the person for now (still held until `done`)
                await inbox.done(event.id)

    await asyncio.gather(*(worker(name) for name in ("A", "B", "C")))
    assert handled == {person: list(range(per_person)) for person in range(people)}
    assert await inbox.backlog() == 0
