"""VK's per-token request rate limit over a rolling second."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

WINDOW_SECONDS = 1.0


class RateLimiter:
    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._calls: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, token: str) -> bool:
        """Count a call for `token` if it fits in the last second; calls refused do not count."""
        now = self._clock()
        calls = self._calls[token]
        while calls and calls[0] <= now - WINDOW_SECONDS:
            calls.popleft()
        if len(calls) >= self.limit:
            return False
        calls.append(now)
        return True
