"""Keyboards of the chat screens: the creation dialog, the import, cards, representatives."""

from __future__ import annotations

from bot.keyboards.common import (
    CANCEL,
    POSITIVE,
    PRIMARY,
    SECONDARY,
    build,
    callback_button,
    confirm_keyboard,
    text_button,
)
from bot.services.chats import REPRESENTATIVE_TITLES
from bot.texts import chats


def chat_kind_keyboard() -> str:
    return build(
        [
            [(text_button("Дом", "chat.kind"), PRIMARY), (text_button("Подъезд", "chat.kind"), PRIMARY)],
            [CANCEL],
        ]
    )


def skip_keyboard() -> str:
    return build([[(text_button("Пропустить", "skip"), SECONDARY)], [CANCEL]])


def summary_keyboard() -> str:
    return build(
        [
            [(text_button("Создать", "chat.create.confirm"), POSITIVE)],
            [(text_button("Изменить", "chat.create.edit"), PRIMARY), CANCEL],
        ]
    )


def edit_fields_keyboard() -> str:
    fields = [
        ("Название", "title"),
        ("Тип", "kind"),
        ("Описание", "description"),
        ("Фото", "photo"),
        ("Администратор", "admin_phone"),
    ]
    rows = [[(text_button(caption, "chat.create.field", field=field), PRIMARY)] for caption, field in fields]
    return build([*rows, [CANCEL]])


def import_confirm_keyboard(count: int) -> str:
    return build(
        [
            [(text_button(f"Создать {chats(count)}", "import.confirm"), POSITIVE)],
            [CANCEL],
        ]
    )


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
                (text_button("Чаты из файла", "chat.import"), PRIMARY),
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
    rows.append([(callback_button("Статистика", "chat.stats", id=chat_id), SECONDARY)])
    return build(rows, inline=True)


def stats_keyboard(municipality_id: int) -> str:
    """Under the municipality's statistics."""
    return build(
        [[(callback_button("Выгрузить статистику", "stats.export", id=municipality_id), PRIMARY)]],
        inline=True,
    )


def representative_kind_keyboard() -> str:
    return build(
        [
            [
                (text_button(label, "rep.kind", kind=kind.value), PRIMARY)
                for kind, label in REPRESENTATIVE_TITLES.items()
            ],
            [CANCEL],
        ]
    )


def confirm_representative_keyboard() -> str:
    return confirm_keyboard("Назначить", "rep.assign.confirm")
