"""Anyone may check a poster: its code tells whether it is genuine (then it gives the link) or
outdated (then it says whom to ask — never the current link)."""

from __future__ import annotations

from typing import Any

from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules import ABCRule
from vkbottle.dispatch.rules.base import StateRule
from vkbottle.tools.mini_types.bot import MessageMin

from bot.handlers.start import menu_keyboard
from bot.keyboards.common import cancel_keyboard
from bot.runtime.buttons import PosterCheckStart, Pressed
from bot.runtime.context import Turn
from bot.services.chats.posters import Verdict, Verification, looks_like_code
from bot.states.posters import PosterCheck

labeler = BotLabeler()

NOT_FOUND = (
    "Такого кода нет. Проверьте, что переписали его без ошибок: 8 символов, например 7KQM-4WXP. "
    "Если код переписан верно, объявление поддельное — не переходите по ссылке с него."
)


class LooksLikeCode(ABCRule[MessageMin]):
    async def check(self, event: MessageMin) -> Any:
        return not event.payload and looks_like_code(event.text or "")


def verdict_text(found: Verification | None) -> str:
    if found is None:
        return NOT_FOUND
    place = f"«{found.chat.title}» ({found.municipality.name})"
    if found.verdict is Verdict.GENUINE:
        return f"Объявление настоящее: это официальный чат {place}.\nВступить: {found.current_link}"
    if found.verdict is Verdict.OUTDATED:
        return (
            f"Объявление выпускал муниципалитет для чата {place}, но оно устарело: ссылка на нём "
            "больше не действует. Новую ссылку спросите у администратора домового чата "
            "(старшего по дому или подъезду) или возьмите с нового объявления."
        )
    return f"Объявление выпускали для чата {place}, но этот чат больше не действует."


@labeler.private_message(Pressed(PosterCheckStart, texts=("проверить объявление",)))
async def ask_code(message: Message, turn: Turn) -> None:
    await turn.set_state(PosterCheck.CODE)
    await turn.answer(
        "Пришлите код с объявления — он напечатан внизу, 8 символов, например 7KQM-4WXP.",
        keyboard=cancel_keyboard(),
    )


@labeler.private_message(StateRule(PosterCheck.CODE))
async def check_typed_code(message: Message, turn: Turn) -> None:
    found = await turn.services.posters.verify(message.text or "")
    if found is None and not looks_like_code(message.text or ""):
        await turn.answer("Это не похоже на код: в нём 8 букв и цифр, например 7KQM-4WXP.", keyboard=cancel_keyboard())
        return
    await turn.clear_state()
    await turn.answer(verdict_text(found), keyboard=await menu_keyboard(turn))


@labeler.private_message(LooksLikeCode())
async def check_code(message: Message, turn: Turn) -> None:
    found = await turn.services.posters.verify(message.text or "")
    await turn.answer(verdict_text(found), keyboard=await menu_keyboard(turn))
