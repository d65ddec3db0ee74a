"""Time as a dependency: services ask the injected clock, tests move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class MovableClock:
    """The clock tests and benchmarks move (never used by the running product).

    `MovableClock()` runs with real time plus an offset, so a running bot's timers come due
    without waiting; `MovableClock(at)` stands still at `at` until moved, so a service test reads
    exact moments. Either way `move(hours=2)` moves it on (or back) and `set(moment)` puts it at
    `moment` (a running clock goes on from there). `offset` is how far it
    has been moved (from `at`, or from real time).
    """

    def __init__(self, at: datetime | None = None) -> None:
        self._standing = at
        self.offset = timedelta()

    def now(self) -> datetime:
        return self._base() + self.offset

    def move(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        self.offset = moment - self._base()

    def _base(self) -> datetime:
        return self._standing if self._standing is not None else datetime.now(UTC)
