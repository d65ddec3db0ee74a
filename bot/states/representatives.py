"""Assigning a representative to chats.
Stored as "Group:value": never rename a member in use."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states.dialog import STAFF_ONLY, Dialog


class AssignRepresentative(BaseStateGroup):
    KIND = "kind"
    ORGANISATION = "organisation"
    PHONE = "phone"
    CONFIRM = "confirm"


DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    AssignRepresentative: STAFF_ONLY,
}
