"""Scheduled work, ticked by APScheduler (`AsyncIOScheduler`, started by `BotApp`).

The database holds the truth (what is due); these jobs only look it up, so a job that was
missed while the bot was down simply finds more to do at the next run. Every job runs once at
start-up and then every `Settings.job_intervals.<job>` seconds of real time; what is due is
decided by the domain clock (`services.clock`), which tests move.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime.context import Services
from bot.runtime.supervisor import Backoff, while_database_away
from bot.services.core.ports import MessengerUnavailable
from storage.lease import DatabaseLease
from storage.runtime_state import forget_old_events

log = logging.getLogger(__name__)


def wall_clock() -> datetime:
    """APScheduler's time (real time), as opposed to the domain clock that decides what is due."""
    return datetime.now(UTC)


class Jobs:
    """The scheduled jobs. With several processes on one database only the holder of the
    scheduler lease runs them; the others keep trying, and one takes over within the lease's
    lifetime if the leader dies (a clean stop hands it over at once)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        settings = services.settings
        ttl = timedelta(seconds=settings.scheduler_lease_seconds)
        self.lease = DatabaseLease("scheduler", ttl)
        self._heartbeat = ttl / 3
        self._intervals = settings.job_intervals
        self._backoff = Backoff.of(settings)
        self.leading = False
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[Any]] = set()

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        """Every job, due at once and then at its interval (none is added paused)."""
        self._scheduler = scheduler
        jobs: list[tuple[Callable[[], Awaitable[None]], float]] = [
            (self.keep_lead, self._heartbeat.total_seconds())
        ]
        for name, seconds in self._intervals.model_dump().items():
            jobs.append((getattr(self, name), seconds))
        for job, seconds in jobs:
            run = self._retried(job if job == self.keep_lead else self._as_leader(job), seconds)
            scheduler.add_job(  # a run the busy event loop delayed is run late, never skipped
                run, "interval", seconds=seconds, id=job.__name__, name=job.__name__,
                next_run_time=wall_clock(), max_instances=1, coalesce=True,
                misfire_grace_time=None,
            )

    def _retried(
        self, job: Callable[[], Awaitable[None]], interval: float
    ) -> Callable[[], Awaitable[None]]:
        """While the database is away, a run is repeated after a backoff — for at most half the
        job's interval; then it fails (APScheduler logs it) and the next run tries again."""

        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                await while_database_away(
                    f"job {job.__name__}", job, self._backoff, patience=interval / 2
                )
            except asyncio.CancelledError:  # the bot stops: the next start does it
                log.info("job %s cancelled by the stop", job.__name__)
            finally:
                self._running.discard(task)

        run.__name__ = job.__name__
        return run

    @property
    def busy(self) -> bool:
        """Whether a job is running right now."""
        return bool(self._running)

    async def stop(self, timeout: float) -> None:
        """No new runs; the running ones may finish within `timeout`, then they are cancelled."""
        if self._scheduler is None or not self._scheduler.running:
            return
        self._scheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=timeout)
        self._scheduler.shutdown(wait=False)

    def _as_leader(self, job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if await self.lease.hold(self.services.clock.now()):
                await job()

        run.__name__ = job.__name__
        return run

    async def keep_lead(self) -> None:
        """Renew the lease, or take it over when the leader is gone — and then at once do
        what the old leader may have left due (links, closings, broadcasts, chats)."""
        leading = await self.lease.hold(self.services.clock.now())
        if leading and not self.leading:
            await self.meetings_due()
            await self.broadcasts_due()
            await self.resume_pending_chats()
        self.leading = leading

    async def forget_old_events(self) -> None:
        await forget_old_events()

    async def meetings_due(self) -> None:
        """Open and close what is due, then set exact timers for what comes within a tick."""
        await self.services.meetings.run_due()
        if self._scheduler is None or not self._scheduler.running:
            return
        now = self.services.clock.now()
        tick = timedelta(seconds=self._intervals.meetings_due)
        for moment in await self.services.meetings.next_times():
            if now < moment <= now + tick:
                run_due = self._as_leader(self.services.meetings.run_due)
                self._scheduler.add_job(
                    self._retried(run_due, tick.total_seconds()),
                    "date", run_date=wall_clock() + (moment - now),
                    id=f"meetings-at-{moment.isoformat()}", replace_existing=True,
                )

    async def weekly_summaries(self) -> None:
        await self.services.notices.stats.weekly()

    async def broadcasts_due(self) -> None:
        """Broadcasts whose quiet hours are over, and any a crash left unfinished."""
        for broadcast_id in await self.services.broadcasts.due():
            self.services.tasks.spawn(
                self.services.notices.broadcasts.run(broadcast_id), name=f"broadcast-{broadcast_id}"
            )

    async def ticket_deadlines(self) -> None:
        """A reminder to the representative a day before the deadline; staff when overdue."""
        notices = self.services.notices.tickets
        for due in await self.services.tickets.due_reminders():
            await notices.deadline_near(due)
        for ticket, staff in await self.services.tickets.newly_overdue():
            await notices.overdue(ticket, staff)

    async def resume_pending_chats(self) -> None:
        try:
            await self.services.chats.resume_pending()
        except MessengerUnavailable:
            log.warning("VK unavailable: pending chats wait for the next attempt")

    async def remind_stalled(self) -> None:
        """One reminder to an admin who has not moved on for the configured hours."""
        after = timedelta(hours=self.services.settings.onboarding_reminder_hours)
        for onboarding in await self.services.onboarding.stalled(after):
            await self.services.notices.onboarding.remind(onboarding)

    async def uptake_summaries(self) -> None:
        """During a chat's first week, its admins hear once a day who joined."""
        await self.services.notices.stats.uptake()
