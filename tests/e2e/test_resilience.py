"""Faults VK really has: failing calls (6/10) and long-poll `failed` 1/2/3."""

from __future__ import annotations

import asyncio

from tests.harness import Stack


async def test_every_message_is_answered_exactly_once_despite_faults(stack: Stack) -> None:
    people = [await stack.person(f"Житель {i}", f"+7900000010{i}") for i in range(5)]
    await stack.faults(
        error_rate=0.25, error_codes=[6, 10], longpoll_failed=[1, 2, 3, 1, 2, 3], seed=2
    )
    send = "/sandbox/people/{}/send"
    for round_ in range(4):
        for person in people:
            await stack.api("POST", send.format(person.id), {"peer_id": person.dialog, "text": "Начать"})
        await asyncio.sleep(0.05)  # let injected long-poll failures interleave with events
    await stack.settle(timeout=60)
    await stack.faults(error_rate=0.0, longpoll_failed=[])
    for person in people:
        replies = [m for m in await person.messages() if m.from_id < 0]
        assert len(replies) == 4, f"{person.name}: {len(replies)} replies"
        assert all("Домовые чаты" in m.text for m in replies)
    stats = await stack.stats()
    assert sum(stats["errors"].values()) > 0  # faults really happened
