"""The chat creation dialog's buttons."""

from __future__ import annotations

from bot.keyboards.common import CANCEL, POSITIVE, PRIMARY, build, text_button


def chat_kind_keyboard() -> str:
    return build(
        [
            [(text_button("Дом", "chat.kind"), PRIMARY), (text_button("Подъезд", "chat.kind"), PRIMARY)],
            [CANCEL],
        ]
    )


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
