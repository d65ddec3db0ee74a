"""How the database is opened: SQLite in WAL mode with a busy timeout."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise

from storage.db import close_database, init_database


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
