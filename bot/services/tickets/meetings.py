"""Online meetings in temporary chats.

The meeting table is the truth; timers only say when to look. `run_due` does what is due now:
30 minutes before the start it creates the chat and has its link announced; at the end it
revokes the link, removes everyone and leaves. Each of these claims the meeting with a
conditional update (and a lease, in case the process dies midway), so two processes — or a
restart — never do it twice; announcements carry stable keys, so a repeat after a crash is
dropped by VK's random_id de-duplication.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from tortoise.expressions import Q

from bot.clock import Clock
from bot.services.core.access import Actor
from bot.services.core.errors import DomainError, NotFound
from bot.services.core.ports import ChatUnavailable, Messenger, MessengerError, chat_peer
from bot.services.tickets.service import TicketService
from storage.models import Meeting, MeetingStatus, Ticket, TicketStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
TOPIC_LENGTH = 60
FAILURES_BEFORE_TELLING = 3
EXTENSION = timedelta(minutes=30)


class MeetingAnnouncer(Protocol):
    """Tells people about a meeting (implemented where messages are rendered)."""

    async def scheduled(self, meeting: Meeting, ticket: Ticket, *, before: datetime | None) -> None: ...

    async def cancelled(self, meeting: Meeting, ticket: Ticket) -> None: ...

    async def opened(self, meeting: Meeting, ticket: Ticket) -> None: ...

    async def open_failed(self, meeting: Meeting, ticket: Ticket) -> None: ...

    async def closed(self, meeting: Meeting, ticket: Ticket) -> None: ...

    async def missed(self, meeting: Meeting, ticket: Ticket) -> None: ...


def topic(ticket: Ticket) -> str:
    text = " ".join(ticket.question.split())
    return text if len(text) <= TOPIC_LENGTH else text[: TOPIC_LENGTH - 1].rstrip() + "…"


class MeetingService:
    def __init__(
        self,
        *,
        messenger: Messenger,
        clock: Clock,
        tickets: TicketService,
        community_id: int,
        duration: timedelta,
        link_lead: timedelta,
    ) -> None:
        self._messenger = messenger
        self._clock = clock
        self._tickets = tickets
        self._community_member = -community_id
        self.duration = duration
        self.link_lead = link_lead
        self.announcer: MeetingAnnouncer | None = None  # set by the composition root

    @property
    def link_lead_minutes(self) -> int:
        """How many minutes before the start the meeting's link is posted."""
        return int(self.link_lead.total_seconds() // 60)

    @property
    def _announce(self) -> MeetingAnnouncer:
        assert self.announcer is not None, "the composition root sets the announcer"
        return self.announcer

    # -- the representative's actions ---------------------------------------------------------------

    async def schedule(self, actor: Actor, ticket_id: int, starts_at: datetime) -> Meeting:
        ticket = await self._tickets.answerable(actor, ticket_id)
        claimed = await Ticket.filter(id=ticket.id, status=TicketStatus.OPEN).update(
            status=TicketStatus.MEETING
        )
        if not claimed:
            raise DomainError("По этому обращению уже назначена встреча или дан ответ.")
        meeting = await Meeting.create(
            ticket=ticket, starts_at=starts_at, ends_at=starts_at + self.duration
        )
        await self._announce.scheduled(meeting, await self._tickets.load(ticket.id), before=None)
        return meeting

    async def mine(self, actor: Actor, meeting_id: int) -> tuple[Meeting, Ticket]:
        meeting = await Meeting.get_or_none(id=meeting_id)
        if meeting is None:
            raise NotFound("Такой встречи нет.")
        ticket = await self._tickets.for_representative(actor, meeting.ticket_id)
        return meeting, ticket

    async def reschedule(self, actor: Actor, meeting_id: int, starts_at: datetime) -> Meeting:
        meeting, ticket = await self.mine(actor, meeting_id)
        before = meeting.starts_at
        moved = await Meeting.filter(id=meeting.id, status=MeetingStatus.SCHEDULED).update(
            starts_at=starts_at, ends_at=starts_at + self.duration, failures=0
        )
        if not moved:
            raise DomainError("Встреча уже началась или закрыта — перенести её нельзя.")
        await meeting.refresh_from_db()
        await self._announce.scheduled(meeting, ticket, before=before)
        return meeting

    async def cancel(self, actor: Actor, meeting_id: int) -> tuple[Meeting, Ticket]:
        """Cancel a meeting not yet started; the meeting and its ticket (as it was loaded)."""
        meeting, ticket = await self.mine(actor, meeting_id)
        cancelled = await Meeting.filter(id=meeting.id, status=MeetingStatus.SCHEDULED).update(
            status=MeetingStatus.CANCELLED
        )
        if not cancelled:
            raise DomainError("Встреча уже началась или закрыта — отменить её нельзя.")
        await Ticket.filter(id=ticket.id, status=TicketStatus.MEETING).update(status=TicketStatus.OPEN)
        await meeting.refresh_from_db()
        await self._announce.cancelled(meeting, await self._tickets.load(ticket.id))
        return meeting, ticket

    async def extend(self, actor: Actor, meeting_id: int) -> tuple[Meeting, Ticket]:
        meeting, ticket = await self.mine(actor, meeting_id)
        if meeting.status is not MeetingStatus.LIVE:
            raise DomainError("Продлить можно только идущую встречу.")
        meeting.ends_at += EXTENSION
        await Meeting.filter(id=meeting.id, status=MeetingStatus.LIVE).update(ends_at=meeting.ends_at)
        return meeting, ticket

    async def finish(self, actor: Actor, meeting_id: int) -> Meeting:
        """End a live meeting now: its chat is closed at once."""
        meeting, _ = await self.mine(actor, meeting_id)
        if meeting.status is not MeetingStatus.LIVE:
            raise DomainError("Эта встреча уже закрыта.")
        await Meeting.filter(id=meeting.id, status=MeetingStatus.LIVE).update(ends_at=self._clock.now())
        await self._close(meeting.id)
        await meeting.refresh_from_db()
        return meeting

    # -- timers ------------------------------------------------------------------------------------

    async def run_due(self) -> None:
        """Open the meetings whose link is due and close the ones that ended."""
        now = self._clock.now()
        stale = Q(lease_until__lt=now)
        to_open = await Meeting.filter(
            Q(status=MeetingStatus.SCHEDULED) | (Q(status=MeetingStatus.OPENING) & stale),
            starts_at__lte=now + self.link_lead,
        ).values_list("id", flat=True)
        for meeting_id in to_open:
            await self._open(meeting_id)  # type: ignore[arg-type]  # tortoise types flat values_list as tuples
        to_close = await Meeting.filter(
            Q(status=MeetingStatus.LIVE) | (Q(status=MeetingStatus.CLOSING) & stale),
            ends_at__lte=now,
        ).values_list("id", flat=True)
        for meeting_id in to_close:
            await self._close(meeting_id)  # type: ignore[arg-type]  # tortoise types flat values_list as tuples

    async def next_times(self) -> list[datetime]:
        """When `run_due` will next have something to do (for the scheduler)."""
        times = []
        for meeting in await Meeting.filter(status=MeetingStatus.SCHEDULED):
            times.append(meeting.starts_at - self.link_lead)
        for meeting in await Meeting.filter(status=MeetingStatus.LIVE):
            times.append(meeting.ends_at)
        return times

    async def _claim(self, meeting_id: int, status: MeetingStatus, to: MeetingStatus) -> Meeting | None:
        now = self._clock.now()
        claimable = Q(status=status) | (Q(status=to) & Q(lease_until__lt=now))
        if not await Meeting.filter(claimable, id=meeting_id).update(status=to, lease_until=now + LEASE):
            return None
        return await Meeting.get(id=meeting_id)

    async def _open(self, meeting_id: int) -> None:
        meeting = await self._claim(meeting_id, MeetingStatus.SCHEDULED, MeetingStatus.OPENING)
        if meeting is None:
            return  # another process (or an earlier run) has it
        ticket = await self._tickets.load(meeting.ticket_id)
        if self._clock.now() >= meeting.ends_at:
            meeting.status = MeetingStatus.MISSED
            await meeting.save(update_fields=["status"])
            await Ticket.filter(id=ticket.id, status=TicketStatus.MEETING).update(status=TicketStatus.OPEN)
            await self._announce.missed(meeting, ticket)
            return
        try:
            if meeting.vk_chat_id is None:
                meeting.vk_chat_id = await self._messenger.create_chat(f"Обсуждение: {topic(ticket)}")
                meeting.peer_id = chat_peer(meeting.vk_chat_id)
                await meeting.save(update_fields=["vk_chat_id", "peer_id"])
            if meeting.invite_link is None:
                meeting.invite_link = await self._messenger.invite_link(meeting.peer_id or 0)
                await meeting.save(update_fields=["invite_link"])
            await self._announce.opened(meeting, ticket)
        except MessengerError as exc:
            log.warning("meeting %s: the temporary chat failed: %s", meeting.id, exc)
            meeting.failures += 1
            meeting.status = MeetingStatus.SCHEDULED  # stays scheduled; tried again next time
            meeting.lease_until = None
            await meeting.save(update_fields=["failures", "status", "lease_until"])
            if meeting.failures == FAILURES_BEFORE_TELLING:
                await self._announce.open_failed(meeting, ticket)
            return
        meeting.status = MeetingStatus.LIVE
        meeting.opened_at = self._clock.now()
        meeting.lease_until = None
        await meeting.save(update_fields=["status", "opened_at", "lease_until"])

    async def _close(self, meeting_id: int) -> None:
        meeting = await self._claim(meeting_id, MeetingStatus.LIVE, MeetingStatus.CLOSING)
        if meeting is None:
            return
        ticket = await self._tickets.load(meeting.ticket_id)
        if meeting.vk_chat_id is not None and meeting.peer_id is not None:
            await self._empty_chat(meeting.vk_chat_id, meeting.peer_id)
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = self._clock.now()
        meeting.lease_until = None
        await meeting.save(update_fields=["status", "closed_at", "lease_until"])
        await Ticket.filter(id=ticket.id, status=TicketStatus.MEETING).update(
            status=TicketStatus.MET, answered_at=self._clock.now()
        )
        await self._announce.closed(meeting, await self._tickets.load(ticket.id))

    async def _empty_chat(self, chat_id: int, peer_id: int) -> None:
        """VK cannot delete a chat: revoke its link, remove everyone, leave."""
        try:
            await self._messenger.invite_link(peer_id, reset=True)
            for member in await self._messenger.members(peer_id):
                if member != self._community_member:
                    await self._messenger.remove_chat_user(chat_id, member)
            await self._messenger.remove_chat_user(chat_id, self._community_member)
        except ChatUnavailable as exc:  # already gone or taken from us: nothing left to close
            log.info("temporary chat %s already unavailable: %s", chat_id, exc)

