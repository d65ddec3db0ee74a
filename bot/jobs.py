"""Scheduled work. The database holds the truth (what is due); these jobs only look it up, so
a job that was missed while the bot was down simply finds more to do at the next run."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.handlers.broadcasts import run_broadcast
from bot.handlers.onboarding import send_step
from bot.handlers.stats import weekly_summaries
from bot.runtime.context import Services
from bot.services.ports import MessengerUnavailable, RecipientUnreachable
from bot.services.schedule import show_moment
from bot.texts import plural
from storage.lease import DatabaseLease
from storage.runtime_state import forget_old_events

log = logging.getLogger(__name__)


MEETING_TICK = 30  # seconds between looks at the meetings table


class Jobs:
    """The scheduled jobs. With several processes on one database only the holder of the
    scheduler lease runs them; the others keep trying, and one takes over within the lease's
    lifetime if the leader dies (a clean stop hands it over at once)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        ttl = timedelta(seconds=services.settings.scheduler_lease_seconds)
        self.lease = DatabaseLease("scheduler", ttl)
        self._heartbeat = ttl / 3
        self.leading = False
        self._scheduler: AsyncIOScheduler | None = None

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        self._scheduler = scheduler
        now = self.services.clock.now()
        jobs = [
            (self.keep_lead, self._heartbeat, now),
            (self.forget_old_events, timedelta(hours=6), None),
            (self.resume_pending_chats, timedelta(minutes=10), None),
            (self.remind_stalled, timedelta(minutes=30), None),
            (self.uptake_summaries, timedelta(minutes=30), None),
            (self.ticket_deadlines, timedelta(minutes=10), now),
            (self.meetings_due, timedelta(seconds=MEETING_TICK), None),
            (self.broadcasts_due, timedelta(minutes=1), None),
            (self.weekly_summaries, timedelta(hours=1), None),
        ]
        for job, every, first in jobs:
            run = job if job == self.keep_lead else self._as_leader(job)
            scheduler.add_job(
                run, "interval", seconds=every.total_seconds(),
                id=job.__name__, next_run_time=first, max_instances=1, coalesce=True,
            )

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
        if self._scheduler is None:
            return
        now = self.services.clock.now()
        for moment in await self.services.meetings.next_times():
            if now < moment <= now + timedelta(seconds=MEETING_TICK):
                self._scheduler.add_job(
                    self._as_leader(self.services.meetings.run_due), "date", run_date=moment,
                    id=f"meetings-at-{moment.isoformat()}", replace_existing=True,
                )

    async def weekly_summaries(self) -> None:
        await weekly_summaries(self.services)

    async def broadcasts_due(self) -> None:
        """Broadcasts whose quiet hours are over, and any a crash left unfinished."""
        for broadcast_id in await self.services.broadcasts.due():
            self.services.tasks.spawn(
                run_broadcast(self.services, broadcast_id), name=f"broadcast-{broadcast_id}"
            )

    async def ticket_deadlines(self) -> None:
        """A reminder to the representative a day before the deadline; staff when overdue."""
        services = self.services
        for due in await services.tickets.due_reminders():
            if due.person is not None and due.person.vk_id is not None:
                zone = services.tickets.zone(await due.ticket.municipality)
                await services.message(
                    due.person.vk_id,
                    f"Напоминаю: ответить на обращение №{due.ticket.id} («{due.chat.title}») нужно "
                    f"до {show_moment(due.ticket.deadline_at, zone)}. Откройте «Обращения» в меню.",
                )
        for ticket, staff in await services.tickets.newly_overdue():
            for person in staff:
                assert person.vk_id is not None
                await services.message(
                    person.vk_id,
                    f"Обращение №{ticket.id} («{ticket.chat.title}») просрочено: представитель не "
                    "ответил вовремя. Его можно передать другому представителю в «Обращения» → "
                    "«Просроченные».",
                )

    async def resume_pending_chats(self) -> None:
        try:
            await self.services.chats.resume_pending()
        except MessengerUnavailable:
            log.warning("VK unavailable: pending chats wait for the next attempt")

    async def remind_stalled(self) -> None:
        """One reminder to an admin who has not moved on for the configured hours."""
        after = timedelta(hours=self.services.settings.onboarding_reminder_hours)
        for onboarding in await self.services.onboarding.stalled(after):
            vk_id = onboarding.person.vk_id
            if vk_id is None:
                continue
            try:
                await send_step(self.services, vk_id, onboarding, "Напоминаю о подключении чата.")
            except RecipientUnreachable:
                log.info("cannot remind person %s: VK refuses", onboarding.person_id)

    async def uptake_summaries(self) -> None:
        """During a chat's first week, its admins hear once a day who joined."""
        for summary in await self.services.uptake.due_summaries():
            uptake = summary.uptake
            share = f" — {uptake.percent}% квартир" if uptake.percent is not None else ""
            text = (
                f"Чат «{summary.chat.title}»: за сутки присоединились "
                f"{plural(summary.joined, 'житель', 'жителя', 'жителей')}, всего в чате "
                f"{plural(uptake.members, 'участник', 'участника', 'участников')}{share}."
            )
            for admin in summary.admins:
                assert admin.vk_id is not None
                await self.services.message(admin.vk_id, text)
