"""What the bot says about events in chats: an outsider turned away from the coordination chat,
and the new link for those who belong there."""

from __future__ import annotations

from bot.notices.base import Notice
from bot.services.chats.model import Admission
from bot.services.core.access import municipality_staff
from bot.vk.gateway import bulk_priority
from storage.models import Chat


class ChatEventNotices(Notice):
    async def turned_away(self, chat: Chat, member: int, admission: Admission) -> None:
        """An outsider in the coordination chat: told why (if VK lets us write to them); who
        belongs there and has not joined yet gets the new link."""
        if not admission.removed:
            for person in await municipality_staff(chat.municipality_id):
                await self.message(
                    person.vk_id or 0,
                    f"В чат «{chat.title}» вступил посторонний (vk.com/id{member}), а удалить его "
                    "сообщество не может: у него нет прав администратора в этом чате. Удалите его "
                    "вручную и верните сообществу права.",
                )
            return
        if member > 0:
            await self.message(
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
            await self._messenger.send_many(
                peers, text, dedup_key=f"coordination-link:{chat.id}:{admission.link}"
            )
