"""What happens in chats: people joining and leaving (uptake), the admin joining (their first
onboarding step ticks itself), outsiders joining the coordination chat (removed, the link
reset), the community being removed (staff are told)."""

from __future__ import annotations

from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import ChatActionRule

from bot.runtime.context import Turn

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
        await turn.services.notices.chat_events.turned_away(chat, member, admission)
        return
    onboarding = await turn.services.onboarding.admin_joined(chat, member)
    if onboarding is not None:
        await turn.services.notices.onboarding.send_step(member, onboarding, "Вижу, вы вступили в чат — отлично!")


@labeler.chat_message(ChatActionRule("chat_kick_user"))
async def left(message: Message, turn: Turn) -> None:
    member = _member(message)
    chat = await turn.services.uptake.left(message.peer_id, member)
    if chat is not None:
        staff = await turn.services.chats.member_left(chat, member)
        await turn.services.notices.onboarding.chat_lost(staff, chat)
