"""The chat import dialog: a file, then a confirmation.
Stored as "Group:value": never rename a member in use."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states.dialog import STAFF_ONLY, Dialog


class ChatImport(BaseStateGroup):
    FILE = "file"
    CONFIRM = "confirm"


DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    ChatImport: STAFF_ONLY,
}
