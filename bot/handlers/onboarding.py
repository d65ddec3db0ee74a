"""«Инструкция»: the chat admin's four steps per chat, one message per step, with buttons.

Steps are also pushed without being asked: right after binding, when the bot sees the admin
join the chat, and as the one reminder for an admin who stalled.
"""

from __future__ import annotations

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message

from bot.keyboards.onboarding import step_keyboard
from bot.keyboards.common import PRIMARY, build, callback_button
from bot.runtime.context import CallbackTurn, Services, Turn
from bot.runtime.rules import CallbackCommand, Command
from bot.runtime.payload import int_arg
from bot.services.chats.model import REPRESENTATIVE_TITLES
from bot.services.core.errors import DomainError
from bot.services.staff.invitations import Delivery
from bot.services.chats.onboarding import STEP_COUNT, ChatCheck
from bot.services.chats.posters import show_code
from storage.models import Chat, Onboarding, OnboardingStep, Person, Role, RoleGrant

labeler = BotLabeler()

STEP_TITLES = {
    OnboardingStep.JOIN: "вступить в чат",
    OnboardingStep.ANNOUNCE: "пригласить жителей из старых чатов",
    OnboardingStep.POSTER: "повесить объявление с QR-кодом",
    OnboardingStep.REPRESENTATIVES: "как пригласить представителя",
    OnboardingStep.DONE: "завершено",
}


def step_label(step: OnboardingStep | None) -> str:
    if step is None:
        return "не начато"
    if step is OnboardingStep.DONE:
        return "завершено"
    return f"шаг {int(step)} из {STEP_COUNT} — {STEP_TITLES[step]}"


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


async def send_step(services: Services, peer_id: int, onboarding: Onboarding, lead: str = "") -> None:
    """The message of the onboarding's current step (several for the announcement)."""
    chat: Chat = onboarding.chat
    gateway = services.gateway
    step = onboarding.step
    lead = f"{lead}\n\n" if lead else ""
    if step is OnboardingStep.DONE:
        await gateway.send(
            peer_id,
            f"{lead}Чат «{chat.title}» подключён, все шаги пройдены — спасибо! "
            "Когда жители поднимут важный вопрос, нажмите «Пригласить представителя» в меню.",
        )
        return
    head = f"{lead}Чат «{chat.title}». Шаг {int(step)} из {STEP_COUNT}.\n\n"
    if step is OnboardingStep.JOIN:
        await gateway.send(
            peer_id,
            head + f"Вступите в чат по ссылке: {chat.invite_link}\n"
            "Я замечу, когда вы вступите, и покажу следующий шаг. Уже вступили — нажмите «Проверить».",
            keyboard=step_keyboard(onboarding, ("Проверить", "onb.check")),
        )
    elif step is OnboardingStep.ANNOUNCE:
        await gateway.send(
            peer_id,
            head + "Пригласите жителей: перешлите следующее сообщение во все чаты дома, которые "
            "уже есть (или скопируйте его текст). Когда отправите — нажмите «Готово».",
        )
        await gateway.send(peer_id, announcement(chat), keyboard=step_keyboard(onboarding, ("Готово", "onb.next")))
    elif step is OnboardingStep.POSTER:
        poster, pdf = await services.posters.pdf(chat)
        await gateway.send_document(
            peer_id,
            head + "Распечатайте объявление (во вложении, формат A4) и повесьте в подъездах и лифтах. "
            f"Код проверки на нём: {show_code(poster.code)} — любой житель может отправить его боту "
            "и убедиться, что объявление настоящее. Если ссылку на чат стали распространять "
            "посторонние, нажмите «Сменить ссылку»: старая перестанет работать.",
            f"Объявление — {chat.title}.pdf",
            pdf,
            keyboard=step_keyboard(onboarding, ("Готово", "onb.next"), ("Сменить ссылку", "onb.link")),
        )
    elif step is OnboardingStep.REPRESENTATIVES:
        await gateway.send(
            peer_id,
            head + "Как пригласить официального представителя. Когда жители поднимут важный "
            "вопрос — ремонт, отопление, благоустройство, — пригласите к нему представителя "
            "управляющей компании, администрации или ресурсной организации: нажмите "
            "«Пригласить представителя» в меню бота, выберите чат и опишите вопрос. "
            "Представитель ответит в чате или назначит онлайн-встречу.\n"
            + await _representatives(chat),
            keyboard=step_keyboard(onboarding, ("Понятно", "onb.next")),
        )


async def push_current(services: Services, person: Person, lead: str = "") -> bool:
    """Send the person the step they are on (starting their onboardings if needed)."""
    onboarding = await services.onboarding.begin(person)
    if onboarding is None or person.vk_id is None:
        return False
    await send_step(services, person.vk_id, onboarding, lead)
    return True


async def start_onboarding(
    services: Services, person: Person, grants: list[RoleGrant], delivery: Delivery
) -> None:
    """After a chat admin was told of a new chat in VK, the first step follows at once — once
    the role is accepted (an offer's «Принять» pushes it then)."""
    if delivery is Delivery.VK and any(g.role is Role.CHAT_ADMIN and g.accepted for g in grants):
        await push_current(services, person)


@labeler.private_message(Command("onboarding", texts=("инструкция",)))
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
        await send_step(turn.services, turn.peer_id, onboardings[0])
        return
    rows = [
        [(callback_button(f"{o.chat.title} — {step_label(o.step)}", "onb.open", o=o.id), PRIMARY)]
        for o in onboardings[:8]
    ]
    await turn.answer("Инструкция по какому чату?", keyboard=build(rows, inline=True))


def _ids(turn: CallbackTurn) -> tuple[int, int]:
    return int_arg(turn.payload, "o"), int_arg(turn.payload, "s")


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("onb.open"))
async def open_chat(event: dict, turn: CallbackTurn) -> None:
    onboarding = await turn.services.onboarding.mine(turn.actor, _ids(turn)[0])
    await turn.snackbar()
    await send_step(turn.services, turn.peer_id, onboarding)


async def _after_step(turn: CallbackTurn, onboarding: Onboarding) -> None:
    await send_step(turn.services, turn.peer_id, onboarding)
    if onboarding.step is not OnboardingStep.DONE:
        return
    assert turn.actor.person is not None
    following = await turn.services.onboarding.current(turn.actor.person)
    if following is not None:
        await send_step(turn.services, turn.peer_id, following, "Переходим к следующему вашему чату.")


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("onb.next"))
async def next_step(event: dict, turn: CallbackTurn) -> None:
    onboarding_id, step = _ids(turn)
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


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("onb.check"))
async def check(event: dict, turn: CallbackTurn) -> None:
    onboarding_id, step = _ids(turn)
    onboarding = await turn.services.onboarding.mine(turn.actor, onboarding_id)
    if onboarding.step != step:
        await turn.snackbar("Этот шаг уже пройден.")
        return
    result = await turn.services.onboarding.check(onboarding)
    chat: Chat = onboarding.chat
    if not result.community_ok:
        staff = await turn.services.chats.mark_lost(chat, check_text(chat, result))
        await tell_staff_chat_lost(turn.services, staff, chat)
    if not result.ok:
        await turn.snackbar()
        await turn.answer(check_text(chat, result))
        return
    onboarding = await turn.services.onboarding.advance(onboarding, step)
    await turn.snackbar("Всё в порядке!")
    await _after_step(turn, onboarding)


async def tell_staff_chat_lost(services: Services, staff: list[Person], chat: Chat) -> None:
    for person in staff:
        if person.vk_id is not None:
            await services.message(
                person.vk_id,
                f"Бот потерял доступ к чату «{chat.title}»: {chat.status_reason}. "
                "Чат отмечен в списке чатов.",
            )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("onb.link"))
async def reset_link(event: dict, turn: CallbackTurn) -> None:
    onboarding_id, step = _ids(turn)
    onboarding = await turn.services.onboarding.mine(turn.actor, onboarding_id)
    if onboarding.step != step:
        await turn.snackbar("Этот шаг уже пройден.")
        return
    await turn.services.chats.reset_link(turn.actor, onboarding.chat_id)
    await onboarding.fetch_related("chat")
    await turn.snackbar("Ссылка изменена")
    await send_step(turn.services, turn.peer_id, onboarding, "Новая ссылка готова, старая больше не работает. Вот новое объявление.")
