"""Assigning a representative: the kind, the confirmation."""

from __future__ import annotations

from bot.keyboards.common import CANCEL, PRIMARY, build, confirm_keyboard, text_button
from bot.services.chats.model import REPRESENTATIVE_TITLES


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
