"""Phone numbers: parsed and normalised to E.164 with `phonenumbers` (Russia by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from bot.services.core.errors import DomainError

DEFAULT_REGION = "RU"
# A candidate: an optional +, then digits with the usual separators, at least 10 digits long.
_CANDIDATE = re.compile(r"\+?\d[\d\s\-().]{8,}\d")


class InvalidPhone(DomainError):
    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"Номер «{raw}» не подходит: {reason}.")
        self.raw = raw
        self.reason = reason


MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalize_phone(raw: str, *, russian_only: bool = True) -> str:
    """«+7 (912) 123 45-67», «8 912 1234567» → «+79121234567»; raise InvalidPhone otherwise.

    Only mobile numbers pass: every phone here is for an SMS invitation."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(raw, "это не похоже на номер телефона") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw, "такого номера не существует, проверьте цифры")
    if russian_only and phonenumbers.region_code_for_number(number) != DEFAULT_REGION:
        raise InvalidPhone(raw, "нужен российский номер (+7 …)")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise InvalidPhone(raw, "это не мобильный номер, на него не придёт SMS")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """+79121234567 → +7 912 123-45-67 for people to read."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@dataclass(frozen=True)
class PhoneList:
    valid: tuple[str, ...]
    invalid: tuple[InvalidPhone, ...]


def extract_phones(text: str) -> PhoneList:
    """Every phone number in a free-form message (one per line, comma or semicolon separated)."""
    valid: list[str] = []
    invalid: list[InvalidPhone] = []
    chunks = [c for c in re.split(r"[,;\n]+", text) if c.strip()]
    for chunk in chunks:
        candidates = _CANDIDATE.findall(chunk) or [chunk.strip()]
        for candidate in candidates:
            try:
                phone = normalize_phone(candidate)
            except InvalidPhone as exc:
                invalid.append(exc)
            else:
                if phone not in valid:
                    valid.append(phone)
    return PhoneList(tuple(valid), tuple(invalid))
