"""Onboarding of chat admins: four steps per chat, progress stored, checked against VK."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.services.core.access import Actor
from bot.services.core.errors import DomainError, NotFound
from bot.services.core.ports import ChatUnavailable, Messenger
from storage.models import Chat, ChatStatus, Onboarding, OnboardingStep, Person, Role, RoleGrant

STEP_COUNT = 4
STEP_TITLES = {
    OnboardingStep.JOIN: "вступить в чат",
    OnboardingStep.ANNOUNCE: "пригласить жителей из старых чатов",
    OnboardingStep.POSTER: "повесить объявление с QR-кодом",
    OnboardingStep.REPRESENTATIVES: "как пригласить представителя",
    OnboardingStep.DONE: "завершено",
}


def step_label(step: OnboardingStep | None, *, short: bool = False) -> str:
    """«шаг 2 из 4 — пригласить жителей из старых чатов» (`short`: «шаг 2 из 4»)."""
    if step is None:
        return "не начато"
    if step is OnboardingStep.DONE:
        return "завершено"
    label = f"шаг {int(step)} из {STEP_COUNT}"
    return label if short else f"{label} — {STEP_TITLES[step]}"


class StaleStep(DomainError):
    def __init__(self) -> None:
        super().__init__("Этот шаг уже пройден.")


@dataclass(frozen=True)
class ChatCheck:
    """What «Проверить» found in VK about the chat and its admin."""

    chat_found: bool
    community_in_chat: bool
    community_is_admin: bool
    admin_joined: bool

    @property
    def community_ok(self) -> bool:
        return self.chat_found and self.community_in_chat and self.community_is_admin

    @property
    def ok(self) -> bool:
        return self.community_ok and self.admin_joined


class OnboardingService:
    def __init__(self, messenger: Messenger, clock: Clock, community_id: int) -> None:
        self._messenger = messenger
        self._clock = clock
        self._community_member_id = -community_id

    async def begin(self, person: Person) -> Onboarding | None:
        """An onboarding for every active chat the person administers; the current one."""
        grants = await RoleGrant.filter(
            person=person, role=Role.CHAT_ADMIN, accepted=True, chat__status=ChatStatus.ACTIVE
        )
        for grant in grants:
            await Onboarding.get_or_create(
                chat_id=grant.chat_id, person=person, defaults={"step_since": self._clock.now()}
            )
        return await self.current(person)

    async def current(self, person: Person) -> Onboarding | None:
        """The first unfinished onboarding of a chat the person still administers."""
        chat_ids = await RoleGrant.filter(
            person=person, role=Role.CHAT_ADMIN, accepted=True
        ).values_list("chat_id", flat=True)
        return (
            await Onboarding.filter(person=person, chat_id__in=list(chat_ids), completed_at=None)
            .order_by("id")
            .prefetch_related("chat")
            .first()
        )

    async def all_of(self, person: Person) -> list[Onboarding]:
        chat_ids = await RoleGrant.filter(
            person=person, role=Role.CHAT_ADMIN, accepted=True
        ).values_list("chat_id", flat=True)
        return await Onboarding.filter(person=person, chat_id__in=list(chat_ids)).order_by(
            "id"
        ).prefetch_related("chat")

    async def mine(self, actor: Actor, onboarding_id: int) -> Onboarding:
        if actor.person is None:
            raise NotFound("Инструкция доступна администраторам чатов.")
        onboarding = await Onboarding.get_or_none(id=onboarding_id, person=actor.person).prefetch_related("chat")
        if onboarding is None or not await RoleGrant.exists(
            person=actor.person, role=Role.CHAT_ADMIN, accepted=True, chat_id=onboarding.chat_id
        ):
            raise NotFound("Эта инструкция вам больше не нужна: вы не администратор этого чата.")
        return onboarding

    async def advance(self, onboarding: Onboarding, from_step: int) -> Onboarding:
        """Move past `from_step`; a button of a step already passed does nothing."""
        now = self._clock.now()
        next_step = OnboardingStep(min(from_step + 1, OnboardingStep.DONE))
        updated = await Onboarding.filter(id=onboarding.id, step=from_step).update(
            step=next_step,
            step_since=now,
            reminded_at=None,
            completed_at=now if next_step is OnboardingStep.DONE else None,
        )
        if not updated:
            raise StaleStep()
        await onboarding.refresh_from_db()
        return onboarding

    async def check(self, onboarding: Onboarding) -> ChatCheck:
        """Ask VK whether the chat exists, the community still runs it and the admin is in."""
        chat: Chat = onboarding.chat
        person = await Person.get(id=onboarding.person_id)
        try:
            state, admin_ids = await self._messenger.chat_state(chat.peer_id or 0)
        except ChatUnavailable:
            return ChatCheck(False, False, False, False)
        if state is None:
            return ChatCheck(False, False, False, False)
        in_chat = state == "in"
        is_admin = self._community_member_id in admin_ids
        joined = False
        if in_chat and is_admin:
            try:
                joined = person.vk_id in await self._messenger.members(chat.peer_id or 0)
            except ChatUnavailable:
                is_admin = False
        return ChatCheck(True, in_chat, is_admin, joined)

    async def admin_joined(self, chat: Chat, vk_id: int) -> Onboarding | None:
        """The chat's admin joined it: their first step is done by itself."""
        onboarding = await Onboarding.filter(
            chat=chat, person__vk_id=vk_id, step=OnboardingStep.JOIN
        ).prefetch_related("chat").first()
        if onboarding is None:
            return None
        try:
            return await self.advance(onboarding, OnboardingStep.JOIN)
        except StaleStep:
            return None

    async def stalled(self, after: timedelta) -> list[Onboarding]:
        """Unfinished onboardings untouched for `after`, not reminded yet (each marked now)."""
        now = self._clock.now()
        found = await Onboarding.filter(
            completed_at=None, reminded_at=None, step_since__lte=now - after
        ).prefetch_related("chat", "person")
        stalled = []
        for onboarding in found:
            if await Onboarding.filter(id=onboarding.id, reminded_at=None).update(reminded_at=now):
                stalled.append(onboarding)
        return stalled

    async def step_of_chat(self, chat: Chat) -> OnboardingStep | None:
        """How far the chat's admin got (the least advanced admin), None if not started."""
        steps = await Onboarding.filter(chat=chat).values_list("step", flat=True)
        return OnboardingStep(min(steps)) if steps else None  # type: ignore[arg-type]  # tortoise types flat values_list as tuples
