"""What happens in chats: people joining and leaving (uptake), the admin joining (their first
onboarding step ticks itself), outsiders joining the coordination chat (removed, the link
reset), the community being removed (staff are told)."""

from __future__ import annotations

from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import ChatActionRule

from bot.handlers.onboarding import send_step, tell_staff_chat_lost
from bot.runtime.context import Services, Turn
from bot.services.core.access import municipality_staff
from bot.services.chats.model import Admission
from bot.vk.gateway import bulk_priority
from storage.models import Chat

labeler = BotLabeler()


def _member(message: Message) -> int:
    action = message.action
    return int(getattr(action, "member_id", 0) or message.from_id)


@labeler.chat_message(ChatActionRule(["chat_invite_user_by_link", "chat_invite_user"]))
async def joined(message: Message, turn: Turn) -> None:
    member = _member(message)
    chat = await turn.services.uptake.joined(message.peer_id, member)
    if chat is None:
        return
    admission = await turn.services.chats.admit(chat, member)
    if admission is not None:
        await _turned_away(turn.services, chat, member, admission)
        return
    onboarding = await turn.services.onboarding.admin_joined(chat, member)
    if onboarding is not None:
        await send_step(turn.services, member, onboarding, "Вижу, вы вступили в чат — отлично!")


async def _turned_away(services: Services, chat: Chat, member: int, admission: Admission) -> None:
    """An outsider in the coordination chat: told why (if VK lets us write to them); who
    belongs there and has not joined yet gets the new link."""
    if not admission.removed:
        for person in await municipality_staff(chat.municipality_id):
            await services.message(
                person.vk_id or 0,
                f"В чат «{chat.title}» вступил посторонний (vk.com/id{member}), а удалить его "
                "сообщество не может: у него нет прав администратора в этом чате. Удалите его "
                "вручную и верните сообществу права.",
            )
        return
    if member > 0:
        await services.message(
            member,
            f"Чат «{chat.title}» — только для сотрудников муниципалитета и администраторов "
            "домовых чатов, поэтому бот удалил вас из него. Если вы один из них, откройте "
            "приглашение, которое вам прислали, — ссылка на чат придёт после подключения.",
        )
    if admission.link is None:
        return
    text = (
        f"Ссылка на чат «{chat.title}» изменилась (старой воспользовался посторонний). "
        f"Вступить: {admission.link}"
    )
    peers = [p.vk_id for p in admission.not_joined if p.vk_id is not None]
    with bulk_priority():
        await services.gateway.send_many(
            peers, text, dedup_key=f"coordination-link:{chat.id}:{admission.link}"
        )


@labeler.chat_message(ChatActionRule("chat_kick_user"))
async def left(message: Message, turn: Turn) -> None:
    member = _member(message)
    chat = await turn.services.uptake.left(message.peer_id, member)
    if chat is not None and member == -turn.services.gateway.group_id:
        staff = await turn.services.chats.mark_lost(chat, "сообщество удалили из чата")
        await tell_staff_chat_lost(turn.services, staff, chat)
