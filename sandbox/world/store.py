"""One SQLite connection for the whole world, with transactions that announce their commits."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .schema import SCHEMA, SCHEMA_VERSION

Params = Sequence[Any] | dict[str, Any]


def remove_database(path: Path) -> None:
    """Delete an SQLite database with its `-wal` and `-shm` companions."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        file.unlink(missing_ok=True)


class Database:
    """Thin helpers over `sqlite3`; every change goes through `transaction()`."""

    def __init__(self, path: str | Path, on_commit: Callable[[], None]) -> None:
        self._conn = sqlite3.connect(str(path), isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._on_commit = on_commit
        self._in_transaction = False
        self._savepoints = 0
        if str(path) != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic change. A nested call is a savepoint of the outer one: if it fails, its
        own changes are undone and the outer transaction goes on. A commit that changed
        something wakes the waiters (one that changed nothing has nothing to tell them)."""
        if self._in_transaction:
            with self._savepoint():
                yield
            return
        changes_before = self._conn.total_changes
        self._conn.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")
        finally:
            self._in_transaction = False
        if self._conn.total_changes != changes_before:
            self._on_commit()

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        name = f"nested_{self._savepoints}"
        self._savepoints += 1
        self._conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._conn.execute(f"ROLLBACK TO {name}")
            raise
        finally:
            self._conn.execute(f"RELEASE {name}")
            self._savepoints -= 1

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._conn.executemany(sql, rows)

    def one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        return self._conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self._conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def next_value(self, counter: str) -> int:
        """The next number of a named persistent counter (1, 2, 3…)."""
        self._conn.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1",
            (counter,),
        )
        return int(self.scalar("SELECT value FROM counters WHERE name = ?", (counter,)))
