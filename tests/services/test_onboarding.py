"""OnboardingService: one onboarding per active chat a person administers, steps that move only
forward and once, only for the chat's current admin, «Проверить» against the messenger, and
stalled onboardings reminded once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.clock import MovableClock
from bot.services.core.errors import NotFound
from bot.services.chats.onboarding import OnboardingService, StaleStep
from storage.models import Chat, ChatStatus, Onboarding, OnboardingStep, Person, Role, RoleGrant
from tests.fakes import COMMUNITY_ID, FakeMessenger
from tests.services.world import actor_of, grant, house, person, town


@dataclass
class Admin:
    onboarding: OnboardingService
    person: Person
    chats: list[Chat]  # two active chats they administer


@pytest.fixture
async def admin(db: str, clock: MovableClock, messenger: FakeMessenger) -> Admin:
    municipality = await town()
    chats = [await house(municipality, f"Ленина {n}", messenger) for n in (1, 2)]
    pending = await house(municipality, "Ленина 3", messenger, status=ChatStatus.PENDING)
    who = await person()
    for chat in (*chats, pending):
        await grant(who, Role.CHAT_ADMIN, chat=chat)
    return Admin(OnboardingService(messenger, clock, -COMMUNITY_ID), who, chats)


async def test_each_active_chat_gets_one_onboarding_the_first_is_current(admin: Admin) -> None:
    current = await admin.onboarding.begin(admin.person)
    await admin.onboarding.begin(admin.person)  # again: nothing new
    assert current is not None and current.chat_id == admin.chats[0].id
    assert await Onboarding.filter(person=admin.person).count() == 2  # not the pending chat
    assert [o.chat_id for o in await admin.onboarding.all_of(admin.person)] == [
        c.id for c in admin.chats
    ]


async def test_steps_move_forward_once_and_the_last_completes_it(
    admin: Admin, clock: MovableClock,
) -> None:
    onboarding = await admin.onboarding.begin(admin.person)
    assert onboarding is not None and onboarding.step is OnboardingStep.JOIN
    await admin.onboarding.advance(onboarding, OnboardingStep.JOIN)
    with pytest.raises(StaleStep):  # the first step's button pressed again
        await admin.onboarding.advance(onboarding, OnboardingStep.JOIN)
    step = onboarding.step
    while step is not OnboardingStep.DONE:
        clock.move(minutes=5)
        onboarding = await admin.onboarding.advance(onboarding, step)
        step = onboarding.step
    assert onboarding.completed_at == clock.now()
    current = await admin.onboarding.current(admin.person)
    assert current is not None and current.chat_id == admin.chats[1].id  # on to the next chat


async def test_only_the_chats_current_admin_reaches_its_onboarding(admin: Admin) -> None:
    onboarding = await admin.onboarding.begin(admin.person)
    assert onboarding is not None
    mine = await admin.onboarding.mine(await actor_of(admin.person), onboarding.id)
    assert mine.id == onboarding.id
    stranger = await person()
    with pytest.raises(NotFound):
        await admin.onboarding.mine(await actor_of(stranger), onboarding.id)
    await RoleGrant.filter(person=admin.person, chat_id=onboarding.chat_id).delete()
    with pytest.raises(NotFound, match="не администратор"):
        await admin.onboarding.mine(await actor_of(admin.person), onboarding.id)
    current = await admin.onboarding.current(admin.person)
    assert current is not None and current.chat_id == admin.chats[1].id


async def test_the_check_sees_the_community_and_the_admin_in_the_chat(
    admin: Admin, messenger: FakeMessenger,
) -> None:
    onboarding = await admin.onboarding.begin(admin.person)
    assert onboarding is not None and admin.person.vk_id is not None
    check = await admin.onboarding.check(onboarding)
    assert check.community_ok and not check.admin_joined and not check.ok
    fake = messenger.chats[admin.chats[0].vk_chat_id or 0]
    messenger.join(admin.person.vk_id, fake.link)
    assert (await admin.onboarding.check(onboarding)).ok
    messenger.take_admin_rights(fake.id)
    check = await admin.onboarding.check(onboarding)
    assert check.chat_found and check.community_in_chat and not check.community_is_admin
    messenger.delete_chat(fake.id)
    assert not (await admin.onboarding.check(onboarding)).chat_found


async def test_joining_the_chat_does_the_first_step_once(admin: Admin) -> None:
    await admin.onboarding.begin(admin.person)
    assert admin.person.vk_id is not None
    joined = await admin.onboarding.admin_joined(admin.chats[0], admin.person.vk_id)
    assert joined is not None and joined.step is OnboardingStep.ANNOUNCE
    assert await admin.onboarding.admin_joined(admin.chats[0], admin.person.vk_id) is None
    assert await admin.onboarding.admin_joined(admin.chats[0], 1_000_999) is None  # not the admin


async def test_a_stalled_onboarding_is_reminded_once_and_a_step_rearms_it(
    admin: Admin, clock: MovableClock,
) -> None:
    onboarding = await admin.onboarding.begin(admin.person)
    assert onboarding is not None
    clock.move(hours=47)
    assert await admin.onboarding.stalled(timedelta(hours=48)) == []
    clock.move(hours=2)
    assert {o.chat_id for o in await admin.onboarding.stalled(timedelta(hours=48))} == {
        c.id for c in admin.chats
    }
    assert await admin.onboarding.stalled(timedelta(hours=48)) == []
    await admin.onboarding.advance(onboarding, OnboardingStep.JOIN)
    clock.move(hours=49)
    assert [o.id for o in await admin.onboarding.stalled(timedelta(hours=48))] == [onboarding.id]


async def test_a_chats_step_is_its_least_advanced_admins(admin: Admin) -> None:
    chat = admin.chats[0]
    assert await admin.onboarding.step_of_chat(chat) is None
    onboarding = await admin.onboarding.begin(admin.person)
    assert onboarding is not None
    await admin.onboarding.advance(onboarding, OnboardingStep.JOIN)
    assert await admin.onboarding.step_of_chat(chat) is OnboardingStep.ANNOUNCE
    second = await person()
    await grant(second, Role.CHAT_ADMIN, chat=chat)
    await admin.onboarding.begin(second)
    assert await admin.onboarding.step_of_chat(chat) is OnboardingStep.JOIN
