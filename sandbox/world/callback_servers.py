"""The community's Callback API servers: addresses, settings, confirmation and delivery progress.

Every change is announced to the listeners (the delivery) right after it is made, so a removed
server gets nothing more and a new or edited one is confirmed at once.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..config import SandboxConfig
from .store import Database

WAIT, OK, FAILED = "wait", "ok", "failed"


def confirmation_code(config: SandboxConfig) -> str:
    """The community's confirmation string (groups.getCallbackConfirmationCode): eight hex
    digits, the same for every server and across restarts."""
    return hashlib.sha256(f"{config.group_id}:{config.token}".encode()).hexdigest()[:8]


@dataclass(frozen=True)
class CallbackServer:
    id: int
    title: str
    url: str
    secret_key: str
    status: str  # wait | ok | failed
    generation: int
    api_version: str
    events: dict[str, int]  # enabled type -> the ts after which its events are sent
    cursor: int  # every event up to this ts is done (sent, given up, or not for the server)
    paused_until: float | None  # unix time

    def wants(self, event_type: str, ts: int) -> bool:
        enabled_after = self.events.get(event_type)
        return enabled_after is not None and ts > enabled_after


class CallbackServers:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def unlisten(self, listener: Callable[[], None]) -> None:
        self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- reading ----------------------------------------------------------------------------

    def all(self) -> list[CallbackServer]:
        return [_server(row) for row in self._db.all("SELECT * FROM callback_servers ORDER BY id")]

    def get(self, server_id: int) -> CallbackServer | None:
        row = self._db.one("SELECT * FROM callback_servers WHERE id = ?", (server_id,))
        return None if row is None else _server(row)

    def count(self) -> int:
        return int(self._db.scalar("SELECT COUNT(*) FROM callback_servers"))

    def done_above_cursor(self, server_id: int) -> set[int]:
        rows = self._db.all("SELECT ts FROM callback_done WHERE server_id = ?", (server_id,))
        return {row["ts"] for row in rows}

    # -- the community's changes (groups.*CallbackServer, setCallbackSettings) ---------------

    def add(self, url: str, title: str, secret_key: str, api_version: str, now: int) -> int:
        with self._db.transaction():
            server_id = int(self._db.execute(
                "INSERT INTO callback_servers (title, url, secret_key, api_version, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (title, url, secret_key, api_version, now),
            ).lastrowid)
        self._changed()
        return server_id

    def edit(self, server_id: int, url: str, title: str, secret_key: str) -> None:
        """New address or secret: the server is confirmed again before it gets anything."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE callback_servers SET url = ?, title = ?, secret_key = ?, status = ?, "
                "generation = generation + 1, paused_until = NULL WHERE id = ?",
                (url, title, secret_key, WAIT, server_id),
            )
        self._changed()

    def delete(self, server_id: int) -> None:
        with self._db.transaction():
            self._db.execute("DELETE FROM callback_servers WHERE id = ?", (server_id,))
        self._changed()

    def set_settings(
        self, server_id: int, api_version: str | None, enable: dict[str, bool], last_ts: int
    ) -> None:
        """A type enabled now gets the events after `last_ts`, none from before."""
        with self._db.transaction():
            server = self.get(server_id)
            if server is None:
                return
            events = dict(server.events)
            for event_type, on in enable.items():
                if not on:
                    events.pop(event_type, None)
                elif event_type not in events:
                    events[event_type] = last_ts
            self._db.execute(
                "UPDATE callback_servers SET api_version = ?, events = ? WHERE id = ?",
                (api_version or server.api_version, json.dumps(events), server_id),
            )
        self._changed()

    # -- the delivery's progress ------------------------------------------------------------

    def confirmed(self, server_id: int, generation: int, ok: bool, last_ts: int) -> None:
        """The confirmation's outcome, unless the server was edited meanwhile. A confirmed
        server gets the events from now on: none from before (nor its undelivered ones)."""
        with self._db.transaction():
            if ok:
                self._db.execute("DELETE FROM callback_done WHERE server_id = ?", (server_id,))
            self._db.execute(
                "UPDATE callback_servers SET status = ?, cursor = CASE WHEN ? THEN ? ELSE cursor "
                "END WHERE id = ? AND generation = ?",
                (OK if ok else FAILED, ok, last_ts, server_id, generation),
            )
        self._changed()

    def done(self, server_id: int, cursor: int, done_ts: Iterable[int] = ()) -> None:
        """Events up to `cursor` are done, and so are `done_ts` above it (out of order)."""
        try:
            with self._db.transaction():
                self._db.execute(
                    "UPDATE callback_servers SET cursor = ? WHERE id = ? AND cursor < ?",
                    (cursor, server_id, cursor),
                )
                self._db.execute(
                    "DELETE FROM callback_done WHERE server_id = ? AND ts <= ?", (server_id, cursor)
                )
                self._db.executemany(
                    "INSERT OR IGNORE INTO callback_done (server_id, ts) VALUES (?, ?)",
                    [(server_id, ts) for ts in done_ts if ts > cursor],
                )
        except sqlite3.IntegrityError:
            pass  # the server was deleted meanwhile: there is nothing to remember for it

    def pause(self, server_id: int, until: float | None) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE callback_servers SET paused_until = ? WHERE id = ?", (until, server_id)
            )


def _server(row: sqlite3.Row) -> CallbackServer:
    return CallbackServer(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        secret_key=row["secret_key"],
        status=row["status"],
        generation=row["generation"],
        api_version=row["api_version"],
        events=json.loads(row["events"]),
        cursor=row["cursor"],
        paused_until=row["paused_until"],
    )
