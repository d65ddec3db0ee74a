"""Inline keyboards of paged lists: a button per item, then ‹ 1 · n · N › navigation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vkbottle import Callback, KeyboardButtonColor

from bot.keyboards.common import PRIMARY, SECONDARY, build, callback_button
from bot.runtime.buttons import Button
from bot.services.core.paging import Page

Row = list[tuple[Callback, KeyboardButtonColor]]
Command = type[Button] | str  # a button class, or a command not yet typed (bot/runtime/buttons.py)


def _button(caption: str, cmd: Command, **args: Any) -> Callback:
    if isinstance(cmd, str):
        return callback_button(caption, cmd, **args)
    return callback_button(caption, cmd(**args))


def nav_row(cmd: Command, page: Page[Any], **args: Any) -> Row:
    """Previous, first, current, last, next — at most five buttons, none when one page."""
    if page.pages <= 1:
        return []
    row: Row = []
    if page.number > 1:
        row.append((_button("‹", cmd, p=page.number - 1, **args), SECONDARY))
    if page.number > 2:
        row.append((_button("1", cmd, p=1, **args), SECONDARY))
    row.append((_button(f"· {page.number} ·", cmd, p=page.number, **args), PRIMARY))
    if page.number < page.pages - 1:
        row.append((_button(str(page.pages), cmd, p=page.pages, **args), SECONDARY))
    if page.number < page.pages:
        row.append((_button("›", cmd, p=page.number + 1, **args), SECONDARY))
    return row


def paged_list(
    item_cmd: Command,
    item_ids: Sequence[int],
    page: Page[Any],
    nav_cmd: Command,
    **nav_args: Any,
) -> str | None:
    """Numbered item buttons (one row, ≤ 5) and the navigation row; None if nothing to press."""
    rows: list[Row] = []
    items: Row = [
        (_button(str(page.first_index + i), item_cmd, id=item_id), PRIMARY)
        for i, item_id in enumerate(item_ids)
    ]
    if items:
        rows.append(items)
    nav = nav_row(nav_cmd, page, **nav_args)
    if nav:
        rows.append(nav)
    return build(rows, inline=True) if rows else None
