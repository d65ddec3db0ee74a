"""«Назначить представителя»: kind → organisation → phone → confirm, for one chat (from its
card) or for every chat found by the current search."""

from __future__ import annotations

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.handlers.inputs import phone_or_ask_again
from bot.handlers.start import show_menu
from bot.keyboards.common import cancel_keyboard, skip_keyboard
from bot.keyboards.representatives import (
    confirm_representative_keyboard,
    representative_kind_keyboard,
)
from bot.runtime.context import CallbackTurn, Turn
from bot.runtime.payload import int_arg
from bot.runtime.rules import CallbackCommand, Command
from bot.services.chats.model import REPRESENTATIVE_TITLES
from bot.services.core.access import working_municipality
from bot.services.core.errors import DomainError
from bot.services.core.phones import format_phone
from bot.services.importing import RepresentativeSpec
from bot.services.staff.invitations import Delivery
from bot.states.chat_list import ChatList
from bot.states.representatives import AssignRepresentative
from storage.models import RepresentativeKind

labeler = BotLabeler()

MAX_ORGANISATION = 200
TOLD = {  # VK or SMS alike: whether a phone already uses the bot is nobody's business
    Delivery.VK: "приглашение отправлено",
    Delivery.SMS: "приглашение отправлено",
    Delivery.NONE: "сообщить ему пока не удалось — он узнает, когда чаты будут созданы",
}


async def _begin(turn: Turn, chat_ids: list[int], where: str) -> None:
    await turn.set_state(AssignRepresentative.KIND, chat_ids=chat_ids, where=where)
    await turn.answer(
        f"Представитель для {where}. Кого назначаем?", keyboard=representative_kind_keyboard()
    )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("rep.assign"))
async def for_one_chat(event: dict, turn: CallbackTurn) -> None:
    chat = await turn.services.chats.chat_for(turn.actor, int_arg(turn.payload, "id"))
    await turn.snackbar()
    await _begin(turn, [chat.id], f"чата «{chat.title}»")


@labeler.private_message(StateRule(ChatList.BROWSE), Command("rep.assign.search"))
async def for_found_chats(message: Message, turn: Turn) -> None:
    search = str(turn.data.get("search", ""))
    municipality = await working_municipality(turn.actor)
    chat_ids = await turn.services.chats.search_ids(turn.actor, municipality.id, search)
    if not chat_ids:
        raise DomainError("Не найдено ни одного чата — сначала найдите чаты по адресу.")
    where = f"найденных чатов ({len(chat_ids)})" if search else f"всех чатов ({len(chat_ids)})"
    await _begin(turn, chat_ids, where)


@labeler.private_message(StateRule(AssignRepresentative.KIND), Command("rep.kind"))
async def kind(message: Message, turn: Turn, payload: dict) -> None:
    try:
        chosen = RepresentativeKind(payload.get("kind", ""))
    except ValueError:
        await turn.answer("Выберите вид представителя кнопкой.", keyboard=representative_kind_keyboard())
        return
    await turn.set_state(AssignRepresentative.ORGANISATION, **turn.data, kind=chosen.value)
    await turn.answer(
        "Название организации (например, «ООО УК Комфорт») или «Пропустить».",
        keyboard=skip_keyboard(),
    )


@labeler.private_message(StateRule(AssignRepresentative.KIND))
async def kind_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Выберите вид представителя кнопкой.", keyboard=representative_kind_keyboard())


async def _ask_phone(turn: Turn, organisation: str | None) -> None:
    await turn.set_state(AssignRepresentative.PHONE, **turn.data, organisation=organisation)
    await turn.answer("Номер телефона представителя:", keyboard=cancel_keyboard())


@labeler.private_message(
    StateRule(AssignRepresentative.ORGANISATION), Command("skip", texts=("пропустить",))
)
async def skip_organisation(message: Message, turn: Turn) -> None:
    await _ask_phone(turn, None)


@labeler.private_message(StateRule(AssignRepresentative.ORGANISATION))
async def organisation(message: Message, turn: Turn) -> None:
    text = " ".join((message.text or "").split())
    if not text:
        await turn.answer("Напишите название организации или нажмите «Пропустить».")
        return
    if len(text) > MAX_ORGANISATION:
        await turn.answer(f"Название длиннее {MAX_ORGANISATION} символов. Сократите его.")
        return
    await _ask_phone(turn, text)


@labeler.private_message(StateRule(AssignRepresentative.PHONE))
async def phone(message: Message, turn: Turn) -> None:
    number = await phone_or_ask_again(turn, message.text, keyboard=cancel_keyboard())
    if number is None:
        return
    data = {**turn.data, "phone": number}
    await turn.set_state(AssignRepresentative.CONFIRM, **data)
    kind_title = REPRESENTATIVE_TITLES[RepresentativeKind(data["kind"])]
    org = f" «{data['organisation']}»" if data.get("organisation") else ""
    await turn.answer(
        f"Назначить представителя {kind_title}{org}, {format_phone(number)}, для {data['where']}?",
        keyboard=confirm_representative_keyboard(),
    )


@labeler.private_message(StateRule(AssignRepresentative.CONFIRM), Command("rep.assign.confirm"))
async def confirm(message: Message, turn: Turn) -> None:
    data = turn.data
    rep = RepresentativeSpec(
        kind=RepresentativeKind(data["kind"]), phone=data["phone"], organisation=data.get("organisation")
    )
    report = await turn.services.chats.assign_representative(turn.actor, data["chat_ids"], rep)
    await turn.clear_state()
    told = TOLD[next(iter(report.told.values()), Delivery.NONE)]
    await show_menu(
        turn, f"Представитель {format_phone(rep.phone)} назначен для {data['where']}: {told}."
    )


@labeler.private_message(StateRule(AssignRepresentative.CONFIRM))
async def confirmation_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Нажмите «Назначить» или «Отмена».", keyboard=confirm_representative_keyboard())
