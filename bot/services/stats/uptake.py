"""Who joins and leaves house chats, and how many flats the chat reaches (uptake)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from tortoise.expressions import F, Q

from bot.clock import Clock
from storage.models import (
    HOUSE_KINDS,
    Chat,
    ChatMember,
    ChatStatus,
    Municipality,
    Person,
    Role,
    RoleGrant,
)

SUMMARY_DAYS = 7  # the admin hears about joins daily during the chat's first week
SUMMARY_HOUR = 10  # local time


class JoinCounter(Protocol):
    """Where joins and leaves are counted (the chat activity, `StatsService`)."""

    async def count_join(self, peer_id: int) -> None: ...

    async def count_leave(self, peer_id: int) -> None: ...


@dataclass(frozen=True)
class Uptake:
    members: int
    flats: int | None

    @property
    def percent(self) -> int | None:
        if not self.flats:
            return None
        return round(100 * self.members / self.flats)


def uptake_of(chat: Chat) -> Uptake:
    return Uptake(chat.members_count, chat.flats)


@dataclass(frozen=True)
class DailySummary:
    chat: Chat
    admins: list[Person]
    joined: int
    uptake: Uptake


class UptakeService:
    def __init__(self, clock: Clock, default_timezone: str, stats: JoinCounter) -> None:
        self._clock = clock
        self._timezone = default_timezone
        self._stats = stats

    async def joined(self, peer_id: int, vk_id: int) -> Chat | None:
        """Record a person joining the chat at `peer_id` (None: not a chat of ours)."""
        chat = await Chat.get_or_none(peer_id=peer_id)
        if chat is None or vk_id <= 0:
            return chat
        now = self._clock.now()
        member = await ChatMember.get_or_none(chat=chat, vk_id=vk_id)
        if member is None:
            await ChatMember.create(chat=chat, vk_id=vk_id, joined_at=now)
        elif member.left_at is not None:
            member.joined_at, member.left_at = now, None
            await member.save(update_fields=["joined_at", "left_at"])
        else:
            return chat  # already counted
        await Chat.filter(id=chat.id).update(members_count=F("members_count") + 1)
        await chat.refresh_from_db(fields=["members_count"])
        await self._stats.count_join(peer_id)
        return chat

    async def left(self, peer_id: int, vk_id: int) -> Chat | None:
        chat = await Chat.get_or_none(peer_id=peer_id)
        if chat is None:
            return None
        updated = await ChatMember.filter(chat=chat, vk_id=vk_id, left_at=None).update(
            left_at=self._clock.now()
        )
        if updated:
            await Chat.filter(id=chat.id, members_count__gt=0).update(
                members_count=F("members_count") - 1
            )
            await chat.refresh_from_db(fields=["members_count"])
            await self._stats.count_leave(peer_id)
        return chat

    def _local_now(self, municipality: Municipality) -> datetime:
        return self._clock.now().astimezone(ZoneInfo(municipality.timezone or self._timezone))

    async def due_summaries(self) -> list[DailySummary]:
        """Daily summaries due now (after 10:00 local time, once a day, first week only);
        each is marked sent as it is returned."""
        now = self._clock.now()
        chats = await Chat.filter(
            status=ChatStatus.ACTIVE,
            kind__in=HOUSE_KINDS,
            created_at__gte=now - timedelta(days=SUMMARY_DAYS),
        ).prefetch_related("municipality")
        due = []
        for chat in chats:
            local = self._local_now(chat.municipality)
            today: date = local.date()
            if local.time() < time(SUMMARY_HOUR) or chat.uptake_reported_on == today:
                continue
            joined = await ChatMember.filter(chat=chat, joined_at__gte=now - timedelta(days=1)).count()
            not_yet = Q(uptake_reported_on=None) | Q(uptake_reported_on__not=today)
            claimed = await Chat.filter(not_yet, id=chat.id).update(uptake_reported_on=today)
            if not claimed or not joined:
                continue
            admins = [
                g.person
                for g in await RoleGrant.filter(
                    chat=chat, role=Role.CHAT_ADMIN, accepted=True
                ).prefetch_related("person")
                if g.person.vk_id is not None
            ]
            due.append(DailySummary(chat, admins, joined, uptake_of(chat)))
        return due
