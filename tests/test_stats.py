"""Activity statistics without VK: counting in memory, flushing, sketches, summaries, XLSX."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from bot.clock import MovableClock
from bot.services.stats import activity as stats_module
from bot.services.core.access import Actor, load_actor
from bot.services.core.errors import AccessDenied
from bot.services.stats.activity import StatsService
from bot.services.core.tenants import find_or_create_municipality
from storage.models import (
    Chat,
    ChatDayStat,
    ChatKind,
    ChatStatus,
    Municipality,
    Onboarding,
    OnboardingStep,
    Person,
    RepresentativeKind,
    Role,
    RoleGrant,
    Ticket,
    TicketStatus,
)
from storage.runtime_state import get_value

# 12:00 in Yekaterinburg (UTC+5), a Wednesday
NOON = datetime(2025, 5, 21, 7, 0, tzinfo=timezone.utc)
TODAY = date(2025, 5, 21)
PEER = 2_000_000_001


async def staff_of(municipality: Municipality, vk_id: int) -> Actor:
    person = await Person.create(vk_id=vk_id, phone=f"+7900{vk_id:07d}")
    await RoleGrant.create(person=person, role=Role.STAFF, municipality=municipality)
    return await load_actor(vk_id)


async def house_chat(
    municipality: Municipality, title: str, peer_id: int, **fields: object
) -> Chat:
    return await Chat.create(
        municipality=municipality, title=title, title_key=title.lower(), kind=ChatKind.HOUSE,
        peer_id=peer_id, vk_chat_id=peer_id - 2_000_000_000, status=ChatStatus.ACTIVE, **fields,
    )


@dataclass
class World:
    stats: StatsService
    clock: MovableClock
    municipality: Municipality
    chat: Chat  # 12 members, 40 flats
    actor: Actor  # the municipality's staff


@pytest.fixture
async def world(db: str) -> World:
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    municipality.timezone = "Asia/Yekaterinburg"
    await municipality.save()
    chat = await house_chat(municipality, "Плесецкая 16", PEER, members_count=12, flats=40)
    clock = MovableClock(NOON)
    actor = await staff_of(municipality, 1001)
    return World(StatsService(clock, "Europe/Moscow"), clock, municipality, chat, actor)


async def counts(chat: Chat) -> tuple[int, int]:
    """Today's messages and distinct authors, as stored."""
    row = await ChatDayStat.get(chat=chat, day=TODAY)
    return row.messages, row.authors


async def write(world: World, peer_id: int, authors: list[int]) -> None:
    """A message by each of `authors`, in the chat at `peer_id`."""
    for author in authors:
        await world.stats.count_message(peer_id, author)


async def test_messages_are_counted_in_memory_and_flushed_exactly(world: World) -> None:
    await write(world, PEER, [501, 502, 503, 501, 501, 502, 503, 503, 501, 502])
    assert not await ChatDayStat.exists()  # nothing written per message
    await world.stats.flush()
    assert await counts(world.chat) == (10, 3)

    await write(world, PEER, [501, 504, 504])
    await world.stats.flush()
    await world.stats.flush()  # nothing new: adds nothing
    assert await counts(world.chat) == (13, 4)


async def test_a_message_costs_no_query_and_other_chats_are_ignored(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await Chat.create(
        municipality=world.municipality, title="Координация", kind=ChatKind.COORDINATION,
        peer_id=PEER + 1, status=ChatStatus.ACTIVE,
    )
    for peer in (PEER, PEER + 1, PEER + 2):  # each chat is looked up once
        await write(world, peer, [501])

    def no_queries(*args: object, **kwargs: object) -> None:
        raise AssertionError("a chat message queried the database")

    monkeypatch.setattr(Chat, "filter", no_queries)
    for peer in (PEER, PEER + 1, PEER + 2):
        await write(world, peer, [502, 503])
    monkeypatch.undo()
    await world.stats.flush()
    assert await ChatDayStat.all().values_list("chat_id", "messages") == [(world.chat.id, 3)]


async def test_a_failed_flush_loses_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    await write(world, PEER, [501, 502])

    async def broken(*args: object) -> None:
        raise ConnectionError("database down")

    monkeypatch.setattr(stats_module, "_add_counts", broken)
    with pytest.raises(ConnectionError):
        await world.stats.flush()
    monkeypatch.undo()
    await write(world, PEER, [503])
    await world.stats.flush()
    assert await counts(world.chat) == (3, 3)


async def test_the_day_ends_at_local_midnight(world: World) -> None:
    world.clock.set(datetime(2025, 5, 21, 18, 59, tzinfo=timezone.utc))  # 23:59 local
    await write(world, PEER, [501, 502])
    world.clock.set(datetime(2025, 5, 21, 19, 1, tzinfo=timezone.utc))  # 00:01, same UTC day
    await write(world, PEER, [501])
    await world.stats.flush()
    rows = ChatDayStat.filter(chat=world.chat).order_by("day")
    assert await rows.values_list("day", "messages", "authors") == [
        (date(2025, 5, 21), 2, 2),
        (date(2025, 5, 22), 1, 1),
    ]


async def test_the_sketch_stores_no_ids_and_counts_within_two_percent(world: World) -> None:
    authors = [100_000_000 + 7919 * n for n in range(500)]
    await write(world, PEER, authors + authors[:100])
    await world.stats.flush()
    row = await ChatDayStat.get(chat=world.chat, day=TODAY)
    assert row.messages == 600
    assert abs(row.authors - 500) <= 10
    stored = bytes(row.authors_sketch)
    assert len(stored) <= stats_module.SKETCH_BITS // 8 + 64
    for author in authors:
        encodings = [str(author).encode()]
        for size in (4, 8):
            encodings += [author.to_bytes(size, "big"), author.to_bytes(size, "little")]
        assert not any(encoding in stored for encoding in encodings)


async def test_joins_and_leaves_and_the_members_series(world: World) -> None:
    for days_ago, joins, leaves in ((3, 0, 1), (1, 2, 0), (0, 3, 1)):
        world.clock.set(NOON - timedelta(days=days_ago))
        for _ in range(joins):
            await world.stats.count_join(PEER)
        for _ in range(leaves):
            await world.stats.count_leave(PEER)
    await write(world, PEER, [501, 502])
    series = await world.stats.series(world.chat, days=5)  # 12 members now
    assert [p.day for p in series] == [TODAY - timedelta(days=n) for n in range(4, -1, -1)]
    assert [p.members for p in series] == [9, 8, 8, 10, 12]
    assert [p.messages for p in series] == [0, 0, 0, 0, 2]


HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def ticket(
    chat: Chat, status: TicketStatus, asked: timedelta, answer: timedelta | None = None
) -> Ticket:
    """Asked `asked` before NOON, answered `answer` after it was asked, due in two days."""
    created = NOON - asked
    return Ticket(
        chat=chat, municipality_id=chat.municipality_id, kind=RepresentativeKind.UK,
        question="Течёт крыша", status=status, created_at=created,
        deadline_at=created + timedelta(days=2),
        answered_at=None if answer is None else created + answer,
    )


async def test_summaries_tickets_and_the_median_time_to_answer(world: World) -> None:
    chat = world.chat
    other = await house_chat(world.municipality, "Невский 124", PEER + 5, members_count=8)
    await house_chat(world.municipality, "Садовая 1", PEER + 6)
    await Chat.filter(id=other.id).update(status=ChatStatus.BOT_REMOVED)
    await Ticket.bulk_create([
        ticket(chat, TicketStatus.ANSWERED, DAY, HOUR),
        ticket(chat, TicketStatus.MET, 2 * DAY, 3 * HOUR),
        ticket(other, TicketStatus.ANSWERED, 3 * DAY, 10 * HOUR),
        ticket(chat, TicketStatus.ANSWERED, 30 * DAY, 50 * HOUR),  # before the period
        ticket(chat, TicketStatus.OPEN, 3 * DAY),  # overdue
        ticket(other, TicketStatus.MEETING, 5 * HOUR),
    ])
    gleb = await Person.create(vk_id=2001)
    await Onboarding.create(chat=chat, person=gleb, step=OnboardingStep.POSTER, step_since=NOON)
    await write(world, PEER, [501, 502, 501])
    await world.stats.count_join(PEER)

    summary = await world.stats.municipality_summary(world.actor, world.municipality.id)
    assert summary.period.days == 7 and summary.period.last == TODAY
    assert [f.chat.title for f in summary.chats] == ["Невский 124", "Плесецкая 16", "Садовая 1"]
    assert summary.status_count(ChatStatus.ACTIVE) == 2
    assert summary.status_count(ChatStatus.BOT_REMOVED) == 1
    assert (summary.members, summary.uptake.percent) == (20, 30)  # 12 of 40 flats
    assert (summary.messages, summary.joins, summary.leaves) == (3, 1, 0)
    assert summary.authors_per_day == pytest.approx(2 / 7)
    assert (summary.open_tickets, summary.overdue_tickets) == (2, 1)
    assert (summary.answered, summary.median_answer) == (3, 3 * HOUR)
    assert summary.steps == {OnboardingStep.POSTER: 1, None: 1}  # the active chats

    one = await world.stats.chat_summary(world.actor, chat.id)
    (figures,) = one.chats
    assert (figures.messages, figures.authors, figures.open_tickets) == (3, 2, 1)
    assert figures.step is OnboardingStep.POSTER
    assert (one.answered, one.median_answer) == (2, 2 * HOUR)


async def test_the_xlsx_sums_match_the_counted_messages(world: World) -> None:
    await house_chat(world.municipality, "Невский 124", PEER + 5, members_count=8)
    world.clock.set(NOON - timedelta(days=3))
    await write(world, PEER, [501] * 4)
    await write(world, PEER + 5, [601, 602])
    world.clock.set(NOON)
    await write(world, PEER, [502] * 3)
    await write(world, PEER + 5, [601] * 7)
    content = await world.stats.municipality_xlsx(world.actor, world.municipality.id, days=30)

    sheet = load_workbook(io.BytesIO(content)).active
    header, *rows, totals = [list(row) for row in sheet.iter_rows(values_only=True)]
    messages, authors = header.index("Сообщений"), header.index("Авторов")
    assert {row[0]: (row[messages], row[authors]) for row in rows} == {
        "Невский 124": (9, 2),
        "Плесецкая 16": (7, 2),
    }
    assert sum(row[messages] for row in rows) == totals[messages] == 16
    assert totals[header.index("Участников")] == 20


async def test_other_municipalities_are_out_of_reach(world: World) -> None:
    elsewhere = await find_or_create_municipality("Другой город", "Демо-регион")
    stranger = await staff_of(elsewhere, 1002)
    with pytest.raises(AccessDenied):
        await world.stats.municipality_summary(stranger, world.municipality.id)
    with pytest.raises(AccessDenied):
        await world.stats.chat_summary(stranger, world.chat.id)
    with pytest.raises(AccessDenied):
        await world.stats.municipality_xlsx(stranger, world.municipality.id)


async def test_the_weekly_summary_is_due_once_a_week(world: World) -> None:
    world.clock.set(NOON - timedelta(days=5))  # last week's Friday
    await write(world, PEER, [501, 502])
    world.clock.set(datetime(2025, 5, 19, 3, 0, tzinfo=timezone.utc))  # Monday 08:00 local
    assert await world.stats.weekly_due() == []
    world.clock.set(datetime(2025, 5, 19, 4, 30, tzinfo=timezone.utc))  # Monday 09:30
    (report,) = await world.stats.weekly_due()
    assert (report.summary.period.first, report.summary.period.last) == (
        date(2025, 5, 12),
        date(2025, 5, 18),
    )
    assert report.summary.messages == 2
    await world.stats.weekly_sent(report)
    assert await get_value(report.key) is not None
    world.clock.set(NOON)  # Wednesday of the same week
    assert await world.stats.weekly_due() == []
    world.clock.set(NOON + timedelta(days=5))  # the next Monday
    (following,) = await world.stats.weekly_due()
    assert following.key != report.key
