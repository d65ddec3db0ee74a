"""VK API errors: codes and `error_msg` texts as in VK's errors.json (API 5.199)."""

from __future__ import annotations

ERROR_MESSAGES: dict[int, str] = {
    1: "Unknown error occurred",
    3: "Unknown method passed",
    5: "User authorization failed",
    6: "Too many requests per second",
    7: "Permission to perform this action is denied",
    8: "Invalid request",
    9: "Flood control",
    10: "Internal server error",
    12: "Unable to compile code",
    13: "Runtime error occurred during code invocation",
    14: "Captcha needed",
    15: "Access denied",
    18: "User was deleted or banned",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid",
    104: "Not found",
    105: "Couldn't save file",
    113: "Invalid user id",
    121: "Invalid hash",
    901: "Can't send messages for users without permission",
    902: "Can't send messages to this user due to their privacy settings",
    909: "Can't edit this message, because it's too old",
    911: "Keyboard format is invalid",
    912: "This is a chat bot feature, change this status in settings",
    914: "Message is too long",
    917: "You don't have access to this chat",
    919: "You can't see invite link for this chat",
    920: "Can't edit this kind of message",
    924: "Can't delete this message for everybody",
    925: "You are not admin of this chat",
    927: "Chat does not exist",
    931: "You can't change invite link for this chat",
    935: "User not found in chat",
    936: "Contact not found",
    945: "Chat was disabled",
    946: "Chat not supported",
    2000: "Servers number limit is reached",
}


class VKError(Exception):
    """A VK API error; `detail` is appended to VK's text after a colon, as VK does."""

    def __init__(self, code: int, detail: str | None = None) -> None:
        self.code = code
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = ERROR_MESSAGES.get(self.code, ERROR_MESSAGES[1])
        return f"{text}: {self.detail}" if self.detail else text

    def as_item_error(self) -> dict[str, object]:
        """The per-recipient form used inside `messages.send(peer_ids)` and `messages.delete`."""
        return {"code": self.code, "description": self.message}


def invalid_param(detail: str) -> VKError:
    return VKError(100, detail)
