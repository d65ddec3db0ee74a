"""What every flow's notices share: the messenger (the `Messenger` port, never the VK gateway
itself) and the services they read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.services.core.ports import Messenger, RecipientUnreachable

if TYPE_CHECKING:
    from bot.runtime.context import Services


class Notice:
    """One flow's notices: what the bot says on its own initiative, rendered and sent here."""

    def __init__(self, messenger: Messenger, services: Services) -> None:
        self._messenger = messenger
        self.services = services

    async def message(self, vk_id: int, text: str, *, keyboard: str | None = None) -> bool:
        """A message to a person's dialog; False if the messenger will not deliver it to them."""
        try:
            await self._messenger.send(vk_id, text, keyboard=keyboard)
        except RecipientUnreachable:
            return False
        return True

    async def document(
        self, peer_id: int, text: str, filename: str, content: bytes, *, keyboard: str | None = None
    ) -> Any:
        reference = await self._messenger.upload(peer_id, "doc", filename, content)
        return await self._messenger.send(
            peer_id, text, keyboard=keyboard, attachments=[reference]
        )
