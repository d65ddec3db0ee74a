"""The chat list: browsing with a typed search, changing a chat's admin.
Stored as "Group:value": never rename a member in use."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states.dialog import STAFF, STAFF_ONLY, Dialog


class ChatList(BaseStateGroup):
    BROWSE = "browse"  # a typed address searches (any text, after «Найти чат»)


class ChangeAdmin(BaseStateGroup):
    PHONE = "phone"


DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    ChatList: Dialog(STAFF, "Список чатов доступен сотрудникам муниципалитета."),
    ChangeAdmin: STAFF_ONLY,
}
