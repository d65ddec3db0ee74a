"""Activity statistics of house chats — counts only: no texts, no record of who wrote.

Messages are counted in memory (a chat's peer is looked up once, so a message costs no database
query) and written to `ChatDayStat` by `flush()`, which the app runs every FLUSH_SECONDS and once
more when the bot stops. Counts that could not be written stay in memory for the next flush.

Distinct authors go through a sketch: an author id is hashed (keyed BLAKE2) to one bit of a
bitmap; how many bits are still clear gives the number of distinct authors (linear counting).
The bitmap says how many wrote, not who; sketches of several days merge with OR, so the
distinct authors of a whole period are counted as well.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import statistics
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot.clock import Clock
from bot.services.chats.model import STATUS_TITLES
from bot.services.chats.onboarding import step_label
from bot.services.core.access import Actor, require_municipality
from bot.services.core.errors import NotFound
from bot.services.core.sheets import BOLD, append, cell, new_sheet, to_bytes
from bot.services.stats.uptake import Uptake, uptake_of
from bot.services.tickets.service import ANSWERED_STATUSES, OPEN_STATUSES
from storage.models import (
    CHAT_ORDER,
    HOUSE_KINDS,
    Chat,
    ChatDayStat,
    ChatStatus,
    Municipality,
    Onboarding,
    OnboardingStep,
    Ticket,
)
from storage.runtime_state import get_value, set_value

FLUSH_SECONDS = 30  # counts a crash can lose at most
SKETCH_BITS = 8192  # 1 KiB: ±1% at 500 authors a day; stored compressed (a few authors: ~50 bytes)
SKETCH_KEY = b"domovye-chaty/authors-sketch/v1"
MAX_UNKNOWN_PEERS = 10_000  # remembered chats that are not house chats (the oldest forgotten)
WEEKLY_HOUR = 9  # the weekly summary goes out from Monday 09:00 local time
DAY_FIELDS = ("messages", "authors", "authors_sketch", "joins", "leaves")  # ChatFigures.add_day


# -- the authors sketch ---------------------------------------------------------------------------


def author_bit(author_id: int) -> int:
    """The author's bit in the sketch (a keyed hash: the id cannot be read back)."""
    digest = hashlib.blake2b(
        author_id.to_bytes(8, "big", signed=True), digest_size=8, key=SKETCH_KEY
    ).digest()
    return 1 << (int.from_bytes(digest, "big") % SKETCH_BITS)


def estimate(sketch: int) -> int:
    """Distinct authors behind a sketch (linear counting)."""
    clear = SKETCH_BITS - sketch.bit_count()
    if clear == 0:  # saturated: far more authors than a house chat has
        return round(SKETCH_BITS * math.log(SKETCH_BITS))
    return round(-SKETCH_BITS * math.log(clear / SKETCH_BITS))


def pack(sketch: int) -> bytes:
    return zlib.compress(sketch.to_bytes(SKETCH_BITS // 8, "little"))


def unpack(stored: bytes | None) -> int:
    return int.from_bytes(zlib.decompress(stored), "little") if stored else 0


# -- what the service returns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole local days from `first` to `last`."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time(), self.zone)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone)


@dataclass
class ChatFigures:
    """One chat over a period; tickets and onboarding as they are now."""

    chat: Chat
    messages: int = 0
    author_days: int = 0  # distinct authors of each day, summed
    sketch: int = 0  # the period's authors
    joins: int = 0
    leaves: int = 0
    open_tickets: int = 0
    overdue_tickets: int = 0
    step: OnboardingStep | None = None  # the least advanced admin's; None: not started

    @property
    def authors(self) -> int:
        """Distinct authors over the whole period."""
        return estimate(self.sketch)

    def add_day(
        self, messages: int, authors: int, sketch: bytes | None, joins: int, leaves: int
    ) -> None:
        self.messages += messages
        self.author_days += authors
        self.sketch |= unpack(sketch)
        self.joins += joins
        self.leaves += leaves

    def add_open_ticket(self, overdue: bool) -> None:
        self.open_tickets += 1
        self.overdue_tickets += int(overdue)

    def add_admin_step(self, step: int) -> None:
        self.step = OnboardingStep(step if self.step is None else min(self.step, step))


@dataclass(frozen=True)
class Summary:
    """Figures of a municipality's house chats (or of one chat) over a period."""

    title: str
    period: Period
    chats: list[ChatFigures]
    answered: int  # tickets answered (or met on) within the period
    median_answer: timedelta | None  # from the question to the answer

    def status_count(self, status: ChatStatus) -> int:
        return sum(1 for f in self.chats if f.chat.status is status)

    @property
    def members(self) -> int:
        return sum(f.chat.members_count for f in self.chats)

    @property
    def uptake(self) -> Uptake:
        """Members per flat, over the chats whose number of flats is known."""
        known = [f.chat for f in self.chats if f.chat.flats]
        return Uptake(sum(c.members_count for c in known), sum(c.flats or 0 for c in known))

    @property
    def messages(self) -> int:
        return sum(f.messages for f in self.chats)

    @property
    def authors_per_day(self) -> float:
        return sum(f.author_days for f in self.chats) / self.period.days

    @property
    def joins(self) -> int:
        return sum(f.joins for f in self.chats)

    @property
    def leaves(self) -> int:
        return sum(f.leaves for f in self.chats)

    @property
    def open_tickets(self) -> int:
        return sum(f.open_tickets for f in self.chats)

    @property
    def overdue_tickets(self) -> int:
        return sum(f.overdue_tickets for f in self.chats)

    @property
    def steps(self) -> Counter[OnboardingStep | None]:
        """How many active chats are at each onboarding step (None: not started)."""
        return Counter(f.step for f in self.chats if f.chat.status is ChatStatus.ACTIVE)


class DayPoint(NamedTuple):
    day: date
    messages: int
    members: int  # at the end of the day


@dataclass(frozen=True)
class WeeklyReport:
    municipality: Municipality
    key: str  # marks it sent; also makes a resend a no-op in the messenger
    summary: Summary


class _ChatRef(NamedTuple):
    id: int
    zone: ZoneInfo


@dataclass(slots=True)
class _Counts:
    messages: int = 0
    sketch: int = 0


class StatsService:
    def __init__(self, clock: Clock, default_timezone: str) -> None:
        self._clock = clock
        self._timezone = default_timezone
        self._chats: dict[int, _ChatRef] = {}  # peer id → house chat (a chat's peer never changes)
        self._unknown: dict[int, None] = {}  # peers that are not house chats, oldest first
        self._pending: dict[tuple[int, date], _Counts] = {}
        self._flushing = asyncio.Lock()

    # -- counting -------------------------------------------------------------------------------

    async def count_message(self, peer_id: int, author_id: int) -> None:
        """An ordinary message in a chat: counted in memory (ignored if not a house chat)."""
        chat = await self._house_chat(peer_id)
        if chat is None:
            return
        key = (chat.id, self._today(chat.zone))
        counts = self._pending.get(key)
        if counts is None:
            counts = self._pending[key] = _Counts()
        counts.messages += 1
        counts.sketch |= author_bit(author_id)

    async def count_join(self, peer_id: int) -> None:
        await self._add_today(peer_id, "joins")

    async def count_leave(self, peer_id: int) -> None:
        await self._add_today(peer_id, "leaves")

    async def _add_today(self, peer_id: int, field: str) -> None:
        """Joins and leaves are rare: written at once."""
        chat = await self._house_chat(peer_id)
        if chat is None:
            return
        row = await _day_row(chat.id, self._today(chat.zone))
        await ChatDayStat.filter(id=row.id).update(**{field: F(field) + 1})

    async def _house_chat(self, peer_id: int) -> _ChatRef | None:
        """The house chat at `peer_id`: from memory after the first look."""
        chat = self._chats.get(peer_id)
        if chat is not None or peer_id in self._unknown:
            return chat
        row = await Chat.filter(peer_id=peer_id, kind__in=HOUSE_KINDS).first().values(
            "id", "municipality__timezone"
        )
        if row is None:
            if len(self._unknown) >= MAX_UNKNOWN_PEERS:
                del self._unknown[next(iter(self._unknown))]
            self._unknown[peer_id] = None
            return None
        chat = _ChatRef(row["id"], ZoneInfo(row["municipality__timezone"] or self._timezone))
        self._chats[peer_id] = chat
        return chat

    def _today(self, zone: ZoneInfo) -> date:
        return self._clock.now().astimezone(zone).date()

    # -- writing --------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write the counts gathered in memory; whatever fails to be written is kept."""
        async with self._flushing:
            pending, self._pending = self._pending, {}
            try:
                for key in list(pending):
                    await _add_counts(*key, pending[key])
                    del pending[key]
            finally:
                self._keep(pending)

    def _keep(self, unwritten: dict[tuple[int, date], _Counts]) -> None:
        for key, counts in unwritten.items():
            kept = self._pending.setdefault(key, _Counts())
            kept.messages += counts.messages
            kept.sketch |= counts.sketch

    # -- reading --------------------------------------------------------------------------------

    async def municipality_summary(
        self, actor: Actor, municipality_id: int, days: int = 7
    ) -> Summary:
        municipality = await require_municipality(actor, municipality_id)
        return await self._municipality(municipality, self._last_days(municipality, days))

    async def chat_summary(self, actor: Actor, chat_id: int, days: int = 7) -> Summary:
        chat = await self._chat_for(actor, chat_id)
        period = self._last_days(chat.municipality, days)
        figures = await self._figures([chat], period, chat_id=chat.id)
        answered, median = await _answered(period, chat_id=chat.id)
        return Summary(chat.title, period, figures, answered, median)

    async def _chat_for(self, actor: Actor, chat_id: int) -> Chat:
        """A house chat of a municipality the actor works in (with its municipality)."""
        chat = await Chat.get_or_none(id=chat_id, kind__in=HOUSE_KINDS).prefetch_related(
            "municipality"
        )
        if chat is None:
            raise NotFound("Такого чата нет — возможно, его удалили.")
        await require_municipality(actor, chat.municipality_id)
        return chat

    async def series(self, chat: Chat, days: int = 30) -> list[DayPoint]:
        """Messages per day and members at each day's end (members now, walked back)."""
        await self.flush()
        period = self._last_days(await Municipality.get(id=chat.municipality_id), days)
        rows = await ChatDayStat.filter(
            chat_id=chat.id, day__gte=period.first, day__lte=period.last
        ).values_list("day", "messages", "joins", "leaves")
        by_day = {day: (messages, joins, leaves) for day, messages, joins, leaves in rows}
        points, members = [], chat.members_count
        for back in range(period.days):
            day = period.last - timedelta(days=back)
            messages, joins, leaves = by_day.get(day, (0, 0, 0))
            points.append(DayPoint(day, messages, members))
            members = max(0, members - joins + leaves)
        return points[::-1]

    async def municipality_xlsx(self, actor: Actor, municipality_id: int, days: int = 30) -> bytes:
        """A row per house chat, a header and a totals row."""
        municipality = await require_municipality(actor, municipality_id)
        summary = await self._municipality(municipality, self._last_days(municipality, days))
        return await asyncio.to_thread(summary_xlsx, summary)

    async def _municipality(self, municipality: Municipality, period: Period) -> Summary:
        chats = await Chat.filter(municipality=municipality, kind__in=HOUSE_KINDS).order_by(
            *CHAT_ORDER
        )
        scope = {"chat__municipality_id": municipality.id}
        figures = await self._figures(chats, period, **scope)
        answered, median = await _answered(period, **scope)
        return Summary(municipality.name, period, figures, answered, median)

    async def _figures(self, chats: list[Chat], period: Period, **scope: Any) -> list[ChatFigures]:
        """Each chat's figures; `scope` selects the rows: of one chat or of a municipality."""
        await self.flush()
        figures = {chat.id: ChatFigures(chat) for chat in chats}
        days = ChatDayStat.filter(**scope, day__gte=period.first, day__lte=period.last)
        for chat_id, *day in await days.values_list("chat_id", *DAY_FIELDS):
            if chat_id in figures:
                figures[chat_id].add_day(*day)
        now = self._clock.now()
        tickets = Ticket.filter(**scope, status__in=OPEN_STATUSES)
        for chat_id, deadline in await tickets.values_list("chat_id", "deadline_at"):
            if chat_id in figures:
                figures[chat_id].add_open_ticket(overdue=deadline < now)
        for chat_id, step in await Onboarding.filter(**scope).values_list("chat_id", "step"):
            if chat_id in figures:
                figures[chat_id].add_admin_step(step)
        return list(figures.values())

    def _last_days(self, municipality: Municipality, days: int) -> Period:
        zone = self._zone(municipality)
        last = self._today(zone)
        return Period(last - timedelta(days=days - 1), last, zone)

    def _zone(self, municipality: Municipality) -> ZoneInfo:
        return ZoneInfo(municipality.timezone or self._timezone)

    # -- the weekly summary ---------------------------------------------------------------------

    async def weekly_due(self) -> list[WeeklyReport]:
        """Last week's summary of each municipality with house chats: due from Monday 09:00
        local time until `weekly_sent` marks it."""
        reports = []
        for municipality in await Municipality.filter(chats__kind__in=HOUSE_KINDS).distinct():
            zone = self._zone(municipality)
            local = self._clock.now().astimezone(zone)
            year, week, weekday = local.isocalendar()
            key = f"weekly:{municipality.id}:{year}-W{week:02d}"
            if (weekday == 1 and local.hour < WEEKLY_HOUR) or await get_value(key) is not None:
                continue
            monday = local.date() - timedelta(days=weekday - 1)
            period = Period(monday - timedelta(days=7), monday - timedelta(days=1), zone)
            summary = await self._municipality(municipality, period)
            reports.append(WeeklyReport(municipality, key, summary))
        return reports

    async def weekly_sent(self, report: WeeklyReport) -> None:
        await set_value(report.key, self._clock.now().isoformat())


async def _day_row(chat_id: int, day: date) -> ChatDayStat:
    row, _ = await ChatDayStat.get_or_create(chat_id=chat_id, day=day)
    return row


async def _add_counts(chat_id: int, day: date, counts: _Counts) -> None:
    """Add one chat-day's counts: messages summed, the authors' sketches merged."""
    await _day_row(chat_id, day)  # exists, so it can be locked
    async with in_transaction():
        row = await ChatDayStat.filter(chat_id=chat_id, day=day).select_for_update().get()
        sketch = unpack(row.authors_sketch) | counts.sketch
        row.messages += counts.messages
        row.authors_sketch, row.authors = pack(sketch), estimate(sketch)
        await row.save(update_fields=["messages", "authors", "authors_sketch"])


async def _answered(period: Period, **scope: Any) -> tuple[int, timedelta | None]:
    """Tickets answered within the period, and the median time from question to answer."""
    rows = await Ticket.filter(
        **scope,
        status__in=ANSWERED_STATUSES,
        answered_at__gte=period.since,
        answered_at__lt=period.until,
    ).values_list("created_at", "answered_at")
    if not rows:
        return 0, None
    return len(rows), statistics.median(answered - created for created, answered in rows)


# -- the spreadsheet ------------------------------------------------------------------------------

XLSX_COLUMNS = (
    "Название чата",
    "Статус",
    "Участников",
    "Квартир",
    "Охват, %",
    "Сообщений",
    "Авторов",
    "Вступили",
    "Вышли",
    "Открытых обращений",
    "Просроченных",
    "Подключение администратора",
)
XLSX_WIDTHS = (40, 22, 12, 10, 10, 12, 10, 11, 9, 20, 14, 28)


def summary_xlsx(summary: Summary) -> bytes:
    book, sheet = new_sheet("Статистика", XLSX_COLUMNS, XLSX_WIDTHS)
    for f in summary.chats:
        chat = f.chat
        append(
            sheet,
            [
                chat.title, STATUS_TITLES[chat.status], chat.members_count, chat.flats,
                uptake_of(chat).percent, f.messages, f.authors, f.joins, f.leaves,
                f.open_tickets, f.overdue_tickets, step_label(f.step, short=True),
            ]
        )
    totals = [
        f"Итого за {summary.period.first:%d.%m.%Y}–{summary.period.last:%d.%m.%Y}", "",
        summary.members, summary.uptake.flats, summary.uptake.percent, summary.messages,
        sum(f.authors for f in summary.chats), summary.joins, summary.leaves,
        summary.open_tickets, summary.overdue_tickets, "",
    ]
    append(sheet, [cell(sheet, value, font=BOLD) for value in totals])
    return to_bytes(book)
