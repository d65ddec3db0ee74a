"""Database set-up: one config for the app, the migrations CLI and the tests.

`init_database` applies pending migrations (tortoise's built-in migration framework) and then
opens the ORM. The same code runs on SQLite (default) and PostgreSQL (`postgres://…`).

SQLite is opened in WAL mode (readers never wait for a writer) with a busy timeout (a write
waits that long for another process's lock, such as `main.py admin add` beside the bot).
PostgreSQL goes through asyncpg's pool, which replaces a lost connection at its next use, and
tortoise's asyncpg engine with transactions fixed to survive a lost connection (`storage/postgres.py`).
Either way a query can still fail while the database is away; `database_unavailable(error)`
tells such a failure (worth retrying) from a bug, and the callers retry (see docs/architecture.md).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate

MODELS_MODULE = "storage.models"
MIGRATIONS_MODULE = "storage.migrations"
POSTGRES_ENGINE = "storage.postgres"
DEFAULT_BUSY_TIMEOUT = 5.0  # seconds


def tortoise_config(
    database_url: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
) -> dict[str, Any]:
    # The connection is named after the dialect: tortoise caches compiled INSERT/DELETE
    # statements per connection name process-wide, so a process that opens SQLite and later
    # PostgreSQL (the test suite) must not reuse one name for both.
    connection = database_url.split("://", 1)[0]
    database = expand_db_url(database_url)
    if connection == "sqlite":
        # Pragmas run in this order when the connection opens: the timeout first, so that
        # switching to WAL waits for a lock another process may hold.
        database["credentials"] = {
            "busy_timeout": round(busy_timeout * 1000),
            **database["credentials"],
            "journal_mode": "WAL",
        }
    elif database["engine"] == "tortoise.backends.asyncpg":
        database["engine"] = POSTGRES_ENGINE  # transactions that survive a lost connection
    return {
        "connections": {connection: database},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "migrations": MIGRATIONS_MODULE,
                "default_connection": connection,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_directory(database_url: str) -> None:
    if not database_url.startswith("sqlite://"):
        return
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


async def init_database(database_url: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
    """Apply pending migrations, then open the ORM for every task of this process."""
    _ensure_sqlite_directory(database_url)
    config = tortoise_config(database_url, busy_timeout=busy_timeout)
    async with _migrating_alone(database_url):
        await migrate(config=config)
    await Tortoise.init(config=config, _enable_global_fallback=True)


MIGRATION_LOCK = 0x1B0C6  # PostgreSQL advisory lock: processes started together migrate in turn


@contextlib.asynccontextmanager
async def _migrating_alone(database_url: str) -> AsyncIterator[None]:
    """On PostgreSQL, one process at a time applies migrations (the others wait, then find
    nothing left to do); SQLite serialises writers itself."""
    if database_url.startswith("sqlite://"):
        yield
        return
    credentials = expand_db_url(database_url)["credentials"]
    connection = await asyncpg.connect(
        host=credentials.get("host"), port=credentials.get("port"),
        user=credentials.get("user"), password=credentials.get("password"),
        database=credentials.get("database"),
    )
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        yield
    finally:
        await connection.close()  # the session lock goes with it


async def close_database() -> None:
    await Tortoise.close_connections()


# Failures that say the database is away for now (locked by another process, connection lost,
# server restarting or failing over), not that the query is wrong.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
# asyncpg's words for a connection a lost server left in a broken state
_POSTGRES_BROKEN = ("cannot switch to state", "not connected")
_POSTGRES_AWAY = (
    asyncpg.PostgresConnectionError,  # connection lost or refused (08xxx)
    asyncpg.exceptions.OperatorInterventionError,  # terminated, shutting down, starting (57xxx)
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full (53xxx)
    asyncpg.exceptions.TransactionRollbackError,  # serialization failure, deadlock (40xxx)
    asyncpg.exceptions.ReadOnlySQLTransactionError,  # a failed-over primary, now a replica
    asyncpg.InterfaceError,  # the client's side of a closed connection
    DBConnectionError,
    ConnectionError,
    TimeoutError,
)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is the database being away for now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _POSTGRES_AWAY):
            return True
        if isinstance(current, sqlite3.OperationalError) and str(current).startswith(_SQLITE_BUSY):
            return True
        if isinstance(current, asyncpg.exceptions.InternalClientError) and str(current).startswith(
            _POSTGRES_BROKEN
        ):
            return True
        # tortoise wraps the driver's error as its first argument
        wrapped = next((a for a in current.args if isinstance(a, BaseException)), None)
        context = None if current.__suppress_context__ else current.__context__
        current = current.__cause__ or wrapped or context
    return False


# For the `tortoise` CLI: `tortoise -c storage.db.TORTOISE_ORM makemigrations`
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://data/bot.sqlite3"))
