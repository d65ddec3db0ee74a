"""«Инструкция»: the chat admin's four steps per chat, one message per step, with buttons.

Steps are also pushed without being asked (right after binding, when the bot sees the admin
join the chat, as the one reminder for an admin who stalled): they are rendered and sent by
bot/notices/onboarding.py, here too.
"""

from __future__ import annotations

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message

from bot.keyboards.common import PRIMARY, build, callback_button
from bot.runtime.buttons import (
    OnboardingCheck,
    OnboardingLink,
    OnboardingMenu,
    OnboardingNext,
    OnboardingOpen,
    Pressed,
)
from bot.runtime.context import CallbackTurn, Turn
from bot.services.chats.onboarding import ChatCheck, step_label
from bot.services.core.errors import DomainError
from storage.models import Chat, Onboarding, OnboardingStep, Role

labeler = BotLabeler()


@labeler.private_message(Pressed(OnboardingMenu, texts=("инструкция",)))
async def instruction(message: Message, turn: Turn) -> None:
    person = turn.actor.person
    if person is None or not turn.actor.has(Role.CHAT_ADMIN):
        raise DomainError("Инструкция — для администраторов домовых чатов.")
    await turn.services.onboarding.begin(person)
    onboardings = await turn.services.onboarding.all_of(person)
    if not onboardings:
        await turn.answer("Ваши чаты ещё создаются — инструкция придёт, как только они будут готовы.")
        return
    if len(onboardings) == 1:
        await turn.services.notices.onboarding.send_step(turn.peer_id, onboardings[0])
        return
    rows = [
        [(callback_button(f"{o.chat.title} — {step_label(o.step)}", OnboardingOpen(o=o.id)), PRIMARY)]
        for o in onboardings[:8]
    ]
    await turn.answer("Инструкция по какому чату?", keyboard=build(rows, inline=True))


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(OnboardingOpen))
async def open_chat(event: dict, turn: CallbackTurn, button: OnboardingOpen) -> None:
    onboarding = await turn.services.onboarding.mine(turn.actor, button.o)
    await turn.snackbar()
    await turn.services.notices.onboarding.send_step(turn.peer_id, onboarding)


async def _after_step(turn: CallbackTurn, onboarding: Onboarding) -> None:
    await turn.services.notices.onboarding.send_step(turn.peer_id, onboarding)
    if onboarding.step is not OnboardingStep.DONE:
        return
    assert turn.actor.person is not None
    following = await turn.services.onboarding.current(turn.actor.person)
    if following is not None:
        await turn.services.notices.onboarding.send_step(turn.peer_id, following, "Переходим к следующему вашему чату.")


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(OnboardingNext))
async def next_step(event: dict, turn: CallbackTurn, button: OnboardingNext) -> None:
    onboarding_id, step = button.o, button.s
    onboarding = await turn.services.onboarding.mine(turn.actor, onboarding_id)
    onboarding = await turn.services.onboarding.advance(onboarding, step)
    await turn.snackbar("Отлично!")
    await _after_step(turn, onboarding)


def check_text(chat: Chat, check: ChatCheck) -> str:
    if not check.chat_found:
        return f"Чат «{chat.title}» не найден ВКонтакте — возможно, его удалили. Муниципалитет уже знает."
    if not check.community_in_chat:
        return (
            f"Сообщество удалили из чата «{chat.title}», и бот больше не может им управлять. "
            "Муниципалитет уже знает; верните сообщество в чат или дождитесь связи от сотрудника."
        )
    if not check.community_is_admin:
        return (
            f"У сообщества отняли права администратора в чате «{chat.title}». Верните их: "
            "в настройках чата — «Участники», сообщество «Домовые чаты», «Назначить администратором»."
        )
    return f"Вы ещё не вступили в чат «{chat.title}». Откройте ссылку: {chat.invite_link}"


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(OnboardingCheck))
async def check(event: dict, turn: CallbackTurn, button: OnboardingCheck) -> None:
    onboarding_id, step = button.o, button.s
    onboarding = await turn.services.onboarding.mine(turn.actor, onboarding_id)
    if onboarding.step != step:
        await turn.snackbar("Этот шаг уже пройден.")
        return
    result = await turn.services.onboarding.check(onboarding)
    chat: Chat = onboarding.chat
    if not result.community_ok:
        staff = await turn.services.chats.mark_lost(chat, check_text(chat, result))
        await turn.services.notices.onboarding.chat_lost(staff, chat)
    if not result.ok:
        await turn.snackbar()
        await turn.answer(check_text(chat, result))
        return
    onboarding = await turn.services.onboarding.advance(onboarding, step)
    await turn.snackbar("Всё в порядке!")
    await _after_step(turn, onboarding)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(OnboardingLink))
async def reset_link(event: dict, turn: CallbackTurn, button: OnboardingLink) -> None:
    onboarding_id, step = button.o, button.s
    onboarding = await turn.services.onboarding.mine(turn.actor, onboarding_id)
    if onboarding.step != step:
        await turn.snackbar("Этот шаг уже пройден.")
        return
    await turn.services.chats.reset_link(turn.actor, onboarding.chat_id)
    await onboarding.fetch_related("chat")
    await turn.snackbar("Ссылка изменена")
    await turn.services.notices.onboarding.send_step(
        turn.peer_id, onboarding,
        "Новая ссылка готова, старая больше не работает. Вот новое объявление.",
    )
