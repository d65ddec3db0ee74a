"""What the benchmarks share: VK's rate limit arithmetic, and how they report (a readable
table, then one JSON object as the last line)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


VK_RATE = 20  # requests a second per community token


def least_seconds(calls: int, rate: int = VK_RATE) -> float:
    """The least time `calls` can take at `rate` a second: the first second's calls may all
    start at once, then `rate` more a second."""
    return max(calls - rate, 0) / rate


def report(rows: Sequence[tuple[str, Any]], figures: dict[str, Any], notes: Sequence[str] = ()) -> None:
    width = max(len(name) for name, _ in rows) + 2
    print(f"{'measure':<{width}}{'value':>12}")
    print("-" * (width + 12))
    for name, value in rows:
        print(f"{name:<{width}}{str(value):>12}")
    for note in notes:
        print(note)
    print(json.dumps(figures, ensure_ascii=False))
