"""Composition root: builds the gateway, services and vkbottle bot, runs polling and scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from vkbottle import Bot

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.handlers import build_labeler
from bot.handlers.stats import count_ordinary_chat_message
from bot.runtime.context import Services
from bot.runtime.dispatcher import UpdateDispatcher
from bot.runtime.errors import build_error_handler
from bot.runtime.middleware import context_middlewares
from bot.runtime.polling import ResumablePolling
from bot.runtime.tasks import BackgroundTasks
from bot.services.broadcasts import BroadcastService
from bot.services.chats import ChatService
from bot.services.imports import ImportService
from bot.services.invitations import InvitationService
from bot.handlers.onboarding import start_onboarding
from bot.handlers.ticket_views import ChatAnnouncer
from bot.keyboards.invitations import offer_keyboard
from bot.jobs import Jobs
from bot.services.meetings import MeetingService
from bot.services.onboarding import OnboardingService
from bot.services.posters import PosterService
from bot.services.stats import StatsService
from bot.services.uptake import UptakeService
from bot.services.staff import StaffDirectory, StaffService
from bot.services.tickets import TicketService
from bot.sms import SmsGateway, build_sms_gateway
from bot.vk.gateway import Community, RetryPolicy, VkGateway
from bot.vk.rate_limit import RateLimiter
from storage.db import close_database, init_database
from storage.dialog_state import DatabaseStateDispenser
from storage.models import RepresentativeKind
from storage.runtime_state import claim_events, get_value, set_value

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


def build_gateway(settings: Settings, retry: RetryPolicy | None = None) -> VkGateway:
    assert settings.vk_token is not None and settings.vk_group_id is not None
    return VkGateway(
        token=settings.vk_token.get_secret_value(),
        group_id=settings.vk_group_id,
        api_url=settings.vk_api_url,
        limiter=RateLimiter(settings.vk_rate_limit),
        retry=retry or RetryPolicy(max_attempts=settings.vk_max_attempts),
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
        gateway=gateway,
        states=DatabaseStateDispenser(),
        tasks=BackgroundTasks(),
        invitations=invitations,
        staff=StaffService(invitations),
        staff_directory=StaffDirectory(invitations, clock, chats),
        chats=chats,
        imports=ImportService(chats),
        onboarding=OnboardingService(gateway, clock, community.id),
        posters=PosterService(community.name),
        uptake=UptakeService(clock, settings.default_timezone, stats),
        tickets=tickets,
        meetings=meetings,
        broadcasts=BroadcastService(gateway, clock, settings.default_timezone),
        stats=stats,
    )
    chats.on_told = functools.partial(start_onboarding, services)
    meetings.announcer = ChatAnnouncer(services)
    return services


def build_bot(services: Services) -> Bot:
    labeler = build_labeler()
    message_context, callback_context = context_middlewares(services)
    labeler.message_view.register_middleware(message_context)
    labeler.raw_event_view.register_middleware(callback_context)
    return Bot(
        api=services.gateway.api,
        labeler=labeler,
        state_dispenser=services.states,
        error_handler=build_error_handler(),
    )


class BotApp:
    """The running bot: `await start()`, then `await stop()` (or `run_until_stopped`)."""

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
        self._poll_task: asyncio.Task[None] | None = None
        self._stats_task: asyncio.Task[None] | None = None
        self.polled_ts: int = 0

    async def start(self) -> None:
        await init_database(self.settings.database_url)
        self.gateway = build_gateway(self.settings, self._retry)
        self.community = await self.gateway.community()
        self.services = build_services(
            self.settings,
            self.gateway,
            self.clock,
            self._sms or build_sms(self.settings),
            self.community,
        )
        self.bot = build_bot(self.services)
        self.dispatcher = UpdateDispatcher(self._route, claim_events)
        await self.services.imports.recover()
        self.jobs = Jobs(self.services)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.jobs.schedule(self.scheduler)
        self.scheduler.start()
        # Each process flushes its own chat-activity counts (not a leader-only job).
        self._stats_task = asyncio.create_task(self.services.stats.run_flusher(), name="stats-flusher")
        position = await self._resume_position()
        self.polled_ts = int(position)
        self._poll_task = asyncio.create_task(self._poll(position), name="vk-longpoll")
        log.info("bot started for community %s (%s)", self.community.name, self.community.id)

    async def _route(self, update: dict) -> None:
        if await count_ordinary_chat_message(update, self.services):
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

    async def _poll(self, resume_ts: str) -> None:
        polling = ResumablePolling(
            api=self.gateway.api, group_id=self.settings.vk_group_id, resume_ts=resume_ts
        )
        async for event in polling.listen():
            await self.dispatcher.feed(event.get("updates", []))
            self.polled_ts = int(event["ts"])
            await set_value(LONGPOLL_POSITION, str(event["ts"]))

    async def stop(self, *, drain_timeout: float = 10.0) -> None:
        if self._poll_task is not None:
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll_task
        try:
            await asyncio.wait_for(self.dispatcher.drain(), drain_timeout)
        except TimeoutError:
            log.warning("stopping with updates still in progress")
            await self.dispatcher.cancel()
        self.scheduler.shutdown(wait=False)
        await self.jobs.lease.release()  # another process may lead at once
        if self._stats_task is not None:
            self._stats_task.cancel()
            await asyncio.gather(self._stats_task, return_exceptions=True)
        await self.services.stats.flush()
        await self.services.tasks.cancel()  # unfinished work resumes at the next start
        await self.gateway.close()
        await close_database()
