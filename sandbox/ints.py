"""Integers from the outside world: VK's integer parameters are signed 64-bit, and so are
SQLite's. Every integer the sandbox reads from a request goes through `parse_int64`."""

from __future__ import annotations

import re

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+")  # ASCII digits only: no "+1", "1_000", " 1", "١"


def parse_int64(text: str) -> int | None:
    """The value of a decimal integer that fits in int64, or None for anything else."""
    if not _INTEGER.fullmatch(text) or len(text) > 20:
        return None
    value = int(text)
    return value if INT64_MIN <= value <= INT64_MAX else None


def is_int64(value: object) -> bool:
    """A JSON number that is an integer in int64 (booleans are not numbers)."""
    return isinstance(value, int) and not isinstance(value, bool) and (
        INT64_MIN <= value <= INT64_MAX
    )
