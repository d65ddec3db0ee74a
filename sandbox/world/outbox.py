"""The SMS outbox: what the bot's SMS gateway "sent"."""

from __future__ import annotations

from typing import Any

from .store import Database


class SmsOutbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, phone: str, text: str, sender: str, now: int) -> int:
        with self._db.transaction():
            return int(
                self._db.execute(
                    "INSERT INTO sms (phone, text, sender, date) VALUES (?, ?, ?, ?)",
                    (phone, text, sender, now),
                ).lastrowid  # type: ignore[arg-type]
            )

    def all(self, phone: str | None = None) -> list[dict[str, Any]]:
        rows = self._db.all(
            "SELECT id, phone, text, sender, date FROM sms "
            "WHERE phone = COALESCE(?, phone) ORDER BY id",
            (phone,),
        )
        return [dict(row) for row in rows]
