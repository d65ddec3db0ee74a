"""A chat's health: its member count, its invite link, and noting when the community lost it."""

from __future__ import annotations

from bot.services.chats.base import ChatBase
from bot.services.core.access import Actor, municipality_staff
from bot.services.core.errors import DomainError
from bot.services.core.ports import ChatUnavailable, MessengerUnavailable
from storage.models import Chat, ChatStatus, Person


class ChatHealth(ChatBase):
    """A chat's members count and link, and noting that the community lost it."""


    async def reset_link(self, actor: Actor, chat_id: int) -> Chat:
        """A new invite link; VK revokes the old one, so old posters verify as outdated."""
        chat = await self.chat_managed_by(actor, chat_id)
        if chat.status is not ChatStatus.ACTIVE or chat.peer_id is None:
            raise DomainError("У этого чата сейчас нет действующей ссылки.")
        try:
            chat.invite_link = await self._messenger.invite_link(chat.peer_id, reset=True)
        except ChatUnavailable as exc:
            await self.mark_lost(chat, str(exc))
            raise DomainError(
                "ВКонтакте не дал сменить ссылку: сообщество больше не управляет этим чатом."
            ) from None
        await chat.save(update_fields=["invite_link"])
        return chat

    async def member_left(self, chat: Chat, member: int) -> list[Person]:
        """Someone left the chat: if it was the community itself, the chat is lost. Returns the
        staff to tell — only the first time."""
        if member != self._community_member:
            return []
        return await self.mark_lost(chat, "сообщество удалили из чата")

    async def mark_lost(self, chat: Chat, reason: str) -> list[Person]:
        """The community lost the chat. Returns the staff to tell — only the first time."""
        updated = await Chat.filter(id=chat.id, status=ChatStatus.ACTIVE).update(
            status=ChatStatus.BOT_REMOVED,
            status_reason=f"сообщество потеряло доступ к чату ({reason})",
        )
        await chat.refresh_from_db(fields=["status", "status_reason"])
        if not updated:
            return []
        return await municipality_staff(chat.municipality_id)

    async def refresh_members(self, chat: Chat) -> None:
        """Ask the messenger how many are in the chat; note if the community lost it."""
        if chat.status is not ChatStatus.ACTIVE or chat.peer_id is None:
            return
        try:
            count = await self._messenger.members_count(chat.peer_id)
        except ChatUnavailable as exc:
            await self.mark_lost(chat, str(exc))
            return
        except MessengerUnavailable:
            return  # show what we knew
        if count is not None and count != chat.members_count:
            chat.members_count = count
            await chat.save(update_fields=["members_count"])
