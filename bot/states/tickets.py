"""Tickets: a chat admin opening one, a representative answering or setting a meeting, staff
reassigning an overdue one. Stored as "Group:value": never rename a member in use."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states.dialog import STAFF_ONLY, Dialog
from storage.models import Role


class Escalation(BaseStateGroup):
    CHAT = "chat"
    KIND = "kind"
    QUESTION = "question"
    CONFIRM = "confirm"


class RepAnswer(BaseStateGroup):
    TEXT = "text"
    CONFIRM = "confirm"


class RepMeeting(BaseStateGroup):
    WHEN = "when"


class Reassign(BaseStateGroup):
    PHONE = "phone"


DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    Escalation: Dialog(
        frozenset({Role.CHAT_ADMIN}), "Пригласить представителя может администратор домового чата."
    ),
    RepAnswer: Dialog(frozenset({Role.REPRESENTATIVE}), "Отвечать могут официальные представители."),
    RepMeeting: Dialog(frozenset({Role.REPRESENTATIVE}), "Встречи назначают официальные представители."),
    Reassign: STAFF_ONLY,
}
