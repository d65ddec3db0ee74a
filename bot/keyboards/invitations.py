"""Buttons of invitations: the invited person accepts or declines; the inviter confirms the VK
account that opened a staff invitation."""

from __future__ import annotations

from bot.keyboards.common import NEGATIVE, POSITIVE, build, callback_button
from bot.runtime.buttons import InviteAccept, InviteConfirm, InviteDecline, InviteReject


def offer_keyboard(invitation_id: int) -> str:
    return build(
        [[
            (callback_button("Принять", InviteAccept(id=invitation_id)), POSITIVE),
            (callback_button("Отклонить", InviteDecline(id=invitation_id)), NEGATIVE),
        ]],
        inline=True,
    )


def confirm_opener_keyboard(invitation_id: int, vk_id: int) -> str:
    """«Да» / «Нет» for the account `vk_id` (a later opener gets a question of their own)."""
    return build(
        [[
            (callback_button("Да", InviteConfirm(id=invitation_id, u=vk_id)), POSITIVE),
            (callback_button("Нет", InviteReject(id=invitation_id, u=vk_id)), NEGATIVE),
        ]],
        inline=True,
    )
