"""A light phone normaliser: "+7 (912) 123-45-67" and "89121234567" both become "+79121234567"."""

from __future__ import annotations

MIN_DIGITS = 10
MAX_DIGITS = 15


def normalize_phone(raw: str) -> str | None:
    """`+` and digits, Russian 8… and 10-digit forms turned into +7…; None if it is no phone."""
    digits = "".join(char for char in raw if char.isdigit())
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits.startswith("9"):
        digits = "7" + digits
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return None
    return "+" + digits
