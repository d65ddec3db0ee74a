"""Database set-up: one config for the app, the migrations CLI and the tests.

`init_database` applies pending migrations (tortoise's built-in migration framework) and then
opens the ORM. The same code runs on SQLite (default) and PostgreSQL (`postgres://…`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate

MODELS_MODULE = "storage.models"
MIGRATIONS_MODULE = "storage.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    # The connection is named after the dialect: tortoise caches compiled INSERT/DELETE
    # statements per connection name process-wide, so a process that opens SQLite and later
    # PostgreSQL (the test suite) must not reuse one name for both.
    connection = database_url.split("://", 1)[0]
    return {
        "connections": {connection: database_url},
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


async def init_database(database_url: str) -> None:
    """Apply pending migrations, then open the ORM for every task of this process."""
    _ensure_sqlite_directory(database_url)
    config = tortoise_config(database_url)
    await migrate(config=config)
    await Tortoise.init(config=config, _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


# For the `tortoise` CLI: `tortoise -c storage.db.TORTOISE_ORM makemigrations`
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://data/bot.sqlite3"))
