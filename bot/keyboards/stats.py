"""The statistics' buttons."""

from __future__ import annotations

from bot.keyboards.common import PRIMARY, build, callback_button


def stats_keyboard(municipality_id: int) -> str:
    """Under the municipality's statistics."""
    return build(
        [[(callback_button("Выгрузить статистику", "stats.export", id=municipality_id), PRIMARY)]],
        inline=True,
    )
