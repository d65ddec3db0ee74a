"""Shared vocabulary of the chat import: columns, limits, the plan's data classes, title keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services.core.errors import DomainError
from storage.models import ChatKind, RepresentativeKind

MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 20_000  # filled rows (chats) in one file
MAX_SCANNED_ROWS = 100_000  # sheet rows read at most, blank ones included (zip bombs, junk tails)

TITLE = "Название чата"
ADMIN_PHONE = "Номер администратора"
KIND = "Тип чата"
DESCRIPTION = "Описание чата"
UK = "Представитель УК"
OTHERS = "Другие представители"
FLATS = "Квартир"

COLUMNS = (TITLE, ADMIN_PHONE, KIND, DESCRIPTION, UK, OTHERS, FLATS)
REQUIRED = (TITLE, ADMIN_PHONE, KIND)

# The key read_table adds to every row: the row's number as the person sees it in the sheet.
# It survives JSON (a dialog may store the rows between preview and confirmation).
ROW_KEY = "Строка"

MAX_TITLE = 100
MAX_DESCRIPTION = 500
MAX_ORGANISATION = 200
MAX_FLATS = 10_000


class ImportFileError(DomainError):
    """The whole file is unusable; `str()` says why and what to do (Russian)."""


@dataclass(frozen=True)
class RepresentativeSpec:
    kind: RepresentativeKind
    phone: str  # E.164
    organisation: str | None


@dataclass(frozen=True)
class ChatRow:
    row_number: int  # as the person sees it in their spreadsheet (header = row 1)
    title: str
    title_key: str  # normalise_title(title)
    admin_phone: str  # E.164
    kind: ChatKind
    description: str | None
    flats: int | None
    representatives: tuple[RepresentativeSpec, ...]


@dataclass(frozen=True)
class RejectedRow:
    row_number: int
    values: dict[str, str]  # the row as it was, by column name (all of COLUMNS)
    reasons: tuple[str, ...]  # Russian, one per problem


@dataclass(frozen=True)
class ImportPlan:
    rows: tuple[ChatRow, ...]  # valid and new: to create
    existing: tuple[ChatRow, ...]  # valid, a chat with that title exists already: skipped
    rejected: tuple[RejectedRow, ...]
    blank_rows: int  # empty lines between filled ones, silently skipped


_QUOTES = str.maketrans(
    {
        **{q: '"' for q in "«»„“”‟‹›'‘’‚‛`´″"},  # noqa: RUF001  # the lookalikes folded here
        **{d: "-" for d in "‐‑‒–—―−﹘﹣－"},  # noqa: RUF001  # the lookalikes folded here
        "ё": "е",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
    }
)
_SPACES = re.compile(r"\s+")


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with «…» — for quoting a cell in a message."""
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def thousands(number: int) -> str:
    """«10 000»: digits grouped by a non-breaking space, as Russian texts write them."""
    return f"{number:,}".replace(",", "\u00a0")


def normalise_title(title: str) -> str:
    """A title's key for duplicates and search: «Ёлочная  5 — «ЖК»» → «елочная 5 - "жк"».

    Case, «ё», runs of spaces, kinds of quotes and dashes, invisible characters do not count.
    """
    return _SPACES.sub(" ", title.casefold().translate(_QUOTES)).strip()
