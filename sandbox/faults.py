"""Fault injection: failing method calls, slowing them down, breaking long polls, sending
Callback API events twice."""

from __future__ import annotations

import random
from collections import deque
from typing import Any

from .config import SandboxConfig

LONGPOLL_FAILURES = {1, 2, 3}
MAX_DELAY_MS = 60_000


class FaultSettingsError(ValueError):
    """A setting sent to /sandbox/faults is wrong; the text is for a person (Russian)."""


class Faults:
    def __init__(self, config: SandboxConfig) -> None:
        self.error_rate = config.error_rate
        self.error_codes = tuple(config.error_codes)
        self.delay_ms = config.delay_ms
        self.methods: tuple[str, ...] = ()  # empty: every method may fail
        self.longpoll_failed: deque[int] = deque()
        self.callback_duplicates = 0.0  # share of acknowledged events sent once more
        self.seed: int | None = None  # set it to make a run's faults repeatable
        self._rng = random.Random()

    def method_error(self, method: str) -> int | None:
        """An error code for this method call, or None to let it run."""
        if self.methods and method not in self.methods:
            return None
        if self.error_rate > 0 and self._rng.random() < self.error_rate:
            return self._rng.choice(self.error_codes)
        return None

    def next_longpoll_failure(self) -> int | None:
        return self.longpoll_failed.popleft() if self.longpoll_failed else None

    def callback_duplicate(self) -> bool:
        """Send this acknowledged Callback API event once more, as VK now and then does?"""
        return self.callback_duplicates > 0 and self._rng.random() < self.callback_duplicates

    def as_dict(self) -> dict[str, Any]:
        return {
            "error_rate": self.error_rate,
            "error_codes": list(self.error_codes),
            "delay_ms": self.delay_ms,
            "methods": list(self.methods),
            "longpoll_failed": list(self.longpoll_failed),
            "callback_duplicates": self.callback_duplicates,
            "seed": self.seed,
        }

    def update(self, settings: dict[str, Any]) -> None:
        """Change what is given; all is checked before anything changes."""
        unknown = set(settings) - set(self.as_dict())
        if unknown:
            raise FaultSettingsError(f"Неизвестные настройки: {', '.join(sorted(unknown))}")
        error_rate = settings.get("error_rate", self.error_rate)
        error_codes = settings.get("error_codes", list(self.error_codes))
        delay_ms = settings.get("delay_ms", self.delay_ms)
        methods = settings.get("methods", list(self.methods))
        longpoll_failed = settings.get("longpoll_failed", list(self.longpoll_failed))
        callback_duplicates = settings.get("callback_duplicates", self.callback_duplicates)
        seed = settings.get("seed", self.seed)
        if not _is_number(error_rate) or not 0 <= error_rate <= 1:
            raise FaultSettingsError("error_rate — доля от 0 до 1")
        if not _int_list(error_codes) or not error_codes:
            raise FaultSettingsError("error_codes — непустой список кодов ошибок VK")
        if not _is_int(delay_ms) or not 0 <= delay_ms <= MAX_DELAY_MS:
            raise FaultSettingsError(f"delay_ms — целое число от 0 до {MAX_DELAY_MS}")
        if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
            raise FaultSettingsError("methods — список названий методов VK (пустой — все)")
        if not _int_list(longpoll_failed) or not set(longpoll_failed) <= LONGPOLL_FAILURES:
            raise FaultSettingsError("longpoll_failed — список из чисел 1, 2, 3")
        if not _is_number(callback_duplicates) or not 0 <= callback_duplicates <= 1:
            raise FaultSettingsError("callback_duplicates — доля от 0 до 1")
        if seed is not None and not _is_int(seed):
            raise FaultSettingsError("seed — целое число (или null)")
        self.error_rate = float(error_rate)
        self.error_codes = tuple(error_codes)
        self.delay_ms = delay_ms
        self.methods = tuple(methods)
        self.longpoll_failed = deque(longpoll_failed)
        self.callback_duplicates = float(callback_duplicates)
        if "seed" in settings:
            self.seed = seed
            self._rng = random.Random(seed)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, float)


def _int_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_int(item) for item in value)
