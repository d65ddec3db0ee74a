"""The directory of house chats staff see: pages, search, cards, the export's list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bot.services.chats.health import ChatHealth
from bot.services.chats.model import ChatCard, Holder, house_chats
from bot.services.core.access import Actor, require_municipality
from bot.services.core.paging import Page, paginate
from bot.services.staff.invitations import person_statuses
from storage.models import Chat, Role, RoleGrant


class ChatDirectory(ChatHealth):
    """Lists, search and cards of a municipality's house chats."""


    async def page(
        self, actor: Actor, municipality_id: int, *, number: int, size: int, search: str = ""
    ) -> Page[ChatCard]:
        municipality = await require_municipality(actor, municipality_id)
        page = await paginate(house_chats(municipality, search), number, size)
        return Page(await self._cards(page.items), page.number, page.pages, page.total, page.size)

    async def count(self, actor: Actor, municipality_id: int) -> int:
        municipality = await require_municipality(actor, municipality_id)
        return await house_chats(municipality).count()

    async def card(self, actor: Actor, chat_id: int) -> ChatCard:
        chat = await self.chat_for(actor, chat_id)
        await self.refresh_members(chat)
        (card,) = await self._cards([chat])
        return card

    async def _cards(self, chats: Sequence[Chat]) -> list[ChatCard]:
        """Chats with their admins and representatives (one query for all of them)."""
        grants = await RoleGrant.filter(
            chat_id__in=[c.id for c in chats], role__in=(Role.CHAT_ADMIN, Role.REPRESENTATIVE)
        ).prefetch_related("person").order_by("kind", "id")
        statuses = await person_statuses(grants, self._clock.now())
        by_chat: dict[int | None, list[Holder]] = defaultdict(list)
        for grant in grants:
            by_chat[grant.chat_id].append(Holder(grant, grant.person, statuses[grant.id]))
        return [
            ChatCard(
                chat,
                admins=[h for h in by_chat[chat.id] if h.grant.role is Role.CHAT_ADMIN],
                representatives=[h for h in by_chat[chat.id] if h.grant.role is Role.REPRESENTATIVE],
            )
            for chat in chats
        ]

    async def all_chats(self, actor: Actor, municipality_id: int) -> list[ChatCard]:
        """Every house chat of the municipality with its people, for the export."""
        municipality = await require_municipality(actor, municipality_id)
        return await self._cards(await house_chats(municipality))

    async def search_ids(self, actor: Actor, municipality_id: int, search: str) -> list[int]:
        municipality = await require_municipality(actor, municipality_id)
        ids = await house_chats(municipality, search).values_list("id", flat=True)
        return list(ids)  # type: ignore[arg-type]  # tortoise types flat values_list as tuples
