"""The community's event log (Bots Long Poll and the Callback API) and the long-poll keys."""

from __future__ import annotations

import json
import secrets
from typing import Any

from .store import Database

API_VERSION = "5.199"
PRUNE_EVERY = 100  # events between prunes of the kept history


class EventLog:
    """Events numbered 1, 2, 3…; `ts` is the number of the last event handed out."""

    def __init__(self, db: Database, group_id: int, history: int, backlog: int) -> None:
        self._db = db
        self._group_id = group_id
        self._history = history
        self._backlog = max(backlog, history)
        # after a failed 3 the next server's ts starts here, so nothing emitted meanwhile is lost
        self._resume_ts: int | None = None

    @property
    def last_ts(self) -> int:
        return int(self._db.scalar("SELECT seq FROM sqlite_sequence WHERE name = 'events'") or 0)

    def emit(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        update = {
            "type": event_type,
            "object": obj,
            "group_id": self._group_id,
            "event_id": secrets.token_hex(20),
            "v": API_VERSION,
        }
        body = json.dumps(update, ensure_ascii=False)
        with self._db.transaction():
            ts = int(self._db.execute("INSERT INTO events (body) VALUES (?)", (body,)).lastrowid)
            if ts % PRUNE_EVERY == 0:
                self._db.execute("DELETE FROM events WHERE ts <= ?", (self._prune_up_to(ts),))
        return update

    def _prune_up_to(self, ts: int) -> int:
        """The kept history, and besides what a confirmed Callback API server still has to
        get — but never more than the backlog."""
        bound = ts - self._history
        waiting = self._db.scalar("SELECT MIN(cursor) FROM callback_servers WHERE status = 'ok'")
        if waiting is not None:
            bound = min(bound, waiting)
        return max(bound, ts - self._backlog)

    def after(self, ts: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """Up to `limit` events after `ts`, and the ts of the last of them."""
        rows = self.numbered_after(ts, limit)
        last = rows[-1][0] if rows else ts
        return last, [update for _, update in rows]

    def numbered_after(self, ts: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        """Up to `limit` events after `ts`, each with its ts, oldest first."""
        rows = self._db.all(
            "SELECT ts, body FROM events WHERE ts > ? ORDER BY ts LIMIT ?", (ts, limit)
        )
        return [(row["ts"], json.loads(row["body"])) for row in rows]

    def is_kept(self, ts: int) -> bool:
        """Can the events after `ts` still be handed out in full?"""
        if ts > self.last_ts:
            return False
        oldest = self._db.scalar("SELECT MIN(ts) FROM events")
        return oldest is None or ts >= oldest - 1

    # -- keys -------------------------------------------------------------------------------

    def server_key_and_ts(self, now: int) -> tuple[str, int]:
        """What groups.getLongPollServer hands out: the active key (made if none) and a ts."""
        with self._db.transaction():
            key = self._db.scalar("SELECT key FROM longpoll_keys WHERE active ORDER BY rowid DESC")
            if key is None:
                key = secrets.token_hex(20)
                self._db.execute(
                    "INSERT INTO longpoll_keys (key, created_at) VALUES (?, ?)", (key, now)
                )
        ts = self.last_ts if self._resume_ts is None else self._resume_ts
        self._resume_ts = None
        return key, ts

    def is_active(self, key: str) -> bool:
        return bool(self._db.scalar("SELECT active FROM longpoll_keys WHERE key = ?", (key,)))

    def invalidate(self, key: str, resume_ts: int | None = None) -> None:
        with self._db.transaction():
            self._db.execute("UPDATE longpoll_keys SET active = 0 WHERE key = ?", (key,))
        if resume_ts is not None:
            self._resume_ts = resume_ts
