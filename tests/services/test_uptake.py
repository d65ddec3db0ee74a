"""UptakeService: each resident counted once while in the chat (a rejoin counts again, the
community never), the count never below zero, and the admin's daily summary after 10:00 local
time, once a day, in the chat's first week, only when someone joined."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import MovableClock
from bot.services.stats.activity import StatsService
from bot.services.stats.uptake import Uptake, UptakeService
from storage.models import Chat, ChatMember, Role
from tests.fakes import COMMUNITY_ID
from tests.services.world import NOON, TIMEZONE, grant, house, person, town

RESIDENT, NEIGHBOUR = 1_000_501, 1_000_502
MORNING = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 09:00 in Moscow


@dataclass
class House:
    uptake: UptakeService
    chat: Chat  # 40 flats, made a day before NOON


@pytest.fixture
async def home(db: str, clock: MovableClock) -> House:
    chat = await house(await town(), "Ленина 1", flats=40, created_at=NOON - timedelta(days=1))
    return House(UptakeService(clock, TIMEZONE, StatsService(clock, TIMEZONE)), chat)


async def members(chat: Chat) -> int:
    return (await Chat.get(id=chat.id)).members_count


async def test_a_resident_is_counted_once_while_in_the_chat(home: House) -> None:
    peer = home.chat.peer_id or 0
    await home.uptake.joined(peer, RESIDENT)
    await home.uptake.joined(peer, RESIDENT)  # VK said it twice
    await home.uptake.joined(peer, COMMUNITY_ID)  # the community itself
    assert await members(home.chat) == 1
    await home.uptake.left(peer, RESIDENT)
    await home.uptake.left(peer, RESIDENT)
    assert await members(home.chat) == 0
    await home.uptake.joined(peer, RESIDENT)  # back again
    assert await members(home.chat) == 1
    assert await ChatMember.filter(chat=home.chat).count() == 1


async def test_a_leave_never_takes_the_count_below_zero(home: House) -> None:
    peer = home.chat.peer_id or 0
    await home.uptake.joined(peer, RESIDENT)
    await Chat.filter(id=home.chat.id).update(members_count=0)  # corrected from VK meanwhile
    await home.uptake.left(peer, RESIDENT)
    assert await members(home.chat) == 0


async def test_a_peer_that_is_not_our_chat_is_ignored(home: House) -> None:
    assert await home.uptake.joined(2_000_999_999, RESIDENT) is None
    assert await home.uptake.left(2_000_999_999, RESIDENT) is None
    assert await ChatMember.all().count() == 0


async def test_uptake_is_members_per_flat() -> None:
    assert Uptake(10, 40).percent == 25
    assert Uptake(10, None).percent is None and Uptake(10, 0).percent is None


async def test_the_admin_hears_of_joins_once_a_day_after_ten(
    home: House, clock: MovableClock,
) -> None:
    admin = await person()
    await grant(admin, Role.CHAT_ADMIN, chat=home.chat)
    not_in_vk = await person()
    not_in_vk.vk_id = None
    await not_in_vk.save()
    await grant(not_in_vk, Role.CHAT_ADMIN, chat=home.chat)
    clock.set(MORNING)
    peer = home.chat.peer_id or 0
    await home.uptake.joined(peer, RESIDENT)
    await home.uptake.joined(peer, NEIGHBOUR)
    assert await home.uptake.due_summaries() == []  # 09:00: not yet
    clock.set(MORNING + timedelta(hours=1, minutes=30))
    (summary,) = await home.uptake.due_summaries()
    assert summary.chat.id == home.chat.id and summary.joined == 2
    assert [p.id for p in summary.admins] == [admin.id]
    assert summary.uptake == Uptake(2, 40)
    assert await home.uptake.due_summaries() == []  # once a day
    clock.move(days=1)
    assert await home.uptake.due_summaries() == []  # nobody joined since


async def test_no_summaries_after_the_first_week(home: House, clock: MovableClock) -> None:
    await grant(await person(), Role.CHAT_ADMIN, chat=home.chat)
    clock.set(MORNING + timedelta(days=7, hours=2))
    await home.uptake.joined(home.chat.peer_id or 0, RESIDENT)
    assert await home.uptake.due_summaries() == []
