"""Last resort: anything no other handler took gets a clear answer (loaded last)."""

from __future__ import annotations

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message

from bot import texts
from bot.handlers.start import show_menu
from bot.runtime.attachments import document
from bot.runtime.context import CallbackTurn, Turn

labeler = BotLabeler()


@labeler.private_message()
async def unknown_message(message: Message, turn: Turn) -> None:
    if document(message) is not None:
        await show_menu(turn, texts.FILE_OUTSIDE_IMPORT)
        return
    await show_menu(turn, texts.UNKNOWN)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dataclass=dict)
async def unknown_callback(event: dict, turn: CallbackTurn) -> None:
    await turn.snackbar(texts.STALE_BUTTON)
