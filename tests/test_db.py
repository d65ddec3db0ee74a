"""How the database is opened: SQLite in WAL mode with a busy timeout; PostgreSQL with
transactions that survive a lost connection."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.backends.asyncpg.client import TransactionWrapper

from storage.db import close_database, init_database
from storage.runtime_state import get_value, set_value
from storage.throwaway import create_database, drop_database


async def test_sqlite_is_opened_in_wal_mode_with_the_busy_timeout(tmp_path: Path) -> None:
    await init_database(f"sqlite://{tmp_path}/bot.sqlite3", busy_timeout=1.5)
    try:
        connection = Tortoise.get_connection("sqlite")
        (mode,) = await connection.execute_query_dict("PRAGMA journal_mode")
        (timeout,) = await connection.execute_query_dict("PRAGMA busy_timeout")
    finally:
        await close_database()
    assert list(mode.values()) == ["wal"]  # readers never wait for a writer
    assert list(timeout.values()) == [1500]  # a write waits 1.5 s for another process's lock


@pytest.mark.postgres
async def test_a_transaction_whose_connection_died_gives_it_back(
    postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tortoise kept the pooled connection when BEGIN failed (the pool ran dry after a few
    lost connections, then every query waited for ever) and left the task on a dead
    connection when giving it back failed. Neither happens with storage.postgres."""
    url = await create_database(postgres_server, "t")
    try:
        await init_database(url)
        try:
            await get_value("k")  # the pool opens at the first query
            pool = Tortoise.get_connection("postgres")._pool
            lost = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")

            async def begin_on_a_dead_connection(self: object) -> None:
                raise lost

            with monkeypatch.context() as patch:
                patch.setattr(TransactionWrapper, "begin", begin_on_a_dead_connection)
                for _ in range(pool.get_max_size() + 1):
                    with pytest.raises(asyncpg.exceptions.ConnectionDoesNotExistError):
                        await set_value("k", "v")  # update_or_create: a transaction
            await asyncio.wait_for(set_value("k", "v"), 10)  # the pool was not emptied

            async def release_fails(self: object, connection: object) -> None:
                raise asyncpg.InterfaceError("connection is closed")

            with monkeypatch.context() as patch:
                patch.setattr(type(pool), "release", release_fails)
                await set_value("k", "w")
            assert await get_value("k") == "w"  # this task is not left on the dropped one
        finally:
            await close_database()
    finally:
        await drop_database(postgres_server, url)
