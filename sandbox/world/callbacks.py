"""Callback button presses and what the community answered to them."""

from __future__ import annotations

import json
import secrets
from typing import Any

from .store import Database


class Callbacks:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, person_id: int, conversation_id: int, now: int) -> str:
        event_id = secrets.token_hex(8)
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO callbacks (event_id, person_id, conversation_id, created_at) "
                "VALUES (?, ?, ?, ?)",
                (event_id, person_id, conversation_id, now),
            )
        return event_id

    def pending(self, event_id: str, not_before: int) -> dict[str, Any] | None:
        """An unanswered press made at or after `not_before`."""
        row = self._db.one(
            "SELECT * FROM callbacks WHERE event_id = ? AND NOT answered AND created_at >= ?",
            (event_id, not_before),
        )
        return None if row is None else dict(row)

    def answer(
        self, event_id: str, person_id: int, conversation_id: int,
        data: dict[str, Any] | None, now: int,
    ) -> None:
        with self._db.transaction():
            self._db.execute("UPDATE callbacks SET answered = 1 WHERE event_id = ?", (event_id,))
            if data is not None:
                self._db.execute(
                    "INSERT INTO event_answers (person_id, conversation_id, data, date) "
                    "VALUES (?, ?, ?, ?)",
                    (person_id, conversation_id, json.dumps(data, ensure_ascii=False), now),
                )

    def answers(self, person_id: int, conversation_id: int) -> list[dict[str, Any]]:
        rows = self._db.all(
            "SELECT data, date FROM event_answers WHERE person_id = ? AND conversation_id = ? "
            "ORDER BY id",
            (person_id, conversation_id),
        )
        return [{**json.loads(row["data"]), "date": row["date"]} for row in rows]
