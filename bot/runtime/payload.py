"""Button payloads: `{"cmd": "<command>", ...}`, parsed defensively (they can be forged)."""

from __future__ import annotations

import json
from typing import Any

MAX_PAYLOAD_LENGTH = 255  # VK's own limit for a button payload


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


def int_arg(payload: dict[str, Any], key: str, default: int = 0) -> int:
    """An integer argument of a payload; `default` when it is missing or not an integer."""
    value = payload.get(key)
    return value if isinstance(value, int) else default


def make_payload(cmd: str, **args: Any) -> str:
    """A button payload as the JSON string VK's schema asks for."""
    payload = json.dumps({"cmd": cmd, **args}, ensure_ascii=False, separators=(",", ":"))
    if len(payload) > MAX_PAYLOAD_LENGTH:
        raise ValueError(f"payload of {cmd} is over {MAX_PAYLOAD_LENGTH} characters")
    return payload
