"""Callback API mode (`VK_TRANSPORT=callback`): VK POSTs each event to the bot's HTTP endpoint.

* `CallbackEndpoint` (aiohttp) answers `confirmation` with the community's code, refuses a
  request without the configured `secret`, and stores every other event in the database inbox
  (`storage/inbox.py`, de-duplicated by `event_id`) **before** it answers `ok`. A redelivery
  (`X-Retry-Counter`) of a stored event is answered `ok` again and not stored twice. Overloaded
  (too many requests storing at once, or too many events waiting in the inbox) or with the
  database away, it answers 429 / 503 with `Retry-After`, and VK sends the event again later.
* `InboxWorker` handles the stored events: it claims them (several processes share one inbox;
  one person's events go to one process at a time, in order) and feeds them to the
  `UpdateDispatcher`, which chains one person's events, exactly as for long poll. A process
  killed after `ok` loses nothing: its claims run out and another process takes them over; the
  answers of an event handled again keep their `random_id`s (`keyed_sends`), so VK drops those
  already delivered.
* `register_server` adds (or keeps) the bot's server with the fixed secret and switches on the
  event types the bot handles: run once at deploy (`python main.py callback register --url …`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.runtime.dispatcher import Update, UpdateDispatcher, ordering_key
from bot.runtime.supervisor import Backoff, Supervisor, while_database_away
from bot.vk.gateway import VkGateway
from storage import inbox
from storage.db import database_unavailable

log = logging.getLogger(__name__)

# What the bot handles: messages (dialogs, chat messages and chat actions) and button presses.
EVENT_TYPES = ("message_new", "message_event")
SERVER_TITLE = "Домовые чаты"  # VK allows at most 14 characters
HEALTH_PATH = "/health"


class CallbackEndpoint:
    """The HTTP side: `await start(host, port)`, `await stop()`."""

    def __init__(
        self,
        *,
        settings: Settings,
        confirmation_code: str,
        backlog: Callable[[], int],
        stored: Callable[[], None],
    ) -> None:
        assert settings.callback_secret is not None and settings.vk_group_id is not None
        self._group_id = settings.vk_group_id
        self._secret = settings.callback_secret.get_secret_value().encode()
        self._code = confirmation_code
        self._backlog = backlog
        self._stored = stored
        self._max_in_flight = settings.callback_max_in_flight
        self._max_backlog = settings.callback_max_backlog
        self._retry_after = str(settings.callback_retry_after_seconds)
        self._in_flight = 0
        self.app = web.Application(client_max_size=1024 * 1024)
        self.app.router.add_post(settings.callback_path, self.receive)
        self.app.router.add_get(HEALTH_PATH, self.health)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def receive(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        if not isinstance(body, dict):
            return web.Response(status=400, text="not an event")
        secret = str(body.get("secret", "")).encode()
        if not hmac.compare_digest(secret, self._secret) or body.get("group_id") != self._group_id:
            log.warning("a Callback API request with a wrong secret or community was refused")
            return web.Response(status=403, text="forbidden")
        if body.get("type") == "confirmation":
            return web.Response(text=self._code)
        event_id = body.get("event_id")
        if not isinstance(event_id, str) or not event_id or not isinstance(body.get("type"), str):
            return web.Response(status=400, text="no event_id or type")
        if self._in_flight >= self._max_in_flight or self._backlog() >= self._max_backlog:
            return self._later(429)
        update = {key: value for key, value in body.items() if key != "secret"}
        self._in_flight += 1
        try:
            new = await inbox.store(event_id, str(ordering_key(update)), update)
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            log.warning("event %s not stored, the database is unavailable: %s", event_id, exc)
            return self._later(503)
        finally:
            self._in_flight -= 1
        if new:
            self._stored()
        else:
            log.debug("event %s again (X-Retry-Counter %s): stored already",
                      event_id, request.headers.get("X-Retry-Counter"))
        return web.Response(text="ok")

    def _later(self, status: int) -> web.Response:
        return web.Response(status=status, text="later", headers={"Retry-After": self._retry_after})


class InboxWorker:
    """Claims stored events and hands them to the dispatcher; renews its claims while it works."""

    def __init__(
        self,
        route: Callable[[Update], Awaitable[None]],
        settings: Settings,
        backoff: Backoff,
        holder: str | None = None,
    ) -> None:
        self.holder = holder or uuid.uuid4().hex[:16]
        self._route = route
        self._backoff = backoff
        self._lease = timedelta(seconds=settings.inbox_lease_seconds)
        self._poll = settings.inbox_poll_seconds
        self._batch = settings.inbox_batch
        self.dispatcher = UpdateDispatcher(self._handle, backoff=backoff)
        self._wake = asyncio.Event()
        self._taken: dict[str, int] = {}  # event_id -> inbox row, while this process has it
        self.backlog = 0  # events waiting in the inbox (all processes), as last counted

    def run(self, supervisor: Supervisor) -> None:
        supervisor.loop("inbox", self.take, outlived=database_unavailable)
        supervisor.loop(
            "inbox-lease", self.renew, every=self._lease.total_seconds() / 3,
            outlived=database_unavailable,
        )

    def wake(self) -> None:
        """Something new is in the inbox: claim at once instead of at the next poll."""
        self._wake.set()

    async def take(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._poll):
                await self._wake.wait()
        self._wake.clear()
        claimed = await inbox.claim(self.holder, self._lease, self._batch)
        fresh = [event for event in claimed if event.event_id not in self._taken]
        for event in fresh:
            self._taken[event.event_id] = event.id
        if fresh:
            await self.dispatcher.feed([event.body for event in fresh])
        self.backlog = await inbox.backlog()

    async def renew(self) -> None:
        if not self._taken:
            return
        held = len(self._taken)
        renewed = await inbox.renew(self.holder, self._lease)
        if renewed < held:  # this process was stalled beyond the lease: another took them over
            log.warning("%d inbox events were taken over by another process", held - renewed)

    async def _handle(self, update: Update) -> None:
        event_id = str(update.get("event_id"))
        try:
            await self._route(update)
        except Exception as exc:
            if database_unavailable(exc):
                raise  # the dispatcher handles it again from the start once the database is back
            log.exception("update %s failed", update.get("type"))
        row = self._taken[event_id]
        await while_database_away(f"event {event_id} done", lambda: inbox.done(row), self._backoff)
        del self._taken[event_id]
        self.wake()  # the person's next event may be waiting for this one

    async def release(self) -> None:
        """On a clean stop: what was claimed and not handled goes back to the others at once."""
        await inbox.release(self.holder)


async def register_server(gateway: VkGateway, *, url: str, secret: str) -> tuple[int, str]:
    """Make `url` a Callback API server of the community with `secret` and the bot's event
    types on; an existing server for `url` with the same secret is kept as it is (editing a
    server confirms it again and drops the events in flight). Returns (server id, what was done)."""
    group_id = gateway.group_id
    servers = (await gateway.call("groups.getCallbackServers", group_id=group_id))["items"]
    existing = next((server for server in servers if server.get("url") == url), None)
    if existing is None:
        added = await gateway.call(
            "groups.addCallbackServer", group_id=group_id, url=url, title=SERVER_TITLE,
            secret_key=secret,
        )
        server_id, done = int(added["server_id"]), "added"
    elif existing.get("secret_key") != secret:
        server_id, done = int(existing["id"]), "secret changed"
        await gateway.call(
            "groups.editCallbackServer", group_id=group_id, server_id=server_id, url=url,
            title=SERVER_TITLE, secret_key=secret,
        )
    else:
        server_id, done = int(existing["id"]), "kept"
    types: dict[str, Any] = {event_type: 1 for event_type in EVENT_TYPES}
    await gateway.call(
        "groups.setCallbackSettings", group_id=group_id, server_id=server_id,
        api_version=gateway.api.API_VERSION, **types,
    )
    return server_id, done


async def confirmation_code(gateway: VkGateway) -> str:
    response = await gateway.call("groups.getCallbackConfirmationCode", group_id=gateway.group_id)
    return str(response["code"])
