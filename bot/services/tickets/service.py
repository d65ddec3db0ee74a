"""Tickets: questions chat admins pass to representatives, with deadlines in working days.

Who may do what is checked here: a chat admin escalates only from their chats and only to a
kind of representative the chat has; only the ticket's representative answers it (a forwarded
or forged button of someone else is refused); staff see and reassign their municipality's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.clock import Clock
from bot.services.core.access import Actor, municipality_staff, require_municipality
from bot.services.core.calendar import add_working_days
from bot.services.core.errors import AccessDenied, DomainError, NotFound
from bot.services.core.paging import Page, paginate
from bot.services.staff.invitations import InvitationService, Scope, SmsNotSent, offer_text
from storage.models import (
    CHAT_ORDER,
    Blob,
    Chat,
    ChatStatus,
    Municipality,
    Person,
    RepresentativeKind,
    Role,
    RoleGrant,
    Ticket,
    TicketStatus,
)

log = logging.getLogger(__name__)

MAX_QUESTION = 2000
MAX_ANSWER = 4000
REMIND_BEFORE = timedelta(days=1)
OPEN_STATUSES = (TicketStatus.OPEN, TicketStatus.MEETING)
ANSWERED_STATUSES = (TicketStatus.ANSWERED, TicketStatus.MET)


class TicketFilter(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    ANSWERED = "answered"


@dataclass(frozen=True)
class Attachment:
    kind: str  # "photo" | "doc"
    filename: str
    content: bytes


@dataclass(frozen=True)
class Deadline:
    ticket: Ticket
    chat: Chat
    person: Person | None  # who is to be told (the representative before, staff after)


class TicketService:
    def __init__(
        self,
        *,
        clock: Clock,
        invitations: InvitationService,
        default_timezone: str,
        deadline_days: dict[RepresentativeKind, int],
    ) -> None:
        self._clock = clock
        self._invitations = invitations
        self._timezone = default_timezone
        self._deadline_days = deadline_days

    def zone(self, municipality: Municipality) -> ZoneInfo:
        return ZoneInfo(municipality.timezone or self._timezone)

    # -- escalation by a chat admin --------------------------------------------------------------

    async def escalation_chats(self, actor: Actor) -> list[Chat]:
        chat_ids = [g.chat_id for g in actor.grants_of(Role.CHAT_ADMIN)]
        return await Chat.filter(id__in=chat_ids, status=ChatStatus.ACTIVE).order_by(*CHAT_ORDER)

    async def admin_chat(self, actor: Actor, chat_id: int) -> Chat:
        if not any(g.chat_id == chat_id for g in actor.grants_of(Role.CHAT_ADMIN)):
            raise AccessDenied("Пригласить представителя может администратор этого чата.")
        chat = await Chat.get_or_none(id=chat_id, status=ChatStatus.ACTIVE)
        if chat is None:
            raise NotFound("Этот чат сейчас не действует.")
        return chat

    async def options(self, chat: Chat) -> list[tuple[RepresentativeKind, str | None]]:
        """The kinds of representative the chat has (with the organisation), in a stable order."""
        organisations: dict[RepresentativeKind, str | None] = {}
        for grant in await RoleGrant.filter(chat=chat, role=Role.REPRESENTATIVE).order_by("id"):
            if grant.kind is not None:
                organisations.setdefault(grant.kind, grant.organisation)
        return [(kind, organisations[kind]) for kind in RepresentativeKind if kind in organisations]

    async def create(
        self,
        actor: Actor,
        chat_id: int,
        kind: RepresentativeKind,
        question: str,
        photo: Attachment | None = None,
    ) -> Ticket:
        chat = await self.admin_chat(actor, chat_id)
        question = question.strip()
        if not question:
            raise DomainError("Опишите вопрос текстом — без него представителю нечего ответить.")
        if len(question) > MAX_QUESTION:
            raise DomainError(f"Вопрос длиннее {MAX_QUESTION} символов. Сократите его.")
        grant = await RoleGrant.filter(chat=chat, role=Role.REPRESENTATIVE, kind=kind).order_by("id").first()
        if grant is None:
            raise DomainError("У этого чата нет такого представителя — выберите другого.")
        municipality = await Municipality.get(id=chat.municipality_id)
        now = self._clock.now()
        async with in_transaction():
            blob = None
            if photo is not None:
                blob = await Blob.create(kind=photo.kind, filename=photo.filename, content=photo.content)
            ticket = await Ticket.create(
                chat=chat,
                municipality=municipality,
                author=actor.person,
                kind=kind,
                representative_id=grant.person_id,
                question=question,
                question_photo=blob,
                created_at=now,
                deadline_at=add_working_days(now, self._deadline_days[kind], self.zone(municipality)),
            )
        return await self.load(ticket.id)

    async def load(self, ticket_id: int) -> Ticket:
        ticket = await Ticket.get_or_none(id=ticket_id).prefetch_related(
            "chat", "municipality", "representative", "author"
        )
        if ticket is None:
            raise NotFound(f"Обращения №{ticket_id} нет.")
        return ticket

    async def text_representative(self, ticket: Ticket) -> None:
        """The representative does not get the bot's messages in VK: an SMS with a link that
        brings them to the bot (their grant for this chat, made if they had none)."""
        rep = ticket.representative
        if rep is None or not rep.phone:
            return
        grant = await RoleGrant.filter(
            person=rep, chat_id=ticket.chat_id, role=Role.REPRESENTATIVE
        ).first()
        if grant is None:
            grant = await self._grant_told_by_ticket(
                phone=rep.phone,
                scope=Scope(municipality=ticket.municipality, chat=ticket.chat, kind=ticket.kind),
                invited_by=None,
            )
        grant.person = rep
        _, link = await self._invitations.issue(grant, None)
        try:
            await self._invitations.text(
                rep.phone,
                f"Домовые чаты: обращение №{ticket.id} по адресу «{ticket.chat.title}» ждёт ответа. "
                f"Откройте ссылку и напишите боту: {link}",
            )
        except SmsNotSent:
            log.warning("SMS for ticket %s failed", ticket.id)

    async def organisation(self, ticket: Ticket) -> str | None:
        grant = await RoleGrant.filter(
            chat_id=ticket.chat_id, person_id=ticket.representative_id,
            role=Role.REPRESENTATIVE, kind=ticket.kind,
        ).first()
        return grant.organisation if grant else None

    # -- the representative ------------------------------------------------------------------------

    async def for_representative(self, actor: Actor, ticket_id: int) -> Ticket:
        """The ticket, if the actor is its representative now (not a forwarded button)."""
        ticket = await self.load(ticket_id)
        if actor.person is None or ticket.representative_id != actor.person.id:
            raise AccessDenied("Это обращение адресовано другому представителю.")
        if not any(g.chat_id == ticket.chat_id for g in actor.grants_of(Role.REPRESENTATIVE)):
            if await RoleGrant.exists(
                person=actor.person, chat_id=ticket.chat_id, role=Role.REPRESENTATIVE,
                accepted=False,
            ):
                raise AccessDenied(
                    "Сначала примите приглашение представителем этого чата — кнопка «Принять» "
                    "в сообщении о нём."
                )
            raise AccessDenied("Вы больше не представитель в этом чате.")
        return ticket

    async def waiting_for(self, actor: Actor) -> list[Ticket]:
        """Tickets the actor is to answer now (as representative of their chat), oldest first."""
        chats = [g.chat_id for g in actor.grants_of(Role.REPRESENTATIVE)]
        if actor.person is None or not chats:
            return []
        return await Ticket.filter(
            representative_id=actor.person.id, chat_id__in=chats, status=TicketStatus.OPEN
        ).order_by("id").prefetch_related("chat", "municipality", "representative", "author")

    async def visible(self, actor: Actor, ticket_id: int) -> Ticket:
        """The ticket, if the actor is its representative, its chat's admin or staff there."""
        ticket = await self.load(ticket_id)
        person_id = actor.person.id if actor.person else None
        if ticket.representative_id == person_id or any(
            g.chat_id == ticket.chat_id for g in actor.grants_of(Role.CHAT_ADMIN)
        ):
            return ticket
        await require_municipality(actor, ticket.municipality_id)
        return ticket

    async def answerable(self, actor: Actor, ticket_id: int) -> Ticket:
        ticket = await self.for_representative(actor, ticket_id)
        if ticket.status is not TicketStatus.OPEN:
            raise DomainError(_closed_reason(ticket))
        return ticket

    async def answer(
        self, actor: Actor, ticket_id: int, text: str, file: Attachment | None
    ) -> Ticket:
        """Close the ticket with the answer; a second answer (a second press) is refused."""
        ticket = await self.answerable(actor, ticket_id)
        text = text.strip()
        if not text:
            raise DomainError("Ответ пустой. Напишите текст ответа (к нему можно приложить файл).")
        if len(text) > MAX_ANSWER:
            raise DomainError(f"Ответ длиннее {MAX_ANSWER} символов. Сократите его.")
        async with in_transaction():
            blob = None
            if file is not None:
                blob = await Blob.create(kind=file.kind, filename=file.filename, content=file.content)
            claimed = await Ticket.filter(id=ticket.id, status=TicketStatus.OPEN).update(
                status=TicketStatus.ANSWERED,
                answer=text,
                answer_file_id=blob.id if blob else None,
                answered_at=self._clock.now(),
            )
            if not claimed:
                raise DomainError("На это обращение уже ответили.")
        return await self.load(ticket.id)

    async def remember_notice(self, ticket: Ticket, cmid: int | None) -> None:
        ticket.notice_cmid = cmid
        await ticket.save(update_fields=["notice_cmid"])

    # -- lists ----------------------------------------------------------------------------------

    async def page(
        self, actor: Actor, *, number: int, size: int, only: TicketFilter | None = None,
        municipality_id: int | None = None,
    ) -> Page[Ticket]:
        """Tickets the actor may see: their own as representative, their chats' as chat admin,
        their municipality's as staff (with `municipality_id`)."""
        if municipality_id is not None:
            await require_municipality(actor, municipality_id)
            query = Ticket.filter(municipality_id=municipality_id)
        else:
            person_id = actor.person.id if actor.person else 0
            admin_chats = [g.chat_id for g in actor.grants_of(Role.CHAT_ADMIN)]
            query = Ticket.filter(Q(representative_id=person_id) | Q(chat_id__in=admin_chats))
        now = self._clock.now()
        if only is TicketFilter.OPEN:
            query = query.filter(status__in=OPEN_STATUSES)
        elif only is TicketFilter.OVERDUE:
            query = query.filter(status__in=OPEN_STATUSES, deadline_at__lt=now)
        elif only is TicketFilter.ANSWERED:
            query = query.filter(status__in=ANSWERED_STATUSES)
        return await paginate(
            query.order_by("-id").prefetch_related("chat", "representative"), number, size
        )

    def overdue(self, ticket: Ticket) -> bool:
        return ticket.status in OPEN_STATUSES and ticket.deadline_at < self._clock.now()

    # -- deadlines --------------------------------------------------------------------------------

    async def due_reminders(self) -> list[Deadline]:
        """Open tickets a day before their deadline: the representative is reminded once."""
        now = self._clock.now()
        found = await Ticket.filter(
            status__in=OPEN_STATUSES,
            reminded_at=None,
            deadline_at__lte=now + REMIND_BEFORE,
            deadline_at__gt=now,
        ).prefetch_related("chat", "representative")
        due = []
        for ticket in found:
            if await Ticket.filter(id=ticket.id, reminded_at=None).update(reminded_at=now):
                due.append(Deadline(ticket, ticket.chat, ticket.representative))
        return due

    async def newly_overdue(self) -> list[tuple[Ticket, list[Person]]]:
        """Tickets past their deadline, each reported once, with the staff to tell."""
        now = self._clock.now()
        found = await Ticket.filter(
            status__in=OPEN_STATUSES, overdue_reported_at=None, deadline_at__lte=now
        ).prefetch_related("chat", "representative")
        result = []
        staff: dict[int, list[Person]] = {}  # municipality id → whom to tell
        for ticket in found:
            if not await Ticket.filter(id=ticket.id, overdue_reported_at=None).update(
                overdue_reported_at=now
            ):
                continue
            if ticket.municipality_id not in staff:
                staff[ticket.municipality_id] = await municipality_staff(ticket.municipality_id)
            result.append((ticket, staff[ticket.municipality_id]))
        return result

    async def reassign(self, actor: Actor, ticket_id: int, phone: str) -> Ticket:
        """Staff give an open ticket to another representative (of the same kind, this chat)."""
        ticket = await self.load(ticket_id)
        await require_municipality(actor, ticket.municipality_id)
        if ticket.status not in OPEN_STATUSES:
            raise DomainError(_closed_reason(ticket))
        organisation = await self.organisation(ticket)
        grant = await self._grant_told_by_ticket(
            phone=phone,
            scope=Scope(
                municipality=ticket.municipality, chat=ticket.chat, kind=ticket.kind,
                organisation=organisation,
            ),
            invited_by=actor.person,
        )
        if not grant.accepted and grant.person.vk_id is not None:  # an offer comes first
            await grant.fetch_related("municipality", "chat")
            await self._invitations.tell(
                grant.person, [grant], vk_text=offer_text([grant], actor.person),
                sms_text=lambda link: f"Домовые чаты: откройте ссылку и напишите боту: {link}",
                sent_by=actor.person,
            )
        ticket.representative_id = grant.person_id
        ticket.notice_cmid = None
        ticket.reminded_at = None
        await ticket.save(update_fields=["representative_id", "notice_cmid", "reminded_at"])
        return await self.load(ticket.id)

    async def _grant_told_by_ticket(
        self, *, phone: str, scope: Scope, invited_by: Person | None
    ) -> RoleGrant:
        """A representative's grant made for a ticket, marked as told in the same transaction:
        the ticket's notice (or its SMS) tells them of it, so the pending chats job
        (`ChatService.resume_pending`) must not announce the role once more."""
        async with in_transaction():
            grant = await self._invitations.grant(
                phone=phone, role=Role.REPRESENTATIVE, scope=scope, invited_by=invited_by
            )
            if grant.notified_at is None:
                grant.notified_at = self._clock.now()
                await grant.save(update_fields=["notified_at"])
        return grant

    async def blob(self, blob_id: int | None) -> Blob | None:
        return None if blob_id is None else await Blob.get_or_none(id=blob_id)


def _closed_reason(ticket: Ticket) -> str:
    if ticket.status is TicketStatus.ANSWERED:
        return "На это обращение уже ответили."
    if ticket.status is TicketStatus.MEETING:
        return "По этому обращению уже назначена онлайн-встреча."
    return "Это обращение уже закрыто."

