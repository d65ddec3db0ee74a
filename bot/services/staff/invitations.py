"""Invitations: a role offered to a phone number, and binding that phone to a VK account.

An invitation is an offer. It reaches the person as an SMS with a single-use, expiring deep link
`vk.me/<community>?ref=<token>` — or, when they already use the bot, as a message with
«Принять» and «Отклонить». A link is a bearer token (it can be forwarded), so opening it grants
nothing by itself:

* staff roles (region and municipality admins, staff): the inviter confirms the VK account
  that opened the link («это ваш сотрудник?»). An invitation without an inviter in VK — the
  first municipality admin, invited by `main.py admin add` — is confirmed by a code texted to
  the invited phone when the link is opened: only the phone's owner receives it;
* chat roles (chat admins, representatives): the person sees whose invitation it is and the
  role before accepting, and the inviter is told who accepted.

A grant is effective once its person is bound to a VK id and the grant is `accepted`. Nobody
inviting a phone learns whether it already uses the bot: either way an invitation is sent.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from bot.clock import Clock
from bot.services.core.access import MANAGERS, Actor, describe_grant, require_municipality
from bot.services.core.errors import AccessDenied, DomainError
from bot.services.core.phones import format_phone, normalize_phone
from bot.services.core.ports import Messenger, RecipientUnreachable
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
CODE_DIGITS = 6
MAX_CODE_ATTEMPTS = 5
CODE_RESEND_AFTER = timedelta(minutes=2)
CONFIRMED_BY_INVITER = frozenset({Role.REGION_ADMIN, Role.MUNICIPALITY_ADMIN, Role.STAFF})
CHAT_ROLES = (Role.CHAT_ADMIN, Role.REPRESENTATIVE)


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


class InvitationCancelled(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Это приглашение отменено. Если это ошибка, попросите того, кто вас пригласил, "
            "прислать новое."
        )


class NotYourInvitation(AccessDenied):
    def __init__(self) -> None:
        super().__init__("Это приглашение открыли с другого аккаунта ВКонтакте.")


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


class WrongCode(DomainError):
    def __init__(self, left: int) -> None:
        super().__init__(
            f"Код не подошёл. Проверьте SMS и пришлите код ещё раз (осталось попыток: {left})."
        )


class Delivery(StrEnum):
    VK = "vk"
    SMS = "sms"
    NONE = "none"  # no way to reach them (no VK dialog and the SMS failed)


class PersonStatus(StrEnum):
    ACTIVE = "active"  # bound to a VK account and the role accepted
    INVITED = "invited"  # an invitation is out and still valid
    AWAITING = "awaiting"  # a VK account opened it: the inviter is to confirm who it is
    DECLINED = "declined"  # refused (by the person or the inviter): send it again
    EXPIRED = "expired"  # the invitation expired: send it again
    NOT_INVITED = "not_invited"  # nobody told them yet


PERSON_STATUS_TITLES = {
    PersonStatus.ACTIVE: "активен",
    PersonStatus.INVITED: "приглашение отправлено",
    PersonStatus.AWAITING: "открыл приглашение — ждёт подтверждения",
    PersonStatus.DECLINED: "приглашение отклонено — отправьте повторно",
    PersonStatus.EXPIRED: "приглашение истекло — отправьте повторно",
    PersonStatus.NOT_INVITED: "ещё не приглашён",
}


async def person_statuses(grants: Sequence[RoleGrant], now: datetime) -> dict[int, PersonStatus]:
    """For each grant (with its person loaded): active, invited, awaiting, declined, expired or
    not yet invited. «Invited» looks the same whether or not the phone already uses the bot."""
    latest: dict[int | None, Invitation] = {}
    pending = [g.id for g in grants if not _effective(g)]
    for sent in await Invitation.filter(grant_id__in=pending).order_by("id"):
        latest[sent.grant_id] = sent
    statuses = {}
    for grant in grants:
        invitation = latest.get(grant.id)
        if _effective(grant):
            statuses[grant.id] = PersonStatus.ACTIVE
        elif invitation is None:
            statuses[grant.id] = PersonStatus.NOT_INVITED
        elif invitation.declined_at is not None:
            statuses[grant.id] = PersonStatus.DECLINED
        elif invitation.opened_by_vk_id is not None and grant.role in CONFIRMED_BY_INVITER:
            statuses[grant.id] = PersonStatus.AWAITING
        elif invitation.expires_at > now:
            statuses[grant.id] = PersonStatus.INVITED
        else:
            statuses[grant.id] = PersonStatus.EXPIRED
    return statuses


def _effective(grant: RoleGrant) -> bool:
    return grant.accepted and grant.person.vk_id is not None


@dataclass(frozen=True)
class Scope:
    region: Region | None = None
    municipality: Municipality | None = None
    chat: Chat | None = None
    kind: RepresentativeKind | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class Binding:
    person: Person
    grants: list[RoleGrant]  # every role now in force, with its region, municipality, chat
    already_bound: bool


class Step(StrEnum):
    OFFER = "offer"  # the person sees whose invitation it is and the roles: «Принять»?
    INVITER = "inviter"  # the inviter is asked to confirm the VK account
    CODE = "code"  # a code went to the invited phone: the person is to send it
    BOUND = "bound"  # done: the roles are in force


@dataclass(frozen=True)
class Opened:
    """What opening an invitation (its link, or «Принять» on an offer) led to."""

    step: Step
    invitation: Invitation  # with `person`, `grant` and `created_by` loaded
    grants: list[RoleGrant]  # the roles on offer, with their region, municipality, chat
    inviter: Person | None  # whom to ask (INVITER) or to tell who accepted
    binding: Binding | None = None  # BOUND

    @property
    def phone(self) -> str:
        return format_phone(self.invitation.person.phone or "")


class InvitationService:
    def __init__(
        self,
        *,
        sms: SmsGateway,
        clock: Clock,
        deep_link: Callable[[str], Awaitable[str]],
        ttl: timedelta,
        messenger: Messenger | None = None,
        offer_keyboard: Callable[[int], str] | None = None,
    ) -> None:
        self._sms = sms
        self._clock = clock
        self._deep_link = deep_link
        self._ttl = ttl
        self._messenger = messenger
        # The «Принять» / «Отклонить» buttons for an invitation's id (bot/keyboards).
        self._offer_keyboard = offer_keyboard

    # -- offering ------------------------------------------------------------------------------

    async def grant(
        self, *, phone: str, role: Role, scope: Scope, invited_by: Person | None
    ) -> RoleGrant:
        """Offer `role` in `scope` to the owner of `phone` (created if new); nobody is told
        yet, and the role works once accepted. Callers check that `invited_by` may grant it."""
        phone = normalize_phone(phone)
        async with in_transaction():
            person, _ = await Person.get_or_create(phone=phone)
            grant = await _grant(person, role, scope, invited_by)
        grant.person = person
        return grant

    async def issue(self, grant: RoleGrant, created_by: Person | None) -> tuple[Invitation, str]:
        """A fresh single-use invitation for the grant, and its deep link."""
        invitation = await Invitation.create(
            token=secrets.token_urlsafe(TOKEN_BYTES),
            person_id=grant.person_id,
            grant=grant,
            created_by=created_by,
            expires_at=self._clock.now() + self._ttl,
        )
        return invitation, await self._deep_link(invitation.token)

    async def tell(
        self,
        person: Person,
        grants: Sequence[RoleGrant],
        *,
        vk_text: str,
        sms_text: Callable[[str], str],
        sent_by: Person | None,
    ) -> Delivery:
        """Tell the person of `grants` (all of one person): in VK when the community may write
        to them — with «Принять» while a grant still waits for acceptance — otherwise by SMS
        with a deep link."""
        offer = not all(g.accepted for g in grants)
        issued: tuple[Invitation, str] | None = None
        if person.vk_id is not None and self._messenger is not None:
            keyboard = None
            if offer:
                issued = await self.issue(grants[0], sent_by)
                keyboard = self._offer_keyboard(issued[0].id) if self._offer_keyboard else None
            try:
                await self._messenger.send(person.vk_id, vk_text, keyboard=keyboard)
                return Delivery.VK
            except RecipientUnreachable:
                log.info("person %s cannot be written to in VK; texting them", person.id)
        if not person.phone:
            return Delivery.NONE
        _, link = issued or await self.issue(grants[0], sent_by)
        try:
            await self.text(person.phone, sms_text(link))
        except SmsNotSent:
            return Delivery.NONE
        return Delivery.SMS

    async def text(self, phone: str, text: str) -> None:
        try:
            await self._sms.send(phone, text)
        except SmsError as exc:
            log.warning("SMS to %s failed: %s", phone, exc)
            raise SmsNotSent(phone) from exc

    # -- the invited person's side -------------------------------------------------------------

    async def open(self, *, vk_id: int, token: str, name: str = "") -> Opened:
        """Someone wrote to the bot with an invitation's ref: what happens next."""
        token = token.strip()
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvitationNotFound()
        invitation = await Invitation.get_or_none(token=token)
        if invitation is None:
            raise InvitationNotFound()
        if invitation.used_at is not None and invitation.used_by_vk_id == vk_id:
            person = await Person.get(vk_id=vk_id)
            binding = Binding(person, await _grants(person), already_bound=True)
            return await self._opened(Step.BOUND, invitation, binding=binding)
        return await self._open(invitation, vk_id, name)

    async def accept(self, *, vk_id: int, invitation_id: int, name: str = "") -> Opened:
        """«Принять» on an offer: chat roles are in force at once; staff roles go on to the
        inviter's confirmation (or the texted code)."""
        invitation = await self._pending(invitation_id)
        person = await Person.get(id=invitation.person_id)
        if vk_id not in (invitation.opened_by_vk_id, person.vk_id):
            raise NotYourInvitation()
        grant = await _grant_of(invitation)
        if grant is not None and grant.role in CONFIRMED_BY_INVITER:
            return await self._open(invitation, vk_id, name)
        offered = await self._opened(Step.OFFER, invitation)
        async with in_transaction():
            await self._claim(invitation, vk_id)
            bound = await _bind(person, vk_id, name or invitation.opened_by_name, self._clock.now())
            await RoleGrant.filter(person=bound, role__in=CHAT_ROLES, accepted=False).update(
                accepted=True
            )
        binding = Binding(bound, await _grants(bound), already_bound=False)
        return replace(offered, step=Step.BOUND, binding=binding)

    async def decline(self, *, vk_id: int, invitation_id: int) -> Opened:
        """«Отклонить»: the invitation is cancelled; the roles stay offered (to resend)."""
        invitation = await self._pending(invitation_id)
        person = await Person.get(id=invitation.person_id)
        if vk_id not in (invitation.opened_by_vk_id, person.vk_id):
            raise NotYourInvitation()
        opened = await self._opened(Step.OFFER, invitation)
        await self._cancel(invitation)
        return opened

    async def enter_code(self, *, vk_id: int, invitation_id: int, code: str) -> Binding:
        """The code texted to the invited phone, as the person who opened the link typed it."""
        invitation = await self._pending(invitation_id)
        if invitation.opened_by_vk_id != vk_id or invitation.code is None:
            raise NotYourInvitation()
        typed = "".join(ch for ch in code if ch.isdigit())
        if not secrets.compare_digest(typed, invitation.code):
            invitation.code_attempts += 1
            await invitation.save(update_fields=["code_attempts"])
            left = MAX_CODE_ATTEMPTS - invitation.code_attempts
            if left <= 0:
                await self._cancel(invitation)
                raise InvitationCancelled()
            raise WrongCode(left)
        return await self._bind_opener(invitation)

    # -- the inviter's side --------------------------------------------------------------------

    async def confirm(self, actor: Actor, invitation_id: int, vk_id: int) -> Opened:
        """The inviter says the VK account `vk_id` that opened the invitation is theirs."""
        invitation = await self._awaiting_inviter(actor, invitation_id, vk_id)
        asked = await self._opened(Step.INVITER, invitation)
        binding = await self._bind_opener(invitation)
        return replace(asked, step=Step.BOUND, binding=binding)

    async def reject(self, actor: Actor, invitation_id: int, vk_id: int) -> Opened:
        """The inviter does not know that account: the link stops working."""
        invitation = await self._awaiting_inviter(actor, invitation_id, vk_id)
        opened = await self._opened(Step.INVITER, invitation)
        await self._cancel(invitation)
        return opened

    # -- steps ---------------------------------------------------------------------------------

    async def _open(self, invitation: Invitation, vk_id: int, name: str) -> Opened:
        _check_pending(invitation, self._clock.now(), opening=True)
        person = await Person.get(id=invitation.person_id)
        if person.vk_id is not None and person.vk_id != vk_id:
            raise PhoneBoundElsewhere()
        opened_before = invitation.opened_at
        invitation.opened_by_vk_id = vk_id
        invitation.opened_by_name = (name or invitation.opened_by_name)[:200]
        invitation.opened_at = self._clock.now()
        fields = ["opened_by_vk_id", "opened_by_name", "opened_at"]
        grant = await _grant_of(invitation)
        if grant is None or grant.role not in CONFIRMED_BY_INVITER:
            await invitation.save(update_fields=fields)
            return await self._opened(Step.OFFER, invitation)
        inviter = await Person.get_or_none(id=invitation.created_by_id or 0)
        if inviter is not None and inviter.vk_id is not None:
            await invitation.save(update_fields=fields)
            return await self._opened(Step.INVITER, invitation)
        # Nobody in VK can vouch for this account: only the phone's owner gets the code (again
        # only after a pause, so that a forwarded link cannot flood the phone with SMS).
        texted_recently = invitation.code is not None and opened_before is not None and (
            self._clock.now() - opened_before < CODE_RESEND_AFTER
        )
        if texted_recently:
            await invitation.save(update_fields=fields)
            return await self._opened(Step.CODE, invitation)
        invitation.code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        await invitation.save(update_fields=[*fields, "code"])
        await self.text(
            person.phone or "",
            f"Домовые чаты: код подтверждения {invitation.code}. Никому его не сообщайте: "
            "он нужен только вам, чтобы войти в бота.",
        )
        return await self._opened(Step.CODE, invitation)

    async def _bind_opener(self, invitation: Invitation) -> Binding:
        vk_id = invitation.opened_by_vk_id
        assert vk_id is not None
        person = await Person.get(id=invitation.person_id)
        if person.vk_id is not None and person.vk_id != vk_id:
            raise PhoneBoundElsewhere()
        async with in_transaction():
            await self._claim(invitation, vk_id)
            bound = await _bind(person, vk_id, invitation.opened_by_name, self._clock.now())
            await RoleGrant.filter(id=invitation.grant_id).update(accepted=True)
        return Binding(bound, await _grants(bound), already_bound=False)

    async def _claim(self, invitation: Invitation, vk_id: int) -> None:
        claimed = await Invitation.filter(id=invitation.id, used_at=None, declined_at=None).update(
            used_at=self._clock.now(), used_by_vk_id=vk_id
        )
        if not claimed:  # a second press, or someone else a moment ago
            raise InvitationUsed()

    async def _cancel(self, invitation: Invitation) -> None:
        await Invitation.filter(id=invitation.id, used_at=None).update(
            declined_at=self._clock.now(), code=None
        )

    async def _pending(self, invitation_id: int) -> Invitation:
        invitation = await Invitation.get_or_none(id=invitation_id)
        if invitation is None:
            raise InvitationNotFound()
        _check_pending(invitation, self._clock.now(), opening=False)
        return invitation

    async def _awaiting_inviter(self, actor: Actor, invitation_id: int, vk_id: int) -> Invitation:
        invitation = await self._pending(invitation_id)
        grant = await _grant_of(invitation)
        if (
            actor.person is None
            or invitation.created_by_id != actor.person.id
            or invitation.opened_by_vk_id != vk_id
            or grant is None
            or grant.role not in CONFIRMED_BY_INVITER
        ):
            raise AccessDenied("Это подтверждение уже не действует.")
        if grant.municipality_id is not None:  # the inviter still manages that municipality
            await require_municipality(actor, grant.municipality_id, MANAGERS)
        return invitation

    async def _opened(
        self, step: Step, invitation: Invitation, *, binding: Binding | None = None
    ) -> Opened:
        await invitation.fetch_related("person", "grant", "created_by")
        grant: RoleGrant | None = invitation.grant
        if grant is not None and grant.role in CONFIRMED_BY_INVITER:
            grants = [grant]
        else:
            grants = list(
                await RoleGrant.filter(
                    person_id=invitation.person_id, role__in=CHAT_ROLES, accepted=False
                ).order_by("id")
            )
            if not grants and grant is not None:
                grants = [grant]
        for offered in grants:
            await offered.fetch_related("region", "municipality", "chat", "granted_by")
        inviter = invitation.created_by
        if inviter is None and grant is not None:
            await grant.fetch_related("granted_by")
            inviter = grant.granted_by
        return Opened(step, invitation, grants, inviter, binding)


async def _grant_of(invitation: Invitation) -> RoleGrant | None:
    return await RoleGrant.get_or_none(id=invitation.grant_id) if invitation.grant_id else None


def _check_pending(invitation: Invitation, now: datetime, *, opening: bool) -> None:
    if invitation.used_at is not None:
        raise InvitationUsed()
    if invitation.declined_at is not None:
        raise InvitationCancelled()
    if opening and invitation.expires_at <= now:
        raise InvitationExpired()


async def _grant(
    person: Person, role: Role, scope: Scope, invited_by: Person | None
) -> RoleGrant:
    fields: dict[str, Any] = {
        "person": person,
        "role": role,
        "region": scope.region,
        "municipality": scope.municipality,
        "chat": scope.chat,
    }
    grant = await RoleGrant.filter(**fields).first()
    if grant is None:
        grant = await RoleGrant.create(
            **fields,
            kind=scope.kind,
            organisation=scope.organisation,
            granted_by=invited_by,
            accepted=False,
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
    return await RoleGrant.filter(person=person, accepted=True).prefetch_related(
        "region", "municipality", "chat"
    )


def offered_roles(grants: Sequence[RoleGrant]) -> str:
    """«• сотрудник муниципалитета — Демо-город» lines (grants with scopes loaded)."""
    return "\n".join(f"• {describe_grant(g)}" for g in grants)


def person_name(person: Person) -> str:
    return person.name or format_phone(person.phone or "") or "без имени"


def _place(grant: RoleGrant) -> str:
    if grant.municipality is not None:
        return f"муниципалитет «{grant.municipality.name}»"
    return f"регион «{grant.region.name}»" if grant.region is not None else ""


def offer_text(grants: Sequence[RoleGrant], inviter: Person | None) -> str:
    """Whose invitation it is and the roles: what the person reads before «Принять»."""
    place = _place(grants[0])
    if inviter is not None:
        lead = f"«{person_name(inviter)}» ({place}) приглашает вас:" if place else (
            f"«{person_name(inviter)}» приглашает вас:"
        )
    else:
        lead = f"Вас приглашают ({place}):" if place else "Вас приглашают:"
    return (
        f"{lead}\n{offered_roles(grants)}\n\nНажмите «Принять», если ждали это приглашение, "
        "или «Отклонить», если не знаете, о чём речь."
    )


def opener_text(invitation: Invitation) -> str:
    """«Захар Иванов» (vk.com/id1000066): the account that opened an invitation."""
    name = invitation.opened_by_name or "без имени"
    return f"«{name}» (vk.com/id{invitation.opened_by_vk_id})"
