"""Inline keyboards of paged lists: a button per item, then ‹ 1 · n · N › navigation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vkbottle import Callback, KeyboardButtonColor

from bot.keyboards.common import PRIMARY, SECONDARY, build, callback_button
from bot.services.core.paging import Page

Row = list[tuple[Callback, KeyboardButtonColor]]


def nav_row(cmd: str, page: Page[Any], **args: Any) -> Row:
    """Previous, first, current, last, next — at most five buttons, none when one page."""
    if page.pages <= 1:
        return []
    row: Row = []
    if page.number > 1:
        row.append((callback_button("‹", cmd, p=page.number - 1, **args), SECONDARY))
    if page.number > 2:
        row.append((callback_button("1", cmd, p=1, **args), SECONDARY))
    row.append((callback_button(f"· {page.number} ·", cmd, p=page.number, **args), PRIMARY))
    if page.number < page.pages - 1:
        row.append((callback_button(str(page.pages), cmd, p=page.pages, **args), SECONDARY))
    if page.number < page.pages:
        row.append((callback_button("›", cmd, p=page.number + 1, **args), SECONDARY))
    return row


def paged_list(
    item_cmd: str,
    item_ids: Sequence[int],
    page: Page[Any],
    nav_cmd: str,
    **nav_args: Any,
) -> str | None:
    """Numbered item buttons (one row, ≤ 5) and the navigation row; None if nothing to press."""
    rows: list[Row] = []
    items: Row = [
        (callback_button(str(page.first_index + i), item_cmd, id=item_id), PRIMARY)
        for i, item_id in enumerate(item_ids)
    ]
    if items:
        rows.append(items)
    nav = nav_row(nav_cmd, page, **nav_args)
    if nav:
        rows.append(nav)
    return build(rows, inline=True) if rows else None
