"""The chat import's buttons."""

from __future__ import annotations

from bot.keyboards.common import CANCEL, POSITIVE, build, text_button
from bot.runtime.buttons import ChatImportConfirm
from bot.services.core.texts import chats


def import_confirm_keyboard(count: int) -> str:
    return build(
        [
            [(text_button(f"Создать {chats(count)}", ChatImportConfirm()), POSITIVE)],
            [CANCEL],
        ]
    )
