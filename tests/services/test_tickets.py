"""TicketService: who may open, see, answer and reassign a ticket; limits; deadlines in working
days; reminders and overdue reports once each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import MovableClock
from bot.services.core.access import Actor
from bot.services.core.errors import AccessDenied, DomainError, NotFound
from bot.services.staff.invitations import InvitationService
from bot.services.tickets.service import MAX_ANSWER, MAX_QUESTION, TicketFilter, TicketService
from storage.models import Chat, Person, RepresentativeKind, Role, Ticket, TicketStatus
from tests.services.world import TIMEZONE, actor_of, grant, house, person, someone, town

UK = RepresentativeKind.UK


@dataclass
class Desk:
    tickets: TicketService
    chat: Chat
    admin: Actor  # the chat's admin
    rep: Person  # the chat's representative of the management company
    staff: Actor  # the municipality's staff


@pytest.fixture
async def desk(db: str, clock: MovableClock, invitations: InvitationService) -> Desk:
    tickets = TicketService(
        clock=clock, invitations=invitations, default_timezone=TIMEZONE,
        deadline_days={UK: 3, RepresentativeKind.ADMINISTRATION: 5, RepresentativeKind.RSO: 2},
    )
    municipality = await town()
    chat = await house(municipality, "Ленина 1")
    rep = await person(name="Пётр УК")
    await grant(rep, Role.REPRESENTATIVE, chat=chat, kind=UK, organisation="УК «Дом»")
    admin = await someone(Role.CHAT_ADMIN, chat=chat)
    staff = await someone(Role.STAFF, municipality=municipality)
    return Desk(tickets, chat, admin, rep, staff)


async def test_a_ticket_goes_to_the_chats_representative_with_a_deadline_in_working_days(
    desk: Desk,
) -> None:
    ticket = await desk.tickets.create(desk.admin, desk.chat.id, UK, "  Течёт крыша  ")
    assert ticket.representative_id == desk.rep.id and ticket.question == "Течёт крыша"
    # Wednesday + 3 working days = Monday (the weekend skipped), to its end in local time
    assert ticket.deadline_at == datetime(2026, 11, 30, 20, 59, tzinfo=UTC)
    assert ticket.status is TicketStatus.OPEN


async def test_only_an_admin_of_the_chat_opens_a_ticket_and_only_to_a_kind_the_chat_has(
    desk: Desk,
) -> None:
    other_chat = await house(await town(), "Ленина 2")
    other_admin = await someone(Role.CHAT_ADMIN, chat=other_chat)
    with pytest.raises(AccessDenied):
        await desk.tickets.create(other_admin, desk.chat.id, UK, "Вопрос")
    with pytest.raises(AccessDenied):
        await desk.tickets.create(desk.staff, desk.chat.id, UK, "Вопрос")
    with pytest.raises(DomainError, match="нет такого представителя"):
        await desk.tickets.create(desk.admin, desk.chat.id, RepresentativeKind.RSO, "Вопрос")
    assert await Ticket.all().count() == 0


async def test_the_question_is_neither_empty_nor_too_long(desk: Desk) -> None:
    with pytest.raises(DomainError, match="Опишите вопрос"):
        await desk.tickets.create(desk.admin, desk.chat.id, UK, "   ")
    with pytest.raises(DomainError, match=str(MAX_QUESTION)):
        await desk.tickets.create(desk.admin, desk.chat.id, UK, "в" * (MAX_QUESTION + 1))
    assert await Ticket.all().count() == 0
    await desk.tickets.create(desk.admin, desk.chat.id, UK, "в" * MAX_QUESTION)


async def test_only_the_tickets_representative_answers_and_only_once(desk: Desk) -> None:
    ticket = await desk.tickets.create(desk.admin, desk.chat.id, UK, "Течёт крыша")
    stranger = await person()
    await grant(stranger, Role.REPRESENTATIVE, chat=desk.chat, kind=UK)
    with pytest.raises(AccessDenied, match="другому представителю"):
        await desk.tickets.answer(await actor_of(stranger), ticket.id, "Ответ", None)
    rep = await actor_of(desk.rep)
    with pytest.raises(DomainError, match="пустой"):
        await desk.tickets.answer(rep, ticket.id, "  ", None)
    with pytest.raises(DomainError, match=str(MAX_ANSWER)):
        await desk.tickets.answer(rep, ticket.id, "о" * (MAX_ANSWER + 1), None)
    answered = await desk.tickets.answer(rep, ticket.id, "Починим завтра", None)
    assert answered.status is TicketStatus.ANSWERED and answered.answer == "Починим завтра"
    with pytest.raises(DomainError, match="уже ответили"):
        await desk.tickets.answer(rep, ticket.id, "Ещё раз", None)


async def test_a_representative_who_lost_the_chat_or_has_not_accepted_may_not_answer(
    desk: Desk,
) -> None:
    ticket = await desk.tickets.create(desk.admin, desk.chat.id, UK, "Течёт крыша")
    rep = await actor_of(desk.rep)
    (own,) = rep.grants
    own.accepted = False
    await own.save()
    with pytest.raises(AccessDenied, match="примите приглашение"):
        await desk.tickets.answerable(await actor_of(desk.rep), ticket.id)
    await own.delete()
    with pytest.raises(AccessDenied, match="больше не представитель"):
        await desk.tickets.answerable(await actor_of(desk.rep), ticket.id)


async def test_staff_see_their_municipalitys_tickets_only(desk: Desk) -> None:
    ticket = await desk.tickets.create(desk.admin, desk.chat.id, UK, "Течёт крыша")
    assert (await desk.tickets.visible(desk.staff, ticket.id)).id == ticket.id
    assert (await desk.tickets.visible(desk.admin, ticket.id)).id == ticket.id
    elsewhere = await someone(Role.STAFF, municipality=await town("Другой город"))
    with pytest.raises(AccessDenied):
        await desk.tickets.visible(elsewhere, ticket.id)
    with pytest.raises(AccessDenied):
        await desk.tickets.page(
            elsewhere, number=1, size=10, municipality_id=desk.chat.municipality_id
        )
    with pytest.raises(NotFound):
        await desk.tickets.visible(desk.staff, ticket.id + 100)


async def test_lists_filter_open_overdue_and_answered(desk: Desk, clock: MovableClock) -> None:
    first = await desk.tickets.create(desk.admin, desk.chat.id, UK, "Первый")
    clock.move(days=6)
    second = await desk.tickets.create(desk.admin, desk.chat.id, UK, "Второй")
    await desk.tickets.answer(await actor_of(desk.rep), second.id, "Готово", None)
    municipality_id = desk.chat.municipality_id

    async def ids(only: TicketFilter | None) -> list[int]:
        page = await desk.tickets.page(
            desk.staff, number=1, size=10, only=only, municipality_id=municipality_id
        )
        return [t.id for t in page.items]

    assert await ids(None) == [second.id, first.id]
    assert await ids(TicketFilter.OPEN) == [first.id]
    assert await ids(TicketFilter.OVERDUE) == [first.id]
    assert await ids(TicketFilter.ANSWERED) == [second.id]
    mine = await desk.tickets.page(await actor_of(desk.rep), number=1, size=10)
    assert [t.id for t in mine.items] == [second.id, first.id]
    assert (await desk.tickets.page(desk.staff, number=1, size=10)).items == []  # not theirs


async def test_the_representative_is_reminded_a_day_before_and_staff_told_after_once_each(
    desk: Desk, clock: MovableClock,
) -> None:
    ticket = await desk.tickets.create(desk.admin, desk.chat.id, UK, "Течёт крыша")
    assert await desk.tickets.due_reminders() == []
    clock.set(ticket.deadline_at - timedelta(hours=12))
    (reminder,) = await desk.tickets.due_reminders()
    assert reminder.ticket.id == ticket.id and reminder.person and reminder.person.id == desk.rep.id
    assert await desk.tickets.due_reminders() == []
    assert await desk.tickets.newly_overdue() == []
    clock.set(ticket.deadline_at + timedelta(minutes=1))
    ((overdue, told),) = await desk.tickets.newly_overdue()
    assert overdue.id == ticket.id and [p.vk_id for p in told] == [desk.staff.vk_id]
    assert await desk.tickets.newly_overdue() == []


async def test_an_answered_ticket_is_neither_reminded_nor_overdue(
    desk: Desk, clock: MovableClock,
) -> None:
    ticket = await desk.tickets.create(desk.admin, desk.chat.id, UK, "Течёт крыша")
    await desk.tickets.answer(await actor_of(desk.rep), ticket.id, "Готово", None)
    clock.set(ticket.deadline_at - timedelta(hours=12))
    assert await desk.tickets.due_reminders() == []
    clock.set(ticket.deadline_at + timedelta(days=1))
    assert await desk.tickets.newly_overdue() == []


async def test_staff_of_the_municipality_reassign_an_open_ticket(
    desk: Desk, clock: MovableClock
) -> None:
    ticket = await desk.tickets.create(desk.admin, desk.chat.id, UK, "Течёт крыша")
    clock.set(ticket.deadline_at - timedelta(hours=12))
    await desk.tickets.due_reminders()
    elsewhere = await someone(Role.STAFF, municipality=await town("Другой город"))
    with pytest.raises(AccessDenied):
        await desk.tickets.reassign(elsewhere, ticket.id, "+79123456789")
    with pytest.raises(AccessDenied):
        await desk.tickets.reassign(desk.admin, ticket.id, "+79123456789")
    moved = await desk.tickets.reassign(desk.staff, ticket.id, "+79123456789")
    assert moved.representative is not None and moved.representative.phone == "+79123456789"
    assert moved.reminded_at is None  # the new representative is reminded too
    assert await desk.tickets.organisation(moved) == "УК «Дом»"
    with pytest.raises(AccessDenied):  # the old representative no longer answers it
        await desk.tickets.answerable(await actor_of(desk.rep), ticket.id)


async def test_a_closed_ticket_is_not_reassigned(desk: Desk) -> None:
    ticket = await desk.tickets.create(desk.admin, desk.chat.id, UK, "Течёт крыша")
    await desk.tickets.answer(await actor_of(desk.rep), ticket.id, "Готово", None)
    with pytest.raises(DomainError, match="уже ответили"):
        await desk.tickets.reassign(desk.staff, ticket.id, "+79123456789")
