"""The chat admin's onboarding steps, sent without being asked: right after binding, when the
bot sees the admin join the chat, as the one reminder for an admin who stalled — and when they
ask («Инструкция»). Also: staff hear when the community lost a chat."""

from __future__ import annotations

import logging

from bot.keyboards.onboarding import step_keyboard
from bot.notices.base import Notice
from bot.runtime.buttons import OnboardingCheck, OnboardingLink, OnboardingNext
from bot.services.chats.model import REPRESENTATIVE_TITLES
from bot.services.chats.onboarding import STEP_COUNT
from bot.services.chats.posters import show_code
from bot.services.core.ports import RecipientUnreachable
from bot.services.staff.invitations import Delivery
from storage.models import Chat, Onboarding, OnboardingStep, Person, Role, RoleGrant

log = logging.getLogger(__name__)


def announcement(chat: Chat) -> str:
    return (
        "Соседи, здравствуйте! У нашего дома появился первый официальный чат во ВКонтакте — "
        f"«{chat.title}». В нём будет официальная информация об авариях и отключениях и другие "
        "полезные новости, а ещё в чат можно приглашать представителей управляющей компании "
        "и администрации, чтобы вместе обсудить важные вопросы содержания дома.\n"
        f"Вступайте по ссылке: {chat.invite_link}"
    )


async def _representatives(chat: Chat) -> str:
    grants = await RoleGrant.filter(chat=chat, role=Role.REPRESENTATIVE)
    if not grants:
        return "Сейчас у чата нет назначенных представителей — их назначает муниципалитет."
    names = ", ".join(
        REPRESENTATIVE_TITLES[g.kind] + (f" «{g.organisation}»" if g.organisation else "")
        for g in grants
        if g.kind is not None
    )
    return f"Представители вашего чата: {names}."


class OnboardingNotices(Notice):
    """The steps, pushed or asked for; the reminder; a lost chat."""

    async def send_step(self, peer_id: int, onboarding: Onboarding, lead: str = "") -> None:
        """The message of the onboarding's current step (several for the announcement)."""
        chat: Chat = onboarding.chat
        step = onboarding.step
        lead = f"{lead}\n\n" if lead else ""
        if step is OnboardingStep.DONE:
            await self._messenger.send(
                peer_id,
                f"{lead}Чат «{chat.title}» подключён, все шаги пройдены — спасибо! "
                "Когда жители поднимут важный вопрос, нажмите «Пригласить представителя» в меню.",
            )
            return
        head = f"{lead}Чат «{chat.title}». Шаг {int(step)} из {STEP_COUNT}.\n\n"
        if step is OnboardingStep.JOIN:
            await self._messenger.send(
                peer_id,
                head + f"Вступите в чат по ссылке: {chat.invite_link}\n"
                "Я замечу, когда вы вступите, и покажу следующий шаг. Уже вступили — нажмите «Проверить».",
                keyboard=step_keyboard(onboarding, ("Проверить", OnboardingCheck)),
            )
        elif step is OnboardingStep.ANNOUNCE:
            await self._messenger.send(
                peer_id,
                head + "Пригласите жителей: перешлите следующее сообщение во все чаты дома, которые "
                "уже есть (или скопируйте его текст). Когда отправите — нажмите «Готово».",
            )
            await self._messenger.send(
                peer_id, announcement(chat), keyboard=step_keyboard(onboarding, ("Готово", OnboardingNext))
            )
        elif step is OnboardingStep.POSTER:
            poster, pdf = await self.services.posters.pdf(chat)
            await self.document(
                peer_id,
                head + "Распечатайте объявление (во вложении, формат A4) и повесьте в подъездах и лифтах. "
                f"Код проверки на нём: {show_code(poster.code)} — любой житель может отправить его боту "
                "и убедиться, что объявление настоящее. Если ссылку на чат стали распространять "
                "посторонние, нажмите «Сменить ссылку»: старая перестанет работать.",
                f"Объявление — {chat.title}.pdf",
                pdf,
                keyboard=step_keyboard(onboarding, ("Готово", OnboardingNext), ("Сменить ссылку", OnboardingLink)),
            )
        elif step is OnboardingStep.REPRESENTATIVES:
            await self._messenger.send(
                peer_id,
                head + "Как пригласить официального представителя. Когда жители поднимут важный "
                "вопрос — ремонт, отопление, благоустройство, — пригласите к нему представителя "
                "управляющей компании, администрации или ресурсной организации: нажмите "
                "«Пригласить представителя» в меню бота, выберите чат и опишите вопрос. "
                "Представитель ответит в чате или назначит онлайн-встречу.\n"
                + await _representatives(chat),
                keyboard=step_keyboard(onboarding, ("Понятно", OnboardingNext)),
            )

    async def push_current(self, person: Person, lead: str = "") -> bool:
        """Send the person the step they are on (starting their onboardings if needed)."""
        onboarding = await self.services.onboarding.begin(person)
        if onboarding is None or person.vk_id is None:
            return False
        await self.send_step(person.vk_id, onboarding, lead)
        return True

    async def start(self, person: Person, grants: list[RoleGrant], delivery: Delivery) -> None:
        """After a chat admin was told of a new chat in VK, the first step follows at once — once
        the role is accepted (an offer's «Принять» pushes it then)."""
        if delivery is Delivery.VK and any(g.role is Role.CHAT_ADMIN and g.accepted for g in grants):
            await self.push_current(person)

    async def chat_lost(self, staff: list[Person], chat: Chat) -> None:
        """Staff hear that the community lost a chat."""
        for person in staff:
            if person.vk_id is not None:
                await self.message(
                    person.vk_id,
                    f"Бот потерял доступ к чату «{chat.title}»: {chat.status_reason}. "
                    "Чат отмечен в списке чатов.",
                )

    async def remind(self, onboarding: Onboarding) -> None:
        """The one reminder to an admin who has not moved on (the remind_stalled job)."""
        vk_id = onboarding.person.vk_id
        if vk_id is None:
            return
        try:
            await self.send_step(vk_id, onboarding, "Напоминаю о подключении чата.")
        except RecipientUnreachable:
            log.info("cannot remind person %s: VK refuses", onboarding.person_id)
