"""The XLSX files the bot sends: the template to fill in and the report of rejected rows."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bot.services.core.sheets import BOLD, WRAP, add_sheet, append, cell, new_book, to_bytes
from bot.services.importing.model import (
    ADMIN_PHONE,
    COLUMNS,
    DESCRIPTION,
    FLATS,
    KIND,
    MAX_DESCRIPTION,
    MAX_FLATS,
    MAX_TITLE,
    OTHERS,
    ROW_KEY,
    TITLE,
    UK,
    RejectedRow,
)

SHEET_CHATS = "Чаты"
SHEET_HELP = "Как заполнить"
SHEET_REJECTED = "Что исправить"
FIX_COLUMN = "Что исправить"

_WIDTHS = {TITLE: 34, ADMIN_PHONE: 22, KIND: 20, DESCRIPTION: 48, UK: 36, OTHERS: 52, FLATS: 10}
_TEXT_COLUMNS = (ADMIN_PHONE, UK, OTHERS)  # kept as text so Excel does not turn phones into numbers
_TEMPLATE_ROWS = 20_000  # rows under the header offered the «Тип чата» list

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FIX_FILL = PatternFill("solid", fgColor="FCE4D6")

EXAMPLE_ROWS: tuple[dict[str, str | int], ...] = (
    {
        TITLE: "Плесецкая 16, 7 подъезд",
        ADMIN_PHONE: "8 912 123-45-67",
        KIND: "Подъезд с жителями",
        DESCRIPTION: "Чат для общения жителей 7 подъезда Плесецкой 16 ЖК Чистое Небо",
        UK: "8 912 765-43-21 ООО «УК Комфорт»",
        OTHERS: "РСО: +7 912 000-11-22 Водоканал; Администрация: +7 912 000-33-44",
        FLATS: 36,
    },
    {
        TITLE: "Комендантский проспект 64к1",
        ADMIN_PHONE: "8 912 234-53-23",
        KIND: "Подъезд с жителями",
        DESCRIPTION: "",
        UK: "8 912 765-43-21 ООО «УК Комфорт»",
        OTHERS: "",
        FLATS: 48,
    },
    {
        TITLE: "Шуваловский проспект 53к2",
        ADMIN_PHONE: "8 912 234-53-24",
        KIND: "Дом с жителями",
        DESCRIPTION: "",
        UK: "",
        OTHERS: "Администрация: +7 912 000-33-44",
        FLATS: 120,
    },
)

_HELP = (
    (TITLE, "да", f"Адрес дома или подъезда — так чат будет называться. До {MAX_TITLE} символов. "
     "Названия не должны повторяться: чат с уже существующим названием второй раз не создаётся.",
     "Плесецкая 16, 7 подъезд"),
    (ADMIN_PHONE, "да", "Мобильный телефон администратора чата — старшего по дому или активного "
     "жителя. В любом привычном виде. На этот номер придёт приглашение.",
     "8 912 123-45-67 или +7 912 1234567"),
    (KIND, "да", "«Дом» — чат всего дома, «Подъезд» — чат одного подъезда. Можно выбрать из "
     "списка; подходят и «Дом с жителями», «Подъезд с жителями».", "Подъезд"),
    (DESCRIPTION, "нет", f"Коротко о чате, до {MAX_DESCRIPTION} символов. Пусто или «-» — "
     "без описания.", "Чат для общения жителей 7 подъезда"),
    (UK, "нет", "Телефон представителя управляющей компании и через пробел её название. "
     "Несколько представителей — через точку с запятой «;».", "8 912 765-43-21 ООО «УК Комфорт»"),
    (OTHERS, "нет", "Представители администрации и ресурсных организаций: вид, двоеточие, телефон "
     "и организация. Вид — УК, Администрация или РСО. Несколько — через «;» или с новой строки.",
     "РСО: +7 912 000-11-22 Водоканал; Администрация: +7 912 000-33-44"),
    (FLATS, "нет", "Сколько квартир в доме или подъезде: по этому числу бот считает, какая доля "
     f"жителей вступила в чат. Целое число от 1 до {MAX_FLATS}.", "120"),
)

_NOTES = (
    "Одна строка — один чат. Первая строка листа «Чаты» — названия столбцов, не меняйте их.",
    "Строки-примеры удалите перед отправкой, иначе по ним тоже будут созданы чаты.",
    "Сохраните файл как XLSX, XLS или CSV (не больше 1 МБ) и отправьте его боту как документ.",
    "Бот сначала проверит все строки и покажет, сколько чатов будет создано и какие строки нужно "
    "исправить. Чаты создаются только после вашего подтверждения.",
    "Строки с ошибками бот вернёт файлом со столбцом «Что исправить»: исправьте их прямо в этом "
    "файле и отправьте его снова. Уже созданные чаты повторно не создаются.",
)


def template_xlsx() -> bytes:
    """The file staff fill in: sheet «Чаты» (header, examples) and sheet «Как заполнить»."""
    book = new_book()
    sheet = add_sheet(
        book, SHEET_CHATS, COLUMNS, [_WIDTHS[c] for c in COLUMNS],
        header_fill=_HEADER_FILL, wrap_header=True,
    )
    text_columns = {COLUMNS.index(column) for column in _TEXT_COLUMNS}
    for index in text_columns:  # a column style: applies to every cell typed in later
        # set by Worksheet._setup; openpyxl's stubs lack it on write-only sheets
        sheet.column_dimensions[get_column_letter(index + 1)].number_format = "@"  # type: ignore[attr-defined]
    for example in EXAMPLE_ROWS:
        append(
            sheet,
            [
                cell(sheet, example[column], number_format="@") if index in text_columns
                else example[column]
                for index, column in enumerate(COLUMNS)
            ],
        )
    kinds = DataValidation(
        type="list",
        formula1='"Дом,Подъезд,Дом с жителями,Подъезд с жителями"',
        allow_blank=True,
        showErrorMessage=False,  # other spellings are understood too; the bot checks them
        promptTitle=KIND,
        prompt="Дом или Подъезд",
    )
    letter = get_column_letter(COLUMNS.index(KIND) + 1)
    kinds.add(f"{letter}2:{letter}{_TEMPLATE_ROWS + 1}")
    sheet.data_validations.append(kinds)  # type: ignore[attr-defined]  # as column_dimensions

    help_sheet = add_sheet(
        book, SHEET_HELP, ("Столбец", "Обязательный", "Что вписать", "Пример"), (26, 14, 70, 44),
        header_fill=_HEADER_FILL, wrap_header=True,
    )
    for line in _HELP:
        append(help_sheet, [cell(help_sheet, value, alignment=WRAP) for value in line])
    append(help_sheet, [])
    append(help_sheet, [cell(help_sheet, "Важно", font=BOLD)])
    for offset, note in enumerate(_NOTES):
        append(help_sheet, [f"{offset + 1}. {note}"])
    return to_bytes(book)


def rejected_report_xlsx(rejected: Sequence[RejectedRow]) -> bytes:
    """«Строка», the template's columns as they were, and «Что исправить» with every reason.

    The columns are the template's, so the person can correct the rows here and send this very
    file back (read_table ignores «Строка» and «Что исправить»).
    """
    book = new_book()
    headers = (ROW_KEY, *COLUMNS, FIX_COLUMN)
    sheet = add_sheet(
        book,
        SHEET_REJECTED,
        headers,
        (8, *(_WIDTHS[c] for c in COLUMNS), 70),
        freeze="B2",
        header_fill=[_FIX_FILL if name == FIX_COLUMN else _HEADER_FILL for name in headers],
        wrap_header=True,
    )
    for row in sorted(rejected, key=lambda r: r.row_number):
        # Only «Что исправить» is styled: a style per cell is what makes openpyxl slow.
        reasons = row.reasons
        text = reasons[0] if len(reasons) == 1 else "\n".join(f"• {r}" for r in reasons)
        append(
            sheet,
            [
                row.row_number,
                *(row.values.get(column) or "" for column in COLUMNS),
                cell(sheet, text, fill=_FIX_FILL, alignment=WRAP),
            ],
        )
    return to_bytes(book)
