"""Bots Long Poll at `{base_url}/longpoll/{group_id}`."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .faults import Faults
from .ints import parse_int64
from .webutil import json_response, request_params
from .world import World

MAX_WAIT = 90
DEFAULT_WAIT = 25
MAX_UPDATES = 1000  # per answer; the rest comes with the next poll


class LongPoll:
    def __init__(self, world: World, faults: Faults) -> None:
        self.world = world
        self.faults = faults

    async def handle(self, request: web.Request) -> web.Response:
        params = await request_params(request)
        return json_response(await self.poll(request.match_info["group_id"], params))

    async def poll(self, group_id: str, params: dict[str, str]) -> dict[str, Any]:
        events = self.world.events
        key = params.get("key", "")
        if group_id != str(self.world.config.group_id) or not events.is_active(key):
            return {"failed": 2}
        ts = parse_int64(params.get("ts", ""))
        wait = parse_int64(params.get("wait", str(DEFAULT_WAIT)))
        if ts is None or wait is None or not events.is_kept(ts):
            return {"failed": 1, "ts": str(events.last_ts)}
        if events.last_ts == ts:
            failure = self._injected_failure(key, ts)
            if failure is not None:
                return failure
            await self.world.signal.wait_for(
                lambda: events.last_ts > ts, min(max(wait, 0), MAX_WAIT)
            )
        last, updates = events.after(ts, MAX_UPDATES)
        return {"ts": str(last), "updates": updates}

    def _injected_failure(self, key: str, ts: int) -> dict[str, Any] | None:
        """A queued failure, only on a poll with nothing pending, so no event is ever lost."""
        failure = self.faults.next_longpoll_failure()
        if failure == 1:
            return {"failed": 1, "ts": str(ts)}
        if failure == 2:
            self.world.events.invalidate(key)
            return {"failed": 2}
        if failure == 3:
            # the client takes a fresh ts from getLongPollServer: make it this one
            self.world.events.invalidate(key, resume_ts=ts)
            return {"failed": 3}
        return None
