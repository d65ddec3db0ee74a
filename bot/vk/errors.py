"""Typed VK errors raised by the gateway.

Temporary errors (1, 6, 9, 10, network failures) are retried inside the gateway; what reaches
callers is either a permanent error below or `VkUnavailable` once retries are exhausted.
"""

from __future__ import annotations

from bot.services.core.ports import (
    ChatUnavailable,
    MessengerError,
    MessengerUnavailable,
    NotAMember,
    RecipientUnreachable,
)

RETRYABLE_CODES = frozenset({1, 6, 9, 10})


class VkError(MessengerError):
    code: int = 0

    def __init__(self, message: str = "", *, code: int | None = None, method: str = "") -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.method = method

    def __str__(self) -> str:
        where = f" in {self.method}" if self.method else ""
        return f"VK error {self.code}{where}: {self.message}"


class VkUnavailable(VkError, MessengerUnavailable):
    """VK kept failing with temporary errors (or the network did) after every retry."""


class VkPermanentError(VkError):
    """VK refused the call; retrying the same call cannot help."""


class CannotMessageUser(VkPermanentError, RecipientUnreachable):
    """901/902: the person has not allowed the community to write, or privacy forbids it."""


class InvalidKeyboard(VkPermanentError):
    code = 911


class MessageTooLong(VkPermanentError):
    code = 914


class ChatAccessDenied(VkPermanentError, ChatUnavailable):
    """917: the community is not in the chat (or has no access to it)."""

    code = 917


class InviteLinkUnavailable(VkPermanentError, ChatUnavailable):
    """919/931: the community may not see or change the chat's invite link."""


class NotChatAdmin(VkPermanentError, ChatUnavailable):
    code = 925


class ChatNotFound(VkPermanentError, ChatUnavailable):
    code = 927


class UserNotInChat(VkPermanentError, NotAMember):
    code = 935


class ContactNotFound(VkPermanentError, RecipientUnreachable):
    code = 936


class ChatDisabled(VkPermanentError, ChatUnavailable):
    """945/946: the chat was disabled or is not supported."""


_BY_CODE: dict[int, type[VkPermanentError]] = {
    901: CannotMessageUser,
    902: CannotMessageUser,
    911: InvalidKeyboard,
    914: MessageTooLong,
    917: ChatAccessDenied,
    919: InviteLinkUnavailable,
    925: NotChatAdmin,
    927: ChatNotFound,
    931: InviteLinkUnavailable,
    935: UserNotInChat,
    936: ContactNotFound,
    945: ChatDisabled,
    946: ChatDisabled,
}


def error_for(code: int, message: str, method: str = "") -> VkError:
    """The typed error for a VK error code (a generic permanent error for unknown codes)."""
    if code in RETRYABLE_CODES:
        return VkUnavailable(message, code=code, method=method)
    return _BY_CODE.get(code, VkPermanentError)(message, code=code, method=method)
