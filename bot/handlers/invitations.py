"""Invitations from the people's side: opening a link, «Принять» / «Отклонить», the code texted
to the phone, and the inviter's «это ваш сотрудник?» — then the welcome with the roles."""

from __future__ import annotations

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.services.core import texts
from bot.handlers.onboarding import push_current
from bot.notices.tickets import send_notice
from bot.keyboards.common import cancel_keyboard
from bot.keyboards.invitations import confirm_opener_keyboard, offer_keyboard
from bot.runtime.context import CallbackTurn, Services, Turn
from bot.runtime.payload import int_arg
from bot.runtime.rules import CallbackCommand
from bot.services.core.access import describe_grant, load_actor
from bot.services.core.errors import DomainError
from bot.services.staff.invitations import (
    Binding,
    Opened,
    Step,
    offer_text,
    offered_roles,
    opener_text,
    person_name,
    WrongCode,
)
from bot.states.invitations import InvitationCode
from storage.models import Role, Ticket

SHOWN_WAITING = 5  # ticket notices shown on binding; the rest are in «Обращения»

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
        assert opened.inviter is not None and opened.inviter.vk_id is not None
        accepted_offer = invitation.person.vk_id == invitation.opened_by_vk_id
        lead = "Приглашение принял" if accepted_offer else "Ссылку открыл"
        asked = await services.message(
            opened.inviter.vk_id,
            f"{lead} {opener_text(invitation)} — это ваш сотрудник?\n"
            f"{offered_roles(opened.grants)}\n\nЕсли вы не знаете этого человека, нажмите «Нет»: "
            "приглашение перестанет действовать.",
            keyboard=confirm_opener_keyboard(invitation.id, invitation.opened_by_vk_id or 0),
        )
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
        await welcome(services, turn.actor.vk_id, opened.binding)
        if not opened.binding.already_bound:
            await _tell_inviter(services, opened, "принял приглашение")


async def welcome(services: Services, vk_id: int, binding: Binding) -> None:
    """The roles now in force, the chats to join, the menu; a chat admin's first step."""
    from bot.handlers.start import menu_for  # noqa: PLC0415 (start imports this module)

    actor = await load_actor(vk_id)
    roles = "\n".join(f"• {describe_grant(g)}" for g in binding.grants)
    intro = "Вы уже подключены." if binding.already_bound else "Готово, бот вас узнал!"
    parts = [f"{intro} Ваши роли:\n{roles}"]
    chats = [g.chat for g in binding.grants if g.chat is not None and g.chat.invite_link]
    if chats:
        links = "\n".join(f"• «{c.title}»: {c.invite_link}" for c in chats)
        parts.append(f"Ваши домовые чаты — вступите по ссылке:\n{links}")
    coordination = await services.chats.coordination_links(binding.person)
    if coordination:
        links = "\n".join(f"• {name}: {link}" for name, link in coordination)
        parts.append(f"Чат сотрудников и администраторов чатов:\n{links}")
    waiting = await services.tickets.waiting_for(actor)
    if waiting:
        parts.append(f"Ждут вашего ответа: {texts.tickets(len(waiting))} — сообщения ниже.")
    parts.append(texts.MENU_HINT)
    await services.message(vk_id, "\n\n".join(parts), keyboard=await menu_for(actor))
    if actor.has(Role.CHAT_ADMIN):
        await push_current(services, binding.person, "Начнём подключение вашего чата.")
    await show_waiting(services, vk_id, waiting)


async def show_waiting(services: Services, vk_id: int, waiting: list[Ticket]) -> None:
    """The notices of the tickets the person is to answer, with their buttons (the oldest
    few, nearest their deadlines; the rest are under «Обращения»)."""
    for ticket in waiting[:SHOWN_WAITING]:
        await send_notice(services, ticket, vk_id)
    if len(waiting) > SHOWN_WAITING:
        await services.message(
            vk_id,
            f"Ещё {texts.tickets(len(waiting) - SHOWN_WAITING)} ждут ответа — они в «Обращениях».",
        )


async def _tell_inviter(services: Services, opened: Opened, what: str) -> None:
    inviter = opened.inviter
    if inviter is None or inviter.vk_id is None or inviter.vk_id == opened.invitation.opened_by_vk_id:
        return
    await services.message(
        inviter.vk_id,
        f"{opener_text(opened.invitation)} {what}:\n{offered_roles(opened.grants)}",
    )


def _masked(phone: str) -> str:
    """+7 900 ***-**-01: enough to recognise one's own number, not to learn someone else's."""
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    hidden = set(digits[4:-2])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(phone))


async def _name(turn: Turn) -> str:
    names = await turn.services.gateway.user_names([turn.actor.vk_id])
    return names.get(turn.actor.vk_id, "")


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("invite.accept"))
async def accept(event: dict, turn: CallbackTurn) -> None:
    opened = await turn.services.invitations.accept(
        vk_id=turn.actor.vk_id, invitation_id=int_arg(turn.payload, "id"), name=await _name(turn)
    )
    await turn.snackbar("Приглашение принято")
    await turn.edit(f"Вы приняли приглашение:\n{offered_roles(opened.grants)}")
    await show_opened(turn, opened)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("invite.decline"))
async def decline(event: dict, turn: CallbackTurn) -> None:
    opened = await turn.services.invitations.decline(
        vk_id=turn.actor.vk_id, invitation_id=int_arg(turn.payload, "id")
    )
    await turn.snackbar("Приглашение отклонено")
    await turn.edit(
        f"Вы отклонили приглашение:\n{offered_roles(opened.grants)}\n\n"
        "Если передумаете, попросите прислать его снова."
    )
    await _tell_inviter(turn.services, opened, "отклонил приглашение")


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("invite.confirm"))
async def confirm(event: dict, turn: CallbackTurn) -> None:
    opened = await turn.services.invitations.confirm(
        turn.actor, int_arg(turn.payload, "id"), int_arg(turn.payload, "u")
    )
    assert opened.binding is not None and opened.invitation.opened_by_vk_id is not None
    await turn.snackbar("Подтверждено")
    await turn.edit(f"{opener_text(opened.invitation)} подключён:\n{offered_roles(opened.grants)}")
    await welcome(turn.services, opened.invitation.opened_by_vk_id, opened.binding)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("invite.reject"))
async def reject(event: dict, turn: CallbackTurn) -> None:
    opened = await turn.services.invitations.reject(
        turn.actor, int_arg(turn.payload, "id"), int_arg(turn.payload, "u")
    )
    await turn.snackbar("Приглашение отменено")
    await turn.edit(
        f"Приглашение отменено: {opener_text(opened.invitation)} не получит доступ, ссылка больше "
        "не действует. Новое приглашение можно отправить из списка «Сотрудники»."
    )
    if opened.invitation.opened_by_vk_id is not None:
        await turn.services.message(
            opened.invitation.opened_by_vk_id,
            "Пригласивший не подтвердил, что ссылку открыли вы, — приглашение отменено. "
            "Если это ошибка, попросите прислать новое.",
        )


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
    await welcome(turn.services, turn.actor.vk_id, binding)
