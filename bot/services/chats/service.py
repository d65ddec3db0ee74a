"""House chats, one service split by concern: creation (`creation`), the directory
(`directory`), roles in chats and the coordination chat (`roles`), a chat's health (`health`).
Every method checks the actor's access to the municipality."""

from __future__ import annotations

from bot.services.chats.roles import ChatRoles


class ChatService(ChatRoles):
    """Every part of the chat services (the composition root builds this one)."""
