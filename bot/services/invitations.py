"""Invitations: a role for a phone number, and binding that phone to a VK account.

An invitation is an SMS with a single-use, expiring deep link `vk.me/<community>?ref=<token>`.
The first message carrying that `ref` binds the writer's VK id to the invited person.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from bot.clock import Clock
from bot.services.access import describe_grant
from bot.services.errors import DomainError
from bot.services.phones import normalize_phone
from bot.sms import SmsError, SmsGateway
from storage.models import (
    Chat,
    Invitation,
    Municipality,
    Person,
    Region,
    RepresentativeKind,
    Role,
    RoleGrant,
)

log = logging.getLogger(__name__)

TOKEN_BYTES = 12  # 16 URL-safe characters
MAX_TOKEN_LENGTH = 64  # Invitation.token: a longer ref cannot be one of ours


class InvitationNotFound(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Приглашение не найдено. Проверьте ссылку из SMS или попросите прислать новое."
        )


class InvitationExpired(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Срок действия приглашения истёк. Попросите того, кто вас пригласил, "
            "отправить приглашение повторно."
        )


class InvitationUsed(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Это приглашение уже использовано. Если это были не вы, попросите прислать новое."
        )


class PhoneBoundElsewhere(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Этот номер уже привязан к другому аккаунту ВКонтакте. "
            "Попросите пригласить вас по другому номеру."
        )


class SmsNotSent(DomainError):
    def __init__(self, phone: str) -> None:
        super().__init__(
            f"Не удалось отправить SMS на {phone}. Приглашение сохранено — "
            "отправьте его повторно чуть позже."
        )


class PersonStatus(StrEnum):
    ACTIVE = "active"  # bound to a VK account
    INVITED = "invited"  # a link is out and still valid
    EXPIRED = "expired"  # the link expired: send it again
    NOT_INVITED = "not_invited"  # nobody told them yet


PERSON_STATUS_TITLES = {
    PersonStatus.ACTIVE: "активен",
    PersonStatus.INVITED: "приглашение отправлено",
    PersonStatus.EXPIRED: "приглашение истекло — отправьте повторно",
    PersonStatus.NOT_INVITED: "ещё не приглашён",
}


async def person_statuses(grants: Sequence[RoleGrant], now: datetime) -> dict[int, PersonStatus]:
    """For each grant (with its person loaded): bound, invited, expired or not yet invited."""
    latest: dict[int, Invitation] = {}
    pending = [g.id for g in grants if g.person.vk_id is None]
    for invitation in await Invitation.filter(grant_id__in=pending).order_by("id"):
        latest[invitation.grant_id] = invitation
    statuses = {}
    for grant in grants:
        invitation = latest.get(grant.id)
        if grant.person.vk_id is not None:
            statuses[grant.id] = PersonStatus.ACTIVE
        elif invitation is None:
            statuses[grant.id] = PersonStatus.NOT_INVITED
        elif invitation.expires_at > now:
            statuses[grant.id] = PersonStatus.INVITED
        else:
            statuses[grant.id] = PersonStatus.EXPIRED
    return statuses


@dataclass(frozen=True)
class Scope:
    region: Region | None = None
    municipality: Municipality | None = None
    chat: Chat | None = None
    kind: RepresentativeKind | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class IssuedInvitation:
    person: Person
    grant: RoleGrant
    invitation: Invitation | None  # None: the person is already bound, the role is effective
    link: str | None


@dataclass(frozen=True)
class Binding:
    person: Person
    grants: list[RoleGrant]
    already_bound: bool


class InvitationService:
    def __init__(
        self,
        *,
        sms: SmsGateway,
        clock: Clock,
        deep_link: Callable[[str], Awaitable[str]],
        ttl: timedelta,
    ) -> None:
        self._sms = sms
        self._clock = clock
        self._deep_link = deep_link
        self._ttl = ttl

    async def grant(
        self, *, phone: str, role: Role, scope: Scope, invited_by: Person | None
    ) -> RoleGrant:
        """Give `role` in `scope` to the owner of `phone` (created if new); nobody is told yet.

        Callers check that `invited_by` may grant this role in this scope.
        """
        phone = normalize_phone(phone)
        async with in_transaction():
            person, _ = await Person.get_or_create(phone=phone)
            grant = await _grant(person, role, scope, invited_by)
        grant.person = person
        return grant

    async def issue(self, grant: RoleGrant, created_by: Person | None) -> tuple[Invitation, str]:
        """A fresh single-use deep link that binds the grant's person to whoever opens it."""
        invitation = await Invitation.create(
            token=secrets.token_urlsafe(TOKEN_BYTES),
            person_id=grant.person_id,
            grant=grant,
            created_by=created_by,
            expires_at=self._clock.now() + self._ttl,
        )
        return invitation, await self._deep_link(invitation.token)

    async def invite(
        self, *, phone: str, role: Role, scope: Scope, invited_by: Person | None
    ) -> IssuedInvitation:
        """Grant the role and, unless the person is already bound, text them a link."""
        grant = await self.grant(phone=phone, role=role, scope=scope, invited_by=invited_by)
        person = grant.person
        if person.vk_id is not None:
            return IssuedInvitation(person, grant, None, None)
        invitation, link = await self.issue(grant, invited_by)
        await self.text_invitation(person.phone or "", grant, link)
        return IssuedInvitation(person, grant, invitation, link)

    async def resend(self, invitation: Invitation) -> IssuedInvitation:
        """A fresh token and SMS for a pending invitation (the old link stops working)."""
        await invitation.fetch_related("person", "grant")
        invitation.token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation.expires_at = self._clock.now() + self._ttl
        await invitation.save(update_fields=["token", "expires_at"])
        link = await self._deep_link(invitation.token)
        await self.text_invitation(invitation.person.phone or "", invitation.grant, link)
        return IssuedInvitation(invitation.person, invitation.grant, invitation, link)

    async def text_invitation(self, phone: str, grant: RoleGrant | None, link: str) -> None:
        what = ""
        if grant is not None:
            await grant.fetch_related("region", "municipality", "chat")
            what = f" как {describe_grant(grant)}"
        await self.text(
            phone,
            f"Домовые чаты: вас пригласили{what}. "
            f"Откройте ссылку и отправьте сообщение боту: {link}",
        )

    async def text(self, phone: str, text: str) -> None:
        try:
            await self._sms.send(phone, text)
        except SmsError as exc:
            log.warning("SMS to %s failed: %s", phone, exc)
            raise SmsNotSent(phone) from exc

    async def accept(self, *, vk_id: int, token: str, name: str = "") -> Binding:
        """Bind the VK user to the invited person; single use, refused once expired."""
        token = token.strip()
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvitationNotFound()
        invitation = await Invitation.get_or_none(token=token).prefetch_related("person")
        if invitation is None:
            raise InvitationNotFound()
        if invitation.used_at is not None:
            if invitation.used_by_vk_id == vk_id:
                person = await Person.get(vk_id=vk_id)
                return Binding(person, await _grants(person), already_bound=True)
            raise InvitationUsed()
        now = self._clock.now()
        if invitation.expires_at <= now:
            raise InvitationExpired()
        invited: Person = invitation.person
        if invited.vk_id is not None and invited.vk_id != vk_id:
            raise PhoneBoundElsewhere()
        async with in_transaction():
            claimed = await Invitation.filter(id=invitation.id, used_at=None).update(
                used_at=now, used_by_vk_id=vk_id
            )
            if not claimed:  # someone used it a moment ago
                raise InvitationUsed()
            person = await _bind(invited, vk_id, name, now)
        return Binding(person, await _grants(person), already_bound=False)


async def _grant(
    person: Person, role: Role, scope: Scope, invited_by: Person | None
) -> RoleGrant:
    fields = {
        "person": person,
        "role": role,
        "region": scope.region,
        "municipality": scope.municipality,
        "chat": scope.chat,
    }
    grant = await RoleGrant.filter(**fields).first()
    if grant is None:
        grant = await RoleGrant.create(
            **fields, kind=scope.kind, organisation=scope.organisation, granted_by=invited_by
        )
    return grant


async def _bind(invited: Person, vk_id: int, name: str, now: datetime) -> Person:
    """Attach the VK id; if this VK user already has a record (another phone), merge into it."""
    if invited.vk_id == vk_id:
        return invited
    existing = await Person.get_or_none(vk_id=vk_id)
    if existing is None:
        invited.vk_id = vk_id
        invited.bound_at = now
        invited.name = invited.name or name
        await invited.save(update_fields=["vk_id", "bound_at", "name"])
        return invited
    await RoleGrant.filter(person=invited).update(person=existing)
    await Invitation.filter(person=invited).update(person=existing)
    phone = invited.phone
    await invited.delete()
    if existing.phone is None:
        existing.phone = phone
        await existing.save(update_fields=["phone"])
    return existing


async def _grants(person: Person) -> list[RoleGrant]:
    return await RoleGrant.filter(person=person).prefetch_related(
        "region", "municipality", "chat"
    )
