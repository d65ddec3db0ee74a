"""What services need from the messenger, without knowing it is VK.

The VK gateway implements `Messenger`; its errors subclass the ones here, so services catch
these and tests use a fake messenger.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

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
    """One recipient's result of a message sent to many."""

    peer_id: int
    cmid: int | None
    error: MessengerError | None  # with a `.code` when the messenger gave one


class Messenger(Protocol):
    async def create_chat(self, title: str) -> int:
        """Create a chat owned by the community; return the community's chat id."""
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

    async def send(self, peer_id: int, text: str, **options: Any) -> Any:
        """Send to one peer (`keyboard`, `attachments`, `dedup_key`); the result's `cmid` is
        what `edit` changes later."""
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
