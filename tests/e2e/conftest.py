"""A sandbox and the real bot per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli import invite_admin
from sandbox.server import Sandbox
from tests.e2e.steps import bind_by_sms
from tests.harness import Person, Stack, bot_settings, sandbox_config


@asynccontextmanager
async def running_stack(
    database_url: str, tmp_path: Path, *, rate_limit: int | None = None, **overrides: Any
) -> AsyncIterator[Stack]:
    """The sandbox and the bot; `rate_limit` (calls a second) replaces VK's 20 on both sides;
    `overrides` are bot settings."""
    limits = {} if rate_limit is None else {"rate_limit": rate_limit}
    if rate_limit is not None:
        overrides = {**overrides, "vk_rate_limit": rate_limit}
    sandbox = Sandbox(sandbox_config(tmp_path, **limits))
    await sandbox.start()
    http = aiohttp.ClientSession(base_url=sandbox.base_url)
    running = Stack(sandbox, bot_settings(database_url, sandbox, tmp_path, **overrides), http)
    try:
        await running.start_bot()
        yield running
    finally:
        await running.stop_bot()
        await http.close()
        await sandbox.stop()


@pytest.fixture
async def stack(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Stack]:
    """With `@pytest.mark.bot_settings(**overrides)` the bot runs with those settings."""
    marker = request.node.get_closest_marker("bot_settings")
    overrides = marker.kwargs if marker is not None else {}
    async with running_stack(database_url, tmp_path, **overrides) as running:
        yield running


async def bind_admin(stack: Stack, person: Person, municipality: str = "Демо-город") -> None:
    """The first admin, as `python main.py admin add` makes them: SMS link, open, write, send
    the code texted to the phone."""
    assert stack.app is not None
    await invite_admin(
        stack.app.services, phone=person.phone, municipality=municipality, region="Демо-регион"
    )
    await bind_by_sms(person, "Начать")


@pytest.fixture
async def admin(stack: Stack) -> Person:
    anna = await stack.person("Анна Смирнова", "+79000000001")
    await bind_admin(stack, anna)
    return anna


async def bind_staff(stack: Stack, admin: Person, person: Person) -> None:
    """An admin invites `person` as staff; they open the SMS link and write; the admin
    confirms it is them («Ссылку открыл … — это ваш сотрудник?» — «Да»)."""
    await admin.press("Пригласить сотрудников")
    await admin.say(person.phone)
    await admin.press("Отправить приглашения")
    await bind_by_sms(person)
    await admin.press("Да")


@pytest.fixture
async def staff(stack: Stack, admin: Person) -> Person:
    boris = await stack.person("Борис Петров", "+79000000002")
    await bind_staff(stack, admin, boris)
    return boris


@asynccontextmanager
async def main_py_running(
    stack: Stack, *args: str, **options: Any
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`main_py(...)` that is killed at the end of the block if it has not ended by then."""
    process = await main_py(stack, *args, **options)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def main_py(
    stack: Stack,
    *args: str,
    capture: bool = False,
    logs: bool = False,
    env: dict[str, str] | None = None,
    module: str | None = None,
) -> asyncio.subprocess.Process:
    """`python main.py [args]` in its own process, against this sandbox and database (as against
    VK); with `capture`, what it prints is read through `communicate()`; with `logs`, its log
    (stderr) through `process.stderr`; `env` adds settings; `module` runs `python -m module`
    instead of main.py, in the same environment."""
    root = Path(__file__).resolve().parents[2]
    environment = {
        **os.environ,
        "VK_TOKEN": stack.sandbox.config.token,
        "VK_GROUP_ID": str(stack.group_id),
        "VK_API_URL": stack.sandbox.api_url,
        "DATABASE_URL": stack.settings.database_url,
        "SMS_OUTBOX_URL": stack.settings.sms_outbox_url,
        "SCHEDULER_LEASE_SECONDS": "3",  # a dead leader is replaced in 3 s
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, *(["-m", module] if module else [str(root / "main.py")]), *args,
        cwd=root, env=environment,
        stdout=asyncio.subprocess.PIPE if capture else None,
        stderr=asyncio.subprocess.PIPE if logs else None,
    )
