"""Fixtures for the sandbox tests: a fresh sandbox on a free port with a temporary world."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from vkbottle import API

from sandbox import Sandbox, SandboxConfig

from .helpers import SandboxClient

TEST_RATE_LIMIT = 10_000  # tests make many calls; the limit has its own test


def make_config(tmp_path: Path, **overrides: object) -> SandboxConfig:
    settings: dict[str, object] = {
        "db_path": tmp_path / "world.sqlite3",
        "port": 0,
        "rate_limit": TEST_RATE_LIMIT,
    }
    settings.update(overrides)
    return SandboxConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(make_config(tmp_path)) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(sandbox: Sandbox, session: aiohttp.ClientSession) -> SandboxClient:
    return SandboxClient(sandbox, session)


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[API]:
    """vkbottle's API, unchanged but for API_URL, pointed at the sandbox."""
    vk_api = API(sandbox.config.token)
    vk_api.API_URL = sandbox.api_url
    yield vk_api
    await vk_api.http_client.close()
