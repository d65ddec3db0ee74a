"""The statistics' buttons."""

from __future__ import annotations

from bot.keyboards.common import PRIMARY, build, callback_button
from bot.runtime.buttons import StatsExport


def stats_keyboard(municipality_id: int) -> str:
    """Under the municipality's statistics."""
    return build(
        [[(callback_button("Выгрузить статистику", StatsExport(id=municipality_id)), PRIMARY)]],
        inline=True,
    )
