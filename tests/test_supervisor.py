"""Loops outlive failed iterations; the database being away is told from a bug."""

from __future__ import annotations

import asyncio
import sqlite3

import asyncpg
import pytest
from tortoise.exceptions import IntegrityError, OperationalError

from bot.runtime.supervisor import Backoff, Supervisor, while_database_away
from storage.db import database_unavailable

QUICK = Backoff(first=0.001, maximum=0.004)
LOCKED = OperationalError(sqlite3.OperationalError("database is locked"))


def test_backoff_doubles_up_to_its_maximum() -> None:
    assert [Backoff(0.5, 3).delay(n) for n in range(1, 6)] == [0.5, 1, 2, 3, 3]


@pytest.mark.parametrize(
    "error",
    [
        LOCKED,
        OperationalError(sqlite3.OperationalError("database table is locked: lease")),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.ReadOnlySQLTransactionError("read-only transaction"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.exceptions.InternalClientError(
            "cannot switch to state 15; another operation (2) is in progress"
        ),
        ConnectionRefusedError(111, "Connection refused"),
    ],
)
def test_the_database_away(error: Exception) -> None:
    assert database_unavailable(error)
    try:
        try:
            raise error
        except Exception as inner:
            raise RuntimeError("handler failed") from inner
    except RuntimeError as outer:
        assert database_unavailable(outer)  # found as the cause, too


@pytest.mark.parametrize(
    "error",
    [
        OperationalError(sqlite3.OperationalError("no such table: processed_event")),
        IntegrityError(sqlite3.IntegrityError("UNIQUE constraint failed")),
        asyncpg.exceptions.UndefinedTableError("relation does not exist"),
        asyncpg.exceptions.InternalClientError("unexpected"),
        ValueError("a bug"),
    ],
)
def test_a_bug_is_not_the_database_away(error: Exception) -> None:
    assert not database_unavailable(error)


async def test_waiting_for_the_database_repeats_only_what_the_database_failed() -> None:
    attempts = 0

    async def claim() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 4:
            raise LOCKED
        return "done"

    assert await while_database_away("claim", claim, QUICK) == "done"
    assert attempts == 4

    async def bug() -> None:
        nonlocal attempts
        attempts += 1
        raise ValueError("a bug")

    attempts = 0
    with pytest.raises(ValueError):
        await while_database_away("bug", bug, QUICK)
    assert attempts == 1


async def test_patience_ends_the_wait() -> None:
    async def locked() -> None:
        raise LOCKED

    with pytest.raises(OperationalError):
        await while_database_away("job", locked, Backoff(0.01, 0.01), patience=0.035)


async def test_a_loop_survives_failed_iterations_and_gives_up_after_too_many() -> None:
    died: list[str] = []
    outcomes = iter([None, "fail", "fail", None, "fail", "fail", "fail", None])
    runs = 0
    finished = asyncio.Event()

    async def iteration() -> None:
        nonlocal runs
        runs += 1
        outcome = next(outcomes)
        if outcome == "fail":
            raise RuntimeError("boom")

    def on_death(name: str, _: BaseException) -> None:
        died.append(name)
        finished.set()

    supervisor = Supervisor(QUICK, max_failures=3, on_death=on_death)
    supervisor.loop("poll", iteration)
    await asyncio.wait_for(finished.wait(), 5)
    assert died == ["poll"]
    assert runs == 7  # two failures in a row are outlived; the third in a row is the end
    await supervisor.cancel()


async def test_a_failure_that_passes_never_ends_the_loop() -> None:
    """VK or the database away for long: retried as long as it lasts, never counted."""
    finished = asyncio.Event()
    died: list[str] = []
    runs = 0

    async def iteration() -> None:
        nonlocal runs
        runs += 1
        if runs == 20:
            finished.set()
        if runs <= 20:
            raise LOCKED

    supervisor = Supervisor(QUICK, max_failures=3, on_death=lambda name, _: died.append(name))
    supervisor.loop("flush", iteration, outlived=database_unavailable)
    await asyncio.wait_for(finished.wait(), 5)
    await supervisor.cancel()
    assert died == []
