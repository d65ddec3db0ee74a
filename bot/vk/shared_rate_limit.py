"""One rate limit for the token across every process on one PostgreSQL database.

VK allows a community token 20 requests a second, whatever number of processes use it; each
process's own `RateLimiter` would let each of them make 20. Here the N = rate * period slots
are rows (`vk_rate_slot`), and a call holds one the same way the in-process limiter does: from
before it starts until one window after its answer came back, so no window on VK's side sees
more than N calls from all processes together. A slot is taken with `FOR UPDATE SKIP LOCKED`
(processes never wait for each other's row locks) and the database's clock decides, so the
processes' clocks do not matter. A process killed mid-call leaves its slot marked busy for at
most `hold_limit` seconds (longer than any call lasts), then it is free again.

In front of it each process keeps its in-process limiter, which orders its own waiting calls
by priority (replies before bulk work) and caps them at N as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator

from tortoise import BaseDBAsyncClient

from bot.vk.rate_limit import Priority, RateLimiter
from storage.models import RateSlot

log = logging.getLogger(__name__)

_TAKE = """
UPDATE vk_rate_slot SET free_at = clock_timestamp() + make_interval(secs => $1)
WHERE slot = (
    SELECT slot FROM vk_rate_slot WHERE free_at <= clock_timestamp()
    ORDER BY free_at LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING slot
"""
_WAIT = "SELECT EXTRACT(EPOCH FROM min(free_at) - clock_timestamp()) AS wait FROM vk_rate_slot"
_GIVE_BACK = (
    "UPDATE vk_rate_slot SET free_at = clock_timestamp() + make_interval(secs => $1) "
    "WHERE slot = $2"
)


class SharedRateLimiter:
    def __init__(
        self,
        rate: float,
        period: float = 1.0,
        *,
        hold_limit: float = 150.0,  # the gateway's HTTP timeout is 120 s
        longest_wait: float = 0.05,  # a waiting call looks again at least this often
    ) -> None:
        self._slots = max(1, math.floor(rate * period))
        self._period = period
        self._hold_limit = hold_limit
        self._longest_wait = longest_wait
        self.local = RateLimiter(rate, period)
        self._ready = False

    @property
    def _db(self) -> BaseDBAsyncClient:
        return RateSlot._meta.db

    async def _prepare(self) -> None:
        """Exactly N slot rows (the rate may have been changed since the last start)."""
        values = ", ".join(f"({n}, clock_timestamp())" for n in range(self._slots))
        await self._db.execute_query(
            f"INSERT INTO vk_rate_slot (slot, free_at) VALUES {values} ON CONFLICT DO NOTHING"
        )
        await self._db.execute_query("DELETE FROM vk_rate_slot WHERE slot >= $1", [self._slots])
        self._ready = True

    @contextlib.asynccontextmanager
    async def slot(self, priority: Priority = Priority.INTERACTIVE) -> AsyncIterator[None]:
        async with self.local.slot(priority):
            number = await self._take()
            try:
                yield
            finally:
                await self._give_back(number)

    async def _take(self) -> int:
        if not self._ready:
            await self._prepare()
        while True:
            rows = await self._db.execute_query_dict(_TAKE, [self._hold_limit])
            if rows:
                return int(rows[0]["slot"])
            (row,) = await self._db.execute_query_dict(_WAIT)
            wait = float(row["wait"] or 0.0)
            await asyncio.sleep(min(self._longest_wait, max(0.002, wait)))

    async def _give_back(self, number: int) -> None:
        try:
            await self._db.execute_query(_GIVE_BACK, [self._period, number])
        except Exception as exc:  # noqa: BLE001  # any failure: the slot frees itself after hold_limit
            log.warning("rate slot %d not given back (%s); it frees itself later", number, exc)
