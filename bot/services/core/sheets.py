"""Every workbook the bot sends is written here, and nowhere else.

Text is stored as text — never as a formula — and text a spreadsheet would take for a formula
when it is typed in again or the sheet is saved as CSV (a leading `=`, `+`, `-`, `@`, tab or
CR: OWASP's list for CSV and XLSX) gets a leading apostrophe, as OWASP recommends, and the
cell's quotePrefix (how Excel itself stores a typed apostrophe). Chat titles, names,
organisations and what people typed into a table all reach these files, so no value is
trusted. `restore` takes the apostrophe off again when the bot reads one of its own files back
(the rejected-rows report, corrected and sent again).

Sheets are write-only (streamed): thousands of rows stay fast, and only the few cells that need
a style get one.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

Sheet = WriteOnlyWorksheet


def neutralise(text: str) -> str:
    """`text` as it may stand in a cell: a leading apostrophe if it would start a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def restore(text: str) -> str:
    """What `neutralise` wrote, read back: the apostrophe before a formula character goes."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _text(value: str) -> str:
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))[:MAX_CELL_TEXT]


def cell(
    sheet: Sheet,
    value: Any,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
    number_format: str | None = None,
) -> Cell:
    """A styled cell; its value goes through the same conversion as every other."""
    made = WriteOnlyCell(sheet, _value(value))
    if isinstance(made.value, str):
        made.data_type = "s"
        made.quotePrefix = made.value.startswith("'")
    if font is not None:
        made.font = font
    if fill is not None:
        made.fill = fill
    if alignment is not None:
        made.alignment = alignment
    if number_format is not None:
        made.number_format = number_format
    return made


def _value(value: Any) -> Any:
    if isinstance(value, Cell):
        raise TypeError("pass values to cell(), not cells")
    return _text(value) if isinstance(value, str) else value


def _row_value(sheet: Sheet, value: Any) -> Any:
    if isinstance(value, Cell):  # made by cell(): already converted
        return value
    if isinstance(value, str):
        text = _text(value)
        # A plain string is stored as text by openpyxl unless it starts with «=», which
        # neutralise() has ruled out; the apostrophe also gets Excel's quotePrefix.
        return cell(sheet, value) if text.startswith("'") else text
    return value


def append(sheet: Sheet, values: Iterable[Any]) -> None:
    """One row: plain values (text, numbers, dates, None) and cells made by `cell()`."""
    sheet.append([_row_value(sheet, value) for value in values])


def new_book() -> Workbook:
    return Workbook(write_only=True)


def add_sheet(
    book: Workbook,
    title: str,
    header: Sequence[str],
    widths: Sequence[int],
    *,
    freeze: str = "A2",
    header_fill: PatternFill | Sequence[PatternFill | None] | None = None,
    wrap_header: bool = False,
) -> Sheet:
    """A sheet with a bold header row (frozen below `freeze`) and column widths."""
    sheet: Sheet = book.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        # set by Worksheet._setup; openpyxl's stubs lack it on write-only sheets
        sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
    sheet.freeze_panes = freeze
    fills = header_fill if isinstance(header_fill, Sequence) else [header_fill] * len(header)
    append(
        sheet,
        [
            cell(sheet, name, font=BOLD, fill=fill, alignment=WRAP if wrap_header else None)
            for name, fill in zip(header, fills, strict=False)  # fills may be longer
        ],
    )
    return sheet


def new_sheet(title: str, header: Sequence[str], widths: Sequence[int]) -> tuple[Workbook, Sheet]:
    """A workbook whose one sheet has the header (bold, frozen) and column widths."""
    book = new_book()
    return book, add_sheet(book, title, header, widths)


def to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
