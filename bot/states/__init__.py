"""Dialog states. Their string forms ("Group:value") are stored in the database: never rename
a member that may be in use; add a new one and migrate instead."""

from __future__ import annotations

from dataclasses import dataclass

from vkbottle import BaseStateGroup

from storage.models import Role


class StaffInvite(BaseStateGroup):
    MUNICIPALITY = "municipality"
    PHONES = "phones"
    CONFIRM = "confirm"


class ChatCreate(BaseStateGroup):
    TITLE = "title"
    KIND = "kind"
    DESCRIPTION = "description"
    PHOTO = "photo"
    ADMIN_PHONE = "admin_phone"
    CONFIRM = "confirm"
    EDIT = "edit"


class ChatImport(BaseStateGroup):
    FILE = "file"
    CONFIRM = "confirm"


class ChatList(BaseStateGroup):
    BROWSE = "browse"  # a typed address searches (any text, after «Найти чат»)


class ChangeAdmin(BaseStateGroup):
    PHONE = "phone"


class AssignRepresentative(BaseStateGroup):
    KIND = "kind"
    ORGANISATION = "organisation"
    PHONE = "phone"
    CONFIRM = "confirm"


class InvitationCode(BaseStateGroup):
    CODE = "code"  # the code texted to the invited phone


class PosterCheck(BaseStateGroup):
    CODE = "code"


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


class BroadcastDialog(BaseStateGroup):
    SCOPE = "scope"
    SEARCH = "search"
    ONE = "one"
    KIND = "kind"
    TEXT = "text"
    CONFIRM = "confirm"


# -- who may be in a dialog ------------------------------------------------------------------------
# The one guard on dialog states: `Turn.set_state` stores none of these for a person whose roles
# do not allow it (before anything is sent), and a stored state the person's roles no longer
# allow (a role was taken away mid-dialog) is dropped when their next update arrives.

_MANAGERS = frozenset({Role.REGION_ADMIN, Role.MUNICIPALITY_ADMIN})
_STAFF = _MANAGERS | {Role.STAFF}


@dataclass(frozen=True)
class Dialog:
    roles: frozenset[Role] | None  # None: anyone
    refusal: str = "У вас нет прав на это действие."


_STAFF_ONLY = Dialog(_STAFF, "Это могут сотрудники муниципалитета.")
DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    StaffInvite: Dialog(_MANAGERS, "Приглашать сотрудников могут администраторы муниципалитета."),
    ChatCreate: _STAFF_ONLY,
    ChatImport: _STAFF_ONLY,
    ChatList: Dialog(_STAFF, "Список чатов доступен сотрудникам муниципалитета."),
    ChangeAdmin: _STAFF_ONLY,
    AssignRepresentative: _STAFF_ONLY,
    PosterCheck: Dialog(None),
    InvitationCode: Dialog(None),  # whoever opened the invitation (a stranger, so far)
    Escalation: Dialog(
        frozenset({Role.CHAT_ADMIN}), "Пригласить представителя может администратор домового чата."
    ),
    RepAnswer: Dialog(frozenset({Role.REPRESENTATIVE}), "Отвечать могут официальные представители."),
    RepMeeting: Dialog(frozenset({Role.REPRESENTATIVE}), "Встречи назначают официальные представители."),
    Reassign: _STAFF_ONLY,
    BroadcastDialog: Dialog(
        _STAFF | {Role.REPRESENTATIVE},
        "Рассылки делают сотрудники муниципалитета и официальные представители.",
    ),
}
_BY_NAME = {group.__name__: dialog for group, dialog in DIALOGS.items()}


def dialog_of(state: BaseStateGroup | str) -> Dialog | None:
    """The dialog a state (or its stored "Group:value" form) belongs to; None if unknown."""
    name = type(state).__name__ if isinstance(state, BaseStateGroup) else str(state).split(":")[0]
    return _BY_NAME.get(name)


def may_hold(roles: frozenset[Role], state: BaseStateGroup | str) -> bool:
    dialog = dialog_of(state)
    if dialog is None:  # a state no dialog has any more
        return False
    return dialog.roles is None or bool(dialog.roles & roles)
