"""Checking a poster's code.
Stored as "Group:value": never rename a member in use."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states.dialog import Dialog


class PosterCheck(BaseStateGroup):
    CODE = "code"


DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    PosterCheck: Dialog(None),
}
