"""Realistic chat lists for import tests: the addresses, phones and sizes a municipality sends.

Rows are made from a seeded generator, so a file is the same in every run; its size is steered
by the description column (random letters compress as poorly as real text does).
"""

from __future__ import annotations

import csv
import io
import random

import openpyxl

from bot.services.importing import COLUMNS

STREETS = (
    "Строителей", "Садовая", "Ленина", "Мира", "Плесецкая", "Комендантский", "Шуваловский",
    "Невский", "Гагарина", "Победы", "Советская", "Молодёжная", "Школьная", "Лесная",
    "Центральная", "Набережная", "Заречная", "Полевая", "Луговая", "Новая",
)
STREET_KINDS = ("ул.", "пр.", "пер.", "б-р", "просп.")
MOBILE_CODES = ("903", "905", "911", "912", "916", "921", "926")
LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя "


def chat_rows(count: int, *, seed: int = 1, description: int = 0) -> list[list[object]]:
    """`count` valid rows with distinct titles; `description` letters of description each."""
    rnd = random.Random(seed)
    rows: list[list[object]] = []
    seen: set[str] = set()
    while len(rows) < count:
        title = f"{rnd.choice(STREET_KINDS)} {rnd.choice(STREETS)}, {rnd.randint(1, 400)}"
        if rnd.random() < 0.3:
            title += f" к{rnd.randint(1, 5)}"
        entrance = rnd.random() < 0.5
        if entrance:
            title += f", подъезд {rnd.randint(1, 12)}"
        if title.casefold() in seen:
            continue
        seen.add(title.casefold())
        phone = f"+7{rnd.choice(MOBILE_CODES)}{rnd.randint(0, 9_999_999):07d}"
        text = "".join(rnd.choice(LETTERS) for _ in range(description)).strip()
        kind = "Подъезд" if entrance else "Дом"
        rows.append([title, phone, kind, text, "", "", rnd.randint(10, 400)])
    return rows


def csv_file(rows: list[list[object]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([list(COLUMNS), *rows])
    return text.getvalue().encode("utf-8")


def csv_of_size(count: int, size: int, *, seed: int = 1) -> bytes:
    """A CSV of `count` rows and exactly `size` bytes (descriptions pad it out)."""
    rows = chat_rows(count, seed=seed)
    missing = size - len(csv_file(rows))
    if missing < 0:
        raise ValueError(f"{count} rows need more than {size} bytes")
    letters, odd_byte = divmod(missing, 2)  # a Cyrillic letter is 2 bytes in UTF-8
    for index, row in enumerate(rows):
        share = letters // count + (1 if index < letters % count else 0)
        row[3] = "ж" * share
    if odd_byte:
        rows[0][3] = f"{rows[0][3]}."
    content = csv_file(rows)
    assert len(content) == size
    return content


def xlsx_file(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Чаты")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
