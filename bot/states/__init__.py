"""Dialog states, one module per flow (`bot/states/<flow>.py`). Their string forms
("Group:value") are stored in the database: never rename a member that may be in use; add a
new one and migrate instead. A new dialog is declared in its module's `DIALOGS` (a test checks)."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states import (
    broadcasts,
    chat_creation,
    chat_import,
    chat_list,
    invitations,
    posters,
    representatives,
    staff,
    tickets,
)
from bot.states.broadcasts import BroadcastDialog
from bot.states.chat_creation import ChatCreate
from bot.states.chat_import import ChatImport
from bot.states.chat_list import ChangeAdmin, ChatList
from bot.states.dialog import Dialog
from bot.states.invitations import InvitationCode
from bot.states.posters import PosterCheck
from bot.states.representatives import AssignRepresentative
from bot.states.staff import StaffInvite
from bot.states.tickets import Escalation, Reassign, RepAnswer, RepMeeting
from storage.models import Role

DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    **staff.DIALOGS,
    **chat_creation.DIALOGS,
    **chat_import.DIALOGS,
    **chat_list.DIALOGS,
    **representatives.DIALOGS,
    **posters.DIALOGS,
    **invitations.DIALOGS,
    **tickets.DIALOGS,
    **broadcasts.DIALOGS,
}
_BY_NAME = {group.__name__: dialog for group, dialog in DIALOGS.items()}

__all__ = [
    "DIALOGS", "AssignRepresentative", "BroadcastDialog", "ChangeAdmin", "ChatCreate",
    "ChatImport", "ChatList", "Dialog", "Escalation", "InvitationCode", "PosterCheck",
    "Reassign", "RepAnswer", "RepMeeting", "StaffInvite", "dialog_of", "may_hold",
]


def dialog_of(state: BaseStateGroup | str) -> Dialog | None:
    """The dialog a state (or its stored "Group:value" form) belongs to; None if unknown."""
    name = type(state).__name__ if isinstance(state, BaseStateGroup) else str(state).split(":")[0]
    return _BY_NAME.get(name)


def may_hold(roles: frozenset[Role], state: BaseStateGroup | str) -> bool:
    dialog = dialog_of(state)
    if dialog is None:  # a state no dialog has any more
        return False
    return dialog.roles is None or bool(dialog.roles & roles)
