"""Ordinary messages in house chats, taken before routing: they are only counted."""

from __future__ import annotations

from typing import Any

from bot.services.core.ports import CHAT_PEER_OFFSET
from bot.services.stats.activity import StatsService


async def count_ordinary_chat_message(update: dict[str, Any], stats: StatsService) -> bool:
    """A resident's ordinary message in a group chat (not a service action: joins and leaves are
    counted by their own handlers) is only counted, so it is taken here, before vkbottle builds a
    message object and runs its rules for it — it is most of the bot's traffic. True if taken."""
    if update.get("type") != "message_new":
        return False
    message = (update.get("object") or {}).get("message")
    if not isinstance(message, dict) or message.get("action"):
        return False
    peer_id, from_id = message.get("peer_id"), message.get("from_id")
    if not isinstance(peer_id, int) or not isinstance(from_id, int):
        return False
    if peer_id < CHAT_PEER_OFFSET or from_id <= 0:
        return False
    await stats.count_message(peer_id, from_id)
    return True
