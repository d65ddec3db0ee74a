"""Button payloads (forged or over-long) and phone numbers in the formats people type."""

from __future__ import annotations

import pytest

from bot.runtime.payload import StaleButton, int_arg, make_payload, parse_payload
from bot.services.core.phones import InvalidPhone, extract_phones, normalize_phone


@pytest.mark.parametrize(
    "raw",
    ['{"cmd": 5}', "[1,2]", "not json", '{"cmd": "x", "pad": "' + "y" * 300 + '"}', None, 42],
)
def test_malformed_payload_is_empty(raw: object) -> None:
    assert parse_payload(raw) == {}


def test_payload_round_trip_and_limit() -> None:
    assert parse_payload('{"cmd": "menu", "id": 3}') == {"cmd": "menu", "id": 3}
    assert parse_payload({"cmd": "menu"}) == {"cmd": "menu"}
    with pytest.raises(ValueError):
        make_payload("x", blob="z" * 300)


def test_integer_arguments_are_ids_in_the_database_range() -> None:
    payload = parse_payload('{"cmd": "chats.page", "id": 7, "top": 2147483647}')
    assert int_arg(payload, "id") == 7 and int_arg(payload, "top") == 2**31 - 1
    assert int_arg(payload, "missing", 1) == 1


@pytest.mark.parametrize("value", ["2; drop", True, False, 1.0, None, -1, 2**31, 2**63, 10**30, [1]])
def test_a_forged_integer_argument_is_a_stale_button(value: object) -> None:
    with pytest.raises(StaleButton):
        int_arg({"cmd": "x", "id": value}, "id", 1)


def test_a_missing_argument_without_a_default_is_a_stale_button() -> None:
    with pytest.raises(StaleButton):
        int_arg({"cmd": "x"}, "id")


@pytest.mark.parametrize(
    "raw", ["+7 (912) 123 45-67", "8 912 1234567", "89121234567", "+79121234567", "9121234567"]
)
def test_common_russian_formats_normalise(raw: str) -> None:
    assert normalize_phone(raw) == "+79121234567"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("12345", "такого номера"),
        ("абв", "не похоже"),
        ("+1 202 555 0143", "российский"),
        ("8 800 234-53-23", "не мобильный"),
        ("+7 495 123-45-67", "не мобильный"),
    ],
)
def test_bad_numbers_are_named_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(raw)
    assert raw in str(caught.value)
    assert reason in str(caught.value)


def test_extract_many_from_one_message() -> None:
    found = extract_phones("+7 (912) 123 45-67\n8 912 765 43 21, 12345; 8 912 1234567")
    assert found.valid == ("+79121234567", "+79127654321")
    assert [e.raw for e in found.invalid] == ["12345"]
