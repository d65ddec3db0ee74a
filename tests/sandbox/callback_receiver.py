"""A tiny Callback API endpoint for the sandbox tests: records every request VK's side sends and
answers each as the test says (by default as a correct bot does)."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

WAIT = 5.0  # seconds a test waits for the requests it expects


@dataclass(frozen=True)
class Received:
    body: dict[str, Any]
    retry: int | None  # X-Retry-Counter
    at: float  # loop time of arrival

    @property
    def type(self) -> str:
        return self.body["type"]

    @property
    def event_id(self) -> str:
        return self.body["event_id"]


Answer = Callable[["Receiver", Received], Awaitable[web.StreamResponse]]


async def ok(receiver: Receiver, received: Received) -> web.Response:
    return web.Response(text="ok")


def status(code: int, text: str = "", **headers: str) -> Answer:
    async def answer(receiver: Receiver, received: Received) -> web.Response:
        return web.Response(status=code, text=text, headers=headers)
    return answer


def text(body: str) -> Answer:
    async def answer(receiver: Receiver, received: Received) -> web.Response:
        return web.Response(text=body)
    return answer


async def hang(receiver: Receiver, received: Received) -> web.Response:
    """No answer until the test releases the receiver (the sandbox times out first)."""
    await receiver.released.wait()
    return web.Response(text="ok")


async def _confirm(receiver: Receiver, received: Received) -> web.Response:
    if receiver.wait_for_code:
        await receiver.code_known.wait()
    return web.Response(text=receiver.code or "")


class Receiver:
    def __init__(self, code: str | None) -> None:
        self.code = code  # what it answers to a confirmation; None: "" (it does not know it)
        self.wait_for_code = False  # confirmations wait for know_code() first
        self.code_known = asyncio.Event()
        self.answers: deque[Answer] = deque()  # for the next events, then `default`
        self.default: Answer = ok
        self.requests: list[Received] = []
        self.released = asyncio.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, wait_for_code: bool = False) -> Receiver:
        self.wait_for_code = wait_for_code
        app = web.Application()
        app.router.add_post("/callback", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/callback"
        return self

    async def stop(self) -> None:
        self.released.set()
        self.code_known.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def know_code(self, code: str) -> None:
        self.code = code
        self.code_known.set()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        retry = request.headers.get("X-Retry-Counter")
        received = Received(
            json.loads(await request.read()), None if retry is None else int(retry),
            asyncio.get_running_loop().time(),
        )
        if received.type == "confirmation":
            answer = _confirm
        else:  # chosen on arrival, before the test hears of it and changes what comes next
            answer = self.answers.popleft() if self.answers else self.default
        self.requests.append(received)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        async with self._arrived:
            self._arrived.notify_all()
        try:
            return await answer(self, received)
        finally:
            self.in_flight -= 1

    # -- what arrived -----------------------------------------------------------------------

    @property
    def events(self) -> list[Received]:
        return [r for r in self.requests if r.type != "confirmation"]

    @property
    def confirmations(self) -> list[Received]:
        return [r for r in self.requests if r.type == "confirmation"]

    def event_ids(self) -> list[str]:
        return [r.event_id for r in self.events]

    async def wait_for(self, condition: Callable[[Receiver], bool]) -> None:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: condition(self)), WAIT)

    async def wait_events(self, count: int) -> list[Received]:
        await self.wait_for(lambda receiver: len(receiver.events) >= count)
        return self.events
