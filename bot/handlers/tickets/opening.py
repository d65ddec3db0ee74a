"""«Пригласить представителя»: a chat admin passes a question from the house chat to a
representative: chat → kind → question (text, optionally a photo) → confirmation → ticket №N."""

from __future__ import annotations

from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.handlers.start import show_menu
from bot.keyboards.common import (
    CANCEL,
    PRIMARY,
    build,
    cancel_keyboard,
    confirm_keyboard,
    text_button,
)
from bot.runtime.attachments import photo_url
from bot.runtime.context import Turn
from bot.runtime.payload import int_arg
from bot.runtime.rules import Command
from bot.services.core.calendar import show_moment
from bot.services.core.errors import AccessDenied, DomainError
from bot.services.core.official import representative_source
from bot.services.tickets.service import MAX_QUESTION, Attachment
from bot.states.tickets import Escalation
from storage.models import RepresentativeKind, Role

labeler = BotLabeler()

MAX_PHOTO_BYTES = 10_000_000


@labeler.private_message(Command("ticket.new", texts=("пригласить представителя",)))
async def begin(message: Message, turn: Turn) -> None:
    if not turn.actor.has(Role.CHAT_ADMIN):
        raise AccessDenied("Пригласить представителя может администратор домового чата.")
    chats = await turn.services.tickets.escalation_chats(turn.actor)
    if not chats:
        raise DomainError("Ваши чаты ещё не созданы — пригласить представителя пока некуда.")
    if len(chats) == 1:
        await _ask_kind(turn, chats[0].id)
        return
    rows = [[(text_button(c.title, "ticket.chat", id=c.id), PRIMARY)] for c in chats[:9]]
    await turn.set_state(Escalation.CHAT)
    await turn.answer("По какому чату вопрос?", keyboard=build([*rows, [CANCEL]]))


@labeler.private_message(StateRule(Escalation.CHAT), Command("ticket.chat"))
async def chosen_chat(message: Message, turn: Turn, payload: dict) -> None:
    await _ask_kind(turn, int_arg(payload, "id"))


@labeler.private_message(StateRule(Escalation.CHAT))
async def chat_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Выберите чат кнопкой ниже или нажмите «Отмена».")


async def _ask_kind(turn: Turn, chat_id: int) -> None:
    chat = await turn.services.tickets.admin_chat(turn.actor, chat_id)
    options = await turn.services.tickets.options(chat)
    if not options:
        await turn.clear_state()
        raise DomainError(
            f"У чата «{chat.title}» пока нет официальных представителей. Их назначает "
            "сотрудник муниципалитета — напишите в чат координации."
        )
    rows = [
        [(text_button(representative_source(kind, org), "ticket.kind", kind=kind.value), PRIMARY)]
        for kind, org in options
    ]
    await turn.set_state(Escalation.KIND, chat_id=chat.id, title=chat.title)
    await turn.answer(f"Чат «{chat.title}». Кого пригласить?", keyboard=build([*rows, [CANCEL]]))


@labeler.private_message(StateRule(Escalation.KIND), Command("ticket.kind"))
async def chosen_kind(message: Message, turn: Turn, payload: dict) -> None:
    try:
        kind = RepresentativeKind(payload.get("kind", ""))
    except ValueError:
        await turn.answer("Выберите представителя кнопкой ниже.")
        return
    await turn.set_state(Escalation.QUESTION, **turn.data, kind=kind.value)
    await turn.answer(
        "Опишите вопрос одним сообщением — коротко и по существу, как его увидит представитель. "
        "Можно приложить фотографию.",
        keyboard=cancel_keyboard(),
    )


@labeler.private_message(StateRule(Escalation.KIND))
async def kind_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Выберите представителя кнопкой ниже или нажмите «Отмена».")


@labeler.private_message(StateRule(Escalation.QUESTION))
async def question(message: Message, turn: Turn) -> None:
    text = (message.text or "").strip()
    if not text:
        await turn.answer("Напишите вопрос текстом (фотографию можно приложить к тексту).")
        return
    if len(text) > MAX_QUESTION:
        await turn.answer(f"Вопрос длиннее {MAX_QUESTION} символов ({len(text)}). Сократите его.")
        return
    data = {**turn.data, "question": text, "photo_url": photo_url(message)}
    await turn.set_state(Escalation.CONFIRM, **data)
    photo = "\nФото: приложено" if data["photo_url"] else ""
    await turn.answer(
        f"Передать вопрос представителю?\nЧат: «{data['title']}»\nВопрос: «{text}»{photo}",
        keyboard=confirm_keyboard("Отправить", "ticket.send"),
    )


@labeler.private_message(StateRule(Escalation.CONFIRM), Command("ticket.send"))
async def send(message: Message, turn: Turn) -> None:
    data = turn.data
    photo = None
    if data.get("photo_url"):
        content = await turn.download(
            data["photo_url"], max_bytes=MAX_PHOTO_BYTES,
            too_big="Фотография больше 10 МБ — пришлите вопрос с другой.",
        )
        photo = Attachment("photo", "photo.jpg", content)
    ticket = await turn.services.tickets.create(
        turn.actor, int(data["chat_id"]), RepresentativeKind(data["kind"]), data["question"], photo
    )
    await turn.clear_state()
    reached = await turn.services.notices.tickets.notify_representative(ticket)
    zone = turn.services.tickets.zone(ticket.municipality)
    deadline = show_moment(ticket.deadline_at, zone).split(" в ")[0]
    await turn.services.notices.tickets.passed(ticket, deadline)
    tail = "" if reached else (
        "\nПредставитель пока не получает сообщения бота — ему отправлено SMS, "
        "а сотрудники муниципалитета предупреждены."
    )
    await show_menu(turn, f"Обращение №{ticket.id} передано. Ответ — до {deadline}.{tail}")


@labeler.private_message(StateRule(Escalation.CONFIRM))
async def confirmation_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Нажмите «Отправить» или «Отмена».")
