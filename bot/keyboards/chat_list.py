"""The chat list's buttons: browsing, a municipality without chats, a chat's card."""

from __future__ import annotations

from bot.keyboards.common import PRIMARY, SECONDARY, build, callback_button, text_button
from bot.runtime.buttons import ChatImportStart, ChatStats


def list_mode_keyboard() -> str:
    """Under the composer while browsing the chat list (a typed address searches)."""
    return build(
        [
            [(text_button("Найти чат", "chats.search"), PRIMARY)],
            [
                (text_button("Выгрузить в Excel", "chats.export"), PRIMARY),
                (text_button("Скачать плакаты", "chats.posters"), PRIMARY),
            ],
            [(text_button("Назначить представителя найденным", "rep.assign.search"), SECONDARY)],
            [(text_button("Помощь", "help"), SECONDARY), (text_button("Меню", "menu"), SECONDARY)],
        ]
    )


def no_chats_keyboard() -> str:
    """When a municipality has no chats yet: the two ways to make them."""
    return build(
        [
            [
                (text_button("Создать чат", "chat.create"), PRIMARY),
                (text_button("Чаты из файла", ChatImportStart()), PRIMARY),
            ],
            [(text_button("Меню", "menu"), SECONDARY)],
        ]
    )


def chat_card_keyboard(chat_id: int, *, active: bool) -> str:
    rows = []
    if active:
        rows.append([(callback_button("Отправить повторно", "chat.resend", id=chat_id), PRIMARY)])
        rows.append(
            [
                (callback_button("Плакат", "chat.poster", id=chat_id), SECONDARY),
                (callback_button("Сменить ссылку", "chat.link", id=chat_id), SECONDARY),
            ]
        )
    rows.append([(callback_button("Сменить администратора", "chat.admin", id=chat_id), SECONDARY)])
    rows.append([(callback_button("Назначить представителя", "rep.assign", id=chat_id), SECONDARY)])
    rows.append([(callback_button("Статистика", ChatStats(id=chat_id)), SECONDARY)])
    return build(rows, inline=True)
