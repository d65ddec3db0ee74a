"""Conversations (dialogs with the community, chats), their messages and read marks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .records import Conversation, Message
from .store import Database


@dataclass
class NewMessage:
    """What is posted; `keyboard` is an inline keyboard kept on the message itself."""

    from_id: int
    text: str = ""
    payload: str | None = None
    keyboard: dict[str, Any] | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    action: dict[str, Any] | None = None
    ref: str | None = None
    ref_source: str | None = None
    random_id: int = 0


class Sent(NamedTuple):
    """What messages.send reports for one recipient."""

    message_id: int
    cmid: int


class Conversations:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- conversations ----------------------------------------------------------------------

    def dialog(self, person_id: int) -> Conversation:
        return self._get_or_create("dialog", person_id)

    def chat(self, chat_id: int) -> Conversation:
        return self._get_or_create("chat", chat_id)

    def find_dialog(self, person_id: int) -> Conversation | None:
        return self._find("dialog", person_id)

    def get(self, conversation_id: int) -> Conversation:
        row = self._db.one("SELECT * FROM conversations WHERE id = ?", (conversation_id,))
        assert row is not None
        return Conversation.from_row(row)

    def _find(self, kind: str, target_id: int) -> Conversation | None:
        row = self._db.one(
            "SELECT * FROM conversations WHERE kind = ? AND target_id = ?", (kind, target_id)
        )
        return None if row is None else Conversation.from_row(row)

    def _get_or_create(self, kind: str, target_id: int) -> Conversation:
        found = self._find(kind, target_id)
        if found is not None:
            return found
        with self._db.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO conversations (kind, target_id) VALUES (?, ?)",
                (kind, target_id),
            )
        conversation = self._find(kind, target_id)
        assert conversation is not None
        return conversation

    def set_keyboard(self, conversation_id: int, keyboard: dict | None, cmid: int | None) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE conversations SET keyboard = ?, keyboard_cmid = ? WHERE id = ?",
                (_json_or_none(keyboard), cmid, conversation_id),
            )

    def set_pinned(self, conversation_id: int, cmid: int | None) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE conversations SET pinned_cmid = ? WHERE id = ?", (cmid, conversation_id)
            )

    # -- messages ---------------------------------------------------------------------------

    def add(self, conversation_id: int, new: NewMessage, now: int) -> Message:
        with self._db.transaction():
            self._db.execute(
                "UPDATE conversations SET last_cmid = last_cmid + 1 WHERE id = ?",
                (conversation_id,),
            )
            cmid = self._db.scalar(
                "SELECT last_cmid FROM conversations WHERE id = ?", (conversation_id,)
            )
            message_id = self._db.execute(
                "INSERT INTO messages (conversation_id, cmid, from_id, date, text, payload, "
                "keyboard, attachments, action, ref, ref_source, random_id, version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id, cmid, new.from_id, now, new.text, new.payload,
                    _json_or_none(new.keyboard), _json_or_none(new.attachments),
                    _json_or_none(new.action), new.ref, new.ref_source, new.random_id,
                    self._db.next_value("message_version"),
                ),
            ).lastrowid
        return self.by_id(int(message_id))  # type: ignore[arg-type,return-value]

    def edit(
        self,
        message_id: int,
        now: int,
        text: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        keyboard: dict[str, Any] | None = None,
    ) -> Message:
        """Replace what is given; the rest of the message stays as it was."""
        current = self.by_id(message_id)
        assert current is not None
        with self._db.transaction():
            self._db.execute(
                "UPDATE messages SET text = ?, attachments = ?, keyboard = ?, update_time = ?, "
                "version = ? WHERE id = ?",
                (
                    current.text if text is None else text,
                    current.attachments if attachments is None else _json_or_none(attachments),
                    current.keyboard if keyboard is None else _json_or_none(keyboard),
                    now,
                    self._db.next_value("message_version"),
                    message_id,
                ),
            )
        return self.by_id(message_id)  # type: ignore[return-value]

    def delete(self, message_id: int) -> None:
        with self._db.transaction():
            self._db.execute("UPDATE messages SET deleted = 1 WHERE id = ?", (message_id,))

    def by_id(self, message_id: int) -> Message | None:
        row = self._db.one("SELECT * FROM messages WHERE id = ? AND NOT deleted", (message_id,))
        return None if row is None else Message.from_row(row)

    def by_cmid(self, conversation_id: int, cmid: int) -> Message | None:
        row = self._db.one(
            "SELECT * FROM messages WHERE conversation_id = ? AND cmid = ? AND NOT deleted",
            (conversation_id, cmid),
        )
        return None if row is None else Message.from_row(row)

    def window(
        self, conversation_id: int, first_cmid: int, last_cmid: int | None, limit: int
    ) -> list[Message]:
        """The last `limit` messages with first_cmid <= cmid <= last_cmid, oldest first."""
        rows = self._db.all(
            "SELECT * FROM messages WHERE conversation_id = ? AND NOT deleted "
            "AND cmid >= ? AND cmid <= COALESCE(?, cmid) ORDER BY cmid DESC LIMIT ?",
            (conversation_id, first_cmid, last_cmid, limit),
        )
        return [Message.from_row(row) for row in reversed(rows)]

    def with_inline_keyboards(
        self, conversation_id: int, first_cmid: int, last_cmid: int | None
    ) -> list[Message]:
        """Messages carrying an inline keyboard, newest first."""
        rows = self._db.all(
            "SELECT * FROM messages WHERE conversation_id = ? AND NOT deleted "
            "AND keyboard IS NOT NULL AND cmid >= ? AND cmid <= COALESCE(?, cmid) "
            "ORDER BY cmid DESC",
            (conversation_id, first_cmid, last_cmid),
        )
        return [Message.from_row(row) for row in rows]

    # -- read marks -------------------------------------------------------------------------

    def unread_count(
        self, person_id: int, conversation_id: int, first_cmid: int, last_cmid: int | None
    ) -> int:
        return int(
            self._db.scalar(
                "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND NOT deleted "
                "AND from_id != ? AND cmid >= ? AND cmid <= COALESCE(?, cmid) AND cmid > "
                "COALESCE((SELECT last_read_cmid FROM reads "
                "WHERE person_id = ? AND conversation_id = ?), 0)",
                (conversation_id, person_id, first_cmid, last_cmid, person_id, conversation_id),
            )
        )

    def mark_read(self, person_id: int, conversation_id: int, cmid: int) -> None:
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO reads (person_id, conversation_id, last_read_cmid) VALUES (?, ?, ?) "
                "ON CONFLICT(person_id, conversation_id) DO UPDATE SET last_read_cmid = ?",
                (person_id, conversation_id, cmid, cmid),
            )

    # -- random_id de-duplication -----------------------------------------------------------

    def sent_with_random_id(self, peer_id: int, random_id: int) -> Sent | None:
        row = self._db.one(
            "SELECT message_id, cmid FROM sent_random_ids WHERE peer_id = ? AND random_id = ?",
            (peer_id, random_id),
        )
        return None if row is None else Sent(row["message_id"], row["cmid"])

    def remember_random_id(self, peer_id: int, random_id: int, sent: Sent) -> None:
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO sent_random_ids (peer_id, random_id, message_id, cmid) "
                "VALUES (?, ?, ?, ?)",
                (peer_id, random_id, *sent),
            )


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)
