"""StaffService and StaffDirectory: only a municipality's (or its region's) admins invite, list,
resend to and remove its staff; invitations go by VK or SMS and say when neither reached;
a removed person loses the role and the coordination chat."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.clock import MovableClock
from bot.services.core.access import Actor, load_actor
from bot.services.chats.model import Release
from bot.services.chats.service import ChatService
from bot.services.core.errors import AccessDenied, DomainError, NotFound
from bot.services.staff.invitations import InvitationService, PersonStatus, Scope
from bot.services.staff.service import InviteStatus, StaffDirectory, StaffService
from storage.models import ChatKind, Invitation, Municipality, Role, RoleGrant
from tests.fakes import COMMUNITY_ID, FakeMessenger, RecordingSms
from tests.services.world import actor_of, house, person, someone, town

PHONE, OTHER_PHONE = "+79121234567", "+79127654321"


@dataclass
class Office:
    staff: StaffService
    directory: StaffDirectory
    municipality: Municipality
    admin: Actor  # the municipality's admin


@pytest.fixture
async def office(
    db: str, clock: MovableClock, invitations: InvitationService, messenger: FakeMessenger
) -> Office:
    chats = ChatService(
        messenger=messenger, invitations=invitations, clock=clock, community_id=-COMMUNITY_ID
    )
    municipality = await town()
    admin = await someone(Role.MUNICIPALITY_ADMIN, municipality=municipality)
    return Office(
        StaffService(invitations), StaffDirectory(invitations, clock, chats), municipality, admin
    )


async def staff_grants() -> int:
    return await RoleGrant.filter(role=Role.STAFF).count()


async def test_only_the_municipalitys_admins_invite_staff(
    office: Office, sms: RecordingSms
) -> None:
    staff = await someone(Role.STAFF, municipality=office.municipality)
    elsewhere = await someone(Role.MUNICIPALITY_ADMIN, municipality=await town("Другой город"))
    before = await staff_grants()
    for who in (staff, elsewhere):
        with pytest.raises(AccessDenied, match="Приглашать сотрудников"):
            await office.staff.invite(who, office.municipality.id, (PHONE,))
    assert await staff_grants() == before and sms.sent == []


async def test_a_region_admin_invites_into_the_regions_municipalities_only(
    office: Office, sms: RecordingSms,
) -> None:
    region_admin = await someone(Role.REGION_ADMIN, region_id=office.municipality.region_id)
    (outcome,) = await office.staff.invite(region_admin, office.municipality.id, (PHONE,))
    assert outcome.status is InviteStatus.INVITED and [p for p, _ in sms.sent] == [PHONE]
    far = await town("Дальний город", "Другой регион")
    with pytest.raises(AccessDenied):
        await office.staff.invite(region_admin, far.id, (OTHER_PHONE,))


async def test_an_invitation_is_an_offer_by_sms_or_in_vk_for_someone_using_the_bot(
    office: Office, sms: RecordingSms, messenger: FakeMessenger,
) -> None:
    in_vk = await person(phone=OTHER_PHONE)
    assert in_vk.vk_id is not None
    messenger.allow(in_vk.vk_id)
    outcomes = await office.staff.invite(office.admin, office.municipality.id, (PHONE, OTHER_PHONE))
    assert [o.status for o in outcomes] == [InviteStatus.INVITED, InviteStatus.INVITED]
    assert [p for p, _ in sms.sent] == [PHONE]  # the one using the bot got it in VK
    (offer,) = messenger.inbox[in_vk.vk_id]
    assert offer.keyboard is not None and offer.keyboard.startswith("keyboard:")
    assert (await load_actor(in_vk.vk_id)).grants == ()  # an offer: no role yet
    assert await RoleGrant.filter(role=Role.STAFF, accepted=False).count() == 2


async def test_staff_already_on_the_list_are_not_invited_again(
    office: Office, sms: RecordingSms,
) -> None:
    colleague = await someone(Role.STAFF, municipality=office.municipality)
    assert colleague.person is not None and colleague.person.phone is not None
    phones = (colleague.person.phone,)
    (outcome,) = await office.staff.invite(office.admin, office.municipality.id, phones)
    assert outcome.status is InviteStatus.ALREADY and sms.sent == []


async def test_an_invitation_nobody_received_is_reported(office: Office, sms: RecordingSms) -> None:
    sms.fail = True
    (outcome,) = await office.staff.invite(office.admin, office.municipality.id, (PHONE,))
    assert outcome.status is InviteStatus.NOT_SENT


async def test_the_first_admin_from_the_command_line_is_not_invited_twice(office: Office) -> None:
    assert office.admin.person is not None and office.admin.person.phone is not None
    with pytest.raises(DomainError, match="уже администратор муниципалитета"):
        await office.staff.invite_admin(
            office.admin.person.phone, Role.MUNICIPALITY_ADMIN,
            Scope(municipality=office.municipality),
        )


async def test_the_staff_list_is_for_the_municipalitys_admins(office: Office) -> None:
    await office.staff.invite(office.admin, office.municipality.id, (PHONE,))
    colleague = await someone(Role.STAFF, municipality=office.municipality)
    page = await office.directory.page(office.admin, office.municipality.id, number=1, size=10)
    assert [(m.person.phone, m.status) for m in page.items] == [
        (PHONE, PersonStatus.INVITED),
        (colleague.person.phone if colleague.person else None, PersonStatus.ACTIVE),
    ]
    with pytest.raises(AccessDenied, match="администраторам муниципалитета"):
        await office.directory.page(colleague, office.municipality.id, number=1, size=10)
    elsewhere = await someone(Role.MUNICIPALITY_ADMIN, municipality=await town("Другой город"))
    with pytest.raises(AccessDenied):
        await office.directory.member(elsewhere, page.items[0].grant.id)
    with pytest.raises(NotFound):
        await office.directory.member(office.admin, 999_999)


async def test_an_invitation_is_resent_only_to_someone_not_yet_active(
    office: Office, sms: RecordingSms,
) -> None:
    await office.staff.invite(office.admin, office.municipality.id, (PHONE,))
    colleague = await someone(Role.STAFF, municipality=office.municipality)
    page = await office.directory.page(office.admin, office.municipality.id, number=1, size=10)
    invited, active = page.items
    await office.directory.resend(office.admin, invited.grant.id)
    assert [p for p, _ in sms.sent] == [PHONE, PHONE]
    with pytest.raises(DomainError, match="уже подключён"):
        await office.directory.resend(office.admin, active.grant.id)
    with pytest.raises(AccessDenied):
        await office.directory.resend(colleague, invited.grant.id)


async def test_a_removed_colleague_loses_the_role_and_the_coordination_chat(
    office: Office, messenger: FakeMessenger, invitations: InvitationService,
) -> None:
    coordination = await house(
        office.municipality, "Координация", messenger, kind=ChatKind.COORDINATION
    )
    colleague = await someone(Role.STAFF, municipality=office.municipality)
    assert colleague.person is not None and colleague.vk_id is not None
    fake = messenger.chats[coordination.vk_chat_id or 0]
    messenger.join(colleague.vk_id, fake.link)
    (grant,) = colleague.grants
    await invitations.issue(grant, None)  # a link still out: it goes too
    with pytest.raises(AccessDenied):
        await office.directory.remove(colleague, grant.id)
    member, release = await office.directory.remove(office.admin, grant.id)
    assert release is Release.REMOVED and colleague.vk_id not in fake.members
    assert (await actor_of(colleague.person)).grants == ()
    assert await Invitation.filter(person_id=colleague.person.id).count() == 0  # the link is dead
    assert member.person.id == colleague.person.id
