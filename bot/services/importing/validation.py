"""Validating the rows of an uploaded table into an ImportPlan; every problem of a row is named."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.services.core.phones import InvalidPhone, normalize_phone
from bot.services.importing.model import (
    ADMIN_PHONE,
    COLUMNS,
    DESCRIPTION,
    FLATS,
    KIND,
    MAX_DESCRIPTION,
    MAX_FLATS,
    MAX_ORGANISATION,
    MAX_TITLE,
    OTHERS,
    ROW_KEY,
    TITLE,
    UK,
    ChatRow,
    ImportPlan,
    RejectedRow,
    RepresentativeSpec,
    clip,
    normalise_title,
    thousands,
)
from storage.models import ChatKind, RepresentativeKind

_CACHE = 1 << 16

_SPACES = re.compile(r"\s+")
_HAS_WORD = re.compile(r"\w")
_NONE = {"", "-", "–", "—"}
# A phone-like run: an optional «+» or «(», digits with the usual separators, a digit at the end.
_PHONE_RUN = re.compile(r"\+?\(?\d[\d \t\-().]*\d")
_EXCEL_ZEROS = re.compile(r"^\+?\d+[.,]0+$")  # «89121234567.0»: a phone Excel made a number
_EXCEL_EXPONENT = re.compile(r"^\d[.,]\d+\s*[eе]\s*\+?\d+$", re.IGNORECASE)  # «8,91212E+10»
_TOKEN = re.compile(r"\S+")
_NOT_DIGITS = re.compile(r"\D+")
_PLAIN_PHONE = re.compile(r"\+?[\d \t\-().]+")
_FLATS = re.compile(r"(\d+)(?:[.,]0+)?")
_HOUSE = re.compile(r"\bдом|\bмкд\b")
_ORG_EDGES = " \t,;:-–—"
# Entries of «Другие представители»: «;» or a new line; a comma only when a «вид:» follows.
_ENTRY_SPLIT = re.compile(
    r"[;\n]+|,(?=\s*(?:ук|адм|рсо|ресурс|управля|тсж|тсн|жск)[^,;:\n]{0,60}:)", re.IGNORECASE
)
_REPRESENTATIVE_KINDS = (
    (
        RepresentativeKind.UK,
        re.compile(r"(?:ук|управляющ\w*(?:\s+(?:компани|организаци)\w*)?|тсж|тсн|жск)\b\.?"),
    ),
    (RepresentativeKind.ADMINISTRATION, re.compile(r"адм\w*\.?")),
    (RepresentativeKind.RSO, re.compile(r"(?:рсо|ресурс\w*(?:\s+организаци\w*)?)\b\.?")),
)

_EXAMPLE_UK = "«+7 912 123-45-67 ООО «УК Комфорт»»"
_EXAMPLE_OTHER = "«РСО: +7 912 000-11-22 Водоканал»"
_KINDS_HINT = "укажите УК, Администрация или РСО"


def plan_import(rows: Sequence[Mapping[str, str]], existing_title_keys: set[str]) -> ImportPlan:
    """Check every row; valid new rows are to create, valid known titles are skipped as existing.

    A row's number is its ROW_KEY (set by read_table), else its position after a header in row 1.
    The first row with a title owns it: later rows with the same title_key are rejected.
    """
    to_create: list[ChatRow] = []
    existing: list[ChatRow] = []
    rejected: list[RejectedRow] = []
    blank = 0
    first_with_title: dict[str, int] = {}
    for index, row in enumerate(rows):
        number = _row_number(row, index)
        values = {column: _text(row.get(column)) for column in COLUMNS}
        if not any(value.strip() for value in values.values()):
            blank += 1
            continue
        reasons: list[str] = []
        title, title_key = _title(values[TITLE], reasons)
        if title_key:
            owner = first_with_title.setdefault(title_key, number)
            if owner != number:
                reasons.append(
                    f"Название чата «{clip(title, 60)}» повторяет строку {owner} — удалите повтор "
                    "или уточните название (например, добавьте номер подъезда)"
                )
        admin_phone = _admin_phone(values[ADMIN_PHONE], reasons)
        kind = _chat_kind(values[KIND], reasons)
        description = _description(values[DESCRIPTION], reasons)
        flats = _flats(values[FLATS], reasons)
        representatives = _representatives(values[UK], values[OTHERS], reasons)
        if reasons:
            rejected.append(RejectedRow(number, values, tuple(reasons)))
            continue
        assert admin_phone is not None and kind is not None
        chat = ChatRow(
            row_number=number,
            title=title,
            title_key=title_key,
            admin_phone=admin_phone,
            kind=kind,
            description=description,
            flats=flats,
            representatives=representatives,
        )
        (existing if title_key in existing_title_keys else to_create).append(chat)
    return ImportPlan(tuple(to_create), tuple(existing), tuple(rejected), blank)


def _row_number(row: Mapping[str, str], index: int) -> int:
    marker = row.get(ROW_KEY)
    if marker is not None:
        try:
            return int(marker)
        except (TypeError, ValueError):
            pass
    return index + 2


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


# --- columns -----------------------------------------------------------------------------------


def _title(raw: str, reasons: list[str]) -> tuple[str, str]:
    title = _SPACES.sub(" ", raw).strip()
    if not title:
        reasons.append(
            f"{TITLE}: не заполнено — впишите адрес дома или подъезда, "
            "например «Плесецкая 16, 7 подъезд»"
        )
        return "", ""
    if len(title) > MAX_TITLE:
        reasons.append(
            f"{TITLE} «{clip(title, 60)}»: длиннее {MAX_TITLE} символов (сейчас {len(title)}) — "
            "сократите его"
        )
    elif not _HAS_WORD.search(title):
        reasons.append(
            f"{TITLE} «{title}»: нет ни букв, ни цифр — впишите адрес дома или подъезда"
        )
    return title, normalise_title(title)


def _admin_phone(raw: str, reasons: list[str]) -> str | None:
    if not raw:
        reasons.append(
            f"{ADMIN_PHONE}: не заполнено — впишите мобильный телефон администратора чата, "
            "например +7 912 123-45-67"
        )
        return None
    phone, reason = _admin_phone_cached(raw)
    if reason:
        reasons.append(f"{ADMIN_PHONE} «{clip(raw, 60)}»: {reason}")
    return phone


@lru_cache(maxsize=_CACHE)
def _admin_phone_cached(raw: str) -> tuple[str | None, str | None]:
    found = _find_phone(raw)
    if found is None:
        return _normalise(raw)
    if _has_phone(raw[: found.start] + " " + raw[found.end :]):
        return None, (
            "в ячейке несколько номеров — оставьте один номер администратора "
            "(второго администратора можно назначить после создания чата)"
        )
    return found.phone, found.reason


def _chat_kind(raw: str, reasons: list[str]) -> ChatKind | None:
    text = raw.casefold().replace("ё", "е")
    if "подъезд" in text or "подьезд" in text or "парадн" in text:
        return ChatKind.ENTRANCE
    if _HOUSE.search(text):
        return ChatKind.HOUSE
    accepted = "впишите «Дом» или «Подъезд» (можно «Дом с жителями», «Подъезд с жителями»)"
    if not text.strip():
        reasons.append(f"{KIND}: не заполнено — {accepted}")
    else:
        reasons.append(f"{KIND} «{clip(raw, 60)}»: такого типа нет — {accepted}")
    return None


def _description(raw: str, reasons: list[str]) -> str | None:
    text = raw.strip()
    if text in _NONE:
        return None
    if len(text) > MAX_DESCRIPTION:
        reasons.append(
            f"{DESCRIPTION}: длиннее {MAX_DESCRIPTION} символов (сейчас {len(text)}) — "
            "сократите его"
        )
    return text


def _flats(raw: str, reasons: list[str]) -> int | None:
    text = "".join(raw.split())  # «1 200» and Excel's non-breaking spaces
    if text in _NONE:
        return None
    match = _FLATS.fullmatch(text)
    if match is None:
        reasons.append(
            f"{FLATS} «{clip(raw, 60)}»: нужно целое число квартир, например 120 "
            "(или оставьте ячейку пустой)"
        )
        return None
    flats = int(match.group(1))
    if not 1 <= flats <= MAX_FLATS:
        reasons.append(
            f"{FLATS} «{clip(raw, 60)}»: число квартир должно быть от 1 до {thousands(MAX_FLATS)} "
            "(или оставьте ячейку пустой)"
        )
        return None
    return flats


def _representatives(
    uk_cell: str, others_cell: str, reasons: list[str]
) -> tuple[RepresentativeSpec, ...]:
    specs: list[RepresentativeSpec] = []
    for cell, parse in ((uk_cell, _parse_uk_cell), (others_cell, _parse_others_cell)):
        if cell.strip():
            found, problems = parse(cell)
            specs.extend(found)
            reasons.extend(problems)
    unique: dict[tuple[RepresentativeKind, str], RepresentativeSpec] = {}
    for spec in specs:
        known = unique.get((spec.kind, spec.phone))
        if known is None or (known.organisation is None and spec.organisation):
            unique[(spec.kind, spec.phone)] = spec
    return tuple(unique.values())


# --- representatives ---------------------------------------------------------------------------

Parsed = tuple[tuple[RepresentativeSpec, ...], tuple[str, ...]]


@lru_cache(maxsize=_CACHE)
def _parse_uk_cell(cell: str) -> Parsed:
    """«+7 912 123-45-67 ООО «УК Комфорт»»; several representatives separated by «;»."""
    specs: list[RepresentativeSpec] = []
    problems: list[str] = []
    for entry in _entries(re.split(r"[;\n]+", cell)):
        body = entry
        label, sep, rest = entry.partition(":")
        if sep and _representative_kind(label)[0] is RepresentativeKind.UK:
            body = rest  # «УК: +7 912 …» in the УК column
        name = f"{UK} «{clip(entry, 60)}»"
        found = _find_phone(body)
        if found is None:
            problems.append(
                f"{name}: не найден номер телефона — впишите телефон и, если нужно, "
                f"название организации, например {_EXAMPLE_UK}"
            )
            continue
        organisation = _organisation(body[: found.start], body[found.end :])
        problem = _phone_problem(found, organisation)
        if problem:
            problems.append(f"{name}: {problem}")
            continue
        assert found.phone is not None
        specs.append(RepresentativeSpec(RepresentativeKind.UK, found.phone, organisation))
    return tuple(specs), tuple(problems)


@lru_cache(maxsize=_CACHE)
def _parse_others_cell(cell: str) -> Parsed:
    """«РСО: 8 912 000-11-22 Водоканал; Администрация: +7 912 000-33-44»."""
    specs: list[RepresentativeSpec] = []
    problems: list[str] = []
    for entry in _entries(_ENTRY_SPLIT.split(cell)):
        spec = _parse_other(entry)
        if isinstance(spec, str):
            problems.append(f"{OTHERS}, запись «{clip(entry, 60)}»: {spec}")
        else:
            specs.append(spec)
    return tuple(specs), tuple(problems)


def _parse_other(entry: str) -> RepresentativeSpec | str:
    label, sep, body = entry.partition(":")
    if sep and not _has_phone(label):
        found = _find_phone(body)
        after = body[found.end :] if found else ""
        before = body[: found.start] if found else body
    else:  # «РСО 8 912 000-11-22 Водоканал» or «+7 912 000-33-44 Администрация»
        found = _find_phone(entry)
        if found is None:
            return (
                "не найден номер телефона — запишите представителя так: "
                f"вид, двоеточие, телефон и организация, например {_EXAMPLE_OTHER}"
            )
        label, before, after = entry[: found.start], "", entry[found.end :]
        if not label.strip():
            label, after = after, ""
    kind, label_rest = _representative_kind(label)
    if kind is None:
        if not label.strip():
            return (
                f"не указан вид представителя — {_KINDS_HINT} перед номером, "
                f"например {_EXAMPLE_OTHER}"
            )
        return (
            f"вид «{clip(label.strip(), 30)}» не распознан — {_KINDS_HINT}, "
            f"например {_EXAMPLE_OTHER}"
        )
    if found is None:
        return f"не найден номер телефона — впишите его после вида, например {_EXAMPLE_OTHER}"
    organisation = _organisation(before, after)
    if organisation is None and label_rest:
        organisation = _organisation(label, "")  # «Администрация Калининского района: …»
    problem = _phone_problem(found, organisation)
    if problem:
        return problem
    assert found.phone is not None
    return RepresentativeSpec(kind, found.phone, organisation)


def _entries(parts: list[str]) -> list[str]:
    return [part.strip() for part in parts if part and part.strip(_ORG_EDGES + "\n")]


def _representative_kind(label: str) -> tuple[RepresentativeKind | None, str]:
    """The kind a label names, and what follows the kind's word («РСО Водоканал» → «водоканал»)."""
    text = label.casefold().replace("ё", "е").strip(_ORG_EDGES + "\n.")
    for kind, pattern in _REPRESENTATIVE_KINDS:
        match = pattern.match(text)
        if match:
            return kind, text[match.end() :].strip(_ORG_EDGES + "().")
    return None, ""


def _organisation(before: str, after: str) -> str | None:
    text = _SPACES.sub(" ", f"{before.strip()} {after.strip()}").strip(_ORG_EDGES + "\n")
    return text or None


def _phone_problem(found: _Found, organisation: str | None) -> str | None:
    if found.reason:
        return f"номер «{clip(found.text, 30)}» — {found.reason}"
    if organisation and _has_phone(organisation):
        return "в одной записи несколько номеров — разделите представителей точкой с запятой «;»"
    if organisation and len(organisation) > MAX_ORGANISATION:
        return f"название организации длиннее {MAX_ORGANISATION} символов — сократите его"
    return None


# --- phones ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    text: str  # the phone as written
    start: int
    end: int
    phone: str | None  # E.164 when valid
    reason: str | None  # why not, when invalid


def _digits(text: str) -> int:
    return len(_NOT_DIGITS.sub("", text))


def _has_phone(text: str) -> bool:
    return any(_digits(match.group()) >= 10 for match in _PHONE_RUN.finditer(text))


def _find_phone(text: str) -> _Found | None:
    """The phone in free text: the first run of ≥ 10 digits, else of ≥ 5 (to say what is wrong).

    A run glued to a neighbouring number («УК №5 8 912 123-45-67») is trimmed to a valid phone.
    """
    stripped = text.strip()
    if _EXCEL_EXPONENT.match(stripped):
        start = text.index(stripped)
        return _Found(stripped, start, start + len(stripped), *_normalise(stripped))
    chosen = None
    for match in _PHONE_RUN.finditer(text):
        count = _digits(match.group())
        if count >= 10:
            chosen = match
            break
        if count >= 5 and chosen is None:
            chosen = match
    if chosen is None:
        return None
    run, offset = chosen.group(), chosen.start()
    phone, reason = _normalise(run)
    if phone is None and _digits(run) > 11:
        tokens = list(_TOKEN.finditer(run))
        for first in range(len(tokens)):
            for last in range(len(tokens) - 1, first - 1, -1):
                piece = run[tokens[first].start() : tokens[last].end()]
                if piece != run and 10 <= _digits(piece) <= 11:
                    trimmed, _ = _normalise(piece)
                    if trimmed:
                        start = offset + tokens[first].start()
                        return _Found(piece, start, start + len(piece), trimmed, None)
    return _Found(run, offset, offset + len(run), phone, reason)


@lru_cache(maxsize=_CACHE)
def _normalise(raw: str) -> tuple[str | None, str | None]:
    """(E.164, None) or (None, the Russian reason); cached: phonenumbers is the main cost."""
    text = raw.strip()
    if _EXCEL_EXPONENT.match(text):
        return None, (
            "Excel превратил номер в число с «E+» и мог потерять цифры — задайте столбцу "
            "текстовый формат и впишите номер заново"
        )
    if _EXCEL_ZEROS.match(text):
        text = text.split(".")[0].split(",")[0]
    if _PLAIN_PHONE.fullmatch(text):
        # «8 (912) 123-45-67», «9121234567» → «+79121234567»: one cache entry per number, and
        # phonenumbers parses that form fastest; it still decides what is valid.
        digits = _NOT_DIGITS.sub("", text)
        plus = text.startswith("+")
        if len(digits) == 11 and (digits[0] == "7" or (digits[0] == "8" and not plus)):
            text = "+7" + digits[1:]
        elif len(digits) == 10 and not plus:
            text = "+7" + digits
    return _normalise_plain(text)


@lru_cache(maxsize=_CACHE)
def _normalise_plain(text: str) -> tuple[str | None, str | None]:
    try:
        return normalize_phone(text), None
    except InvalidPhone as error:
        return None, error.reason
