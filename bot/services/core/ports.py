"""What services need from the messenger, without knowing it is VK.

The VK gateway implements `Messenger`; its errors subclass the ones here, so services catch
these and tests use a fake messenger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

CHAT_PEER_OFFSET = 2_000_000_000


def chat_peer(chat_id: int) -> int:
    return CHAT_PEER_OFFSET + chat_id


class MessengerError(Exception):
    """The messenger refused or failed an action."""


class MessengerUnavailable(MessengerError):
    """Temporary: the messenger kept failing; trying again later may work."""


class RecipientUnreachable(MessengerError):
    """The person has not allowed the community to write to them (or blocked it)."""


class ChatUnavailable(MessengerError):
    """The community has lost the chat: removed from it, no rights, deleted or disabled."""


class NotAMember(MessengerError):
    """The person is not (or no longer) in the chat."""


class Delivered(Protocol):
    """One recipient's result of a message sent to many (read-only: results are not changed)."""

    @property
    def peer_id(self) -> int: ...

    @property
    def cmid(self) -> int | None: ...

    @property
    def error(self) -> MessengerError | None:
        """With a `.code` when the messenger gave one."""
        ...


@dataclass(frozen=True)
class MadeChat:
    """One chat of `Messenger.create_chats`: its id and invite link, or why it was not made
    (a chat made whose link failed has both `chat_id` and `error`). An error that is
    MessengerUnavailable means it may have been made: look it up before trying again."""

    chat_id: int | None = None
    link: str | None = None
    error: MessengerError | None = None


class Messenger(Protocol):
    chats_per_call: int  # chats `create_chats` makes in one request
    recipients_per_call: int  # peers `send_many` reaches in one request

    async def create_chat(self, title: str) -> int:
        """Create a chat owned by the community; return the community's chat id. Raises
        MessengerUnavailable also when it may have been made (the answer was lost)."""
        ...

    async def create_chats(self, titles: Sequence[str]) -> Sequence[MadeChat]:
        """Chats with their invite links, in the order of `titles`."""
        ...

    async def chats_created_after(self, chat_id: int) -> list[tuple[int, str]]:
        """(chat id, title) of the community's chats numbered above `chat_id`."""
        ...

    async def invite_link(self, peer_id: int, *, reset: bool = False) -> str: ...

    async def set_chat_photo(self, chat_id: int, filename: str, content: bytes) -> None: ...

    async def chat_state(self, peer_id: int) -> tuple[str | None, tuple[int, ...]]:
        """("in" | "kicked" | "left" | None when the chat is gone, the chat's admin ids)."""
        ...

    async def members(self, peer_id: int) -> list[int]:
        """Member ids of the chat; ChatUnavailable without the rights to see them."""
        ...

    async def remove_chat_user(self, chat_id: int, member_id: int) -> None:
        """Remove a member (the community's own -id: leave the chat)."""
        ...

    async def members_count(self, peer_id: int) -> int | None:
        """How many are in the chat (None if unknown); ChatUnavailable if the chat is lost."""
        ...

    async def send(
        self, peer_id: int, text: str, *, keyboard: str | None = None,
        attachments: Sequence[str] = (), dedup_key: str | None = None,
    ) -> Delivered:
        """One message to one peer; RecipientUnreachable / ChatUnavailable when it cannot go."""
        ...

    async def edit(
        self, peer_id: int, *, cmid: int, text: str, keyboard: str | None = None
    ) -> None:
        """Change a message the community sent (its buttons go unless `keyboard` says)."""
        ...

    async def send_many(
        self, peer_ids: Sequence[int], text: str, *, attachments: Sequence[str] = (),
        dedup_key: str | None = None,
    ) -> Sequence[Delivered]:
        """One message to many peers; a repeat with the same `dedup_key` reaches nobody twice."""
        ...

    async def pin_many(self, pins: Sequence[tuple[int, int]]) -> Sequence[MessengerError | None]:
        """Pin each (peer_id, cmid) message; each pin's error, or None where it was pinned."""
        ...

    async def upload(self, peer_id: int, kind: str, filename: str, content: bytes) -> str:
        """Upload a photo or document; the attachment reference to send with messages."""
        ...
