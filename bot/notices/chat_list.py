"""The chat list's notices: the poster archive, sent when it is ready."""

from __future__ import annotations

from bot.notices.base import Notice
from bot.services.core.access import Actor
from bot.vk.gateway import bulk_priority


class ChatListNotices(Notice):
    async def posters_documents(self, actor: Actor, peer_id: int, municipality_id: int) -> None:
        """Every chat's poster, a page each, in PDF documents under VK's size limit, when they
        are ready (it takes a while)."""
        documents = await self.services.posters.documents(actor, municipality_id)
        if not documents:
            await self._messenger.send(peer_id, "Действующих чатов пока нет — объявлять нечего.")
            return
        count = documents[-1].last
        with bulk_priority():
            if len(documents) == 1:
                await self._document(
                    peer_id,
                    f"Готово: объявления всех чатов ({count}) — в одном файле PDF, по странице на чат.",
                    "Объявления.pdf",
                    documents[0].content,
                )
                return
            for number, document in enumerate(documents, 1):
                await self._document(
                    peer_id,
                    f"Объявления, файл {number} из {len(documents)}: "
                    f"чаты {document.first}–{document.last} из {count}.",
                    f"Объявления {number} из {len(documents)}.pdf",
                    document.content,
                )
            await self._messenger.send(
                peer_id,
                f"Готово: объявления всех чатов ({count}) — в {len(documents)} файлах PDF, "
                "по странице на чат (файлы ВКонтакте не больше 200 МБ).",
            )

    async def _document(self, peer_id: int, text: str, name: str, content: bytes) -> None:
        doc = await self._messenger.upload(peer_id, "doc", name, content)
        await self._messenger.send(peer_id, text, attachments=[doc])
