"""«Рассылка»: scope → kind → text (with a photo or document) → preview → send, with one
progress message edited as it goes, «Остановить», and a report of what did not arrive."""

from __future__ import annotations

import logging

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.handlers.start import show_menu
from bot.keyboards.broadcasts import stop_keyboard
from bot.keyboards.common import (
    CANCEL,
    NEGATIVE,
    PRIMARY,
    SECONDARY,
    build,
    cancel_keyboard,
    confirm_keyboard,
    text_button,
)
from bot.notices.broadcasts import progress_text
from bot.runtime.attachments import first_file
from bot.runtime.context import CallbackTurn, Turn
from bot.runtime.payload import int_arg
from bot.runtime.rules import CallbackCommand, Command
from bot.services.broadcasts.service import MAX_TEXT
from bot.services.core import texts
from bot.services.core.calendar import show_moment
from bot.services.core.errors import DomainError
from bot.services.tickets.service import Attachment
from bot.states.broadcasts import BroadcastDialog
from storage.models import BroadcastKind, BroadcastStatus

log = logging.getLogger(__name__)
labeler = BotLabeler()

MAX_FILE_BYTES = 10_000_000
SUPPORTED_ATTACHMENTS = {"photo", "doc"}


@labeler.private_message(Command("broadcast.new", texts=("рассылка",)))
async def begin(message: Message, turn: Turn) -> None:
    audience = await turn.services.broadcasts.audience(turn.actor)
    count = len(await turn.services.broadcasts.chats(turn.actor))
    await turn.set_state(BroadcastDialog.SCOPE)
    await turn.answer(
        "Официальная рассылка. Куда отправляем?",
        keyboard=build([
            [(text_button(f"Во {audience.name} ({count})", "broadcast.all"), PRIMARY)],
            [(text_button("Найти чаты по адресу", "broadcast.search"), SECONDARY),
             (text_button("В один чат", "broadcast.one"), SECONDARY)],
            [CANCEL],
        ]),
    )


async def _ask_kind(turn: Turn, **scope: object) -> None:
    await turn.set_state(BroadcastDialog.KIND, **scope)
    await turn.answer(
        "Какое это сообщение?\n• Экстренное — уходит сразу и закрепляется в чатах.\n"
        "• Информационное — ждёт окончания тихих часов (22:00–08:00).",
        keyboard=build([[(text_button("Экстренное", "broadcast.kind", kind="emergency"), NEGATIVE),
                         (text_button("Информационное", "broadcast.kind", kind="info"), PRIMARY)], [CANCEL]]),
    )


@labeler.private_message(StateRule(BroadcastDialog.SCOPE), Command("broadcast.all"))
async def to_all(message: Message, turn: Turn) -> None:
    await _ask_kind(turn, search="", chat_id=None)


@labeler.private_message(StateRule(BroadcastDialog.SCOPE), Command("broadcast.search"))
async def ask_search(message: Message, turn: Turn) -> None:
    await turn.set_state(BroadcastDialog.SEARCH)
    await turn.answer("Напишите часть адреса — разошлю во все найденные чаты.", keyboard=cancel_keyboard())


@labeler.private_message(StateRule(BroadcastDialog.SEARCH))
async def search(message: Message, turn: Turn) -> None:
    query = " ".join((message.text or "").split())[:40]
    found = await turn.services.broadcasts.chats(turn.actor, search=query) if query else []
    if not found:
        await turn.answer("По такому адресу чатов не нашлось. Напишите иначе или нажмите «Отмена».")
        return
    await turn.answer(f"Найдено: {texts.chats(len(found))}.")
    await _ask_kind(turn, search=query, chat_id=None)


@labeler.private_message(StateRule(BroadcastDialog.SCOPE), Command("broadcast.one"))
async def ask_one(message: Message, turn: Turn) -> None:
    await turn.set_state(BroadcastDialog.ONE)
    await turn.answer("Напишите часть адреса чата.", keyboard=cancel_keyboard())


@labeler.private_message(StateRule(BroadcastDialog.ONE), Command("broadcast.chat"))
async def one_chosen(message: Message, turn: Turn, payload: dict) -> None:
    chats = await turn.services.broadcasts.chats(turn.actor, chat_id=int_arg(payload, "id"))
    if not chats:  # a forged or stale button: not a chat this person may reach
        raise DomainError("Этот чат вам недоступен для рассылки.")
    await _ask_kind(turn, search="", chat_id=chats[0].id)


@labeler.private_message(StateRule(BroadcastDialog.ONE))
async def one_search(message: Message, turn: Turn) -> None:
    query = " ".join((message.text or "").split())[:40]
    found = (await turn.services.broadcasts.chats(turn.actor, search=query))[:8] if query else []
    if not found:
        await turn.answer("Такого чата не нашлось. Напишите иначе или нажмите «Отмена».")
        return
    rows = [[(text_button(c.title, "broadcast.chat", id=c.id), PRIMARY)] for c in found]
    await turn.answer("Выберите чат:", keyboard=build([*rows, [CANCEL]]))


@labeler.private_message(StateRule(BroadcastDialog.KIND), Command("broadcast.kind"))
async def kind(message: Message, turn: Turn, payload: dict) -> None:
    try:
        chosen = BroadcastKind(payload.get("kind", ""))
    except ValueError:
        await turn.answer("Выберите вид сообщения кнопкой.")
        return
    await turn.set_state(BroadcastDialog.TEXT, **turn.data, kind=chosen.value)
    await turn.answer(
        f"Напишите текст рассылки (до {MAX_TEXT} символов). Можно приложить одно фото или документ.",
        keyboard=cancel_keyboard(),
    )


@labeler.private_message(StateRule(BroadcastDialog.TEXT))
async def text(message: Message, turn: Turn) -> None:
    kinds = {getattr(getattr(a, "type", ""), "value", getattr(a, "type", "")) for a in message.attachments or []}
    if kinds - SUPPORTED_ATTACHMENTS:
        await turn.answer("К рассылке можно приложить только фото или документ (PDF, XLSX и т. п.).")
        return
    file = await _attachment(turn, message)
    data = turn.data
    broadcast, chats = await turn.services.broadcasts.draft(
        turn.actor, author_peer=turn.peer_id, kind=BroadcastKind(data["kind"]), text=message.text or "",
        file=file, search=data.get("search") or "", chat_id=data.get("chat_id"),
    )
    await turn.set_state(BroadcastDialog.CONFIRM, **data, broadcast_id=broadcast.id)
    how = "сразу, с закреплением" if broadcast.kind is BroadcastKind.EMERGENCY else "после тихих часов, если они идут"
    attached = "\n(с вложением)" if file else ""
    await turn.answer(
        f"Так увидят жители:\n\n{turn.services.broadcasts.header_text(broadcast)}{attached}\n\n"
        f"Получат: {texts.chats(len(chats))} ({broadcast.scope}). Отправка — {how}.",
        keyboard=confirm_keyboard("Отправить", "broadcast.send"),
    )


async def _attachment(turn: Turn, message: Message) -> Attachment | None:
    file = first_file(message)
    if file is None:
        return None
    content = await turn.download(
        file.url, max_bytes=MAX_FILE_BYTES, too_big="Вложение больше 10 МБ — приложите файл поменьше."
    )
    return Attachment(file.kind, file.name, content)


@labeler.private_message(StateRule(BroadcastDialog.CONFIRM), Command("broadcast.send"))
async def send(message: Message, turn: Turn) -> None:
    data = turn.data
    broadcast = await turn.services.broadcasts.confirm(
        turn.actor, int(data["broadcast_id"]), data.get("search") or "", data.get("chat_id")
    )
    await turn.clear_state()
    if broadcast.status is BroadcastStatus.WAITING:
        assert broadcast.not_before is not None
        zone = await turn.services.broadcasts.zone(broadcast)
        sent = await turn.answer(
            f"Сейчас тихие часы: рассылка уйдёт {show_moment(broadcast.not_before, zone)}.",
            keyboard=stop_keyboard(broadcast),
        )
        await turn.services.broadcasts.remember_progress(broadcast, sent.cmid)
        await show_menu(turn)
        return
    progress = await turn.answer(progress_text(broadcast, 0), keyboard=stop_keyboard(broadcast))
    await turn.services.broadcasts.remember_progress(broadcast, progress.cmid)
    turn.services.tasks.spawn(
        turn.services.notices.broadcasts.run(broadcast.id), name=f"broadcast-{broadcast.id}"
    )
    await show_menu(turn)


@labeler.private_message(StateRule(BroadcastDialog.CONFIRM))
async def confirmation_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Нажмите «Отправить» или «Отмена».")


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("broadcast.stop"))
async def stop(event: dict, turn: CallbackTurn) -> None:
    await turn.services.broadcasts.stop(turn.actor, int_arg(turn.payload, "b"))
    await turn.snackbar("Рассылка останавливается")
