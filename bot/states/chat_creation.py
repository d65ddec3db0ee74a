"""The chat creation dialog.
Stored as "Group:value": never rename a member in use."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states.dialog import STAFF_ONLY, Dialog


class ChatCreate(BaseStateGroup):
    TITLE = "title"
    KIND = "kind"
    DESCRIPTION = "description"
    PHOTO = "photo"
    ADMIN_PHONE = "admin_phone"
    CONFIRM = "confirm"
    EDIT = "edit"


DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    ChatCreate: STAFF_ONLY,
}
