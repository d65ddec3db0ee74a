"""Fault injection: failing method calls, slowing them down, breaking long polls, sending
Callback API events twice."""

from __future__ import annotations

import contextvars
import random
from collections import deque
from typing import Any

from .config import SandboxConfig

LONGPOLL_FAILURES = {1, 2, 3}
MAX_DELAY_MS = 60_000


# The faults of the request being answered: `execute` reads them for the calls inside it.
active: contextvars.ContextVar[Faults | None] = contextvars.ContextVar("faults", default=None)


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
        # The next calls of a method (also inside `execute`) fail with these codes, one each.
        self.method_failures: dict[str, deque[int]] = {}
        # The next requests of a method run, but their answer is lost on the way (HTTP 502).
        self.lost_answers: dict[str, int] = {}
        self._rng = random.Random()

    def queued_error(self, method: str) -> int | None:
        """The next queued failure of this method (`method_failures`), if any."""
        queue = self.method_failures.get(method)
        return queue.popleft() if queue else None

    def inner_error(self, method: str) -> int | None:
        """An error code for a call inside `execute`: a queued one, or — when `methods` names
        this method — one by `error_rate` (faults on every method hit whole requests only)."""
        queued = self.queued_error(method)
        if queued is not None:
            return queued
        if method in self.methods and self.error_rate > 0 and self._rng.random() < self.error_rate:
            return self._rng.choice(self.error_codes)
        return None

    def answer_lost(self, method: str) -> bool:
        if self.lost_answers.get(method, 0) <= 0:
            return False
        self.lost_answers[method] -= 1
        return True

    def method_error(self, method: str) -> int | None:
        """An error code for this method call, or None to let it run."""
        queued = self.queued_error(method)
        if queued is not None:
            return queued
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
            "method_failures": {m: list(q) for m, q in self.method_failures.items() if q},
            "lost_answers": {m: n for m, n in self.lost_answers.items() if n > 0},
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
        failures = settings.get("method_failures", self.as_dict()["method_failures"])
        lost = settings.get("lost_answers", self.as_dict()["lost_answers"])
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
        if not isinstance(failures, dict) or not all(
            isinstance(m, str) and _int_list(codes) for m, codes in failures.items()
        ):
            raise FaultSettingsError("method_failures — {метод: [коды ошибок]}")
        if not isinstance(lost, dict) or not all(
            isinstance(m, str) and _is_int(n) and n >= 0 for m, n in lost.items()
        ):
            raise FaultSettingsError("lost_answers — {метод: сколько ответов потерять}")
        self.error_rate = float(error_rate)
        self.error_codes = tuple(error_codes)
        self.delay_ms = delay_ms
        self.methods = tuple(methods)
        self.longpoll_failed = deque(longpoll_failed)
        self.callback_duplicates = float(callback_duplicates)
        self.method_failures = {m: deque(codes) for m, codes in failures.items()}
        self.lost_answers = dict(lost)
        if "seed" in settings:
            self.seed = seed
            self._rng = random.Random(seed)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, float)


def _int_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_int(item) for item in value)
