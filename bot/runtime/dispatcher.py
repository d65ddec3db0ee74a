"""Incoming updates: de-duplicated by `event_id`, handled in order per person.

vkbottle handles every update in its own task, so two quick messages from one person could be
handled out of order. Here updates of one person are chained (each waits for the previous one),
while different people are handled concurrently.

While the database is away (locked by another process, connection lost) nothing is lost: a
batch's claim is repeated until it succeeds (polling waits meanwhile), and an update whose
handling failed for that reason is handled again from the start once the database is back (its
answers keep their `random_id`s, so VK drops any it already delivered: see `BotApp._route`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime
from typing import Any

from bot.runtime.supervisor import Backoff, while_database_away
from bot.runtime.tasks import BackgroundTasks
from storage.runtime_state import claim_moment

log = logging.getLogger(__name__)

Update = dict[str, Any]


def ordering_key(update: Update) -> Hashable:
    """Whose update this is: the VK user behind it, or the event type for anything else."""
    obj = update.get("object") or {}
    message = obj.get("message") if isinstance(obj.get("message"), dict) else obj
    for source, field in ((message, "from_id"), (obj, "user_id")):
        value = source.get(field) if isinstance(source, dict) else None
        if isinstance(value, int):
            return value
    return ("type", update.get("type"))


class UpdateDispatcher:
    def __init__(
        self,
        handle: Callable[[Update], Awaitable[None]],
        claim: Callable[[Sequence[str], datetime], Awaitable[set[str]]] | None = None,
        backoff: Backoff = Backoff(),
    ) -> None:
        self._handle = handle
        self._claim = claim
        self._backoff = backoff
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._running = BackgroundTasks()
        self.handled = 0

    async def feed(self, updates: Sequence[Update], mark: datetime | None = None) -> None:
        """Take a batch of updates (one long-poll answer): claim their event ids at once,
        then start each new one after the previous update of the same person.

        `mark` (`claim_moment()`) marks the claim; give the same one when the same batch comes
        again after a failure, so that a claim committed before it is still this one's.
        Without `claim` (the Callback API inbox has claimed them already) every one is new."""
        ids = [str(u["event_id"]) for u in updates if u.get("event_id") is not None]
        new: set[str] = set(ids)
        if ids and self._claim is not None:
            claim = self._claim
            moment = mark or claim_moment()  # the same for every attempt: see `claim_events`
            new = await while_database_away(
                "claiming updates", lambda: claim(ids, moment), self._backoff
            )
        for update in updates:
            event_id = update.get("event_id")
            if event_id is not None and str(event_id) not in new:
                log.debug("dropping redelivered event %s", event_id)
                continue
            self._start(update)

    def _start(self, update: Update) -> None:
        key = ordering_key(update)
        task = self._running.spawn(self._after(self._tails.get(key), update), name="update")
        self._tails[key] = task
        task.add_done_callback(lambda done: self._forget(key, done))

    async def _after(self, previous: asyncio.Task[None] | None, update: Update) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await while_database_away(
                f"update {update.get('event_id')}", lambda: self._handle(update), self._backoff
            )
        except Exception:
            log.exception("update %s failed", update.get("type"))
        finally:
            self.handled += 1

    def _forget(self, key: Hashable, task: asyncio.Task[None]) -> None:
        if self._tails.get(key) is task:
            del self._tails[key]

    @property
    def busy(self) -> bool:
        return self._running.busy

    async def drain(self) -> None:
        """Wait until every update fed so far has been handled."""
        await self._running.drain()

    async def cancel(self) -> None:
        await self._running.cancel()
