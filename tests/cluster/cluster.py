"""Several bot processes behind HAProxy in Callback API mode, against an in-process sandbox on
one PostgreSQL database — as docs/deploy.md sets it up, with `deploy/haproxy.cfg` unchanged.

`ClusterStack` is the e2e `Stack` for it: people act through the sandbox as usual, and
`settle()` waits until the sandbox has delivered every event (acknowledged: stored in the
inbox) and the inbox has nothing left to handle, whichever process handles it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import JobIntervals
from sandbox.config import CallbackSettings
from sandbox.server import Sandbox
from storage import inbox
from storage.db import close_database, init_database
from tests.e2e.conftest import main_py
from tests.harness import Stack, bot_settings, sandbox_config

ROOT = Path(__file__).resolve().parents[2]
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
SECRET = "ClusterTest42"
PATH = "/vk/callback"
# VK's delivery, quicker: a lost request is sent again after 0.2 s, 0.4 s, …
DELIVERY = CallbackSettings(timeout=3.0, retry_delay=0.2, max_attempts=12, pause_after=60,
                            pause_seconds=2.0, concurrency=8)


def haproxy_available() -> bool:
    return os.access(HAPROXY, os.X_OK)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ClusterStack(Stack):
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    balancer: asyncio.subprocess.Process | None = None
    balancer_port: int = 0
    clock_file: Path = Path()

    def bot_env(self, port: int) -> dict[str, str]:
        return {
            "VK_TRANSPORT": "callback",
            "CALLBACK_SECRET": SECRET,
            "CALLBACK_PORT": str(port),
            "CALLBACK_PATH": PATH,
            "INBOX_LEASE_SECONDS": "6",  # a killed process's events are taken over in 6 s
            "INBOX_POLL_SECONDS": "0.1",
            "JOB_INTERVALS": JobIntervals.every(0.3).model_dump_json(),
            "CLOCK_FILE": str(self.clock_file),
            "RETRY_FIRST_SECONDS": "0.05",
            "RETRY_MAX_SECONDS": "0.5",
        }

    async def start_process(self, index: int) -> None:
        process = await main_py(self, module="tests.cluster.bot_process",
                                env=self.bot_env(self.ports[index]))
        self.processes[index] = process
        await self._until_up(f"http://127.0.0.1:{self.ports[index]}/health", process)

    async def _until_up(self, url: str, process: asyncio.subprocess.Process) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        async with aiohttp.ClientSession() as session:
            while True:
                if process.returncode is not None:
                    raise AssertionError(f"{url}: the process ended ({process.returncode})")
                try:
                    async with session.get(url, timeout=aiohttp.ClientTimeout(total=1)) as answer:
                        if answer.status == 200:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
                if loop.time() > deadline:
                    raise TimeoutError(f"{url} never answered")
                await asyncio.sleep(0.1)

    async def start_balancer(self) -> None:
        self.balancer_port = free_port()
        env = {**os.environ, "LB_BIND": f"127.0.0.1:{self.balancer_port}"}
        for number, port in enumerate(self.ports, start=1):
            env[f"BOT{number}"] = f"127.0.0.1:{port}"
        self.balancer = await asyncio.create_subprocess_exec(
            HAPROXY, "-db", "-f", str(ROOT / "deploy" / "haproxy.cfg"), env=env,
            stdout=asyncio.subprocess.DEVNULL,
        )
        await self._until_up(f"http://127.0.0.1:{self.balancer_port}/health", self.balancer)

    @property
    def callback_url(self) -> str:
        return f"http://127.0.0.1:{self.balancer_port}{PATH}"

    async def register(self) -> str:
        """`python main.py callback register --url …`, as at deploy; waits for the confirmation."""
        process = await main_py(self, "callback", "register", "--url", self.callback_url,
                                capture=True, env={"CALLBACK_SECRET": SECRET})
        out, _ = await process.communicate()
        assert process.returncode == 0, out
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while [s["status"] for s in (await self.api("GET", "/sandbox/callback"))["servers"]] != ["ok"]:
            if loop.time() > deadline:
                raise TimeoutError("the server was never confirmed")
            await asyncio.sleep(0.05)
        return out.decode()

    def kill(self, index: int) -> None:
        self.processes[index].send_signal(signal.SIGKILL)

    def set_clock(self, moment: datetime) -> None:
        """Every process's domain clock reads `moment` from now on (and goes on from there)."""
        offset = (moment - datetime.now(timezone.utc)).total_seconds()
        self.clock_file.write_text(str(offset))

    async def settle(self, timeout: float = 30.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet_rounds = 0
        while quiet_rounds < 3:
            emitted = self.sandbox.world.events.last_ts
            servers = (await self.api("GET", "/sandbox/callback"))["servers"]
            delivered = bool(servers) and all(
                s["cursor"] >= emitted and s["in_flight"] == 0 for s in servers
            )
            caught_up = delivered and await inbox.backlog() == 0
            quiet_rounds = quiet_rounds + 1 if caught_up else 0
            if loop.time() > deadline:
                raise TimeoutError(f"the cluster did not settle: {servers}, emitted {emitted}")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        started = [process for process in self.processes if process is not None]
        for process in started:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self.balancer is not None and self.balancer.returncode is None:
            self.balancer.kill()
            await self.balancer.wait()


@asynccontextmanager
async def running_cluster(
    database_url: str, tmp_path: Path, processes: int = 3, **sandbox: Any
) -> AsyncIterator[ClusterStack]:
    """The sandbox, `processes` bot processes (3: `deploy/haproxy.cfg` names three), HAProxy,
    the server registered and confirmed; with no processes, the sandbox and the database."""
    await init_database(database_url)  # the test reads the inbox; the processes find it migrated
    world = Sandbox(sandbox_config(tmp_path, callback=DELIVERY, **sandbox))
    await world.start()
    http = aiohttp.ClientSession(base_url=world.base_url)
    stack = ClusterStack(world, bot_settings(database_url, world, tmp_path), http,
                         clock_file=tmp_path / "clock-offset")
    stack.clock_file.write_text("0")
    try:
        stack.ports = [free_port() for _ in range(processes)]
        stack.processes = [None] * processes  # type: ignore[list-item]
        await asyncio.gather(*(stack.start_process(i) for i in range(processes)))
        if processes:
            await stack.start_balancer()
            await stack.register()
        yield stack
    finally:
        await stack.stop()
        await http.close()
        await world.stop()
        await close_database()
