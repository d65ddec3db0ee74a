"""Invitations from the people's side: opening a link, «Принять» / «Отклонить», the code texted
to the phone, and the inviter's «это ваш сотрудник?» — then the welcome with the roles."""

from __future__ import annotations

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.keyboards.common import cancel_keyboard
from bot.keyboards.invitations import offer_keyboard
from bot.runtime.buttons import (
    InviteAccept,
    InviteConfirm,
    InviteDecline,
    InviteReject,
    Pressed,
)
from bot.runtime.context import CallbackTurn, Turn
from bot.services.core.access import load_actor
from bot.services.core.errors import DomainError
from bot.services.staff.invitations import (
    Opened,
    Step,
    WrongCode,
    offer_text,
    offered_roles,
    opener_text,
    person_name,
)
from bot.states.invitations import InvitationCode

labeler = BotLabeler()


async def show_opened(turn: Turn, opened: Opened) -> None:
    """What the person who opened (or accepted) an invitation sees next, and whom it concerns."""
    services = turn.services
    invitation = opened.invitation
    if opened.step is Step.OFFER:
        await turn.answer(
            offer_text(opened.grants, opened.inviter), keyboard=offer_keyboard(invitation.id)
        )
    elif opened.step is Step.INVITER:
        assert opened.inviter is not None
        asked = await services.notices.invitations.ask_inviter(opened)
        inviter = f"«{person_name(opened.inviter)}»"
        await turn.answer(
            f"Осталось подтверждение: {inviter} проверит, что это именно вы. "
            "Как только подтвердит, я пришлю меню."
            if asked else
            f"Не удалось связаться с {inviter}, чтобы подтвердить, что это вы. "
            "Попросите его написать боту, а потом откройте ссылку ещё раз."
        )
    elif opened.step is Step.CODE:
        await turn.set_state(InvitationCode.CODE, invitation_id=invitation.id)
        await turn.answer(
            f"Чтобы подтвердить, что номер {_masked(opened.phone)} ваш, пришлите код из SMS, "
            "которое пришло на этот номер.",
            keyboard=cancel_keyboard(),
        )
    else:
        assert opened.binding is not None
        await services.notices.invitations.welcome(turn.actor.vk_id, opened.binding)
        if not opened.binding.already_bound:
            await services.notices.invitations.tell_inviter(opened, "принял приглашение")


def _masked(phone: str) -> str:
    """+7 900 ***-**-01: enough to recognise one's own number, not to learn someone else's."""
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    hidden = set(digits[4:-2])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(phone))




@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(InviteAccept))
async def accept(event: dict, turn: CallbackTurn, button: InviteAccept) -> None:
    opened = await turn.services.invitations.accept(
        vk_id=turn.actor.vk_id, invitation_id=button.id, name=await turn.sender_name()
    )
    await turn.snackbar("Приглашение принято")
    await turn.edit(f"Вы приняли приглашение:\n{offered_roles(opened.grants)}")
    await show_opened(turn, opened)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(InviteDecline))
async def decline(event: dict, turn: CallbackTurn, button: InviteDecline) -> None:
    opened = await turn.services.invitations.decline(
        vk_id=turn.actor.vk_id, invitation_id=button.id
    )
    await turn.snackbar("Приглашение отклонено")
    await turn.edit(
        f"Вы отклонили приглашение:\n{offered_roles(opened.grants)}\n\n"
        "Если передумаете, попросите прислать его снова."
    )
    await turn.services.notices.invitations.tell_inviter(opened, "отклонил приглашение")


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(InviteConfirm))
async def confirm(event: dict, turn: CallbackTurn, button: InviteConfirm) -> None:
    opened = await turn.services.invitations.confirm(turn.actor, button.id, button.u)
    assert opened.binding is not None and opened.invitation.opened_by_vk_id is not None
    await turn.snackbar("Подтверждено")
    await turn.edit(f"{opener_text(opened.invitation)} подключён:\n{offered_roles(opened.grants)}")
    await turn.services.notices.invitations.welcome(opened.invitation.opened_by_vk_id, opened.binding)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(InviteReject))
async def reject(event: dict, turn: CallbackTurn, button: InviteReject) -> None:
    opened = await turn.services.invitations.reject(turn.actor, button.id, button.u)
    await turn.snackbar("Приглашение отменено")
    await turn.edit(
        f"Приглашение отменено: {opener_text(opened.invitation)} не получит доступ, ссылка больше "
        "не действует. Новое приглашение можно отправить из списка «Сотрудники»."
    )
    if opened.invitation.opened_by_vk_id is not None:
        await turn.services.notices.invitations.rejected(opened.invitation.opened_by_vk_id)


@labeler.private_message(StateRule(InvitationCode.CODE))
async def code(message: Message, turn: Turn) -> None:
    try:
        binding = await turn.services.invitations.enter_code(
            vk_id=turn.actor.vk_id,
            invitation_id=int(turn.data["invitation_id"]),
            code=message.text or "",
        )
    except WrongCode:
        raise  # the state stays: the person tries again
    except DomainError:  # cancelled, used, not theirs: nothing to wait for any more
        await turn.clear_state()
        raise
    await turn.clear_state()
    turn.actor = await load_actor(turn.actor.vk_id)
    await turn.services.notices.invitations.welcome(turn.actor.vk_id, binding)
