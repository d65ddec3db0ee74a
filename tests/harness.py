"""End-to-end harness: the sandbox and the real bot in-process, and people who use them.

A `Person` acts only through the sandbox's JSON API, as a human would through VK: types text,
presses buttons, sends files, opens links, reads what they see. After each action the harness
waits until the bot has received and handled everything the sandbox emitted (`settle`), so tests
never sleep.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import SecretStr

from bot.app import BotApp
from bot.clock import MovableClock
from bot.config import JobIntervals, Settings
from bot.vk.gateway import RetryPolicy
from sandbox.config import SandboxConfig
from sandbox.server import Sandbox

FAST_RETRIES = RetryPolicy(
    max_attempts=8, short_delay=0.05, base_delay=0.05, flood_delay=0.2, max_delay=0.2
)
# `@pytest.mark.bot_settings(**TICKING)`: the scheduler runs every job several times a second.
TICKING: dict[str, Any] = {"job_intervals": JobIntervals.every(0.2), "scheduler_lease_seconds": 3}


class SandboxError(AssertionError):
    """The sandbox refused an action (a 4xx answer): the message says why."""


@dataclass
class Message:
    """One message as a person sees it."""

    raw: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.raw.get("text", ""))

    @property
    def from_id(self) -> int:
        return int(self.raw["from_id"])

    @property
    def cmid(self) -> int:
        return int(self.raw["conversation_message_id"])

    @property
    def buttons(self) -> list[str]:
        return _labels(self.raw.get("keyboard"))

    @property
    def attachments(self) -> list[dict[str, Any]]:
        return list(self.raw.get("attachments") or [])

    def __repr__(self) -> str:
        return f"Message({self.text[:80]!r}, buttons={self.buttons})"


def _labels(keyboard: dict[str, Any] | None) -> list[str]:
    if not keyboard:
        return []
    return [b["action"].get("label", "") for row in keyboard.get("buttons", []) for b in row]


@dataclass
class Stack:
    """A running sandbox plus bot, sharing one temporary world."""

    sandbox: Sandbox
    settings: Settings
    http: aiohttp.ClientSession
    clock: MovableClock = field(default_factory=MovableClock)  # real time plus an offset
    app: BotApp | None = None
    people: list[Person] = field(default_factory=list)
    job_runs: list[JobExecutionEvent] = field(default_factory=list)

    @property
    def group_id(self) -> int:
        return self.sandbox.config.group_id

    async def start_bot(self) -> BotApp:
        self.app = BotApp(self.settings, clock=self.clock, retry=FAST_RETRIES)
        self.app.scheduler.add_listener(self.job_runs.append, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        await self.app.start()
        return self.app

    async def tick(self, timeout: float = 30.0) -> None:
        """Wait until the running scheduler has, on its own timers, run each of its interval
        jobs once more from start to end after this call (so each saw the clock as it is now),
        then for the work they started. Needs short intervals: `bot_settings(**TICKING)`."""
        await self.jobs_ran(since=datetime.now(timezone.utc), timeout=timeout)
        await self.finish_background_work()

    async def jobs_ran(self, since: datetime, timeout: float = 30.0) -> None:
        """Wait until every interval job of the scheduler has run, due at `since` or later."""
        assert self.app is not None
        scheduler = self.app.scheduler
        jobs = {job.id for job in scheduler.get_jobs() if isinstance(job.trigger, IntervalTrigger)}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            runs = [run for run in self.job_runs if run.scheduled_run_time >= since]
            failed = [run for run in runs if run.exception is not None]
            if failed:
                raise AssertionError(f"job {failed[0].job_id} failed: {failed[0].exception!r}")
            missing = jobs - {run.job_id for run in runs}
            if not missing:
                return
            if loop.time() > deadline:
                raise TimeoutError(f"the scheduler did not run {sorted(missing)}")
            await asyncio.sleep(0.01)

    async def stop_bot(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def restart_bot(self) -> None:
        await self.stop_bot()
        await self.start_bot()

    async def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.http.request(method, path, json=body) as response:
            data = await response.json(content_type=None)
            if response.status >= 400:
                raise SandboxError(f"{method} {path} -> {response.status}: {data}")
            return data

    async def person(self, name: str, phone: str, *, vk: bool = True) -> Person:
        created = await self.api("POST", "/sandbox/people", {"name": name, "phone": phone, "vk": vk})
        person = Person(self, int(created["id"]), name, phone)
        self.people.append(person)
        return person

    async def settle(self, timeout: float = 15.0) -> None:
        """Wait until the bot has taken every event the sandbox emitted and handled it, and no
        scheduled job is running."""
        if self.app is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet_rounds = 0
        while quiet_rounds < 3:
            emitted = self.sandbox.world.events.last_ts
            caught_up = (
                self.app.polled_ts >= emitted
                and not self.app.dispatcher.busy
                and not self.app.jobs.busy
            )
            quiet_rounds = quiet_rounds + 1 if caught_up else 0
            if loop.time() > deadline:
                raise TimeoutError(f"bot did not settle: polled {self.app.polled_ts}, emitted {emitted}")
            await asyncio.sleep(0.01)

    async def finish_background_work(self) -> None:
        """Wait for work handlers left running (imports, poster archives), then settle."""
        await self.settle()
        assert self.app is not None
        await self.app.services.tasks.drain()
        await self.settle()

    async def sms(self, phone: str) -> list[dict[str, Any]]:
        return await self.api("GET", f"/sandbox/sms?phone={phone.replace('+', '%2B')}")

    async def stats(self) -> dict[str, Any]:
        return await self.api("GET", "/sandbox/stats")

    async def download(self, message: Message) -> bytes:
        """The file attached to a message, as a person would download it."""
        (attachment,) = message.attachments
        async with self.http.get(attachment["url"]) as response:
            return await response.read()

    async def faults(self, **settings: Any) -> None:
        await self.api("POST", "/sandbox/faults", settings)


@dataclass
class Person:
    stack: Stack
    id: int
    name: str
    phone: str

    @property
    def dialog(self) -> int:
        """The community dialog, as this person sees it."""
        return -self.stack.group_id

    async def _act(self, path: str, body: dict[str, Any], peer_id: int | None) -> list[Message]:
        peer = self.dialog if peer_id is None else peer_id
        seen = max((m.cmid for m in await self.messages(peer)), default=0)
        await self.stack.api("POST", f"/sandbox/people/{self.id}/{path}", {"peer_id": peer, **body})
        await self.stack.settle()
        return [m for m in await self.messages(peer) if m.cmid > seen and m.from_id < 0]

    async def say(self, text: str, *, peer_id: int | None = None, payload: str | None = None) -> list[Message]:
        """Type and send a message; return what the community answered there."""
        body: dict[str, Any] = {"text": text}
        if payload is not None:
            body["payload"] = payload
        return await self._act("send", body, peer_id)

    async def press(self, label: str, *, peer_id: int | None = None) -> list[Message]:
        return await self._act("press", {"label": label}, peer_id)

    async def forge(self, payload: Any, *, peer_id: int | None = None) -> list[Message]:
        """A callback press with any payload (a JSON value or string), as a modified client
        sends one; what the community answered there (its snackbar: `snackbars()`)."""
        return await self._act("callback", {"payload": payload}, peer_id)

    async def upload(
        self, filename: str, content: bytes, *, peer_id: int | None = None, kind: str = "doc",
        text: str = "",
    ) -> list[Message]:
        """Send a file (`kind` doc or photo), with `text` typed beside it."""
        body = {
            "filename": filename,
            "content_base64": base64.b64encode(content).decode(),
            "kind": kind,
            "text": text,
        }
        return await self._act("upload", body, peer_id)

    async def open(self, url: str) -> dict[str, Any]:
        result = await self.stack.api("POST", f"/sandbox/people/{self.id}/open", {"url": url})
        await self.stack.settle()
        return result

    async def messages(self, peer_id: int | None = None) -> list[Message]:
        peer = self.dialog if peer_id is None else peer_id
        data = await self.stack.api(
            "GET", f"/sandbox/people/{self.id}/messages?peer_id={peer}&limit=1000"
        )
        return [Message(item) for item in data["items"]]

    async def snackbars(self, peer_id: int | None = None) -> list[str]:
        """Texts of the snackbars callback buttons showed this person there."""
        peer = self.dialog if peer_id is None else peer_id
        data = await self.stack.api("GET", f"/sandbox/people/{self.id}/messages?peer_id={peer}")
        return [item["text"] for item in data.get("snackbars", [])]

    async def keyboard(self, peer_id: int | None = None) -> list[str]:
        """Labels of the regular keyboard under the composer."""
        peer = self.dialog if peer_id is None else peer_id
        data = await self.stack.api("GET", f"/sandbox/people/{self.id}/messages?peer_id={peer}")
        return _labels(data.get("keyboard"))

    async def last(self, peer_id: int | None = None) -> Message:
        return [m for m in await self.messages(peer_id) if m.from_id < 0][-1]

    async def sms(self) -> list[dict[str, Any]]:
        return await self.stack.sms(self.phone)

    async def open_sms_link(self) -> dict[str, Any]:
        """Open the link at the end of the latest SMS, as the person would tap it."""
        return await self.open((await self.sms())[-1]["text"].rsplit(" ", 1)[-1])


def bot_settings(database_url: str, sandbox: Sandbox, data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        vk_token=SecretStr(sandbox.config.token),
        vk_group_id=sandbox.config.group_id,
        vk_api_url=sandbox.api_url,
        database_url=database_url,
        sms_outbox_url=f"{sandbox.base_url}/sandbox/sms",
        data_dir=data_dir,
        _env_file=None,  # type: ignore[call-arg]
        **overrides,
    )


def sandbox_config(tmp_path: Path, **overrides: Any) -> SandboxConfig:
    return SandboxConfig(db_path=tmp_path / "sandbox.sqlite3", port=0, **overrides)
