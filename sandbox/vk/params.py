"""Reading VK method parameters: everything arrives as strings, errors are VK's error 100."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import VKError, invalid_param

_TRUE = {"1", "true"}
_FALSE = {"0", "false", ""}


class Params:
    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def text(self, name: str, default: str | None = None) -> str | None:
        return self._values.get(name, default)

    def required_text(self, name: str) -> str:
        value = self._values.get(name)
        if value is None or value == "":
            raise invalid_param(f"{name} is undefined")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise invalid_param(f"{name} not integer") from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise invalid_param(f"{name} is undefined")
        return value

    def flag(self, name: str) -> bool:
        value = self._values.get(name, "").strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise invalid_param(f"{name} should be 0 or 1")

    def integers(self, name: str, max_items: int | None = None) -> list[int]:
        raw = self._values.get(name, "")
        try:
            values = [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise invalid_param(f"{name} should be a list of integers") from None
        if max_items is not None and len(values) > max_items:
            raise invalid_param(f"{name} should contain at most {max_items} items")
        return values

    def texts(self, name: str) -> list[str]:
        return [part.strip() for part in self._values.get(name, "").split(",") if part.strip()]

    def check_group(self, group_id: int) -> None:
        """Where VK takes `group_id`, a community token may only name its own community."""
        given = self.integer("group_id")
        if given is not None and given != group_id:
            raise VKError(15, "group_id is not the token's community")
