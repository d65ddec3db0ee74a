"""Counts of method calls and errors, for tests and benchmarks."""

from __future__ import annotations

from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.errors: Counter[int] = Counter()
        # Callback API requests: sent, retries, acknowledged, failed, retry_after, given_up,
        # paused, confirmed, duplicates
        self.callback: Counter[str] = Counter()
        # Seconds the sandbox spent running each method (its own cost, which VK spreads over
        # its servers): benchmarks take it out of their measured time to get VK's.
        self.busy: Counter[str] = Counter()

    def reset(self) -> None:
        self.busy.clear()
        self.calls.clear()
        self.errors.clear()
        self.callback.clear()

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "errors": {str(code): count for code, count in sorted(self.errors.items())},
            "callback": dict(self.callback),
            "busy_ms": {name: round(seconds * 1000, 1) for name, seconds in self.busy.items()},
        }
