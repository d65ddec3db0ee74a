"""Counts of method calls and errors, for tests and benchmarks."""

from __future__ import annotations

from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.errors: Counter[int] = Counter()

    def reset(self) -> None:
        self.calls.clear()
        self.errors.clear()

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "errors": {str(code): count for code, count in sorted(self.errors.items())},
        }
