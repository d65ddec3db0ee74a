"""The staff list's buttons."""

from __future__ import annotations

from bot.keyboards.common import NEGATIVE, PRIMARY, SECONDARY, build, callback_button
from bot.runtime.buttons import StaffPage, StaffRemove, StaffResend
from bot.services.staff.invitations import PersonStatus
from bot.services.staff.service import StaffMember


def member_keyboard(member: StaffMember) -> str:
    rows = []
    if member.status is not PersonStatus.ACTIVE:
        rows.append([(callback_button("Отправить повторно", StaffResend(id=member.grant.id)), PRIMARY)])
    rows.append([(callback_button("Удалить", StaffRemove(id=member.grant.id)), NEGATIVE)])
    rows.append([(callback_button("‹ К списку", StaffPage(p=1)), SECONDARY)])
    return build(rows, inline=True)
