"""Chats, their members, invite tokens, and each person's own ids for them."""

from __future__ import annotations

from .records import Chat, Member, PersonChat
from .store import Database

FIRST_PERSON_CHAT_ID = 101  # a person's chat ids differ from the community's (1, 2, 3…)


class Chats:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- chats ------------------------------------------------------------------------------

    def create(self, title: str, now: int) -> Chat:
        with self._db.transaction():
            chat_id = self._db.execute(
                "INSERT INTO chats (title, created_at) VALUES (?, ?)", (title, now)
            ).lastrowid
        return self.require(int(chat_id))  # type: ignore[arg-type]

    def get(self, chat_id: int) -> Chat | None:
        row = self._db.one("SELECT * FROM chats WHERE id = ?", (chat_id,))
        return None if row is None else Chat.from_row(row)

    def require(self, chat_id: int) -> Chat:
        chat = self.get(chat_id)
        if chat is None:
            raise KeyError(chat_id)
        return chat

    def all(self) -> list[Chat]:
        return [Chat.from_row(row) for row in self._db.all("SELECT * FROM chats ORDER BY id")]

    def by_invite_token(self, token: str) -> Chat | None:
        row = self._db.one("SELECT * FROM chats WHERE invite_token = ?", (token,))
        return None if row is None else Chat.from_row(row)

    def update(self, chat_id: int, **values: object) -> None:
        """Set columns of a chat: title, invite_token, community_state, photo_file_id, deleted."""
        allowed = {"title", "invite_token", "community_state", "photo_file_id", "deleted"}
        if not values or not set(values) <= allowed:
            raise ValueError(f"cannot update chat columns {sorted(values)}")
        assignments = ", ".join(f"{column} = ?" for column in values)
        with self._db.transaction():
            self._db.execute(
                f"UPDATE chats SET {assignments} WHERE id = ?", (*values.values(), chat_id)
            )

    # -- members ----------------------------------------------------------------------------

    def members(self, chat_id: int) -> list[Member]:
        rows = self._db.all(
            "SELECT * FROM chat_members WHERE chat_id = ? ORDER BY position", (chat_id,)
        )
        return [Member.from_row(row) for row in rows]

    def member(self, chat_id: int, member_id: int) -> Member | None:
        row = self._db.one(
            "SELECT * FROM chat_members WHERE chat_id = ? AND member_id = ?", (chat_id, member_id)
        )
        return None if row is None else Member.from_row(row)

    def add_member(
        self, chat_id: int, member_id: int, invited_by: int, now: int, is_admin: bool = False
    ) -> None:
        with self._db.transaction():
            position = self._db.scalar(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM chat_members WHERE chat_id = ?",
                (chat_id,),
            )
            self._db.execute(
                "INSERT INTO chat_members "
                "(chat_id, member_id, invited_by, join_date, is_admin, position) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (chat_id, member_id, invited_by, now, int(is_admin), position),
            )

    def remove_member(self, chat_id: int, member_id: int) -> None:
        with self._db.transaction():
            self._db.execute(
                "DELETE FROM chat_members WHERE chat_id = ? AND member_id = ?",
                (chat_id, member_id),
            )

    def set_admin(self, chat_id: int, member_id: int, is_admin: bool) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE chat_members SET is_admin = ? WHERE chat_id = ? AND member_id = ?",
                (int(is_admin), chat_id, member_id),
            )

    # -- a person's view of their chats -----------------------------------------------------

    def person_chat(self, person_id: int, chat_id: int) -> PersonChat | None:
        row = self._db.one(
            "SELECT * FROM person_chats WHERE person_id = ? AND chat_id = ?", (person_id, chat_id)
        )
        return None if row is None else PersonChat.from_row(row)

    def person_chat_by_local_id(self, person_id: int, local_id: int) -> PersonChat | None:
        row = self._db.one(
            "SELECT * FROM person_chats WHERE person_id = ? AND local_id = ?",
            (person_id, local_id),
        )
        return None if row is None else PersonChat.from_row(row)

    def person_chats(self, person_id: int) -> list[PersonChat]:
        rows = self._db.all(
            "SELECT * FROM person_chats WHERE person_id = ? ORDER BY local_id", (person_id,)
        )
        return [PersonChat.from_row(row) for row in rows]

    def show_to_person(self, person_id: int, chat_id: int, from_cmid: int) -> None:
        """The person (re)joined: give them their own id for the chat on first join."""
        with self._db.transaction():
            known = self.person_chat(person_id, chat_id)
            if known is not None:
                self._db.execute(
                    "UPDATE person_chats SET visible_until_cmid = NULL "
                    "WHERE person_id = ? AND chat_id = ?",
                    (person_id, chat_id),
                )
            else:
                local_id = self._db.scalar(
                    "SELECT COALESCE(MAX(local_id) + 1, ?) FROM person_chats WHERE person_id = ?",
                    (FIRST_PERSON_CHAT_ID, person_id),
                )
                self._db.execute(
                    "INSERT INTO person_chats "
                    "(person_id, chat_id, local_id, visible_from_cmid) VALUES (?, ?, ?, ?)",
                    (person_id, chat_id, local_id, from_cmid),
                )

    def hide_from_person(self, person_id: int, chat_id: int, until_cmid: int) -> None:
        """The person is out of the chat: they keep the history up to `until_cmid`."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE person_chats SET visible_until_cmid = ? "
                "WHERE person_id = ? AND chat_id = ?",
                (until_cmid, person_id, chat_id),
            )
