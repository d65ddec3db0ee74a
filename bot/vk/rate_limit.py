"""A shared, priority-aware rate limiter for VK API calls.

VK counts the calls that *arrive* in any rolling second. A call's slot is therefore held from
the moment it starts until one window after its answer came back: whatever the network did to
the call on its way, VK saw it before the answer, so no window on VK's side can hold more than
`rate` calls. Waiters are served by priority, then in arrival order: interactive replies
overtake a running broadcast instead of queueing behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from enum import IntEnum
from typing import Protocol


class Priority(IntEnum):
    INTERACTIVE = 0
    BULK = 1


class Limiter(Protocol):
    """What the gateway needs: this one, or `SharedRateLimiter` across processes."""

    def slot(self, priority: Priority = Priority.INTERACTIVE) -> AbstractAsyncContextManager[None]:
        ...


class RateLimiter:
    def __init__(
        self,
        rate: float,
        period: float = 1.0,
        *,
        safety_margin: float = 0.0,  # slots already count from the answer: no slack needed
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._slots = max(1, math.floor(rate * period))
        self._window = period * (1.0 + safety_margin)
        self._clock = clock
        self._in_flight = 0
        self._finished: deque[float] = deque()  # answer times within the last window
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._released = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def slot(self, priority: Priority = Priority.INTERACTIVE) -> AsyncIterator[None]:
        """Hold a slot for one call: `async with limiter.slot(): await call()`."""
        await self._acquire(priority)
        try:
            yield
        finally:
            self._release()

    def _delay(self) -> float | None:
        """0 if a call may start now; else seconds to wait, or None to wait for an answer."""
        now = self._clock()
        while self._finished and self._finished[0] + self._window <= now:
            self._finished.popleft()
        if self._in_flight + len(self._finished) < self._slots:
            return 0.0
        if self._finished:
            return self._finished[0] + self._window - now
        return None

    async def _acquire(self, priority: Priority) -> None:
        if not self._waiters and self._delay() == 0.0:
            self._in_flight += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (int(priority), next(self._order), future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._serve())
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted, but nobody will use it
                self._in_flight -= 1
                self._released.set()
            raise

    def _release(self) -> None:
        self._in_flight -= 1
        self._finished.append(self._clock())
        self._released.set()

    async def _serve(self) -> None:
        while self._waiters:
            if self._waiters[0][2].done():  # the waiter was cancelled
                heapq.heappop(self._waiters)
                continue
            delay = self._delay()
            if delay is None:
                self._released.clear()
                await self._released.wait()
                continue
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            _, _, future = heapq.heappop(self._waiters)
            self._in_flight += 1
            future.set_result(None)

    @property
    def waiting(self) -> int:
        return sum(1 for *_, future in self._waiters if not future.done())
