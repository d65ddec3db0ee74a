"""Reading an uploaded CSV / XLSX / XLS into rows keyed by the template's column names."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from typing import Any

from bot.services.core.sheets import restore
from bot.services.importing.model import (
    ADMIN_PHONE,
    COLUMNS,
    DESCRIPTION,
    FLATS,
    KIND,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    OTHERS,
    REQUIRED,
    ROW_KEY,
    TITLE,
    UK,
    ImportFileError,
    clip,
    thousands,
)

MAX_COLUMNS = 64  # columns read from a sheet; the template has 7
EXTENSIONS = ("csv", "xlsx", "xls")
_ABSENT = 1 << 30  # the column index of a template column the file lacks: always blank

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEADER_JUNK = re.compile(r"[\W_]+")
_SEP_HINT = re.compile(r"^sep=(.)$")

# Header names people use instead of the template's (compared after _header_key).
_ALIASES = {
    TITLE: ("Название", "Наименование чата", "Адрес", "Адрес дома"),
    ADMIN_PHONE: ("Телефон администратора", "Номер телефона администратора", "Администратор"),
    KIND: ("Тип", "Вид чата"),
    DESCRIPTION: ("Описание",),
    UK: ("Представители УК", "Предст. УК", "УК"),
    OTHERS: ("Другие ОП", "Другие официальные представители", "Прочие представители"),
    FLATS: ("Квартиры", "Количество квартир", "Кол-во квартир", "Число квартир"),
}


def _header_key(text: str) -> str:
    return _HEADER_JUNK.sub("", text.casefold().replace("ё", "е"))


_CANONICAL = {_header_key(c): c for c in COLUMNS}
_ALIAS = {_header_key(a): c for c, names in _ALIASES.items() for a in names}
_PREFIX = tuple((_header_key(c), c) for c in COLUMNS)

_TEMPLATE_HINT = "Перенесите данные в шаблон, который присылает бот, и отправьте файл снова."


def _mb(size: int) -> str:
    """Size in МБ (1 МБ = 1 000 000 байт), precise enough to differ from the limit."""
    for digits in range(1, 7):
        text = f"{size / 1_000_000:.{digits}f}"
        if float(text) * 1_000_000 != MAX_FILE_BYTES:
            break
    return text.rstrip("0").rstrip(".").replace(".", ",")


def read_table(filename: str, content: bytes) -> list[dict[str, str]]:
    """The first sheet's rows under the header, by column name; raise ImportFileError.

    Every row holds all of COLUMNS (missing optional columns are "") and ROW_KEY: the row's
    number in the sheet as the person sees it. Blank rows between filled ones are kept (the plan
    counts them); blank rows after the last filled one are dropped.
    """
    name = (filename or "").strip()
    extension = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    shown = f"«{name}»" if name else "без названия"
    if extension not in EXTENSIONS:
        raise ImportFileError(
            f"Файл {shown} не подходит: бот принимает таблицы в форматах CSV, XLSX и XLS. "
            "Сохраните таблицу в одном из них (в Excel: «Файл → Сохранить как → Книга Excel») "
            "и отправьте снова."
        )
    if not content:
        raise ImportFileError(
            f"Файл {shown} пустой. Заполните шаблон — первая строка с названиями столбцов, "
            "ниже по одному чату в строке — и отправьте снова."
        )
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"Файл {shown} слишком большой: {_mb(len(content))} МБ, а можно не больше 1 МБ. "
            "Разделите список чатов на несколько файлов и отправьте их по очереди."
        )
    # Workbooks are recognised by their content, so an XLSX saved as «.xls» (some programs do)
    # is still read; text in a workbook's clothing is refused with what to do.
    if content.startswith(_ZIP_MAGIC):
        return _table(_xlsx_rows(content, shown))
    if content.startswith(_OLE_MAGIC):
        if _OOXML_ENCRYPTED in content:
            raise _password_protected(shown)
        return _table(_xls_rows(content, shown))
    if extension == "csv":
        return _table(_csv_rows(content, shown))
    raise _not_a_workbook(content, shown, extension)


# --- the header and the rows -------------------------------------------------------------------


def _table(rows: Iterable[Sequence[object]]) -> list[dict[str, str]]:
    mapping: list[tuple[int, str]] | None = None
    table: list[dict[str, str]] = []
    filled = kept = 0
    for number, raw in enumerate(rows, start=1):
        if number > MAX_SCANNED_ROWS:
            raise ImportFileError(
                f"В таблице больше {thousands(MAX_SCANNED_ROWS)} строк, считая пустые. "
                "Удалите лишние строки под списком чатов или разделите его на несколько файлов."
            )
        if mapping is None:
            cells = [_cell_text(value) for value in raw]
            if any(cells):
                mapping = _match_header(cells)
            continue
        width = len(raw)
        row = {ROW_KEY: str(number)}
        blank = True
        for index, column in mapping:
            text = _cell_text(raw[index]) if index < width else ""
            row[column] = text
            if text:
                blank = False
        table.append(row)
        if not blank:
            kept = len(table)
            filled += 1
            if filled > MAX_ROWS:
                raise ImportFileError(
                    f"В файле больше {thousands(MAX_ROWS)} чатов. "
                    "Разделите список на несколько файлов и отправьте их по очереди."
                )
    if mapping is None:
        raise ImportFileError(
            "Таблица пустая: на первом листе нет ни одной заполненной строки. "
            "Если список чатов на другом листе, перенесите его на первый. " + _TEMPLATE_HINT
        )
    if not filled:
        raise ImportFileError(
            "В таблице есть строка с названиями столбцов, но нет ни одного чата. "
            "Впишите чаты в строки под ней — по одному в строке — и отправьте файл снова."
        )
    del table[kept:]
    return table


def _match_header(cells: list[str]) -> list[tuple[int, str]]:
    """(column index, template column) for every recognised header cell.

    The template's own names win over other names people use, which win over names that only
    begin like a template column («Тип чата (Дом/Подъезд)»); among equals the leftmost wins.
    """
    found: dict[str, int] = {}
    keys = [_header_key(cell) for cell in cells]
    tiers = (
        lambda key: _CANONICAL.get(key),
        lambda key: _ALIAS.get(key),
        lambda key: next((c for prefix, c in _PREFIX if key.startswith(prefix)), None),
    )
    for tier in tiers:
        for index, key in enumerate(keys):
            if not key or index in found.values():
                continue
            column = tier(key)
            if column and column not in found:
                found[column] = index
    missing = [column for column in REQUIRED if column not in found]
    if missing:
        seen = [cell for cell in cells if cell][:10]
        raise ImportFileError(
            "В строке с названиями столбцов не хватает "
            + ("обязательного столбца " if len(missing) == 1 else "обязательных столбцов: ")
            + ", ".join(f"«{column}»" for column in missing)
            + ". Первая заполненная строка таблицы должна содержать названия столбцов, "
            + "как в шаблоне; сейчас в ней: "
            + ", ".join(f"«{clip(cell, 40)}»" for cell in seen)
            + ". "
            + _TEMPLATE_HINT
        )
    # Every template column is present in every row, blank when the file lacks it.
    mapping = [(found[column], column) for column in COLUMNS if column in found]
    return mapping + [(_ABSENT, column) for column in COLUMNS if column not in found]


def _cell_text(value: object) -> str:
    """A cell as text: Excel's floats (89121234567.0, 120.0) read back as whole numbers."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        return "да" if value else "нет"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.15g}"
    elif isinstance(value, int):
        return str(value)
    elif isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M" if value.time() != time() else "%d.%m.%Y")
    elif isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    elif isinstance(value, time):
        return value.strftime("%H:%M")
    else:
        text = str(value)
    text = restore(text.strip()).strip()  # the apostrophe our own reports put before «=»…
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return text


# --- formats -----------------------------------------------------------------------------------


def _damaged(shown: str, kind: str) -> ImportFileError:
    return ImportFileError(
        f"Не удалось прочитать файл {shown}: он повреждён или это не таблица {kind}. "
        "Откройте его в Excel и сохраните заново («Файл → Сохранить как → Книга Excel (.xlsx)»), "
        "или перенесите данные в шаблон, который присылает бот."
    )


def _password_protected(shown: str) -> ImportFileError:
    return ImportFileError(
        f"Файл {shown} защищён паролем, бот не может его открыть. Снимите пароль "
        "(в Excel: «Файл → Сведения → Защита книги») и отправьте файл снова."
    )


def _not_a_workbook(content: bytes, shown: str, extension: str) -> ImportFileError:
    head = content[:2048].lstrip(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"<"):
        return ImportFileError(
            f"Файл {shown} назван как таблица Excel, но внутри веб-страница или XML. "
            "Откройте его в Excel и сохраните как «Книга Excel (.xlsx)», затем отправьте снова."
        )
    text = _decode(content[:4096])
    if text is not None and not _looks_binary(text):
        return ImportFileError(
            f"Файл {shown} назван как таблица Excel (.{extension}), но внутри обычный текст — "
            "похоже, это CSV. Переименуйте файл, чтобы он заканчивался на .csv, или откройте "
            "его в Excel и сохраните как «Книга Excel (.xlsx)», затем отправьте снова."
        )
    return _damaged(shown, "Excel")


def _xlsx_rows(content: bytes, shown: str) -> Iterator[Sequence[object]]:
    import openpyxl  # noqa: PLC0415 (heavy; only when a workbook arrives)

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (any damage inside the archive means one thing to the person)
        raise _damaged(shown, "Excel") from None
    try:
        if not book.worksheets:
            raise _damaged(shown, "Excel")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong «dimension»: read every row
        yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001
        raise _damaged(shown, "Excel") from None
    finally:
        book.close()


def _xls_rows(content: bytes, shown: str) -> Iterator[Sequence[object]]:
    import xlrd  # noqa: PLC0415

    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
        sheet = book.sheet_by_index(0)
    except xlrd.XLRDError as error:  # type: ignore[attr-defined]  # xlrd exports it; its stubs do not
        if "encrypted" in str(error).casefold():
            raise _password_protected(shown) from None
        raise _damaged(shown, "Excel") from None
    except Exception:  # noqa: BLE001
        raise _damaged(shown, "Excel") from None
    try:
        for index in range(sheet.nrows):
            width = min(sheet.row_len(index), MAX_COLUMNS)
            types = sheet.row_types(index, 0, width)
            values: Sequence[Any] = sheet.row_values(index, 0, width)  # text, numbers, dates as floats
            row: list[object] = []
            for kind, value in zip(types, values, strict=True):
                if kind == xlrd.XL_CELL_DATE:
                    with contextlib.suppress(Exception):  # a broken date stays a number
                        value = xlrd.xldate_as_datetime(value, book.datemode)
                elif kind == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                row.append(value)
            yield row
    except Exception:  # noqa: BLE001
        raise _damaged(shown, "Excel") from None
    finally:
        book.release_resources()


def _decode(content: bytes) -> str | None:
    if content.startswith(codecs.BOM_UTF8):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return content.decode("cp1251", errors="replace")  # Excel's «CSV» on Russian Windows


def _looks_binary(text: str) -> bool:
    return "\x00" in text or len(_CONTROL.findall(text[:4096])) > 8


def _csv_rows(content: bytes, shown: str) -> Iterator[Sequence[object]]:
    text = _decode(content)
    if text is None or _looks_binary(text):
        raise ImportFileError(
            f"Файл {shown} не похож на CSV: внутри не текст. Откройте таблицу в Excel и "
            "сохраните её как «CSV (разделители — запятые)» или «Книга Excel (.xlsx)»."
        )
    lines = text.splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    hint = _SEP_HINT.match(first)
    if hint:  # Excel's «sep=;» line: it names the delimiter and is not a row
        delimiter = hint.group(1)
        text = text.split(first, 1)[1].lstrip("\r\n")
    else:
        counts = {d: first.count(d) for d in (";", ",", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise ImportFileError(
            f"Не удалось разобрать CSV-файл {shown} около строки {reader.line_num}: "
            "похоже, там незакрытая кавычка. Исправьте её или сохраните таблицу из Excel заново."
        ) from None
