"""What the benchmarks share: VK's rate limit arithmetic, the set-up they all make (a staff
member, house chats, the sandbox's counters), and how they report (a readable table, then one
JSON object as the last line)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aiohttp

from bot.services.importing import normalise_title
from bot.services.core.tenants import find_or_create_municipality
from storage.models import Chat, ChatKind, ChatStatus, Municipality, Person, Role, RoleGrant

STAFF_VK_ID = 999


VK_RATE = 20  # requests a second per community token


def least_seconds(calls: int, rate: int = VK_RATE) -> float:
    """The least time `calls` can take at `rate` a second: the first second's calls may all
    start at once, then `rate` more a second."""
    return max(calls - rate, 0) / rate


async def bench_staff() -> tuple[Municipality, Person]:
    """The bench municipality and a staff member of it (VK id `STAFF_VK_ID`)."""
    municipality = await find_or_create_municipality("Бенч-город", "Бенч-регион")
    staff = await Person.create(vk_id=STAFF_VK_ID, phone="+79990000000")
    await RoleGrant.create(person=staff, role=Role.STAFF, municipality=municipality)
    return municipality, staff


async def store_house_chats(
    municipality: Municipality, titles: Sequence[str], made: Sequence[tuple[int, int, str]]
) -> None:
    """The bot's rows for chats made in the sandbox (`sandbox.bulk.create_chats`), active."""
    await Chat.bulk_create(
        [Chat(municipality=municipality, title=title, title_key=normalise_title(title), kind=ChatKind.HOUSE,
              status=ChatStatus.ACTIVE, vk_chat_id=chat_id, peer_id=peer, invite_link=link)
         for title, (chat_id, peer, link) in zip(titles, made, strict=True)],
        batch_size=1000,
    )


async def sandbox_stats(base_url: str) -> dict[str, Any]:
    """The sandbox's counters of calls and errors by method and code."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base_url}/sandbox/stats") as response:
            return await response.json()


async def reset_sandbox_stats(base_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        await http.post(f"{base_url}/sandbox/stats/reset")


def report(rows: Sequence[tuple[str, Any]], figures: dict[str, Any], notes: Sequence[str] = ()) -> None:
    width = max(len(name) for name, _ in rows) + 2
    print(f"{'measure':<{width}}{'value':>12}")
    print("-" * (width + 12))
    for name, value in rows:
        print(f"{name:<{width}}{str(value):>12}")
    for note in notes:
        print(note)
    print(json.dumps(figures, ensure_ascii=False))
