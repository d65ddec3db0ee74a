"""People of the world: VK users (and phones without VK) the sandbox can act as."""

from __future__ import annotations

from .records import Person
from .store import Database

FIRST_USER_ID = 1_000_001


class PhoneTaken(Exception):
    pass


class People:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, name: str, phone: str, has_vk: bool, note: str, now: int) -> Person:
        with self._db.transaction():
            if self.by_phone(phone) is not None:
                raise PhoneTaken(phone)
            person_id = self._db.scalar(
                "SELECT COALESCE(MAX(id) + 1, ?) FROM people", (FIRST_USER_ID,)
            )
            self._db.execute(
                "INSERT INTO people (id, name, phone, has_vk, note, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (person_id, name, phone, int(has_vk), note, now),
            )
        return self.require(person_id)

    def get(self, person_id: int) -> Person | None:
        row = self._db.one("SELECT * FROM people WHERE id = ?", (person_id,))
        return None if row is None else Person.from_row(row)

    def require(self, person_id: int) -> Person:
        person = self.get(person_id)
        if person is None:
            raise KeyError(person_id)
        return person

    def vk_user(self, user_id: int) -> Person | None:
        """The person with this VK id, if they have a VK account."""
        person = self.get(user_id)
        return person if person is not None and person.has_vk else None

    def by_phone(self, phone: str) -> Person | None:
        row = self._db.one("SELECT * FROM people WHERE phone = ?", (phone,))
        return None if row is None else Person.from_row(row)

    def all(self) -> list[Person]:
        return [Person.from_row(row) for row in self._db.all("SELECT * FROM people ORDER BY id")]

    def names(self, ids: list[int]) -> dict[int, str]:
        marks = ",".join("?" * len(ids))
        rows = self._db.all(f"SELECT id, name FROM people WHERE id IN ({marks})", ids)
        return {row["id"]: row["name"] for row in rows}

    def set_note(self, person_id: int, note: str) -> None:
        with self._db.transaction():
            self._db.execute("UPDATE people SET note = ? WHERE id = ?", (note, person_id))

    def set_permission(self, person_id: int, permission: str) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE people SET permission = ? WHERE id = ?", (permission, person_id)
            )

    def set_pending_ref(self, person_id: int, ref: str | None, ref_source: str | None) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE people SET pending_ref = ?, pending_ref_source = ? WHERE id = ?",
                (ref, ref_source, person_id),
            )

    def touch(self, person_ids: list[int]) -> None:
        """Something these people see has changed."""
        with self._db.transaction():
            self._db.executemany(
                "UPDATE people SET view_version = view_version + 1 WHERE id = ?",
                [(person_id,) for person_id in set(person_ids)],
            )

    def view_version(self, person_id: int) -> int:
        return int(self._db.scalar("SELECT view_version FROM people WHERE id = ?", (person_id,)))
