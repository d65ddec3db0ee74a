"""Reading what people type in a dialog step: on bad input, say what was wrong and ask again."""

from __future__ import annotations

from bot.runtime.context import Turn
from bot.services.core.phones import InvalidPhone, normalize_phone

PHONE_EXAMPLE = "Пример: +7 912 123-45-67."


async def phone_or_ask_again(turn: Turn, text: str | None, *, keyboard: str | None) -> str | None:
    """The phone in E.164, or None after telling the person why it is not one."""
    try:
        return normalize_phone(text or "")
    except InvalidPhone as exc:
        await turn.answer(f"{exc} {PHONE_EXAMPLE}", keyboard=keyboard)
        return None
