"""«Сменить муниципалитет»: for people who work in several (region admins, say)."""

from __future__ import annotations

from vkbottle.bot import BotLabeler, Message

from bot.handlers.start import show_menu
from bot.keyboards.common import CANCEL, PRIMARY, build, text_button
from bot.runtime.buttons import MunicipalityChoose, MunicipalitySet, Pressed
from bot.runtime.context import Turn
from bot.services.core.access import choose_municipality, municipalities_of, working_municipality
from bot.services.core.errors import AccessDenied

labeler = BotLabeler()

MAX_CHOICES = 30


@labeler.private_message(Pressed(MunicipalityChoose, texts=("сменить муниципалитет",)))
async def choose(message: Message, turn: Turn) -> None:
    available = await municipalities_of(turn.actor)
    if not available:
        raise AccessDenied("Это могут сотрудники муниципалитета.")
    current = await working_municipality(turn.actor)
    rows = [
        [(text_button(m.name, MunicipalitySet(id=m.id)), PRIMARY)]
        for m in available[:MAX_CHOICES]
    ]
    rows.append([CANCEL])
    await turn.answer(f"Сейчас вы работаете с «{current.name}». Выберите муниципалитет:", keyboard=build(rows))


@labeler.private_message(Pressed(MunicipalitySet))
async def set_current(message: Message, turn: Turn, button: MunicipalitySet) -> None:
    municipality = await choose_municipality(turn.actor, button.id)
    await show_menu(turn, f"Теперь вы работаете с «{municipality.name}».")
