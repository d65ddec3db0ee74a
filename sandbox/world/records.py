"""Plain records read from the world's tables."""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass, fields
from typing import Any, Self

CHAT_PEER_OFFSET = 2_000_000_000


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    return {f.name: f.type for f in fields(cls)}


class Record:
    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Self:
        """Columns named like the fields; SQLite's 0/1 become bools where the field is one."""
        types = _field_types(cls)
        return cls(
            **{
                key: bool(row[key]) if types[key] == "bool" else row[key]
                for key in row.keys()
                if key in types
            }
        )


@dataclass(frozen=True)
class Person(Record):
    id: int
    name: str
    phone: str
    has_vk: bool
    note: str
    permission: str  # none | allowed | denied
    pending_ref: str | None
    pending_ref_source: str | None
    view_version: int

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def last_name(self) -> str:
        parts = self.name.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""

    @property
    def allows_messages(self) -> bool:
        return self.permission == "allowed"


@dataclass(frozen=True)
class Chat(Record):
    id: int
    title: str
    created_at: int
    invite_token: str | None
    community_state: str  # in | kicked | left
    photo_file_id: int | None
    deleted: bool

    @property
    def community_peer_id(self) -> int:
        return CHAT_PEER_OFFSET + self.id


@dataclass(frozen=True)
class Member(Record):
    chat_id: int
    member_id: int
    invited_by: int
    join_date: int
    is_admin: bool


@dataclass(frozen=True)
class PersonChat(Record):
    person_id: int
    chat_id: int
    local_id: int
    visible_from_cmid: int
    visible_until_cmid: int | None

    @property
    def peer_id(self) -> int:
        return CHAT_PEER_OFFSET + self.local_id


@dataclass(frozen=True)
class Conversation(Record):
    id: int
    kind: str  # dialog | chat
    target_id: int
    last_cmid: int
    keyboard: str | None
    keyboard_cmid: int | None
    pinned_cmid: int | None

    @property
    def is_chat(self) -> bool:
        return self.kind == "chat"

    @property
    def current_keyboard(self) -> dict[str, Any] | None:
        return json.loads(self.keyboard) if self.keyboard else None


@dataclass(frozen=True)
class Message(Record):
    id: int
    conversation_id: int
    cmid: int
    from_id: int
    date: int
    text: str
    payload: str | None
    keyboard: str | None
    attachments: str
    action: str | None
    ref: str | None
    ref_source: str | None
    random_id: int
    update_time: int | None
    deleted: bool
    version: int

    @property
    def attachment_refs(self) -> list[dict[str, Any]]:
        return json.loads(self.attachments)

    @property
    def action_data(self) -> dict[str, Any] | None:
        return json.loads(self.action) if self.action else None

    @property
    def inline_keyboard(self) -> dict[str, Any] | None:
        return json.loads(self.keyboard) if self.keyboard else None


@dataclass(frozen=True)
class StoredFile(Record):
    id: int
    token: str
    purpose: str  # doc | photo | chat_photo
    chat_id: int | None
    filename: str
    size: int
    width: int
    height: int
    created_at: int


@dataclass(frozen=True)
class Media(Record):
    """A saved document or photo, with the facts of its file."""

    id: int
    kind: str  # doc | photo
    owner_id: int
    file_id: int
    title: str
    date: int
    access_key: str
    token: str
    filename: str
    size: int
    width: int
    height: int

    @property
    def ext(self) -> str:
        _, dot, ext = self.filename.rpartition(".")
        return ext.lower() if dot else ""
