"""Callback API delivery: the community's events POSTed to its servers the way VK sends them.

A background part of the sandbox server, reading the same event log as Bots Long Poll. The
rules (docs/sandbox.md, «Callback API», says them for people):

* A new or edited server is sent `{"type": "confirmation", …}`; the answer must be the
  community's confirmation code. Until then (status `wait`) and after a failed confirmation
  (`failed`) the server gets nothing; once confirmed it gets the events from then on.
* Each event of a type enabled for the server is POSTed as JSON `{type, event_id, v, object,
  group_id, secret}`; only HTTP 200 with the body `ok`, within `timeout`, acknowledges it.
  Anything else is a failed attempt: the event is sent again, with `X-Retry-Counter: N`, after
  `retry_delay`·2^(k-1) (k = its failed attempts so far, at most 60 s), and given up after
  `max_attempts` failed attempts.
* 410, 429 or 503 with a `Retry-After` under 3 hours is not a failure: the server gets nothing
  until then, and the event is sent again then.
* `pause_after` failed attempts in a row (over all its events) pause the server for
  `pause_seconds`; after a pause the waiting events are sent again, and a failure before the
  next success pauses it again.
* Up to `concurrency` events of one server are in flight at once, so with more than one their
  order is not kept (nor is it by VK); with 1 they go one by one, in the log's order.
* What a server acknowledged (or what was given up) is recorded at once, so after a restart the
  delivery goes on where it was and sends again only what was in flight.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, replace
from typing import Any

import aiohttp

from .config import CallbackSettings
from .faults import Faults
from .stats import Stats
from .vk.params import parse_version
from .world import World
from .world.callback_servers import OK, WAIT, CallbackServer, confirmation_code

log = logging.getLogger(__name__)

BATCH = 500  # events read from the log at once
IDLE_RECHECK = 5.0  # a server waiting for events looks at the log at least this often
MAX_RETRY_DELAY = 60.0
RETRY_AFTER_STATUSES = frozenset({410, 429, 503})
MAX_RETRY_AFTER = 3 * 3600  # VK: «less than 3 hours»
ANSWER_BYTES = 1024  # of an answer's body, more than any right answer needs
OLD_MESSAGE_NEW = (5, 103)  # before it, message_new's object was the message itself

# the settings a running sandbox can change, with their bounds
_LIMITS: dict[str, tuple[type, float, float]] = {
    "timeout": (float, 0.01, 60),
    "retry_delay": (float, 0, 3600),
    "max_attempts": (int, 1, 100),
    "pause_after": (int, 1, 1000),
    "pause_seconds": (float, 0, MAX_RETRY_AFTER),
    "concurrency": (int, 1, 100),
}


class CallbackSettingsError(ValueError):
    """A setting sent to /sandbox/callback is wrong; the text is for a person (Russian)."""


@dataclass(frozen=True)
class _Answer:
    accepted: bool
    retry_after: float | None = None  # seconds the server asked to wait
    what: str = ""  # for the log


class CallbackDelivery:
    """Keeps one delivery line per server: its confirmation, or the stream of its events."""

    def __init__(self, world: World, faults: Faults, stats: Stats) -> None:
        self.world = world
        self.faults = faults
        self.stats = stats
        self.settings: CallbackSettings = replace(world.config.callback)
        self._lines: dict[int, _Line] = {}
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self.world.callback_servers.listen(self.sync)
        self.sync()

    async def stop(self) -> None:
        """Stop sending; what is in flight is not acknowledged and goes again after a restart."""
        if self._session is None:
            return
        self.world.callback_servers.unlisten(self.sync)
        lines = list(self._lines.values())
        self._lines.clear()
        for line in lines:
            line.cancel()
        await asyncio.gather(*(line.closed() for line in lines))
        for line in lines:
            line.save()
        await self._session.close()
        self._session = None

    def sync(self) -> None:
        """Bring the lines in line with the servers as they are now (called on every change,
        so a deleted server's line is cancelled before the method that deleted it returns)."""
        if self._session is None:
            return
        servers = {server.id: server for server in self.world.callback_servers.all()}
        for server_id, line in list(self._lines.items()):
            server = servers.get(server_id)
            if server is not None and line.serves(server):
                line.server = server
            else:
                line.cancel()
                del self._lines[server_id]
        for server in servers.values():
            if server.id in self._lines:
                continue
            if server.status == WAIT:
                self._lines[server.id] = _Confirmation(self, server)
            elif server.status == OK:
                self._lines[server.id] = _Events(self, server)

    # -- settings and state, for /sandbox/callback ------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        return {
            "settings": asdict(self.settings),
            "servers": [self._state(server) for server in self.world.callback_servers.all()],
        }

    def _state(self, server: CallbackServer) -> dict[str, Any]:
        line = self._lines.get(server.id)
        return {
            "id": server.id,
            "url": server.url,
            "status": server.status,
            "cursor": line.cursor if isinstance(line, _Events) else server.cursor,
            "in_flight": len(line.pending) if isinstance(line, _Events) else 0,
            "failures_in_row": line.failures if line else 0,
            "paused_for": round(line.held_for(), 3) if line else 0,
        }

    def update(self, settings: dict[str, Any]) -> None:
        """Change what is given; all is checked before anything changes."""
        unknown = set(settings) - set(_LIMITS)
        if unknown:
            raise CallbackSettingsError(f"Неизвестные настройки: {', '.join(sorted(unknown))}")
        for name, value in settings.items():
            kind, low, high = _LIMITS[name]
            allowed = (int,) if kind is int else (int, float)
            if isinstance(value, bool) or not isinstance(value, allowed) or not (
                low <= value <= high
            ):
                what = "целое число" if kind is int else "число"
                raise CallbackSettingsError(f"{name} — {what} от {low:g} до {high:g}")
        changed = {name: _LIMITS[name][0](value) for name, value in settings.items()}
        self.settings = replace(self.settings, **changed)
        for line in self._lines.values():
            line.settings_changed()

    # -- one request ------------------------------------------------------------------------

    async def post(
        self, url: str, body: bytes, retry: int, accept: Callable[[str], bool]
    ) -> _Answer:
        headers = {"Content-Type": "application/json"}
        if retry:
            headers["X-Retry-Counter"] = str(retry)
            self.stats.callback["retries"] += 1
        self.stats.callback["sent"] += 1
        assert self._session is not None
        try:
            async with self._session.post(
                url, data=body, headers=headers, allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.settings.timeout),
            ) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After")
                text = (await response.content.read(ANSWER_BYTES)).decode("utf-8", "replace")
        except TimeoutError:
            return self._failed(f"no answer in {self.settings.timeout:g} s")
        except (aiohttp.ClientError, OSError) as error:
            return self._failed(f"{type(error).__name__}: {error}")
        text = text.strip()
        if status == 200 and accept(text):
            return _Answer(True)
        what = f"HTTP {status} {text[:60]!r}"
        delay = _retry_after(retry_after) if status in RETRY_AFTER_STATUSES else None
        if delay is not None:
            self.stats.callback["retry_after"] += 1
            return _Answer(False, delay, what)
        return self._failed(what)

    def _failed(self, what: str) -> _Answer:
        self.stats.callback["failed"] += 1
        return _Answer(False, None, what)


class _Line:
    """The delivery to one server: its tasks, when it may send next, its failures in a row."""

    def __init__(self, delivery: CallbackDelivery, server: CallbackServer) -> None:
        self.delivery = delivery
        self.server = server
        self.failures = 0  # failed attempts in a row, over all its requests
        self._hold_until = 0.0  # loop time before which nothing is sent
        self._tasks: set[asyncio.Task[None]] = set()
        self._cancelled = False

    def serves(self, server: CallbackServer) -> bool:
        raise NotImplementedError

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel(self) -> None:
        self._cancelled = True
        for task in self._tasks:
            task.cancel()

    async def closed(self) -> None:
        """Wait until every task of the line has ended (cancelled again if one went on)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks), timeout=0.1)
            self.cancel()

    def save(self) -> None:
        """Record progress not yet recorded (on stop)."""

    def settings_changed(self) -> None:
        """The delivery's settings changed."""

    def held_for(self) -> float:
        return max(0.0, self._hold_until - asyncio.get_running_loop().time())

    def hold(self, seconds: float) -> None:
        loop_time = asyncio.get_running_loop().time()
        self._hold_until = max(self._hold_until, loop_time + seconds)

    def on_failure(self, answer: _Answer) -> None:
        """A failed attempt, after `failures` has counted it."""

    async def attempts(self, body: bytes, accept: Callable[[str], bool]) -> int | None:
        """Send until accepted: the number of retries it took, or None when given up."""
        delivery = self.delivery
        retry = failed = 0
        while True:
            while (wait := self.held_for()) > 0:
                await asyncio.sleep(wait)
            if self._cancelled:  # also if a cancellation met a timeout and was taken for it
                raise asyncio.CancelledError
            answer = await delivery.post(self.server.url, body, retry, accept)
            if answer.accepted:
                self.failures = 0
                return retry
            retry += 1
            if answer.retry_after is not None:
                self.hold(answer.retry_after)
                continue
            failed += 1
            self.failures += 1
            log.info("Callback API server %s (%s): %s", self.server.id, self.server.url,
                     answer.what)
            self.on_failure(answer)
            if failed >= delivery.settings.max_attempts:
                return None
            await asyncio.sleep(min(delivery.settings.retry_delay * 2 ** (failed - 1),
                                    MAX_RETRY_DELAY))


class _Confirmation(_Line):
    """`{"type": "confirmation"}` until the server answers the code or attempts run out."""

    def __init__(self, delivery: CallbackDelivery, server: CallbackServer) -> None:
        super().__init__(delivery, server)
        self._finished = False
        self.spawn(self._confirm())

    def serves(self, server: CallbackServer) -> bool:
        return (not self._finished and server.status == WAIT
                and server.generation == self.server.generation)

    async def _confirm(self) -> None:
        world = self.delivery.world
        server = self.server
        code = confirmation_code(world.config)
        request: dict[str, Any] = {
            "type": "confirmation",
            "group_id": world.config.group_id,
            "event_id": secrets.token_hex(20),
            "v": server.api_version,
        }
        if server.secret_key:
            request["secret"] = server.secret_key
        body = json.dumps(request).encode()
        try:
            confirmed = await self.attempts(body, lambda text: text == code) is not None
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception:
            log.exception("Callback API: confirming server %s failed", server.id)
            confirmed = False
        if confirmed:
            self.delivery.stats.callback["confirmed"] += 1
        else:
            log.warning("Callback API server %s (%s) is not confirmed", server.id, server.url)
        self._finished = True
        world.callback_servers.confirmed(server.id, server.generation, confirmed,
                                         world.events.last_ts)


class _Events(_Line):
    """The server's events from the log, up to `concurrency` in flight."""

    def __init__(self, delivery: CallbackDelivery, server: CallbackServer) -> None:
        super().__init__(delivery, server)
        self.read_pos = server.cursor  # the last event looked at
        self.pending: set[int] = set()  # sent, not yet acknowledged or given up
        self._saved = server.cursor
        self._done_ahead = delivery.world.callback_servers.done_above_cursor(server.id)
        self._slot_freed = asyncio.Event()
        paused_for = (server.paused_until or 0) - time.time()
        if paused_for > 0:  # paused before a restart: the pause goes on
            self.hold(paused_for)
            self.failures = delivery.settings.pause_after
        self.spawn(self._read())

    def serves(self, server: CallbackServer) -> bool:
        return server.status == OK and server.generation == self.server.generation

    @property
    def cursor(self) -> int:
        """Every event up to it is done for the server."""
        return min(self.pending) - 1 if self.pending else self.read_pos

    def save(self) -> None:
        if self.cursor > self._saved:
            self.delivery.world.callback_servers.done(self.server.id, self.cursor)
            self._saved = self.cursor

    def settings_changed(self) -> None:
        self._slot_freed.set()  # the limit may be higher now

    async def _read(self) -> None:
        world = self.delivery.world
        events = world.events
        while True:
            try:
                batch = events.numbered_after(self.read_pos, BATCH)
                if not batch:
                    self.save()
                    await world.signal.wait_for(lambda: events.last_ts > self.read_pos,
                                                IDLE_RECHECK)
                    continue
                for ts, update in batch:
                    if ts not in self._done_ahead and self.server.wants(update["type"], ts):
                        await self._free_slot()
                        self.pending.add(ts)
                        self.spawn(self._deliver(ts, self._body(update)))
                    self._done_ahead.discard(ts)
                    self.read_pos = ts
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Callback API: reading events for server %s failed", self.server.id)
                await asyncio.sleep(IDLE_RECHECK)

    async def _free_slot(self) -> None:
        while len(self.pending) >= self.delivery.settings.concurrency:
            self._slot_freed.clear()
            await self._slot_freed.wait()

    def _body(self, update: dict[str, Any]) -> bytes:
        server = self.server
        request = {
            "type": update["type"],
            "event_id": update["event_id"],
            "v": server.api_version,
            "object": _shaped(update, server.api_version),
            "group_id": update["group_id"],
        }
        if server.secret_key:
            request["secret"] = server.secret_key
        return json.dumps(request, ensure_ascii=False).encode()

    async def _deliver(self, ts: int, body: bytes) -> None:
        delivery = self.delivery
        try:
            retries = await self.attempts(body, _is_ok)
            if retries is None:
                delivery.stats.callback["given_up"] += 1
                log.warning("Callback API server %s: event %s given up after %s attempts",
                            self.server.id, ts, delivery.settings.max_attempts)
            else:
                delivery.stats.callback["acknowledged"] += 1
                if delivery.faults.callback_duplicate():
                    delivery.stats.callback["duplicates"] += 1
                    await delivery.post(self.server.url, body, retries + 1, _is_ok)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception:
            log.exception("Callback API: delivering event %s to server %s failed",
                          ts, self.server.id)
        self.pending.discard(ts)
        delivery.world.callback_servers.done(self.server.id, self.cursor, (ts,))
        self._saved = self.cursor
        self._slot_freed.set()

    def on_failure(self, answer: _Answer) -> None:
        settings = self.delivery.settings
        if self.failures < settings.pause_after or self.held_for() > 0:
            return
        self.hold(settings.pause_seconds)
        self.delivery.stats.callback["paused"] += 1
        self.delivery.world.callback_servers.pause(self.server.id,
                                                   time.time() + settings.pause_seconds)
        log.warning("Callback API server %s (%s) paused for %g s after %s failures in a row",
                    self.server.id, self.server.url, settings.pause_seconds, self.failures)


def _is_ok(text: str) -> bool:
    return text == "ok"


def _shaped(update: dict[str, Any], api_version: str) -> Any:
    """The event's object in the server's API version (the sandbox keeps 5.199 shapes; before
    5.103 `message_new` carried the message itself, without `client_info`)."""
    old = (parse_version(api_version) or (0, 0)) < OLD_MESSAGE_NEW
    if update["type"] == "message_new" and old:
        return update["object"]["message"]
    return update["object"]


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds (a number or an HTTP date), if under VK's 3 hours."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        delay = float(int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        delay = max(0.0, when.timestamp() - time.time())
    return delay if delay < MAX_RETRY_AFTER else None

