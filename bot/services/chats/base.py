"""What every part of the chat services shares: the messenger, the clock, and finding a chat
the actor may work with."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable

from bot.clock import Clock
from bot.services.chats.model import existing_chat
from bot.services.chats.provisioning import ChatProvisioner
from bot.services.core.access import Actor, require_municipality
from bot.services.core.ports import Messenger
from bot.services.staff.invitations import Delivery, InvitationService
from storage.models import Chat, Person, Role, RoleGrant


class ChatBase:
    """The state every concern of the chat services shares, and finding a chat."""

    def __init__(
        self,
        *,
        messenger: Messenger,
        invitations: InvitationService,
        clock: Clock,
        community_id: int = 0,
    ) -> None:
        self._messenger = messenger
        self._community_member = -community_id
        self._invitations = invitations
        self._clock = clock
        self._coordination_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._provisioning: set[int] = set()  # chats this process is creating right now
        self._holder = uuid.uuid4().hex  # this process's name on the leases of chats it creates
        self._provisioner = ChatProvisioner(messenger)
        # Called after a person was told of new roles (the composition root starts onboarding).
        self.on_told: Callable[[Person, list[RoleGrant], Delivery], Awaitable[None]] | None = None

    async def chat_for(self, actor: Actor, chat_id: int) -> Chat:
        """The chat, if the actor works in its municipality."""
        chat = await existing_chat(chat_id)
        await require_municipality(actor, chat.municipality_id)
        return chat

    async def chat_managed_by(self, actor: Actor, chat_id: int) -> Chat:
        """The chat, if the actor is its admin or works in its municipality."""
        chat = await existing_chat(chat_id)
        if any(g.role is Role.CHAT_ADMIN and g.chat_id == chat.id for g in actor.grants):
            return chat
        await require_municipality(actor, chat.municipality_id)
        return chat
