"""The staff flow's dialog: inviting staff by phone.
Stored as "Group:value": never rename a member in use."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states.dialog import MANAGERS, Dialog


class StaffInvite(BaseStateGroup):
    MUNICIPALITY = "municipality"
    PHONES = "phones"
    CONFIRM = "confirm"


DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    StaffInvite: Dialog(MANAGERS, "Приглашать сотрудников могут администраторы муниципалитета."),
}
