"""Reading VK method parameters: everything arrives as strings, errors are VK's error 100.

This is the one place that turns parameters into values: an integer parameter that is not a
decimal int64 (`abc`, `1.5`, `99999999999999999999`) is error 100 in every method, as in VK.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..ints import parse_int64
from .errors import VKError, invalid_param

_TRUE = {"1", "true"}
_FALSE = {"0", "false", ""}

# The integer (and integer-list) parameters of the methods served, as VK's schema (5.199)
# declares them, with the aliases the sandbox also reads. VK checks them even where it ignores
# the value, so they are checked before the method runs, whether it reads them or not.
INTEGER_PARAMS: dict[str, tuple[str, ...]] = {
    "docs.getMessagesUploadServer": ("peer_id",),
    "groups.getLongPollServer": ("group_id",),
    "messages.createChat": ("user_ids", "group_id"),
    "messages.delete": ("message_ids", "reason", "group_id", "peer_id", "cmids"),
    "messages.edit": ("peer_id", "group_id", "message_id", "cmid", "conversation_message_id"),
    "messages.editChat": ("chat_id",),
    "messages.getConversationMembers": ("peer_id", "offset", "count", "group_id", "member_ids"),
    "messages.getConversationsById": ("peer_ids", "group_id"),
    "messages.getInviteLink": ("peer_id", "group_id"),
    "messages.isMessagesFromGroupAllowed": ("group_id", "user_id"),
    "messages.pin": ("peer_id", "message_id", "cmid", "conversation_message_id"),
    "messages.removeChatUser": ("chat_id", "user_id", "member_id"),
    "messages.send": (
        "user_id", "random_id", "peer_id", "peer_ids", "chat_id", "reply_to", "forward_messages",
        "sticker_id", "group_id", "subscribe_id",
    ),
    "messages.sendMessageEventAnswer": ("user_id", "peer_id"),
    "messages.unpin": ("peer_id", "group_id"),
    "photos.getChatUploadServer": ("chat_id", "crop_x", "crop_y", "crop_width"),
    "photos.getMessagesUploadServer": ("peer_id",),
    "photos.saveMessagesPhoto": ("server",),
    "users.get": ("from_group_id",),
}


def method_params(method: str, values: Mapping[str, str]) -> Params:
    """The parameters of a call to `method`, its integer parameters checked."""
    params = Params(values)
    for name in INTEGER_PARAMS.get(method, ()):
        params.integers(name)
    return params


class Params:
    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def items(self) -> list[tuple[str, str]]:
        return list(self._values.items())

    def text(self, name: str, default: str | None = None) -> str | None:
        return self._values.get(name, default)

    def required_text(self, name: str) -> str:
        value = self._values.get(name)
        if value is None or value == "":
            raise invalid_param(f"{name} is undefined")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return default
        return _int64(name, value.strip())

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise invalid_param(f"{name} is undefined")
        return value

    def flag(self, name: str) -> bool:
        value = self._values.get(name, "").strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise invalid_param(f"{name} should be 0 or 1")

    def integers(self, name: str, max_items: int | None = None) -> list[int]:
        values = [_int64(name, part) for part in self.texts(name)]
        if max_items is not None and len(values) > max_items:
            raise invalid_param(f"{name} should contain at most {max_items} items")
        return values

    def texts(self, name: str) -> list[str]:
        return [part.strip() for part in self._values.get(name, "").split(",") if part.strip()]

    def user_ids(self, name: str) -> list[int | None]:
        """`user_ids` items: numeric ids or `id<number>` screen names; any other screen name
        is None (nobody in the sandbox has one)."""
        ids: list[int | None] = []
        for part in self.texts(name):
            digits = part.removeprefix("id")
            numeric = digits.isascii() and digits.isdigit()
            ids.append(_int64(name, digits) if numeric else None)
        return ids

    def check_group(self, group_id: int) -> None:
        """Where VK takes `group_id`, a community token may only name its own community."""
        given = self.integer("group_id")
        if given is not None and given != group_id:
            raise VKError(15, "group_id is not the token's community")


def _int64(name: str, text: str) -> int:
    value = parse_int64(text)
    if value is None:
        raise invalid_param(f"{name} not integer")
    return value
