"""Municipal staff: who may invite them, inviting them by phone (and the first municipality
admin, from the command line), the staff list, resending invitations, removing people."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from bot.services.chats.model import Release
from bot.services.chats.service import ChatService
from bot.services.core.access import (
    MANAGERS,
    Actor,
    describe_grant,
    municipalities_of,
    require_municipality,
)
from bot.services.core.errors import AccessDenied, DomainError, NotFound
from bot.services.core.paging import Page, paginate
from bot.services.core.phones import format_phone
from bot.services.staff.invitations import (
    Delivery,
    InvitationService,
    PersonStatus,
    Scope,
    offer_text,
    person_statuses,
)
from storage.models import Invitation, Municipality, Person, Role, RoleGrant


class InviteStatus(StrEnum):
    INVITED = "invited"  # an invitation is out (SMS, or VK for someone using the bot: alike)
    ALREADY = "already"  # already on the staff (the inviter's own list shows them)
    NOT_SENT = "not_sent"  # neither VK nor SMS reached them


@dataclass(frozen=True)
class InviteOutcome:
    phone: str
    status: InviteStatus


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
        """Offer the staff role to each phone; whoever opens an invitation is confirmed by the
        inviter before the role works."""
        municipality = await self.municipality_for(actor, municipality_id)
        outcomes = []
        for phone in phones:
            grant = await self._invitations.grant(
                phone=phone, role=Role.STAFF, scope=Scope(municipality=municipality),
                invited_by=actor.person,
            )
            if grant.accepted and grant.person.vk_id is not None:
                outcomes.append(InviteOutcome(phone, InviteStatus.ALREADY))
                continue
            delivery = await offer(self._invitations, grant, actor.person)
            status = InviteStatus.NOT_SENT if delivery is Delivery.NONE else InviteStatus.INVITED
            outcomes.append(InviteOutcome(phone, status))
        return outcomes

    async def invite_admin(self, phone: str, role: Role, scope: Scope) -> Delivery:
        """The first admin of a municipality (or a region), from the command line: nobody in
        VK can vouch for whoever opens the link, so a code texted to the phone confirms them."""
        grant = await self._invitations.grant(phone=phone, role=role, scope=scope, invited_by=None)
        if grant.accepted and grant.person.vk_id is not None:
            await grant.fetch_related("region", "municipality")
            raise DomainError(
                f"{format_phone(grant.person.phone or phone)} уже {describe_grant(grant)}."
            )
        return await offer(self._invitations, grant, None)


async def offer(invitations: InvitationService, grant: RoleGrant, by: Person | None) -> Delivery:
    """Tell the grant's person of a staff role: «Принять» in VK, or an SMS with a link."""
    await grant.fetch_related("region", "municipality")
    return await invitations.tell(
        grant.person,
        [grant],
        vk_text=offer_text([grant], by),
        sms_text=lambda link: (
            f"Домовые чаты: вас пригласили как {describe_grant(grant)}. "
            f"Откройте ссылку и отправьте сообщение боту: {link}"
        ),
        sent_by=by,
    )


@dataclass(frozen=True)
class StaffMember:
    grant: RoleGrant
    person: Person
    status: PersonStatus


class StaffDirectory:
    """The staff list of a municipality: statuses, resending invitations, removing people."""

    def __init__(self, invitations: InvitationService, clock: Clock, chats: ChatService) -> None:
        self._invitations = invitations
        self._clock = clock
        self._chats = chats

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
        if await offer(self._invitations, member.grant, actor.person) is Delivery.NONE:
            raise DomainError("Не удалось отправить приглашение: ни ВКонтакте, ни SMS не дошли.")
        return await self.member(actor, grant_id)

    async def remove(self, actor: Actor, grant_id: int) -> tuple[StaffMember, Release]:
        """Take the staff role away: they lose access with their very next message, and leave
        the coordination chat the role gave them (unless another role keeps them there)."""
        member = await self.member(actor, grant_id)
        await Invitation.filter(grant=member.grant, used_at=None).delete()
        await member.grant.delete()
        municipality_id = member.grant.municipality_id
        assert municipality_id is not None
        return member, await self._chats.release(member.person, municipality_id)
