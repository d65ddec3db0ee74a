"""BroadcastService: recipients from the author's roles only (never another municipality's chat),
text limits, one active broadcast per author, quiet hours for ordinary news, delivery results per
chat, pins for emergencies, stopping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.clock import MovableClock
from bot.services.core.access import Actor
from bot.services.broadcasts.service import MAX_TEXT, BroadcastService
from bot.services.core.errors import AccessDenied, DomainError, NotFound
from storage.models import (
    Broadcast,
    BroadcastDelivery,
    BroadcastKind,
    BroadcastStatus,
    Chat,
    ChatStatus,
    DeliveryStatus,
    Municipality,
    RepresentativeKind,
    Role,
)
from tests.fakes import FakeMessenger
from tests.services.world import TIMEZONE, house, someone, town

INFO, EMERGENCY = BroadcastKind.INFO, BroadcastKind.EMERGENCY


@dataclass
class Town:
    broadcasts: BroadcastService
    chats: list[Chat]  # the municipality's active house chats
    staff: Actor
    foreign: Chat  # another municipality's chat


@pytest.fixture
async def world(db: str, clock: MovableClock, messenger: FakeMessenger) -> Town:
    municipality = await town()
    chats = [await house(municipality, f"Ленина {n}", messenger) for n in (1, 2, 3)]
    await house(municipality, "Ленина 4", messenger, status=ChatStatus.PENDING)
    foreign = await house(await town("Другой город"), "Мира 1", messenger)
    staff = await someone(Role.STAFF, municipality=municipality)
    return Town(BroadcastService(messenger, clock, TIMEZONE), chats, staff, foreign)


async def sent(world: Town, kind: BroadcastKind = INFO, **where: object) -> Broadcast:
    broadcast, _ = await world.broadcasts.draft(
        world.staff, author_peer=world.staff.vk_id, kind=kind, text="Отключение воды", file=None,
    )
    return await world.broadcasts.confirm(
        world.staff, broadcast.id, str(where.get("search", "")), where.get("chat_id")  # type: ignore[arg-type]
    )


async def no_progress(broadcast: Broadcast, done: int) -> None:
    pass


async def test_staff_reach_their_municipalitys_active_chats_and_nothing_else(world: Town) -> None:
    reached = await world.broadcasts.chats(world.staff)
    assert [c.id for c in reached] == [c.id for c in world.chats]
    assert await world.broadcasts.chats(world.staff, chat_id=world.foreign.id) == []
    with pytest.raises(DomainError, match="некому отправлять"):
        await world.broadcasts.draft(
            world.staff, author_peer=world.staff.vk_id, kind=INFO, text="Текст", file=None,
            chat_id=world.foreign.id,
        )
    broadcast, _ = await world.broadcasts.draft(
        world.staff, author_peer=world.staff.vk_id, kind=INFO, text="Текст", file=None,
    )
    with pytest.raises(DomainError, match="некому отправлять"):  # a forged chat id at confirming
        await world.broadcasts.confirm(world.staff, broadcast.id, "", world.foreign.id)


async def test_a_representative_reaches_only_the_chats_they_represent(world: Town) -> None:
    rep = await someone(
        Role.REPRESENTATIVE, chat=world.chats[1], kind=RepresentativeKind.UK,
        organisation="УК «Дом»",
    )
    assert [c.id for c in await world.broadcasts.chats(rep)] == [world.chats[1].id]
    assert "УК «Дом»" in (await world.broadcasts.audience(rep)).source
    admin = await someone(Role.CHAT_ADMIN, chat=world.chats[0])
    with pytest.raises(AccessDenied):
        await world.broadcasts.audience(admin)


async def test_the_text_is_neither_empty_nor_too_long(world: Town) -> None:
    for text, error in (("  ", "пустое"), ("т" * (MAX_TEXT + 1), str(MAX_TEXT))):
        with pytest.raises(DomainError, match=error):
            await world.broadcasts.draft(
                world.staff, author_peer=world.staff.vk_id, kind=INFO, text=text, file=None
            )
    assert await Broadcast.all().count() == 0


async def test_one_broadcast_at_a_time_and_confirming_twice_does_nothing(world: Town) -> None:
    first = await sent(world)
    assert first.status is BroadcastStatus.SENDING and first.total == 3
    with pytest.raises(DomainError, match="уже идёт рассылка"):
        await sent(world)
    with pytest.raises(DomainError, match="уже идёт рассылка"):
        await world.broadcasts.confirm(world.staff, first.id, "", None)
    assert await BroadcastDelivery.filter(broadcast_id=first.id).count() == 3


async def test_someone_elses_broadcast_is_not_found(world: Town) -> None:
    broadcast = await sent(world)
    colleague = await someone(
        Role.STAFF, municipality=await Municipality.get(id=world.chats[0].municipality_id)
    )
    with pytest.raises(NotFound):
        await world.broadcasts.stop(colleague, broadcast.id)
    with pytest.raises(NotFound):
        await world.broadcasts.confirm(colleague, broadcast.id, "", None)


async def test_news_waits_out_the_night_an_emergency_does_not(
    world: Town, clock: MovableClock,
) -> None:
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))  # 23:00 in Moscow
    news = await sent(world)
    assert news.status is BroadcastStatus.WAITING
    assert news.not_before == datetime(2026, 11, 26, 5, 0, tzinfo=UTC)  # 08:00 in Moscow
    assert await world.broadcasts.due() == []
    await world.broadcasts.stop(world.staff, news.id)
    emergency = await sent(world, EMERGENCY)
    assert emergency.status is BroadcastStatus.SENDING and emergency.not_before is None


async def test_a_waiting_broadcast_is_due_in_the_morning(world: Town, clock: MovableClock) -> None:
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))
    news = await sent(world)
    clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    assert await world.broadcasts.due() == [news.id]
    report = await world.broadcasts.run(news.id, no_progress)
    assert report is not None and report.broadcast.status is BroadcastStatus.DONE


async def test_every_chat_gets_it_once_and_a_lost_chat_is_reported(
    world: Town, messenger: FakeMessenger,
) -> None:
    assert world.chats[2].vk_chat_id is not None
    messenger.delete_chat(world.chats[2].vk_chat_id)
    broadcast = await sent(world)
    seen: list[int] = []

    async def progress(_: Broadcast, done: int) -> None:
        seen.append(done)

    report = await world.broadcasts.run(broadcast.id, progress)
    assert report is not None and report.sent == 2 and report.skipped == 0
    assert [title for title, _ in report.failed] == ["Ленина 3"]
    assert seen[-1] == 3
    for chat in world.chats[:2]:
        assert chat.peer_id is not None
        assert len(messenger.texts(chat.peer_id)) == 1
        assert "Отключение воды" in messenger.texts(chat.peer_id)[0]
    assert world.foreign.peer_id is not None and messenger.texts(world.foreign.peer_id) == []
    assert await world.broadcasts.run(broadcast.id, progress) is not None
    assert all(len(messenger.texts(c.peer_id or 0)) == 1 for c in world.chats[:2])  # no repeat


async def test_an_emergency_is_pinned_in_every_chat_it_reached(
    world: Town, messenger: FakeMessenger,
) -> None:
    broadcast = await sent(world, EMERGENCY)
    await world.broadcasts.run(broadcast.id, no_progress)
    for chat in world.chats:
        assert chat.vk_chat_id is not None and messenger.chats[chat.vk_chat_id].pinned == 1
    assert await BroadcastDelivery.filter(broadcast_id=broadcast.id, pinned=True).count() == 3


async def test_a_stopped_broadcast_sends_nothing_more(
    world: Town, clock: MovableClock, messenger: FakeMessenger,
) -> None:
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))
    news = await sent(world)
    stopped = await world.broadcasts.stop(world.staff, news.id)
    assert stopped.status is BroadcastStatus.STOPPED
    skipped = BroadcastDelivery.filter(broadcast_id=news.id, status=DeliveryStatus.SKIPPED)
    assert await skipped.count() == 3
    with pytest.raises(DomainError, match="уже закончилась"):
        await world.broadcasts.stop(world.staff, news.id)
    clock.set(datetime(2026, 11, 26, 6, 0, tzinfo=UTC))
    assert await world.broadcasts.due() == []
    assert messenger.texts(world.chats[0].peer_id or 0) == []
