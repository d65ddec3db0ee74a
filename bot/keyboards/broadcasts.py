"""The broadcast flow's buttons."""

from __future__ import annotations

from bot.keyboards.common import NEGATIVE, build, callback_button
from storage.models import Broadcast


def stop_keyboard(broadcast: Broadcast) -> str:
    return build([[(callback_button("Остановить", "broadcast.stop", b=broadcast.id), NEGATIVE)]], inline=True)
