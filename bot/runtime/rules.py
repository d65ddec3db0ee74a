"""Handler rules: commands from button payloads (or typed labels), callbacks, invitations."""

from __future__ import annotations

from typing import Any

from vkbottle.dispatch.rules import ABCRule
from vkbottle.tools.mini_types.bot import MessageMin

from bot.runtime.payload import parse_payload


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


class Command(ABCRule[MessageMin]):
    """A text button with payload `{"cmd": name}`, or one of `texts` typed by hand."""

    def __init__(self, *names: str, texts: tuple[str, ...] = ()) -> None:
        self.names = frozenset(names)
        self.texts = frozenset(_normalise(t) for t in texts)

    async def check(self, event: MessageMin) -> dict[str, Any] | bool:
        payload = parse_payload(event.payload)
        if payload.get("cmd") in self.names:
            return {"payload": payload}
        if not event.payload and _normalise(event.text or "") in self.texts:
            return {"payload": {}}
        return False


class CallbackCommand(ABCRule[dict]):
    """A callback button (`message_event`) whose payload command is one of `names`."""

    def __init__(self, *names: str) -> None:
        self.names = frozenset(names)

    async def check(self, event: dict[str, Any]) -> bool:
        payload = parse_payload((event.get("object") or {}).get("payload"))
        return payload.get("cmd") in self.names


class HasRef(ABCRule[MessageMin]):
    """The first message after opening a deep link `vk.me/<community>?ref=<value>`."""

    async def check(self, event: MessageMin) -> dict[str, Any] | bool:
        ref = getattr(event, "ref", None)
        return {"ref": ref} if ref else False
