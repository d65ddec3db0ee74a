"""Dialog states. Their string forms ("Group:value") are stored in the database: never rename
a member that may be in use; add a new one and migrate instead."""

from __future__ import annotations

from vkbottle import BaseStateGroup


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
