"""The broadcast dialog. Stored as "Group:value": never rename a member in use."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states.dialog import STAFF, Dialog
from storage.models import Role


class BroadcastDialog(BaseStateGroup):
    SCOPE = "scope"
    SEARCH = "search"
    ONE = "one"
    KIND = "kind"
    TEXT = "text"
    CONFIRM = "confirm"


DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    BroadcastDialog: Dialog(
        STAFF | {Role.REPRESENTATIVE},
        "Рассылки делают сотрудники муниципалитета и официальные представители.",
    ),
}
