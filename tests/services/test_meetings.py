"""MeetingService: only the ticket's representative schedules, moves, cancels, extends and ends a
meeting, each only in the state that allows it; the timers open the temporary chat at T-30 once,
retry a failure (telling people on the third), close it at the end and mark a missed one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.clock import MovableClock
from bot.services.core.access import Actor
from bot.services.core.errors import AccessDenied, DomainError, NotFound
from bot.services.staff.invitations import InvitationService
from bot.services.tickets.meetings import FAILURES_BEFORE_TELLING, MeetingService
from bot.services.core.ports import chat_peer
from bot.services.tickets.service import TicketService
from storage.models import Meeting, MeetingStatus, RepresentativeKind, Role, Ticket, TicketStatus
from tests.fakes import COMMUNITY_ID, FakeMessenger, RecordingAnnouncer
from tests.services.world import NOON, TIMEZONE, actor_of, grant, house, person, someone, town

UK = RepresentativeKind.UK
START = NOON + timedelta(hours=2)


@dataclass
class Room:
    meetings: MeetingService
    announcer: RecordingAnnouncer
    ticket: Ticket
    rep: Actor
    admin: Actor


@pytest.fixture
async def room(
    db: str, clock: MovableClock, invitations: InvitationService, messenger: FakeMessenger
) -> Room:
    tickets = TicketService(
        clock=clock, invitations=invitations, default_timezone=TIMEZONE,
        deadline_days=dict.fromkeys(RepresentativeKind, 3),
    )
    meetings = MeetingService(
        messenger=messenger, clock=clock, tickets=tickets, community_id=-COMMUNITY_ID,
        duration=timedelta(hours=1), link_lead=timedelta(minutes=30),
    )
    meetings.announcer = announcer = RecordingAnnouncer()
    chat = await house(await town(), "Ленина 1")
    rep = await person()
    await grant(rep, Role.REPRESENTATIVE, chat=chat, kind=UK)
    admin = await someone(Role.CHAT_ADMIN, chat=chat)
    ticket = await tickets.create(admin, chat.id, UK, "Когда заменят лифт?")
    return Room(meetings, announcer, ticket, await actor_of(rep), admin)


async def status_of(ticket: Ticket) -> TicketStatus:
    return (await Ticket.get(id=ticket.id)).status


async def test_only_the_representative_schedules_and_only_once(room: Room) -> None:
    with pytest.raises(AccessDenied):
        await room.meetings.schedule(room.admin, room.ticket.id, START)
    meeting = await room.meetings.schedule(room.rep, room.ticket.id, START)
    assert meeting.ends_at == START + timedelta(hours=1)
    assert await status_of(room.ticket) is TicketStatus.MEETING
    assert room.announcer.of("scheduled") == [meeting.id]
    with pytest.raises(DomainError, match="встреча"):
        await room.meetings.schedule(room.rep, room.ticket.id, START)
    assert await Meeting.all().count() == 1


async def test_the_chat_opens_at_the_link_lead_once_and_closes_at_the_end(
    room: Room, clock: MovableClock, messenger: FakeMessenger,
) -> None:
    meeting = await room.meetings.schedule(room.rep, room.ticket.id, START)
    await room.meetings.run_due()
    assert messenger.created == []  # two hours ahead: nothing yet
    assert await room.meetings.next_times() == [START - timedelta(minutes=30)]
    clock.set(START - timedelta(minutes=30))
    await room.meetings.run_due()
    await room.meetings.run_due()
    assert messenger.created == ["Обсуждение: Когда заменят лифт?"]
    live = await Meeting.get(id=meeting.id)
    assert live.status is MeetingStatus.LIVE and live.invite_link
    assert room.announcer.of("opened") == [meeting.id]
    assert live.vk_chat_id is not None
    resident = 1_000_777
    messenger.join(resident, live.invite_link)
    clock.set(live.ends_at)
    await room.meetings.run_due()
    closed = await Meeting.get(id=meeting.id)
    assert closed.status is MeetingStatus.CLOSED
    fake = messenger.chats[live.vk_chat_id]
    assert fake.members == [] and fake.community_state == "left"  # everyone out, we left
    assert fake.link != live.invite_link  # the old link no longer works
    assert await status_of(room.ticket) is TicketStatus.MET
    assert room.announcer.of("closed") == [meeting.id]


async def test_a_failed_chat_is_tried_again_and_people_are_told_on_the_third_failure(
    room: Room, clock: MovableClock, messenger: FakeMessenger,
) -> None:
    meeting = await room.meetings.schedule(room.rep, room.ticket.id, START)
    clock.set(START - timedelta(minutes=30))
    messenger.down_after = 0
    for _ in range(FAILURES_BEFORE_TELLING + 1):
        await room.meetings.run_due()
    failed = await Meeting.get(id=meeting.id)
    assert failed.status is MeetingStatus.SCHEDULED and failed.failures == 4
    assert room.announcer.of("open_failed") == [meeting.id]  # once, on the third
    messenger.down_after = None
    await room.meetings.run_due()
    assert (await Meeting.get(id=meeting.id)).status is MeetingStatus.LIVE


async def test_a_meeting_whose_time_passed_before_it_opened_is_missed(
    room: Room, clock: MovableClock, messenger: FakeMessenger,
) -> None:
    meeting = await room.meetings.schedule(room.rep, room.ticket.id, START)
    clock.set(START + timedelta(hours=2))
    await room.meetings.run_due()
    assert (await Meeting.get(id=meeting.id)).status is MeetingStatus.MISSED
    assert messenger.created == []
    assert await status_of(room.ticket) is TicketStatus.OPEN  # to be answered another way
    assert room.announcer.of("missed") == [meeting.id]


async def test_a_scheduled_meeting_is_moved_or_cancelled_a_live_one_is_not(
    room: Room, clock: MovableClock,
) -> None:
    meeting = await room.meetings.schedule(room.rep, room.ticket.id, START)
    with pytest.raises(AccessDenied):
        await room.meetings.reschedule(room.admin, meeting.id, START + timedelta(days=1))
    moved = await room.meetings.reschedule(room.rep, meeting.id, START + timedelta(days=1))
    assert moved.starts_at == START + timedelta(days=1)
    assert moved.ends_at == START + timedelta(days=1, hours=1)
    clock.set(moved.starts_at - timedelta(minutes=30))
    await room.meetings.run_due()
    with pytest.raises(DomainError, match="перенести её нельзя"):
        await room.meetings.reschedule(room.rep, meeting.id, START + timedelta(days=2))
    with pytest.raises(DomainError, match="отменить её нельзя"):
        await room.meetings.cancel(room.rep, meeting.id)
    with pytest.raises(NotFound):
        await room.meetings.cancel(room.rep, meeting.id + 1)


async def test_cancelling_gives_the_ticket_back_to_answer(room: Room) -> None:
    meeting = await room.meetings.schedule(room.rep, room.ticket.id, START)
    with pytest.raises(AccessDenied):
        await room.meetings.cancel(room.admin, meeting.id)
    await room.meetings.cancel(room.rep, meeting.id)
    assert (await Meeting.get(id=meeting.id)).status is MeetingStatus.CANCELLED
    assert await status_of(room.ticket) is TicketStatus.OPEN
    assert room.announcer.of("cancelled") == [meeting.id]
    await room.meetings.run_due()
    assert await room.meetings.next_times() == []


async def test_only_a_live_meeting_is_extended_or_ended_early(
    room: Room, clock: MovableClock, messenger: FakeMessenger,
) -> None:
    meeting = await room.meetings.schedule(room.rep, room.ticket.id, START)
    with pytest.raises(DomainError, match="идущую"):
        await room.meetings.extend(room.rep, meeting.id)
    with pytest.raises(DomainError, match="закрыта"):
        await room.meetings.finish(room.rep, meeting.id)
    clock.set(START - timedelta(minutes=30))
    await room.meetings.run_due()
    extended, _ = await room.meetings.extend(room.rep, meeting.id)
    assert (await Meeting.get(id=meeting.id)).ends_at == START + timedelta(hours=1, minutes=30)
    assert extended.ends_at == START + timedelta(hours=1, minutes=30)
    clock.set(START + timedelta(hours=1, minutes=10))
    await room.meetings.run_due()
    assert (await Meeting.get(id=meeting.id)).status is MeetingStatus.LIVE  # extended: still on
    with pytest.raises(AccessDenied):
        await room.meetings.finish(room.admin, meeting.id)
    finished = await room.meetings.finish(room.rep, meeting.id)
    assert finished.status is MeetingStatus.CLOSED
    assert finished.vk_chat_id is not None
    assert messenger.chats[finished.vk_chat_id].community_state == "left"
    assert chat_peer(finished.vk_chat_id) == finished.peer_id
