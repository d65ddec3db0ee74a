"""The chat list's notices: the poster archive, sent when it is ready."""

from __future__ import annotations

from bot.notices.base import Notice
from bot.services.core.access import Actor
from bot.vk.gateway import bulk_priority


class ChatListNotices(Notice):
    async def posters_archive(self, actor: Actor, peer_id: int, municipality_id: int) -> None:
        """The archive of every chat's poster, when it is ready (it takes a while)."""
        count, archive = await self.services.posters.archive(actor, municipality_id)
        if not count:
            await self._messenger.send(peer_id, "Действующих чатов пока нет — объявлять нечего.")
            return
        with bulk_priority():
            doc = await self._messenger.upload(peer_id, "doc", "Объявления.zip", archive)
            await self._messenger.send(
                peer_id, f"Готово: объявления всех чатов ({count}) — в архиве.", attachments=[doc]
            )
