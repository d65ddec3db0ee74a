"""Uploaded files (kept as BLOBs) and the documents and photos saved from them."""

from __future__ import annotations

import secrets

from .records import Media, StoredFile
from .store import Database

_FILE_COLUMNS = (
    "id, token, purpose, chat_id, filename, length(content) AS size, width, height, created_at"
)


class MediaStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def store_file(
        self,
        purpose: str,
        filename: str,
        content: bytes,
        now: int,
        size: tuple[int, int] = (0, 0),
        chat_id: int | None = None,
    ) -> StoredFile:
        token = secrets.token_urlsafe(24)
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO files (token, purpose, chat_id, filename, content, width, height, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (token, purpose, chat_id, filename, content, *size, now),
            )
        stored = self.file(token)
        assert stored is not None
        return stored

    def file(self, token: str) -> StoredFile | None:
        row = self._db.one(f"SELECT {_FILE_COLUMNS} FROM files WHERE token = ?", (token,))
        return None if row is None else StoredFile.from_row(row)

    def file_by_id(self, file_id: int) -> StoredFile | None:
        row = self._db.one(f"SELECT {_FILE_COLUMNS} FROM files WHERE id = ?", (file_id,))
        return None if row is None else StoredFile.from_row(row)

    def content(self, token: str) -> bytes | None:
        return self._db.scalar("SELECT content FROM files WHERE token = ?", (token,))

    def save(self, kind: str, owner_id: int, stored: StoredFile, title: str, now: int) -> Media:
        with self._db.transaction():
            media_id = self._db.execute(
                "INSERT INTO media (kind, owner_id, file_id, title, date, access_key) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, owner_id, stored.id, title, now, secrets.token_hex(9)),
            ).lastrowid
        return self.many([int(media_id)])[int(media_id)]  # type: ignore[arg-type]

    def get(self, media_id: int) -> Media | None:
        return self.many([media_id]).get(media_id)

    def many(self, media_ids: list[int]) -> dict[int, Media]:
        marks = ",".join("?" * len(media_ids))
        rows = self._db.all(
            "SELECT m.id, m.kind, m.owner_id, m.file_id, m.title, m.date, m.access_key, "
            "f.token, f.filename, length(f.content) AS size, f.width, f.height "
            f"FROM media m JOIN files f ON f.id = m.file_id WHERE m.id IN ({marks})",
            media_ids,
        )
        return {row["id"]: Media.from_row(row) for row in rows}
