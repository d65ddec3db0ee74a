"""Invitations: SMS with a single-use, expiring deep link; binding a VK account to the phone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.services.invitations import (
    InvitationExpired,
    InvitationNotFound,
    InvitationService,
    InvitationUsed,
    PhoneBoundElsewhere,
    Scope,
    SmsNotSent,
)
from bot.services.phones import InvalidPhone
from bot.services.tenants import find_or_create_municipality
from bot.sms import SmsError
from storage.models import Invitation, Person, Role, RoleGrant


class MovableClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self.moment


class RecordingSms:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail = fail

    async def send(self, phone: str, text: str) -> None:
        if self.fail:
            raise SmsError("provider down")
        self.sent.append((phone, text))


def token_of(text: str) -> str:
    return text.rsplit("ref=", 1)[1]


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def sms() -> RecordingSms:
    return RecordingSms()


@pytest.fixture
def service(clock: MovableClock, sms: RecordingSms) -> InvitationService:
    async def deep_link(ref: str) -> str:
        return f"https://vk.me/domovye_chaty?ref={ref}"

    return InvitationService(sms=sms, clock=clock, deep_link=deep_link, ttl=timedelta(hours=72))


async def invite_staff(service: InvitationService, phone: str = "8 912 123-45-67"):  # type: ignore[no-untyped-def]
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    return await service.invite(
        phone=phone, role=Role.STAFF, scope=Scope(municipality=municipality), invited_by=None
    )


async def test_invite_texts_a_deep_link_and_binding_grants_the_role(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    issued = await invite_staff(service)
    assert issued.person.phone == "+79121234567"
    (phone, text), = sms.sent
    assert phone == "+79121234567"
    assert "https://vk.me/domovye_chaty?ref=" in text
    assert "сотрудник муниципалитета — Демо-город" in text

    binding = await service.accept(vk_id=1000005, token=token_of(text), name="Иван Петров")
    assert not binding.already_bound
    assert [g.role for g in binding.grants] == [Role.STAFF]
    person = await Person.get(vk_id=1000005)
    assert person.phone == "+79121234567" and person.name == "Иван Петров"


async def test_link_is_single_use(db: str, service: InvitationService, sms: RecordingSms) -> None:
    await invite_staff(service)
    token = token_of(sms.sent[0][1])
    await service.accept(vk_id=1000005, token=token)
    again = await service.accept(vk_id=1000005, token=token)  # the same person: harmless
    assert again.already_bound
    with pytest.raises(InvitationUsed):
        await service.accept(vk_id=1000006, token=token)
    assert await Person.filter(vk_id=1000006).count() == 0


async def test_expired_and_unknown_links_are_refused(
    db: str, service: InvitationService, sms: RecordingSms, clock: MovableClock
) -> None:
    await invite_staff(service)
    clock.moment += timedelta(hours=73)
    with pytest.raises(InvitationExpired):
        await service.accept(vk_id=1000005, token=token_of(sms.sent[0][1]))
    with pytest.raises(InvitationNotFound):
        await service.accept(vk_id=1000005, token="no-such-token")
    assert await Person.filter(vk_id=1000005).count() == 0


async def test_resend_replaces_the_link(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    issued = await invite_staff(service)
    assert issued.invitation is not None
    await service.resend(issued.invitation)
    old, new = token_of(sms.sent[0][1]), token_of(sms.sent[1][1])
    assert old != new
    with pytest.raises(InvitationNotFound):
        await service.accept(vk_id=1000005, token=old)
    await service.accept(vk_id=1000005, token=new)


async def test_bound_person_gets_new_roles_without_sms(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    await invite_staff(service)
    await service.accept(vk_id=1000005, token=token_of(sms.sent[0][1]))
    issued = await invite_staff(service, "+79121234567")
    assert issued.invitation is None and len(sms.sent) == 1
    assert await RoleGrant.filter(person=issued.person).count() == 1  # no duplicate grant


async def test_a_vk_account_invited_on_a_second_phone_keeps_one_record(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    await invite_staff(service, "+79121234567")
    await service.accept(vk_id=1000005, token=token_of(sms.sent[0][1]))
    municipality = await find_or_create_municipality("Другой город", "Демо-регион")
    await service.invite(
        phone="+79127654321", role=Role.MUNICIPALITY_ADMIN,
        scope=Scope(municipality=municipality), invited_by=None,
    )
    binding = await service.accept(vk_id=1000005, token=token_of(sms.sent[1][1]))
    assert sorted(g.role for g in binding.grants) == [Role.MUNICIPALITY_ADMIN, Role.STAFF]
    assert await Person.filter(vk_id=1000005).count() == 1


async def test_a_phone_bound_to_someone_else_is_refused(
    db: str, service: InvitationService, sms: RecordingSms
) -> None:
    await invite_staff(service)
    await service.accept(vk_id=1000005, token=token_of(sms.sent[0][1]))
    person = await Person.get(vk_id=1000005)
    # an invitation for the same phone issued before it was bound, opened by another account
    stale = await Invitation.create(
        token="stale-token", person=person, expires_at=datetime.now(timezone.utc) + timedelta(days=1)
    )
    with pytest.raises(PhoneBoundElsewhere):
        await service.accept(vk_id=1000009, token=stale.token)


async def test_failed_sms_is_reported_and_the_invitation_kept(db: str, clock: MovableClock) -> None:
    async def deep_link(ref: str) -> str:
        return f"https://vk.me/x?ref={ref}"

    failing = InvitationService(
        sms=RecordingSms(fail=True), clock=clock, deep_link=deep_link, ttl=timedelta(hours=1)
    )
    with pytest.raises(SmsNotSent):
        await invite_staff(failing)
    assert await Invitation.all().count() == 1


async def test_invalid_phone_is_named(db: str, service: InvitationService) -> None:
    with pytest.raises(InvalidPhone) as caught:
        await invite_staff(service, "12-34")
    assert "12-34" in str(caught.value)
    assert await Person.all().count() == 0
