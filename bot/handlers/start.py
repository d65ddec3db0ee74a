"""Start, the main menu, binding by an invitation link, roles and help — and the last resort:
anything no other flow took gets a clear answer (`last_resort`, loaded after every flow)."""

from __future__ import annotations

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message

from bot.handlers.invitations import show_opened
from bot.keyboards.start import guest_menu, menu_for
from bot.runtime.attachments import document
from bot.runtime.context import CallbackTurn, Turn
from bot.runtime.rules import Command, HasRef
from bot.services.core import texts
from bot.services.core.access import describe_grant

labeler = BotLabeler()
last_resort = BotLabeler()


@labeler.private_message(HasRef())
async def bind_by_invitation(message: Message, turn: Turn, ref: str) -> None:
    opened = await turn.services.invitations.open(
        vk_id=turn.actor.vk_id, token=ref, name=await turn.sender_name()
    )
    await turn.clear_state()
    await show_opened(turn, opened)


@labeler.private_message(Command("start", "menu", texts=("начать", "start", "меню")))
async def start(message: Message, turn: Turn) -> None:
    await turn.clear_state()
    await show_menu(turn)


@labeler.private_message(Command("cancel", texts=("отмена", "отменить")))
async def cancel(message: Message, turn: Turn) -> None:
    await turn.clear_state()
    await show_menu(turn, texts.CANCELLED)


@labeler.private_message(Command("roles", texts=("мои роли",)))
async def roles(message: Message, turn: Turn) -> None:
    if not turn.actor.grants:
        await turn.answer(texts.GREETING, keyboard=guest_menu())
        return
    lines = "\n".join(f"• {describe_grant(g)}" for g in turn.actor.grants)
    await turn.answer(f"Ваши роли:\n{lines}", keyboard=await menu_keyboard(turn))


@labeler.private_message(Command("help", texts=("помощь", "справка")))
async def help_(message: Message, turn: Turn) -> None:
    await turn.answer(texts.HELP, keyboard=await menu_keyboard(turn))


async def menu_keyboard(turn: Turn) -> str:
    return await menu_for(turn.actor)


async def show_menu(turn: Turn, prefix: str = "") -> None:
    lead = f"{prefix}\n\n" if prefix else ""
    text = texts.MENU_HINT if turn.actor.grants else texts.GREETING
    await turn.answer(lead + text, keyboard=await menu_keyboard(turn))


@last_resort.private_message()
async def unknown_message(message: Message, turn: Turn) -> None:
    if document(message) is not None:
        await show_menu(turn, texts.FILE_OUTSIDE_IMPORT)
        return
    await show_menu(turn, texts.UNKNOWN)


@last_resort.raw_event(GroupEventType.MESSAGE_EVENT, dataclass=dict)
async def unknown_callback(event: dict, turn: CallbackTurn) -> None:
    await turn.snackbar(texts.STALE_BUTTON)
