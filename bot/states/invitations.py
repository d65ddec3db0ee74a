"""Accepting an invitation by the code texted to the phone.
Stored as "Group:value": never rename a member in use."""

from __future__ import annotations

from vkbottle import BaseStateGroup

from bot.states.dialog import Dialog


class InvitationCode(BaseStateGroup):
    CODE = "code"  # the code texted to the invited phone


DIALOGS: dict[type[BaseStateGroup], Dialog] = {
    InvitationCode: Dialog(None),  # whoever opened the invitation (a stranger, so far)
}
