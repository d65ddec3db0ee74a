"""Bot keyboards: VK's format and limits; anything else is error 911."""

from __future__ import annotations

import json
from typing import Any

from .errors import VKError

BUTTON_TYPES = {"text", "callback", "open_link", "open_app", "location", "vkpay"}
LABELLED_TYPES = {"text", "callback", "open_link", "open_app"}
COLORS = {"primary", "secondary", "positive", "negative", "default"}
MAX_LABEL = 40
MAX_PAYLOAD = 255
MAX_BUTTONS_PER_ROW = 5
# (rows, buttons in all) for regular and inline keyboards
LIMITS = {False: (10, 40), True: (6, 10)}


def parse_keyboard(raw: str) -> dict[str, Any]:
    """The keyboard JSON checked against VK's rules, as {one_time, inline, buttons};
    button payloads come out as JSON strings."""
    try:
        keyboard = json.loads(raw)
    except ValueError:
        raise _invalid("keyboard is not valid JSON") from None
    if not isinstance(keyboard, dict):
        raise _invalid("keyboard should be an object")
    inline = keyboard.get("inline", False)
    one_time = keyboard.get("one_time", False)
    if not isinstance(inline, bool) or not isinstance(one_time, bool):
        raise _invalid("inline and one_time should be booleans")
    if inline and one_time:
        raise _invalid("one_time is not allowed for inline keyboards")
    buttons = keyboard.get("buttons")
    if not isinstance(buttons, list) or not all(isinstance(row, list) for row in buttons):
        raise _invalid("buttons should be an array of arrays")
    _check_size(buttons, inline)
    for row in buttons:
        for button in row:
            _check_button(button)
    return {"one_time": one_time, "inline": inline, "buttons": buttons}


def _check_size(rows: list[list[Any]], inline: bool) -> None:
    max_rows, max_buttons = LIMITS[inline]
    if len(rows) > max_rows:
        raise _invalid(f"at most {max_rows} rows of buttons are allowed")
    if any(len(row) > MAX_BUTTONS_PER_ROW for row in rows):
        raise _invalid(f"at most {MAX_BUTTONS_PER_ROW} buttons in a row are allowed")
    if sum(len(row) for row in rows) > max_buttons:
        raise _invalid(f"at most {max_buttons} buttons are allowed")


def _check_button(button: Any) -> None:
    action = button.get("action") if isinstance(button, dict) else None
    if not isinstance(action, dict):
        raise _invalid("each button should have an action object")
    kind = action.get("type")
    if kind not in BUTTON_TYPES:
        raise _invalid(f"unknown button type {kind!r}")
    if kind in LABELLED_TYPES:
        label = action.get("label")
        if not isinstance(label, str) or not label:
            raise _invalid("button label is required")
        if len(label) > MAX_LABEL:
            raise _invalid(f"button label should be at most {MAX_LABEL} characters")
    required = {"open_link": "link", "open_app": "app_id", "vkpay": "hash"}.get(kind)
    if required is not None and not action.get(required):
        raise _invalid(f"{required} is required for {kind} buttons")
    if "payload" in action:
        action["payload"] = _payload_string(action["payload"])
    color = button.get("color")
    if color is not None and color not in COLORS:
        raise _invalid(f"unknown button color {color!r}")


def _payload_string(payload: Any) -> str:
    """A payload as VK keeps it: a JSON string (clients also send the JSON value itself)."""
    if not isinstance(payload, str):
        payload = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if len(payload) > MAX_PAYLOAD:
        raise _invalid(f"button payload should be at most {MAX_PAYLOAD} characters")
    try:
        json.loads(payload)
    except ValueError:
        raise _invalid("button payload should be JSON") from None
    return payload


def _invalid(detail: str) -> VKError:
    return VKError(911, detail)
