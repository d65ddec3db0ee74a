"""A vkbottle state dispenser backed by the database: a dialog survives a restart.

The key is the person's VK id: the bot's message view (`bot/handlers/__init__.py`) uses the
sender's `from_id` as the state key in the community dialog, and no state at all for messages in
group chats — a dialog with the bot lives only in the person's dialog with the community.
"""

from __future__ import annotations

from typing import Any

from vkbottle import ABCStateDispenser, BaseStateGroup, StatePeer
from vkbottle.dispatch.dispenser.base import StateRepresentation, get_state_repr

from storage.models import DialogState


def _state_repr(state: BaseStateGroup | str) -> str:
    return get_state_repr(state) if isinstance(state, BaseStateGroup) else str(state)


class DatabaseStateDispenser(ABCStateDispenser):
    async def get(self, peer_id: int) -> StatePeer | None:
        row = await DialogState.get_or_none(vk_id=peer_id)
        if row is None:
            return None
        return StatePeer(
            peer_id=peer_id, state=StateRepresentation(row.state), payload=dict(row.payload or {})
        )

    async def set(self, peer_id: int, state: BaseStateGroup | str, **payload: Any) -> None:
        await DialogState.update_or_create(
            defaults={"state": _state_repr(state), "payload": payload}, vk_id=peer_id
        )

    async def delete(self, peer_id: int) -> None:
        await DialogState.filter(vk_id=peer_id).delete()
