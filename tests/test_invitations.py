"""Invitations: offers of roles by SMS link (or by «Принять» in VK), single use, expiring, and
bound to a VK account only once that account is confirmed — by the inviter, or by a code texted
to the phone when nobody in VK invited."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import MovableClock
from bot.services.core.access import load_actor
from bot.services.core.errors import AccessDenied
from bot.services.staff.invitations import (
    Delivery,
    InvitationCancelled,
    InvitationExpired,
    InvitationNotFound,
    InvitationService,
    InvitationUsed,
    NotYourInvitation,
    PhoneBoundElsewhere,
    Scope,
    Step,
    WrongCode,
)
from bot.services.core.phones import InvalidPhone
from bot.services.core.ports import RecipientUnreachable
from bot.services.staff.service import offer
from bot.services.core.tenants import find_or_create_municipality
from bot.sms import SmsError
from storage.models import Invitation, Person, Role, RoleGrant
from tests.fakes import FakeMessenger, RecordingSms

INVITER_VK = 1000001


def token_of(text: str) -> str:
    return text.rsplit("ref=", 1)[1]


def code_of(text: str) -> str:
    return re.search(r"код подтверждения (\d+)", text).group(1)  # type: ignore[union-attr]


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc))


@pytest.fixture
def sms() -> RecordingSms:
    return RecordingSms()


@pytest.fixture
def messages() -> FakeMessenger:
    return FakeMessenger()  # people who wrote to the community get messages, others not


@pytest.fixture
def service(clock: MovableClock, sms: RecordingSms, messages: FakeMessenger) -> InvitationService:
    async def deep_link(ref: str) -> str:
        return f"https://vk.me/domovye_chaty?ref={ref}"

    return InvitationService(
        sms=sms, clock=clock, deep_link=deep_link, ttl=timedelta(hours=72), messenger=messages,
        offer_keyboard=lambda invitation_id: f"keyboard:{invitation_id}",
    )


async def inviter() -> Person:
    """A municipality admin who uses the bot."""
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    person = await Person.create(vk_id=INVITER_VK, phone="+79000000001", name="Анна Смирнова")
    await RoleGrant.create(person=person, role=Role.MUNICIPALITY_ADMIN, municipality=municipality)
    return person


async def invite_staff(
    service: InvitationService, phone: str = "8 912 123-45-67", by: Person | None = None
) -> RoleGrant:
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    grant = await service.grant(
        phone=phone, role=Role.STAFF, scope=Scope(municipality=municipality), invited_by=by
    )
    await offer(service, grant, by)
    return grant


async def link_from_anna(service: InvitationService, sms: RecordingSms) -> str:
    """The token of a staff invitation the admin Anna sent."""
    await invite_staff(service, by=await inviter())
    return token_of(sms.sent[-1][1])


async def test_the_link_works_only_once_the_inviter_confirms_the_account(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    anna = await inviter()
    await invite_staff(service, by=anna)
    (phone, text), = sms.sent
    assert phone == "+79121234567" and "сотрудник муниципалитета — Демо-город" in text

    opened = await service.open(vk_id=1000005, token=token_of(text), name="Иван Петров")
    assert opened.step is Step.INVITER and opened.inviter is not None
    assert opened.inviter.vk_id == INVITER_VK
    assert (await load_actor(1000005)).grants == ()  # nothing works before the «Да»
    confirmed = await service.confirm(await load_actor(INVITER_VK), opened.invitation.id, 1000005)
    assert confirmed.binding is not None
    assert [g.role for g in confirmed.binding.grants] == [Role.STAFF]
    person = await Person.get(vk_id=1000005)
    assert person.phone == "+79121234567" and person.name == "Иван Петров"
    assert (await load_actor(1000005)).roles == {Role.STAFF}


async def test_the_inviter_says_no_and_the_link_dies(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    token = await link_from_anna(service, sms)
    opened = await service.open(vk_id=1000066, token=token, name="Захар Иванов")
    stranger_asks_himself = service.confirm(await load_actor(1000066), opened.invitation.id, 1000066)
    with pytest.raises(AccessDenied):
        await stranger_asks_himself
    await service.reject(await load_actor(INVITER_VK), opened.invitation.id, 1000066)
    with pytest.raises(InvitationCancelled):
        await service.open(vk_id=1000066, token=token)
    assert await Person.filter(vk_id=1000066).count() == 0


async def test_a_confirmation_for_an_earlier_opener_does_not_bind_a_later_one(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    token = await link_from_anna(service, sms)
    first = await service.open(vk_id=1000005, token=token)
    await service.open(vk_id=1000066, token=token)  # the forwarded link, opened later
    with pytest.raises(AccessDenied):  # «Да» under the question about the first account
        await service.confirm(await load_actor(INVITER_VK), first.invitation.id, 1000005)


async def test_without_an_inviter_a_code_texted_to_the_phone_confirms(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    await invite_staff(service)  # as `main.py admin add` does: nobody in VK invited
    opened = await service.open(vk_id=1000005, token=token_of(sms.sent[0][1]))
    assert opened.step is Step.CODE
    phone, text = sms.sent[1]
    assert phone == "+79121234567"
    code = code_of(text)
    with pytest.raises(NotYourInvitation):  # someone else cannot type it in for them
        await service.enter_code(vk_id=1000066, invitation_id=opened.invitation.id, code=code)
    with pytest.raises(WrongCode):
        await service.enter_code(vk_id=1000005, invitation_id=opened.invitation.id, code="000000"
                                 if code != "000000" else "111111")
    binding = await service.enter_code(
        vk_id=1000005, invitation_id=opened.invitation.id, code=f" {code[:3]} {code[3:]} "
    )
    assert [g.role for g in binding.grants] == [Role.STAFF]


async def test_guessing_the_code_ends_the_invitation(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    await invite_staff(service)
    opened = await service.open(vk_id=1000066, token=token_of(sms.sent[0][1]))
    wrong = "000000" if code_of(sms.sent[1][1]) != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(WrongCode):
            await service.enter_code(vk_id=1000066, invitation_id=opened.invitation.id, code=wrong)
    with pytest.raises(InvitationCancelled):
        await service.enter_code(vk_id=1000066, invitation_id=opened.invitation.id, code=wrong)
    with pytest.raises(InvitationCancelled):
        await service.enter_code(
            vk_id=1000066, invitation_id=opened.invitation.id, code=code_of(sms.sent[1][1])
        )


async def test_link_is_single_use(db: str, service: InvitationService, sms: RecordingSms) -> None:
    token = await link_from_anna(service, sms)
    opened = await service.open(vk_id=1000005, token=token)
    await service.confirm(await load_actor(INVITER_VK), opened.invitation.id, 1000005)
    again = await service.open(vk_id=1000005, token=token)  # the same person: harmless
    assert again.step is Step.BOUND and again.binding is not None and again.binding.already_bound
    with pytest.raises(InvitationUsed):
        await service.open(vk_id=1000006, token=token)
    assert await Person.filter(vk_id=1000006).count() == 0


async def test_expired_and_unknown_links_are_refused(
    db: str, service: InvitationService, sms: RecordingSms, clock: MovableClock
) -> None:
    await invite_staff(service)
    clock.move(hours=73)
    with pytest.raises(InvitationExpired):
        await service.open(vk_id=1000005, token=token_of(sms.sent[0][1]))
    with pytest.raises(InvitationNotFound):
        await service.open(vk_id=1000005, token="no-such-token")
    assert await Person.filter(vk_id=1000005).count() == 0


async def test_someone_using_the_bot_gets_an_offer_in_vk_and_must_accept(
    db: str, service: InvitationService, sms: RecordingSms, messages: FakeMessenger
) -> None:
    anna = await inviter()
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    ivan = await Person.create(vk_id=1000005, phone="+79121234567", name="Иван Петров")
    messages.allow(1000005)
    grant = await invite_staff(service, "+79121234567", by=anna)
    assert sms.sent == []  # the offer came in VK, with «Принять»
    ((peer, text, keyboard),) = [(m.peer_id, m.text, m.keyboard) for m in messages.personal()]
    assert peer == 1000005 and "«Анна Смирнова»" in text and keyboard.startswith("keyboard:")
    assert (await load_actor(1000005)).grants == ()  # not granted at once
    invitation = await Invitation.get(grant_id=grant.id)
    with pytest.raises(NotYourInvitation):
        await service.accept(vk_id=1000066, invitation_id=invitation.id)
    accepted = await service.accept(vk_id=1000005, invitation_id=invitation.id)
    assert accepted.step is Step.INVITER  # a staff role: the inviter confirms the account too
    await service.confirm(await load_actor(INVITER_VK), invitation.id, 1000005)
    assert (await load_actor(1000005)).roles == {Role.STAFF}
    assert await RoleGrant.filter(person=ivan, municipality=municipality).count() == 1


async def test_a_chat_role_is_in_force_when_its_person_accepts(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    grant = await service.grant(
        phone="+79000000005", role=Role.CHAT_ADMIN, scope=Scope(municipality=municipality),
        invited_by=await inviter(),
    )
    grant.person = await Person.get(id=grant.person_id)
    delivery = await service.tell(
        grant.person, [grant], vk_text="", sms_text=lambda link: f"Ссылка: {link}", sent_by=None
    )
    assert delivery is Delivery.SMS
    opened = await service.open(vk_id=1000005, token=token_of(sms.sent[0][1]), name="Глеб Орлов")
    assert opened.step is Step.OFFER and [g.id for g in opened.grants] == [grant.id]
    assert (await load_actor(1000005)).grants == ()
    accepted = await service.accept(vk_id=1000005, invitation_id=opened.invitation.id)
    assert accepted.step is Step.BOUND
    assert (await load_actor(1000005)).roles == {Role.CHAT_ADMIN}
    with pytest.raises(InvitationUsed):  # a second press
        await service.accept(vk_id=1000005, invitation_id=opened.invitation.id)


async def test_declining_cancels_the_invitation(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    grant = await service.grant(
        phone="+79000000005", role=Role.REPRESENTATIVE, scope=Scope(municipality=municipality),
        invited_by=None,
    )
    await service.tell(
        await Person.get(id=grant.person_id), [grant], vk_text="",
        sms_text=lambda link: link, sent_by=None,
    )
    opened = await service.open(vk_id=1000005, token=token_of(sms.sent[0][1]))
    await service.decline(vk_id=1000005, invitation_id=opened.invitation.id)
    with pytest.raises(InvitationCancelled):
        await service.accept(vk_id=1000005, invitation_id=opened.invitation.id)
    assert (await load_actor(1000005)).grants == ()


async def test_a_vk_account_invited_on_a_second_phone_keeps_one_record(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    anna = await inviter()
    await invite_staff(service, "+79121234567", by=anna)
    opened = await service.open(vk_id=1000005, token=token_of(sms.sent[0][1]))
    await service.confirm(await load_actor(INVITER_VK), opened.invitation.id, 1000005)
    municipality = await find_or_create_municipality("Другой город", "Демо-регион")
    grant = await service.grant(
        phone="+79127654321", role=Role.MUNICIPALITY_ADMIN,
        scope=Scope(municipality=municipality), invited_by=None,
    )
    await offer(service, grant, None)
    opened = await service.open(vk_id=1000005, token=token_of(sms.sent[1][1]))
    binding = await service.enter_code(
        vk_id=1000005, invitation_id=opened.invitation.id, code=code_of(sms.sent[2][1])
    )
    assert sorted(g.role for g in binding.grants) == [Role.MUNICIPALITY_ADMIN, Role.STAFF]
    assert await Person.filter(vk_id=1000005).count() == 1


async def test_a_phone_bound_to_someone_else_is_refused(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    anna = await inviter()
    grant = await invite_staff(service, by=anna)
    opened = await service.open(vk_id=1000005, token=token_of(sms.sent[0][1]))
    await service.confirm(await load_actor(INVITER_VK), opened.invitation.id, 1000005)
    person = await Person.get(vk_id=1000005)
    # an invitation for the same phone issued before it was bound, opened by another account
    stale = await Invitation.create(
        token="stale-token", person=person, grant=grant,
        expires_at=datetime.now(timezone.utc) + timedelta(days=1),
    )
    with pytest.raises(PhoneBoundElsewhere):
        await service.open(vk_id=1000009, token=stale.token)


async def test_failed_sms_is_reported_and_the_invitation_kept(db: str, clock: MovableClock) -> None:
    async def deep_link(ref: str) -> str:
        return f"https://vk.me/x?ref={ref}"

    failing = InvitationService(
        sms=RecordingSms(fail=True), clock=clock, deep_link=deep_link, ttl=timedelta(hours=1)
    )
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    grant = await failing.grant(
        phone="+79121234567", role=Role.STAFF, scope=Scope(municipality=municipality),
        invited_by=None,
    )
    assert await offer(failing, grant, None) is Delivery.NONE
    assert await Invitation.all().count() == 1


async def test_invalid_phone_is_named(db: str, service: InvitationService) -> None:
    with pytest.raises(InvalidPhone) as caught:
        await invite_staff(service, "12-34")
    assert "12-34" in str(caught.value)
    assert await Person.all().count() == 0


async def test_accepting_on_a_second_phone_merges_into_the_account(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    token = await link_from_anna(service, sms)
    opened = await service.open(vk_id=1000005, token=token)
    await service.confirm(await load_actor(INVITER_VK), opened.invitation.id, 1000005)
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    grant = await service.grant(
        phone="+79127654321", role=Role.CHAT_ADMIN, scope=Scope(municipality=municipality),
        invited_by=None,
    )
    await service.tell(
        await Person.get(id=grant.person_id), [grant], vk_text="", sms_text=lambda link: link,
        sent_by=None,
    )
    opened = await service.open(vk_id=1000005, token=token_of(sms.sent[-1][1]))
    accepted = await service.accept(vk_id=1000005, invitation_id=opened.invitation.id)
    assert [g.id for g in accepted.grants] == [grant.id]
    assert accepted.binding is not None
    assert sorted(g.role for g in accepted.binding.grants) == [Role.CHAT_ADMIN, Role.STAFF]
    assert await Person.filter(vk_id=1000005).count() == 1
    assert await Person.filter(phone="+79127654321").count() == 0  # merged away
