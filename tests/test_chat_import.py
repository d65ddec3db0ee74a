"""Chats from a file: reading CSV/XLSX/XLS, validating rows, the template and the report."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
import xlwt

from bot.services.importing import (
    COLUMNS,
    MAX_FILE_BYTES,
    REQUIRED,
    ROW_KEY,
    ImportFileError,
    ImportPlan,
    RejectedRow,
    RepresentativeSpec,
    normalise_title,
    plan_import,
    read_table,
    reading,
    rejected_report_xlsx,
    template_xlsx,
)
from storage.models import ChatKind, RepresentativeKind

UK = RepresentativeKind.UK
ADM = RepresentativeKind.ADMINISTRATION
RSO = RepresentativeKind.RSO

HEADER = list(COLUMNS)
GOOD = {
    "Название чата": "Плесецкая 16, 7 подъезд",
    "Номер администратора": "+7 912 123-45-67",
    "Тип чата": "Подъезд",
}


# --- fixtures built in memory ------------------------------------------------------------------


def xlsx_bytes(rows: list[list[object]], *, merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    book.create_sheet("Второй лист").append(["не читается"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows: list[list[object]]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Чаты")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def with_columns(**by_column: str) -> dict[str, str]:
    """A row as read_table gives it (every column present), valid unless overridden."""
    data = {column: "" for column in COLUMNS}
    data.update(GOOD)
    data.update(by_column)
    return data


def plan_one(values: dict[str, str]) -> ImportPlan:
    return plan_import([values], set())


def reasons_of(values: dict[str, str]) -> tuple[str, ...]:
    plan = plan_one(values)
    assert not plan.rows, "the row was expected to be rejected"
    (rejected,) = plan.rejected
    return rejected.reasons


def file_error(filename: str, content: bytes) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_table(filename, content)
    return str(caught.value)


# --- the template ------------------------------------------------------------------------------


def test_template_round_trip_gives_valid_example_rows() -> None:
    content = template_xlsx()
    rows = read_table("шаблон.xlsx", content)
    assert [r["Название чата"] for r in rows] == [
        "Плесецкая 16, 7 подъезд",
        "Комендантский проспект 64к1",
        "Шуваловский проспект 53к2",
    ]
    assert [r[ROW_KEY] for r in rows] == ["2", "3", "4"]
    plan = plan_import(rows, set())
    assert not plan.rejected and not plan.existing and plan.blank_rows == 0
    first, second, third = plan.rows
    assert (first.kind, second.kind, third.kind) == (
        ChatKind.ENTRANCE,
        ChatKind.ENTRANCE,
        ChatKind.HOUSE,
    )
    assert first.admin_phone == "+79121234567" and first.flats == 36
    assert first.description and first.description.startswith("Чат для общения")
    assert second.description is None  # «-»
    assert first.representatives == (
        RepresentativeSpec(UK, "+79127654321", "ООО «УК Комфорт»"),
        RepresentativeSpec(RSO, "+79120001122", "Водоканал"),
        RepresentativeSpec(ADM, "+79120003344", None),
    )


def test_template_is_formatted_and_explains_every_column() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    chats, help_sheet = book.worksheets
    assert chats.title == "Чаты" and help_sheet.title == "Как заполнить"
    assert [c.value for c in chats[1]] == HEADER
    assert all(c.font.bold for c in chats[1])
    assert chats.freeze_panes == "A2"
    assert all((chats.column_dimensions[letter].width or 0) >= 10 for letter in "ABCDEFG")
    assert chats["B2"].data_type == "s" and chats["B2"].number_format == "@"
    explained = {r[0] for r in help_sheet.iter_rows(min_row=2, values_only=True)}
    assert set(COLUMNS) <= explained
    assert any(
        "пример" in str(r[0]).casefold() for r in help_sheet.iter_rows(values_only=True)
    ), "the help tells people to delete the example rows"


# --- reading each format -----------------------------------------------------------------------

ROWS = [
    HEADER,
    ["Невский проспект 124", "8 912 123-45-67", "Дом", "Чат дома, 5 подъездов", "", "", "120"],
    ["Наличная улица 124, 2 подъезд", "+7 (912) 765-43-21", "Подъезд", "-", "", "", ""],
]


@pytest.mark.parametrize("bom", [False, True])
def test_csv_utf8_with_commas(bom: bool) -> None:
    content = csv_bytes(ROWS, encoding="utf-8-sig" if bom else "utf-8", delimiter=",")
    rows = read_table("чаты.CSV", content)
    assert [r["Название чата"] for r in rows] == [ROWS[1][0], ROWS[2][0]]
    assert rows[0]["Описание чата"] == "Чат дома, 5 подъездов"
    plan = plan_import(rows, set())
    assert [c.admin_phone for c in plan.rows] == ["+79121234567", "+79127654321"]


def test_csv_windows_1251_with_semicolons() -> None:
    content = csv_bytes(ROWS, encoding="cp1251", delimiter=";")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # the fixture really is not UTF-8
    rows = read_table("чаты.csv", content)
    assert rows[0]["Название чата"] == "Невский проспект 124"
    assert rows[0]["Описание чата"] == "Чат дома, 5 подъездов"
    assert rows[1]["Номер администратора"] == "+7 (912) 765-43-21"
    assert len(plan_import(rows, set()).rows) == 2


def test_csv_tab_delimited_and_excel_sep_line() -> None:
    rows = read_table("чаты.csv", csv_bytes(ROWS, delimiter="\t"))
    assert rows[0]["Тип чата"] == "Дом"
    hinted = b"sep=;\r\n" + csv_bytes(ROWS, delimiter=";")
    rows = read_table("чаты.csv", hinted)
    assert rows[0]["Название чата"] == "Невский проспект 124"
    assert rows[0][ROW_KEY] == "2"  # Excel hides the «sep=» line


def test_csv_utf16_from_excel_unicode_text() -> None:
    rows = read_table("чаты.csv", csv_bytes(ROWS, encoding="utf-16", delimiter="\t"))
    assert rows[1]["Название чата"] == "Наличная улица 124, 2 подъезд"


def test_csv_cell_with_new_lines_is_one_row() -> None:
    content = csv_bytes(
        [HEADER, ["Дом 1", "89121234567", "Дом", "", "", "РСО: 89120001122\nАдм.: 89120003344", ""]]
    )
    (only,) = read_table("a.csv", content)
    (chat,) = plan_import([only], set()).rows
    assert [r.kind for r in chat.representatives] == [RSO, ADM]


def test_xls_made_with_xlwt_reads_numbers_cleanly() -> None:
    content = xls_bytes(
        [
            HEADER,
            ["Шуваловский проспект 53к2", 89121234567, "Дом с жителями", None, None, None, 120],
            ["Комендантский проспект 64к1", "8 912 765-43-21", "Подъезд", "-", None, None, 48.0],
        ]
    )
    rows = read_table("ЧАТЫ.XLS", content)
    assert rows[0]["Номер администратора"] == "89121234567"
    assert rows[0]["Квартир"] == "120"
    plan = plan_import(rows, set())
    assert [(c.admin_phone, c.flats) for c in plan.rows] == [
        ("+79121234567", 120),
        ("+79127654321", 48),
    ]


def test_xlsx_float_phones_flats_tolerant_header_and_sheet_row_numbers() -> None:
    content = xlsx_bytes(
        [
            [],
            [],
            ["Адрес", " название  ЧАТА ", "номёр администратора", "Тип чата (Дом/Подъезд)",
             "Кол-во квартир"],
            ["x", "Невский проспект 124", 89121234567.0, "дом", 120.0],
            ["x", "Наличная 3", 79127654321.0, "подъезд", None],
            [None, "Наличная 5", 89127654322, "Подъезд", None],
        ],
        merge="B6:C6",
    )
    rows = read_table("book.xlsx", content)
    assert rows[0]["Номер администратора"] == "89121234567"
    assert rows[0]["Квартир"] == "120"
    assert "Адрес" not in rows[0]  # the template's name wins over an alias; extras are ignored
    assert rows[0]["Представитель УК"] == ""  # missing optional columns read as blank
    assert rows[2]["Номер администратора"] == ""  # merged-over cell is blank
    plan = plan_import(rows, set())
    assert [c.row_number for c in plan.rows] == [4, 5]  # header was on sheet row 3
    assert plan.rows[0].admin_phone == "+79121234567" and plan.rows[0].flats == 120
    assert plan.rows[1].admin_phone == "+79127654321"
    assert plan.rejected[0].row_number == 6
    assert "Номер администратора: не заполнено" in plan.rejected[0].reasons[0]


def test_blank_rows_between_are_counted_trailing_ones_dropped() -> None:
    content = xlsx_bytes(
        [HEADER, ["Дом 1", "89121234567", "Дом"], [], [None, "  "], ["Дом 2", "89121234568", "Дом"],
         [], [], [None]]
    )
    rows = read_table("a.xlsx", content)
    assert [r[ROW_KEY] for r in rows] == ["2", "3", "4", "5"]
    plan = plan_import(rows, set())
    assert plan.blank_rows == 2
    assert [c.row_number for c in plan.rows] == [2, 5]
    assert not plan.rejected


def test_xlsx_with_a_wrong_dimension_is_read_to_the_end() -> None:
    content = xlsx_bytes([HEADER, ["Дом 1", "89121234567", "Дом"], ["Дом 2", "89121234568", "Дом"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:G3"' in data
                data = data.replace(b'<dimension ref="A1:G3"', b'<dimension ref="A1:C2"')
            target.writestr(item, data)
    rows = read_table("a.xlsx", buffer.getvalue())
    assert [r["Название чата"] for r in rows] == ["Дом 1", "Дом 2"]


def test_xlsx_named_xls_is_still_read() -> None:
    content = xlsx_bytes([HEADER, ["Дом 1", "89121234567", "Дом"]])
    assert read_table("выгрузка.xls", content)[0]["Название чата"] == "Дом 1"


# --- file-level errors -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["chats.pdf", "chats.docx", "chats", "chats.xlsx.txt", ""])
def test_unsupported_extension_names_accepted_types(name: str) -> None:
    message = file_error(name, csv_bytes(ROWS))
    assert "CSV, XLSX и XLS" in message


def test_too_large_file_says_limit_and_size() -> None:
    message = file_error("big.csv", b"a" * 1_500_000)
    assert "1 МБ" in message and "1,5 МБ" in message
    barely = file_error("big.csv", b"a" * (MAX_FILE_BYTES + 1))
    assert "1,000001 МБ" in barely  # never shown as «1 МБ», which would look allowed


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx", "a.xls"])
def test_empty_file(name: str) -> None:
    assert "пустой" in file_error(name, b"")


@pytest.mark.parametrize(
    "content",
    [
        csv_bytes([HEADER]),
        csv_bytes([HEADER, [], ["", "", ""]]),
        xlsx_bytes([HEADER, [None, None]]),
    ],
)
def test_header_without_data_rows(content: bytes) -> None:
    name = "a.xlsx" if content.startswith(b"PK") else "a.csv"
    assert "нет ни одного чата" in file_error(name, content)


@pytest.mark.parametrize(
    ("name", "content"), [("a.csv", b"\r\n;;;\r\n  \r\n"), ("a.xlsx", xlsx_bytes([[], [None]]))]
)
def test_sheet_without_anything(name: str, content: bytes) -> None:
    assert "Таблица пустая" in file_error(name, content)


@pytest.mark.parametrize("name", ["a.xlsx", "a.xls"])
def test_csv_renamed_to_workbook(name: str) -> None:
    message = file_error(name, csv_bytes(ROWS, encoding="cp1251", delimiter=";"))
    assert "CSV" in message and ".csv" in message


@pytest.mark.parametrize("name", ["a.xlsx", "a.xls"])
def test_html_saved_as_workbook(name: str) -> None:
    content = "<html><body><table><tr><td>Название чата</td></tr></table></body></html>"
    assert "веб-страница" in file_error(name, content.encode())


def _random_bytes() -> bytes:
    return bytes((i * 7919 + 13) % 256 for i in range(5000))


def _truncated_xlsx() -> bytes:
    content = xlsx_bytes([HEADER, ["Дом 1", "89121234567", "Дом"]])
    return content[: len(content) // 2]


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _broken_ole() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.xlsx", _random_bytes()),
        ("a.xls", _random_bytes()),
        ("a.xlsx", _truncated_xlsx()),
        ("a.xlsx", _zip_without_workbook()),
        ("a.xls", _broken_ole()),
        ("a.xls", xls_bytes([HEADER])[:700]),
    ],
)
def test_damaged_workbook_is_a_clear_error(name: str, content: bytes) -> None:
    message = file_error(name, content)
    assert "повреждён" in message and "Сохранить как" in message


def test_binary_named_csv() -> None:
    assert "не похож на CSV" in file_error("a.csv", _random_bytes())


def test_missing_required_columns_are_listed_exactly() -> None:
    content = csv_bytes([["Название чата", "Описание чата", "Лишний столбец"], ["Дом 1", "", "x"]])
    message = file_error("a.csv", content)
    assert "«Номер администратора», «Тип чата»" in message
    assert "«Название чата»," not in message.split("сейчас в ней")[0]
    assert "Лишний столбец" in message  # says what it found instead
    only_one = file_error("a.xlsx", xlsx_bytes([["Название чата", "Номер администратора"], ["x"]]))
    assert "обязательного столбца «Тип чата»" in only_one
    for column in REQUIRED[:2]:
        assert f"«{column}»" not in only_one.split("сейчас в ней")[0]


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    content = csv_bytes([HEADER, *[[f"Дом {i}", "89121234567", "Дом"] for i in range(3)]])
    assert "больше 2 чатов" in file_error("a.csv", content)
    monkeypatch.setattr(reading, "MAX_SCANNED_ROWS", 5)
    content = csv_bytes([HEADER, ["Дом 1", "89121234567", "Дом"], *[[""]] * 10])
    assert "больше 5 строк" in file_error("a.csv", content)


def test_password_protected_workbook() -> None:
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le")
    assert "защищён паролем" in file_error("a.xlsx", content + b"\x00" * 512)


def test_unclosed_quote_in_csv() -> None:
    content = ",".join(HEADER).encode() + b'\r\n"' + b"x" * 200_000 + b"\r\n"
    assert "кавычка" in file_error("a.csv", content)


# --- row rules ---------------------------------------------------------------------------------


def test_valid_row_becomes_a_chat() -> None:
    (chat,) = plan_one(with_columns(**{"Описание чата": "Чат дома", "Квартир": "120"})).rows
    assert chat.row_number == 2
    assert chat.title == "Плесецкая 16, 7 подъезд"
    assert chat.title_key == normalise_title(chat.title)
    assert chat.admin_phone == "+79121234567"
    assert chat.kind is ChatKind.ENTRANCE
    assert chat.description == "Чат дома" and chat.flats == 120
    assert chat.representatives == ()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (with_columns(**{"Название чата": ""}), "Название чата: не заполнено"),
        (with_columns(**{"Название чата": "д" * 101}), "длиннее 100 символов (сейчас 101)"),
        (with_columns(**{"Название чата": "---"}), "нет ни букв, ни цифр"),
        (with_columns(**{"Номер администратора": ""}), "Номер администратора: не заполнено"),
        (
            with_columns(**{"Номер администратора": "12345"}),
            "Номер администратора «12345»: такого номера не существует, проверьте цифры",
        ),
        (
            with_columns(**{"Номер администратора": "+1 202 555 0143"}),
            "Номер администратора «+1 202 555 0143»: нужен российский номер",
        ),
        (with_columns(**{"Номер администратора": "телефон"}), "не похоже на номер телефона"),
        (
            with_columns(**{"Номер администратора": "89121234567, 89127654321"}),
            "несколько номеров",
        ),
        (with_columns(**{"Номер администратора": "8,91212E+10"}), "«E+»"),
        (with_columns(**{"Тип чата": ""}), "Тип чата: не заполнено — впишите «Дом» или «Подъезд»"),
        (with_columns(**{"Тип чата": "Квартира"}), "Тип чата «Квартира»: такого типа нет"),
        (with_columns(**{"Описание чата": "о" * 501}), "длиннее 500 символов (сейчас 501)"),
        (with_columns(**{"Квартир": "много"}), "Квартир «много»: нужно целое число"),
        (with_columns(**{"Квартир": "12.5"}), "нужно целое число"),
        (with_columns(**{"Квартир": "-5"}), "нужно целое число"),
        (with_columns(**{"Квартир": "0"}), "от 1 до 10\u00a0000"),
        (with_columns(**{"Квартир": "10001"}), "от 1 до 10\u00a0000"),
        (with_columns(**{"Квартир": "0,0"}), "Квартир «0,0»: число квартир должно быть от 1"),
    ],
)
def test_row_rules(values: dict[str, str], expected: str) -> None:
    (reason,) = reasons_of(values)
    assert expected in reason


def test_wrong_type_lists_accepted_values() -> None:
    (reason,) = reasons_of(with_columns(**{"Тип чата": "Квартира"}))
    for accepted in ("«Дом»", "«Подъезд»", "«Дом с жителями»", "«Подъезд с жителями»"):
        assert accepted in reason


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Дом", ChatKind.HOUSE),
        ("дом", ChatKind.HOUSE),
        ("ДОМ С ЖИТЕЛЯМИ", ChatKind.HOUSE),
        ("Многоквартирный дом", ChatKind.HOUSE),
        ("Подъезд", ChatKind.ENTRANCE),
        ("подъезд с жителями", ChatKind.ENTRANCE),
        ("Подъезд дома", ChatKind.ENTRANCE),
        ("подьезд", ChatKind.ENTRANCE),
    ],
)
def test_chat_type_spellings(text: str, kind: ChatKind) -> None:
    (chat,) = plan_one(with_columns(**{"Тип чата": text})).rows
    assert chat.kind is kind


@pytest.mark.parametrize(
    ("title", "description", "flats", "expected"),
    [
        ("д" * 100, "о" * 500, "10000", (500, 10000)),
        ("Дом", "-", "", (None, None)),
        ("Дом", "—", "120.0", (None, 120)),
        ("Дом", "", "1 200", (None, 1200)),
        ("Дом", "", "-", (None, None)),
    ],
)
def test_optional_fields_and_limits_accepted(
    title: str, description: str, flats: str, expected: tuple[int | None, int | None]
) -> None:
    values = with_columns(
        **{"Название чата": title, "Описание чата": description, "Квартир": flats}
    )
    (chat,) = plan_one(values).rows
    assert (len(chat.description) if chat.description else None, chat.flats) == expected


def test_all_reasons_of_a_row_are_collected() -> None:
    values = {
        "Название чата": "",
        "Номер администратора": "12345",
        "Тип чата": "Офис",
        "Описание чата": "о" * 600,
        "Представитель УК": "ООО Комфорт",
        "Другие представители": "Водоканал: 89120001122",
        "Квартир": "ноль",
    }
    reasons = reasons_of(values)
    assert len(reasons) == 7
    for column in COLUMNS:
        assert any(reason.startswith(column) for reason in reasons), column
    (rejected,) = plan_one(values).rejected
    assert rejected.values == values  # the row as it was


def test_title_whitespace_is_tidied() -> None:
    (chat,) = plan_one(with_columns(**{"Название чата": "  Плесецкая\n16,   7 подъезд "})).rows
    assert chat.title == "Плесецкая 16, 7 подъезд"


# --- duplicates and existing chats -------------------------------------------------------------


def test_duplicates_inside_the_file_reject_later_rows() -> None:
    rows = [
        with_columns(**{"Название чата": "Ёлочная 5 — «Южный»"}),
        with_columns(**{"Название чата": "Невский 1"}),
        with_columns(**{"Название чата": "  ЕЛОЧНАЯ  5 - \"южный\""}),
        with_columns(**{"Название чата": "ёлочная 5 – “Южный”", "Тип чата": "?"}),
    ]
    plan = plan_import(rows, set())
    assert [c.row_number for c in plan.rows] == [2, 3]
    assert [r.row_number for r in plan.rejected] == [4, 5]
    assert "повторяет строку 2" in plan.rejected[0].reasons[0]
    assert len(plan.rejected[1].reasons) == 2  # the duplicate and its own bad type


def test_rejected_first_row_still_owns_its_title() -> None:
    rows = [
        with_columns(**{"Название чата": "Дом 1", "Номер администратора": "1"}),
        with_columns(**{"Название чата": "Дом 1"}),
    ]
    plan = plan_import(rows, set())
    assert not plan.rows
    assert "повторяет строку 2" in plan.rejected[1].reasons[0]


def test_existing_titles_are_skipped_not_rejected() -> None:
    rows = [
        with_columns(**{"Название чата": "Невский проспект 124"}),
        with_columns(**{"Название чата": "Наличная улица 124"}),
        with_columns(**{"Название чата": "Невский проспект 124", "Тип чата": "Дом"}),
    ]
    plan = plan_import(rows, {normalise_title("НЕВСКИЙ  проспект 124")})
    assert [c.title for c in plan.rows] == ["Наличная улица 124"]
    assert [c.title for c in plan.existing] == ["Невский проспект 124"]
    assert [r.row_number for r in plan.rejected] == [4]  # a repeat within the file is an error


def test_resending_the_same_file_creates_nothing() -> None:
    rows = read_table("шаблон.xlsx", template_xlsx())
    first = plan_import(rows, set())
    again = plan_import(rows, {c.title_key for c in first.rows})
    assert not again.rows and not again.rejected
    assert [c.row_number for c in again.existing] == [c.row_number for c in first.rows]


def test_normalise_title() -> None:
    assert normalise_title("  Ёлочная\u00a0 5 —  «Южный» ") == 'елочная 5 - "южный"'
    assert normalise_title("ДОМ 1") == normalise_title("дом\t1")


def test_rows_without_row_key_are_numbered_from_two() -> None:
    rows = [with_columns(), {"Название чата": "Дом 2"}]
    plan = plan_import(rows, set())
    assert [c.row_number for c in plan.rows] == [2]
    assert [r.row_number for r in plan.rejected] == [3]


# --- representatives ---------------------------------------------------------------------------


def representatives(uk: str = "", others: str = "") -> tuple[RepresentativeSpec, ...]:
    values = with_columns(**{"Представитель УК": uk, "Другие представители": others})
    (chat,) = plan_one(values).rows
    return chat.representatives


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("+7 912 123-45-67 ООО «УК Комфорт»", (UK, "+79121234567", "ООО «УК Комфорт»")),
        ("8 (912) 123-45-67", (UK, "+79121234567", None)),
        ("89121234567.0", (UK, "+79121234567", None)),
        ("ООО «УК Комфорт», 8 912 123 45 67", (UK, "+79121234567", "ООО «УК Комфорт»")),
        ("УК: 89121234567 ТСЖ Мир", (UK, "+79121234567", "ТСЖ Мир")),
        ("УК №5 8 912 123-45-67", (UK, "+79121234567", "УК №5")),
    ],
)
def test_uk_column(cell: str, expected: tuple[RepresentativeKind, str, str | None]) -> None:
    assert representatives(uk=cell) == (RepresentativeSpec(*expected),)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ООО Комфорт", "Представитель УК «ООО Комфорт»: не найден номер телефона"),
        ("+7 912 12 Комфорт", "номер «+7 912 12» — такого номера не существует"),
        ("89121234567, 89127654321", "несколько номеров"),
    ],
)
def test_uk_column_bad(cell: str, expected: str) -> None:
    (reason,) = reasons_of(with_columns(**{"Представитель УК": cell}))
    assert expected in reason


def test_other_representatives() -> None:
    cell = (
        "РСО: 8 912 000-11-22 Водоканал; Администрация: +7 912 000-33-44\n"
        "адм.: 89120003355 МО Город;  ресурсная организация: 89120001133 Теплосеть; "
        "уК: 89120001144;"
    )
    assert representatives(others=cell) == (
        RepresentativeSpec(RSO, "+79120001122", "Водоканал"),
        RepresentativeSpec(ADM, "+79120003344", None),
        RepresentativeSpec(ADM, "+79120003355", "МО Город"),
        RepresentativeSpec(RSO, "+79120001133", "Теплосеть"),
        RepresentativeSpec(UK, "+79120001144", None),
    )


def test_other_representatives_tolerated_forms() -> None:
    assert representatives(
        others="РСО 8 912 000-11-22 Водоканал, Администрация Калининского района: 89120003344"
    ) == (
        RepresentativeSpec(RSO, "+79120001122", "Водоканал"),
        RepresentativeSpec(ADM, "+79120003344", "Администрация Калининского района"),
    )


def test_both_columns_together_without_repeats() -> None:
    reps = representatives(
        uk="+7 912 123-45-67 ООО «УК Комфорт»",
        others="УК: 89121234567; РСО: 89120001122",
    )
    assert reps == (
        RepresentativeSpec(UK, "+79121234567", "ООО «УК Комфорт»"),
        RepresentativeSpec(RSO, "+79120001122", None),
    )


def test_bad_other_entries_name_themselves() -> None:
    cell = (
        "РСО: 89120001122 Водоканал; Водоканал: 89120001133; 89120001144; "
        "Администрация: 8 912 000; РСО: Теплосеть; УК: +1 202 555 0143"
    )
    reasons = reasons_of(with_columns(**{"Другие представители": cell}))
    assert len(reasons) == 5
    expected = [
        ("«Водоканал: 89120001133»", "вид «Водоканал» не распознан"),
        ("«89120001144»", "не указан вид представителя"),
        ("«Администрация: 8 912 000»", "такого номера не существует"),
        ("«РСО: Теплосеть»", "не найден номер телефона"),
        ("«УК: +1 202 555 0143»", "нужен российский номер"),
    ]
    for reason, (entry, problem) in zip(reasons, expected):
        assert reason.startswith(f"Другие представители, запись {entry}:"), reason
        assert problem in reason
        assert "УК, Администрация или РСО" in reason or "вид" not in problem


# --- the report of rejected rows ---------------------------------------------------------------


def test_rejected_report_holds_row_numbers_and_reasons() -> None:
    rows = [
        with_columns(**{"Название чата": "Дом 1"}),
        with_columns(
            **{"Название чата": '=HYPERLINK("http://x")', "Номер администратора": "12345"}
        ),
        with_columns(**{"Название чата": "", "Тип чата": "Офис"}),
    ]
    plan = plan_import(rows, set())
    content = rejected_report_xlsx(plan.rejected)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == ("Строка", *COLUMNS, "Что исправить")
    assert [r[0] for r in table[1:]] == [3, 4]
    assert table[1][1] == "'=HYPERLINK(\"http://x\")"  # text, never a formula (OWASP)
    assert sheet.cell(2, 2).data_type == "s" and sheet.cell(2, 2).quotePrefix
    assert "такого номера не существует" in table[1][-1]
    assert "Название чата: не заполнено" in table[2][-1]
    assert "Тип чата «Офис»" in table[2][-1]
    assert sheet.freeze_panes == "B2"


def test_corrected_report_can_be_sent_back() -> None:
    rejected = [
        RejectedRow(7, with_columns(**{"Номер администратора": "12345"}), ("плохой номер",)),
    ]
    book = openpyxl.load_workbook(io.BytesIO(rejected_report_xlsx(rejected)))
    book.worksheets[0]["C2"] = "+7 912 123-45-67"  # the person fixes the phone
    buffer = io.BytesIO()
    book.save(buffer)
    (chat,) = plan_import(read_table("ошибки.xlsx", buffer.getvalue()), set()).rows
    assert chat.admin_phone == "+79121234567" and chat.title == GOOD["Название чата"]


def test_a_corrected_report_reads_back_what_people_typed() -> None:
    """The apostrophe that neutralises «+7…» or «=…» in the report is not part of the value."""
    rows = [with_columns(**{"Название чата": "-Дом 1", "Номер администратора": "+7 12"})]
    content = rejected_report_xlsx(plan_import(rows, set()).rejected)
    (again,) = read_table("ошибки.xlsx", content)
    assert again["Название чата"] == "-Дом 1" and again["Номер администратора"] == "+7 12"


def test_report_of_nothing_is_a_header_only_workbook() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(rejected_report_xlsx([]))).worksheets[0]
    assert sheet.max_row == 1
