"""Button payloads: `{"cmd": "<command>", ...}`, parsed defensively (they can be forged)."""

from __future__ import annotations

import json
from typing import Any

from bot.services.core import texts
from bot.services.core.errors import DomainError

MAX_PAYLOAD_LENGTH = 255  # VK's own limit for a button payload
MAX_ID = 2**31 - 1  # ids and page numbers are 32-bit integers in the database


class StaleButton(DomainError):
    """A button whose arguments no button of the bot carries: forged, or from an old version."""

    def __init__(self) -> None:
        super().__init__(texts.STALE_BUTTON)


def parse_payload(raw: object) -> dict[str, Any]:
    """A payload as a dict; anything malformed, over-long or not an object gives `{}`."""
    if isinstance(raw, dict):
        data = raw
    elif isinstance(raw, (str, bytes)):
        if len(raw) > MAX_PAYLOAD_LENGTH:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            return {}
    else:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("cmd", ""), str):
        return {}
    return data


def int_arg(payload: dict[str, Any], key: str, default: int | None = None) -> int:
    """An id or page number of a payload (0..MAX_ID); `default` when it is missing.

    Anything else — a string, a boolean (JSON `true` is not id 1), a fraction, a number out of
    the database's range, or a missing argument without a default — is StaleButton.
    """
    if key not in payload:
        if default is None:
            raise StaleButton()
        return default
    value = payload[key]
    if type(value) is not int or not 0 <= value <= MAX_ID:
        raise StaleButton()
    return value


def make_payload(cmd: str, **args: Any) -> str:
    """A button payload as the JSON string VK's schema asks for."""
    payload = json.dumps({"cmd": cmd, **args}, ensure_ascii=False, separators=(",", ":"))
    if len(payload) > MAX_PAYLOAD_LENGTH:
        raise ValueError(f"payload of {cmd} is over {MAX_PAYLOAD_LENGTH} characters")
    return payload
