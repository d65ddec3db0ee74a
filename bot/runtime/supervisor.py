"""Long-running loops that outlive a failed iteration.

Every loop of the running bot (polling, the statistics flush) runs under the `Supervisor`: an
iteration that fails is logged and tried again after a growing pause (`Backoff`); a loop that
fails `max_failures` times in a row gives up, and the supervisor reports its death so that the
app stops its scheduler and the process exits non-zero — a process supervisor (systemd, Docker)
then starts a fresh one, and another process of the bot takes over the scheduled jobs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.config import Settings
from bot.runtime.tasks import BackgroundTasks
from storage.db import database_unavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """Pauses before the 1st, 2nd, … retry: `first`, doubling, at most `maximum` seconds."""

    first: float = 0.5
    maximum: float = 30.0

    @classmethod
    def of(cls, settings: Settings) -> Backoff:
        return cls(settings.retry_first_seconds, settings.retry_max_seconds)

    def delay(self, failures: int) -> float:
        return min(self.maximum, self.first * 2 ** max(0, failures - 1))


async def while_database_away(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    backoff: Backoff,
    *,
    patience: float | None = None,
) -> T:
    """`attempt()`, repeated after a backoff for as long as it fails because the database is
    away (any other failure is raised at once); with `patience`, only while the pauses add up
    to no more than that many seconds (then the last failure is raised)."""
    failures = 0
    waited = 0.0
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            failures += 1
            delay = backoff.delay(failures)
            if patience is not None and waited + delay > patience:
                raise
            waited += delay
            log.warning("%s: the database is unavailable (%s); retry %d in %.1f s",
                        what, exc, failures, delay)
            await asyncio.sleep(delay)


class Supervisor:
    def __init__(
        self,
        backoff: Backoff,
        max_failures: int,
        on_death: Callable[[str, BaseException], None],
    ) -> None:
        self.backoff = backoff
        self.max_failures = max_failures
        self._on_death = on_death
        self._tasks = BackgroundTasks()

    def loop(
        self,
        name: str,
        iteration: Callable[[], Awaitable[None]],
        *,
        every: float = 0.0,
        outlived: Callable[[Exception], bool] = lambda error: False,
    ) -> None:
        """Run `iteration` again and again (after `every` seconds each time) until cancelled.
        Failures `outlived` says will pass (VK or the database away for a while) are retried
        for as long as they last; only the others count towards giving up."""
        self._tasks.spawn(self._run(name, iteration, every, outlived), name=name)

    async def _run(
        self,
        name: str,
        iteration: Callable[[], Awaitable[None]],
        every: float,
        outlived: Callable[[Exception], bool],
    ) -> None:
        failures = fatal = 0
        while True:
            if every and not failures:
                await asyncio.sleep(every)
            try:
                await iteration()
            except Exception as exc:
                failures += 1
                delay = self.backoff.delay(failures)
                if outlived(exc):
                    log.warning("%s: %s; retrying in %.1f s", name, exc, delay)
                    await asyncio.sleep(delay)
                    continue
                fatal += 1
                if fatal >= self.max_failures:
                    log.critical("%s failed %d times in a row; giving up", name, fatal,
                                 exc_info=exc)
                    self._on_death(name, exc)
                    return
                if fatal == 1:
                    log.error("%s failed; retrying in %.1f s", name, delay, exc_info=exc)
                else:
                    log.error("%s failed again (%d in a row: %s); retrying in %.1f s",
                              name, fatal, exc, delay)
                await asyncio.sleep(delay)
            else:
                if failures:
                    log.warning("%s works again after %d failures", name, failures)
                failures = fatal = 0

    async def cancel(self) -> None:
        await self._tasks.cancel()
