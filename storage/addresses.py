"""Keys a chat's title is searched and sorted by, kept in columns beside the title.

`search_key` is the title as people type an address: case, «ё», punctuation and the usual
abbreviations (ул., пр., д., к., корп., стр., пер., б-р …) do not count, and a number stands
apart from letters («64к1» is «64 1»). `sort_key` puts chats in natural order («Строителей 2»
before «Строителей 10») as bytes, so the database sorts them the same whatever its collation,
and a page of a long list is cut in SQL.
"""

from __future__ import annotations

import re
import unicodedata

from natsort import natsort_keygen

# Street kinds, house parts: dropped from keys, so «ул. Садовая, д. 12» is «садовая 12».
# Full words only where they are never a street's own name (not «Набережная», «Площадь»);
# no single letter a house number may end in («12б»), hyphenated forms are _HYPHENATED.
ABBREVIATIONS = frozenset(
    {
        "ул", "улица", "пр", "просп", "проспект", "пер", "переулок", "бул", "бульв", "бульвар",
        "ш", "наб", "пл", "мкр", "мкрн", "проезд", "туп", "д", "дом", "к", "корп", "корпус",
        "стр", "строение", "лит", "литера",
    }
)
_HYPHENATED = re.compile(r"\b(б-р|пр-т|пр-кт|пр-д)(?=\W|$)")
_NUMBER_EDGE = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_NOT_WORD = re.compile(r"[\W_]+")
_natural = natsort_keygen()


def address_words(text: str) -> list[str]:
    """The words and numbers of an address as they are compared: «Ул. Ёлочная, 64к1» →
    ["елочная", "64", "1"]."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    folded = _HYPHENATED.sub(" ", folded)
    folded = _NUMBER_EDGE.sub(" ", folded)
    return [w for w in _NOT_WORD.sub(" ", folded).split() if w not in ABBREVIATIONS]


def search_key(title: str) -> str:
    """The title's words between spaces (« садовая 12 »): a word matches where « word» is."""
    return f" {' '.join(address_words(title))} "


def search_pattern(query: str) -> str | None:
    """What a search key must contain to match the query, or None if the query has no words.

    The typed words in their order, every one whole except the last, which may be the start of
    a word («плесец»); a number at the end is whole too: «садовая 1» is not «садовая 12»."""
    words = address_words(query)
    if not words:
        return None
    pattern = " " + " ".join(words)
    return pattern + " " if words[-1].isdigit() else pattern


def sort_key(title: str) -> bytes:
    """Natural order as bytes: text as UTF-8 ending in NUL, a number as its digit count and
    digits, so byte order is «садовая 2» < «садовая 10» < «садовая 10 1» < «садовая 11»."""
    key = bytearray()
    for part in _natural(" ".join(address_words(title))):
        if isinstance(part, str):
            key += part.encode() + b"\x00"
        else:
            digits = str(part).encode()
            key += bytes([min(len(digits), 255)]) + digits
    return bytes(key)
