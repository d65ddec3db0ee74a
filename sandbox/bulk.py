"""Bulk set-up for benchmarks and load tests: many chats at once, straight into the world
(creating 10,000 chats through the API at 20 requests/s would take over eight minutes)."""

from __future__ import annotations

from collections.abc import Iterable

from .world import World
from .world.chat_life import create_chat, invite_link


def create_chats(world: World, titles: Iterable[str]) -> list[tuple[int, int, str]]:
    """Chats owned by the community: (community chat id, peer id, invite link) for each."""
    made = []
    with world.transaction():  # one commit for them all
        for title in titles:
            chat = create_chat(world, title)
            made.append((chat.id, chat.community_peer_id, invite_link(world, chat, reset=False)))
    return made


def community_posts_per_chat(world: World, prefix: str) -> dict[int, int]:
    """How many messages starting with `prefix` the community posted in each chat."""
    rows = world.db.all(
        "SELECT c.target_id AS chat_id, COUNT(*) AS n FROM messages m "
        "JOIN conversations c ON c.id = m.conversation_id "
        "WHERE c.kind = 'chat' AND m.from_id = ? AND m.text LIKE ? AND m.deleted = 0 "
        "GROUP BY c.target_id",
        (world.community_id, prefix + "%"),
    )
    return {int(row["chat_id"]): int(row["n"]) for row in rows}


def pinned_chats(world: World) -> set[int]:
    """The community's chat ids where some message is pinned."""
    rows = world.db.all(
        "SELECT target_id FROM conversations WHERE kind = 'chat' AND pinned_cmid IS NOT NULL"
    )
    return {int(row["target_id"]) for row in rows}
