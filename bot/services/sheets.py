"""Spreadsheets the bot sends: a write-only sheet with a frozen bold header."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


def bold(sheet: Worksheet, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def new_sheet(title: str, header: Sequence[str], widths: Sequence[int]) -> tuple[Workbook, Worksheet]:
    """A write-only workbook whose one sheet has the header (bold, frozen) and column widths."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([bold(sheet, name) for name in header])
    return book, sheet


def to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
