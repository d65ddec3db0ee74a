"""Composition root: builds the gateway, services and vkbottle bot, runs polling and scheduler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from vkbottle import Bot

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.flows import build_labeler
from bot.jobs import Jobs
from bot.keyboards.invitations import offer_keyboard
from bot.notices import build_notices
from bot.runtime.callback import CallbackEndpoint, InboxWorker, confirmation_code
from bot.runtime.chat_messages import count_ordinary_chat_message
from bot.runtime.context import Replies, Services
from bot.runtime.dispatcher import UpdateDispatcher
from bot.runtime.errors import build_error_handler
from bot.runtime.middleware import context_middlewares
from bot.runtime.polling import ResumablePolling
from bot.runtime.supervisor import Backoff, Supervisor
from bot.runtime.tasks import BackgroundTasks
from bot.services.broadcasts.service import BroadcastService
from bot.services.chats.onboarding import OnboardingService
from bot.services.chats.poster_book import PosterPrinter
from bot.services.chats.posters import PosterService
from bot.services.chats.service import ChatService
from bot.services.importing.runs import ImportService
from bot.services.staff.invitations import InvitationService
from bot.services.staff.service import StaffDirectory, StaffService
from bot.services.stats.activity import FLUSH_SECONDS, StatsService
from bot.services.stats.uptake import UptakeService
from bot.services.tickets.meetings import MeetingService
from bot.services.tickets.service import TicketService
from bot.sms import SmsGateway, build_sms_gateway
from bot.vk.errors import VkUnavailable
from bot.vk.gateway import Community, RetryPolicy, VkGateway, keyed_sends
from bot.vk.rate_limit import Limiter, RateLimiter
from bot.vk.shared_rate_limit import SharedRateLimiter
from storage.db import close_database, database_unavailable, init_database
from storage.dialog_state import DatabaseStateDispenser
from storage.models import RepresentativeKind
from storage.runtime_state import claim_events, claim_moment, get_value, set_value

log = logging.getLogger(__name__)

LONGPOLL_POSITION = "longpoll_ts"


def build_sms(settings: Settings) -> SmsGateway:
    key = settings.sms_api_key.get_secret_value() if settings.sms_api_key else None
    return build_sms_gateway(
        settings.sms_provider,
        outbox_url=settings.sms_outbox_url,
        api_key=key,
        sender=settings.sms_sender,
    )


def build_limiter(settings: Settings) -> Limiter:
    """The token's limit: shared by every process on PostgreSQL, else this process's own."""
    shared = settings.vk_rate_limit_shared
    if shared if shared is not None else settings.postgres:
        return SharedRateLimiter(settings.vk_rate_limit)
    return RateLimiter(settings.vk_rate_limit)


def build_gateway(settings: Settings, retry: RetryPolicy | None = None) -> VkGateway:
    assert settings.vk_token is not None and settings.vk_group_id is not None
    return VkGateway(
        token=settings.vk_token.get_secret_value(),
        group_id=settings.vk_group_id,
        api_url=settings.vk_api_url,
        limiter=build_limiter(settings),
        retry=retry or RetryPolicy(max_attempts=settings.vk_max_attempts),
        execute=settings.vk_execute,
    )


def build_services(
    settings: Settings, gateway: VkGateway, clock: Clock, sms: SmsGateway, community: Community
) -> Services:
    async def deep_link(ref: str) -> str:
        return community.deep_link(ref)

    invitations = InvitationService(
        sms=sms,
        clock=clock,
        deep_link=deep_link,
        ttl=timedelta(hours=settings.invitation_ttl_hours),
        messenger=gateway,
        offer_keyboard=offer_keyboard,
    )
    chats = ChatService(
        messenger=gateway, invitations=invitations, clock=clock, community_id=community.id
    )
    tickets = TicketService(
        clock=clock,
        invitations=invitations,
        default_timezone=settings.default_timezone,
        deadline_days={
            RepresentativeKind.UK: settings.deadline_days_uk,
            RepresentativeKind.ADMINISTRATION: settings.deadline_days_administration,
            RepresentativeKind.RSO: settings.deadline_days_rso,
        },
    )
    meetings = MeetingService(
        messenger=gateway,
        clock=clock,
        tickets=tickets,
        community_id=community.id,
        duration=timedelta(minutes=settings.meeting_minutes),
        link_lead=timedelta(minutes=settings.meeting_link_lead_minutes),
    )
    stats = StatsService(clock, settings.default_timezone)
    services = Services(
        settings=settings,
        clock=clock,
        states=DatabaseStateDispenser(),
        tasks=BackgroundTasks(),
        invitations=invitations,
        staff=StaffService(invitations),
        staff_directory=StaffDirectory(invitations, clock, chats),
        chats=chats,
        imports=ImportService(chats),
        onboarding=OnboardingService(gateway, clock, community.id),
        posters=PosterService(
            community.name,
            PosterPrinter(
                max_bytes=settings.poster_document_max_bytes, workers=settings.poster_workers
            ),
        ),
        uptake=UptakeService(clock, settings.default_timezone, stats),
        tickets=tickets,
        meetings=meetings,
        broadcasts=BroadcastService(gateway, clock, settings.default_timezone),
        stats=stats,
    )
    services.notices = build_notices(gateway, services)
    chats.on_told = services.notices.onboarding.start
    meetings.announcer = services.notices.tickets
    return services


def build_bot(services: Services, gateway: VkGateway) -> Bot:
    labeler = build_labeler()
    message_context, callback_context = context_middlewares(services, Replies(gateway))
    labeler.message_view.register_middleware(message_context)
    labeler.raw_event_view.register_middleware(callback_context)
    return Bot(
        api=gateway.api,
        labeler=labeler,
        state_dispenser=services.states,
        error_handler=build_error_handler(),
    )


def _passing(error: Exception) -> bool:
    """VK or the database away for a while: polling waits for them as long as it takes."""
    return isinstance(error, VkUnavailable) or database_unavailable(error)


class BotApp:
    """The running bot: `await start()`, then `await stop()`.

    Its loops (polling, the statistics flush) run under a `Supervisor`; the scheduled jobs run
    in APScheduler. Should a loop give up (`Settings.task_max_failures` failures in a row),
    the scheduler stops at once (so the lease passes to another process) and `failed` is set:
    `main.py` then stops the app and exits non-zero.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        sms: SmsGateway | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self._sms = sms
        self._retry = retry
        self.backoff = Backoff.of(settings)
        self.supervisor = Supervisor(self.backoff, settings.task_max_failures, self._died)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.failed = asyncio.Event()
        self.failure: str | None = None
        self._events: AsyncIterator[dict[str, Any]] | None = None
        self._mark: tuple[int, datetime] | None = None  # (position, claim mark of its batch)
        self.polled_ts: int = 0
        self.inbox: InboxWorker | None = None  # Callback API mode
        self.endpoint: CallbackEndpoint | None = None

    async def start(self) -> None:
        await init_database(
            self.settings.database_url, busy_timeout=self.settings.sqlite_busy_timeout_seconds
        )
        self.gateway = build_gateway(self.settings, self._retry)
        self.community = await self.gateway.community()
        self.services = build_services(
            self.settings,
            self.gateway,
            self.clock,
            self._sms or build_sms(self.settings),
            self.community,
        )
        self.bot = build_bot(self.services, self.gateway)
        if self.settings.vk_transport == "callback":
            self.inbox = InboxWorker(self._route, self.settings, self.backoff)
            self.dispatcher = self.inbox.dispatcher
        else:
            self.dispatcher = UpdateDispatcher(self._route, claim_events, self.backoff)
        await self.services.imports.recover()
        self.jobs = Jobs(self.services)
        self.jobs.schedule(self.scheduler)
        self.scheduler.start()
        # Each process flushes its own chat-activity counts (not a leader-only job).
        self.supervisor.loop(
            "stats-flusher", self.services.stats.flush, every=FLUSH_SECONDS,
            outlived=database_unavailable,
        )
        if self.inbox is not None:
            await self._serve_callback(self.inbox)
        else:
            self.polled_ts = int(await self._resume_position())
            self.supervisor.loop("vk-longpoll", self._poll_once, outlived=_passing)
        log.info("bot started for community %s (%s)", self.community.name, self.community.id)

    async def _serve_callback(self, inbox: InboxWorker) -> None:
        """Callback API mode: handle what is in the inbox, and take VK's requests."""
        inbox.run(self.supervisor)
        self.endpoint = CallbackEndpoint(
            settings=self.settings,
            confirmation_code=await confirmation_code(self.gateway),
            backlog=lambda: inbox.backlog,
            stored=inbox.wake,
        )
        await self.endpoint.start(self.settings.callback_host, self.settings.callback_port)
        log.info("Callback API endpoint on %s:%s%s", self.settings.callback_host,
                 self.endpoint.port, self.settings.callback_path)

    def _died(self, name: str, error: BaseException) -> None:
        """A loop gave up: stop leading at once (no more lease renewals) and tell `main.py`."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.failure = f"{name}: {error!r}"
        self.failed.set()

    async def _route(self, update: dict) -> None:
        with keyed_sends(update.get("event_id")):  # handled again: VK drops repeated answers
            if await count_ordinary_chat_message(update, self.services.stats):
                return
            await self.bot.process_event(update, self.gateway.api)

    async def _resume_position(self) -> str:
        """Where polling starts: where it stopped, or (first start) at the current event, so
        that nothing sent after `start()` returns is missed."""
        stored = await get_value(LONGPOLL_POSITION)
        if stored is not None:
            return stored
        server = await self.gateway.call("groups.getLongPollServer", group_id=self.community.id)
        await set_value(LONGPOLL_POSITION, str(server["ts"]))
        return str(server["ts"])

    async def _poll_once(self) -> None:
        """One long-poll answer, handed to the dispatcher; after a failure polling starts
        again from the last position handed over, so VK sends what was not taken again."""
        if self._events is None:
            polling = ResumablePolling(
                api=self.gateway.api, group_id=self.settings.vk_group_id,
                resume_ts=str(self.polled_ts),
            )
            self._events = aiter(polling.listen())
        events = self._events
        try:
            event = await anext(events)
            await self.dispatcher.feed(event.get("updates", []), self._claim_mark(self.polled_ts))
        except BaseException:
            self._events = None
            await events.aclose()  # type: ignore[attr-defined]
            raise
        self.polled_ts = int(event["ts"])
        try:
            await set_value(LONGPOLL_POSITION, str(event["ts"]))
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            log.warning("long-poll position not stored (%s); the next one will be", exc)

    def _claim_mark(self, position: int) -> datetime:
        """The claim mark of the batch polled from `position`: the same when polling starts
        again from there after a failure and VK sends that batch once more."""
        if self._mark is None or self._mark[0] != position:
            self._mark = (position, claim_moment())
        return self._mark[1]

    async def stop(self) -> None:
        """Stop everything, each step on its own: a step that fails (the database may be
        away) is logged and the rest still runs, so a stop request always ends the process."""
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("Callback API endpoint", self._stop_endpoint),  # the load balancer goes elsewhere
            ("polling and flushing", self.supervisor.cancel),
            ("updates in progress", self._drain),
            ("inbox claims", self._release_inbox),  # another process takes them at once
            ("scheduled jobs", lambda: self.jobs.stop(self.settings.stop_timeout_seconds)),
            ("scheduler lease", self.jobs.lease.release),  # another process may lead at once
            ("statistics", self.services.stats.flush),
            ("background work", self.services.tasks.cancel),  # resumed at the next start
            ("poster workers", self.services.posters.close),
            ("VK connection", self.gateway.close),
            ("database", close_database),
        ]
        for what, step in steps:
            try:
                await step()
            except Exception:
                log.exception("stopping: %s failed", what)

    async def _stop_endpoint(self) -> None:
        if self.endpoint is not None:
            await self.endpoint.stop()

    async def _release_inbox(self) -> None:
        if self.inbox is not None:
            await self.inbox.release()

    async def _drain(self) -> None:
        try:
            await asyncio.wait_for(self.dispatcher.drain(), self.settings.stop_timeout_seconds)
        except TimeoutError:
            log.warning("stopping with updates still in progress")
            await self.dispatcher.cancel()
