"""Keyboards are pure functions: data in, VK keyboard JSON out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vkbottle import Callback, Keyboard, KeyboardButtonColor, Text

from bot.runtime.buttons import Button
from bot.runtime.payload import make_payload

MAX_LABEL = 40  # VK's limit for a button label

PRIMARY = KeyboardButtonColor.PRIMARY
POSITIVE = KeyboardButtonColor.POSITIVE
NEGATIVE = KeyboardButtonColor.NEGATIVE
SECONDARY = KeyboardButtonColor.SECONDARY


def label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _payload(button: Button | str, args: dict[str, Any]) -> str:
    if isinstance(button, Button):
        if args:
            raise TypeError("a typed button carries its own arguments")
        return button.pack()
    return make_payload(button, **args)  # a command not yet typed (bot/runtime/buttons.py)


def text_button(caption: str, button: Button | str, **args: Any) -> Text:
    return Text(label(caption), payload=_payload(button, args))


def callback_button(caption: str, button: Button | str, **args: Any) -> Callback:
    return Callback(label(caption), payload=_payload(button, args))


CANCEL = (text_button("Отмена", "cancel"), NEGATIVE)  # the button every dialog step has


def build(
    rows: Iterable[Iterable[tuple[Text | Callback, KeyboardButtonColor]]],
    *,
    inline: bool = False,
) -> str:
    keyboard = Keyboard(inline=inline)
    first = True
    for row in rows:
        if not first:
            keyboard.row()
        first = False
        for button, color in row:
            keyboard.add(button, color=color)
    return keyboard.get_json()


def cancel_keyboard() -> str:
    return build([[CANCEL]])


def confirm_keyboard(confirm_caption: str, confirm_cmd: Button | str, **args: Any) -> str:
    return build(
        [
            [(text_button(confirm_caption, confirm_cmd, **args), POSITIVE)],
            [CANCEL],
        ]
    )


def skip_keyboard() -> str:
    return build([[(text_button("Пропустить", "skip"), SECONDARY)], [CANCEL]])
