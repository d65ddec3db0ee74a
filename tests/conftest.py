"""Shared fixtures: a fresh database per test, on SQLite always and on PostgreSQL when configured.

PostgreSQL tests run when TEST_POSTGRES_URL points at a server (CI sets it); otherwise they are
skipped with the reason. With REQUIRE_POSTGRES=1 (CI) a skipped or missing PostgreSQL test fails
the run instead.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from storage.db import close_database, init_database
from storage.throwaway import create_database, drop_database

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
SKIP_REASON = (
    "PostgreSQL tests skipped: set TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test "
    "to run them (.ci/run does)"
)

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


_postgres_outcomes: dict[str, int] = {"passed": 0, "other": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" not in report.keywords:
        return
    if report.when == "call" and report.passed:
        _postgres_outcomes["passed"] += 1
    elif report.skipped or report.failed:
        _postgres_outcomes["other"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not REQUIRE_POSTGRES:
        return
    if _postgres_outcomes["passed"] == 0 or _postgres_outcomes["other"]:
        print(
            "\nREQUIRE_POSTGRES=1 but PostgreSQL tests did not all run and pass "
            f"(passed {_postgres_outcomes['passed']}, skipped/failed {_postgres_outcomes['other']})."
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@asynccontextmanager
async def empty_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database URL (not opened): SQLite in tmp_path, or a throwaway PG database."""
    if backend == "sqlite":
        yield f"sqlite://{tmp_path / 'bot.sqlite3'}"
        return
    url = await create_database(POSTGRES_URL, "t")
    try:
        yield url
    finally:
        await drop_database(POSTGRES_URL, url)


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """The ORM opened on a migrated, empty database."""
    await init_database(database_url)
    try:
        yield database_url
    finally:
        await close_database()
