"""Municipal staff: who may invite them, and inviting them by phone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from bot.services.access import MANAGERS, Actor, municipalities_of, require_municipality
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.invitations import (
    InvitationService,
    PersonStatus,
    Scope,
    SmsNotSent,
    person_statuses,
)
from bot.services.paging import Page, paginate
from storage.models import Invitation, Municipality, Person, Role, RoleGrant


class InviteStatus(StrEnum):
    INVITED = "invited"  # SMS with a link sent
    ACTIVE = "active"  # already has a VK account bound: the role works right away
    SMS_FAILED = "sms_failed"


@dataclass(frozen=True)
class InviteOutcome:
    phone: str
    status: InviteStatus
    vk_id: int | None = None


class StaffService:
    def __init__(self, invitations: InvitationService) -> None:
        self._invitations = invitations

    async def manageable_municipalities(self, actor: Actor) -> list[Municipality]:
        """Municipalities whose staff the actor manages (their own, or their region's)."""
        return await municipalities_of(actor, MANAGERS)

    async def municipality_for(self, actor: Actor, municipality_id: int) -> Municipality:
        try:
            return await require_municipality(actor, municipality_id, MANAGERS)
        except AccessDenied:
            raise AccessDenied("Приглашать сотрудников этого муниципалитета вы не можете.") from None

    async def invite(
        self, actor: Actor, municipality_id: int, phones: tuple[str, ...]
    ) -> list[InviteOutcome]:
        municipality = await self.municipality_for(actor, municipality_id)
        outcomes = []
        for phone in phones:
            try:
                issued = await self._invitations.invite(
                    phone=phone,
                    role=Role.STAFF,
                    scope=Scope(municipality=municipality),
                    invited_by=actor.person,
                )
            except SmsNotSent:
                outcomes.append(InviteOutcome(phone, InviteStatus.SMS_FAILED))
                continue
            if issued.invitation is None:
                outcomes.append(InviteOutcome(phone, InviteStatus.ACTIVE, issued.person.vk_id))
            else:
                outcomes.append(InviteOutcome(phone, InviteStatus.INVITED))
        return outcomes


@dataclass(frozen=True)
class StaffMember:
    grant: RoleGrant
    person: Person
    status: PersonStatus


class StaffDirectory:
    """The staff list of a municipality: statuses, resending invitations, removing people."""

    def __init__(self, invitations: InvitationService, clock: Clock) -> None:
        self._invitations = invitations
        self._clock = clock

    async def page(
        self, actor: Actor, municipality_id: int, *, number: int, size: int
    ) -> Page[StaffMember]:
        try:
            municipality = await require_municipality(actor, municipality_id, MANAGERS)
        except AccessDenied:
            raise AccessDenied("Список сотрудников доступен администраторам муниципалитета.") from None
        query = RoleGrant.filter(municipality=municipality, role=Role.STAFF).order_by("id")
        page = await paginate(query.prefetch_related("person"), number, size)
        statuses = await person_statuses(page.items, self._clock.now())
        members = [StaffMember(g, g.person, statuses[g.id]) for g in page.items]
        return Page(members, page.number, page.pages, page.total, page.size)

    async def member(self, actor: Actor, grant_id: int) -> StaffMember:
        grant = await RoleGrant.get_or_none(id=grant_id, role=Role.STAFF).prefetch_related("person")
        if grant is None:
            raise NotFound("Этого сотрудника уже нет в списке.")
        await require_municipality(actor, grant.municipality_id, MANAGERS)
        statuses = await person_statuses([grant], self._clock.now())
        return StaffMember(grant, grant.person, statuses[grant.id])

    async def resend(self, actor: Actor, grant_id: int) -> StaffMember:
        member = await self.member(actor, grant_id)
        if member.status is PersonStatus.ACTIVE:
            raise DomainError("Сотрудник уже подключён — приглашение не нужно.")
        _, link = await self._invitations.issue(member.grant, actor.person)
        await self._invitations.text_invitation(member.person.phone or "", member.grant, link)
        return await self.member(actor, grant_id)

    async def remove(self, actor: Actor, grant_id: int) -> StaffMember:
        """Take the staff role away; they lose access with their very next message."""
        member = await self.member(actor, grant_id)
        await Invitation.filter(grant=member.grant, used_at=None).delete()
        await member.grant.delete()
        return member
