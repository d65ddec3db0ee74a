"""Which chats and people the community may reach, with VK's errors when it may not."""

from __future__ import annotations

from ..world import CHAT_PEER_OFFSET, Chat, Conversation, Member, Person, World
from .errors import VKError, invalid_param


def open_chat(world: World, chat_id: int, gone: int) -> Chat:
    """The community's chat `chat_id`; `gone` is the error this method gives for a deleted chat."""
    chat = world.chats.get(chat_id)
    if chat is None:
        raise VKError(917)
    if chat.deleted:
        raise VKError(gone)
    return chat


def community_membership(world: World, chat: Chat) -> Member:
    membership = world.chats.member(chat.id, world.community_id)
    if membership is None:
        raise VKError(917)
    return membership


def require_admin(world: World, chat: Chat) -> None:
    if not community_membership(world, chat).is_admin:
        raise VKError(925)


def chat_id_of(peer_id: int) -> int:
    if peer_id <= CHAT_PEER_OFFSET:
        raise invalid_param("peer_id should be a chat peer (2000000000 + chat_id)")
    return peer_id - CHAT_PEER_OFFSET


def conversation_with(world: World, peer_id: int, gone: int = 917) -> Conversation:
    """A dialog with a VK user or a chat the community is in."""
    if peer_id > CHAT_PEER_OFFSET:
        chat = open_chat(world, peer_id - CHAT_PEER_OFFSET, gone)
        community_membership(world, chat)
        return world.conversations.chat(chat.id)
    _require_user(world, peer_id)
    dialog = world.conversations.find_dialog(peer_id)
    if dialog is None:
        raise invalid_param("there are no messages with this peer")
    return dialog


def writable_conversation(world: World, peer_id: int) -> Conversation:
    """A chat the community is in, or a dialog with a user who allowed its messages."""
    if peer_id > CHAT_PEER_OFFSET:
        return conversation_with(world, peer_id, gone=945)
    if not _require_user(world, peer_id).allows_messages:
        raise VKError(901)
    return world.conversations.dialog(peer_id)


def _require_user(world: World, peer_id: int) -> Person:
    if peer_id <= 0:
        raise invalid_param("peer_id is invalid")
    person = world.people.vk_user(peer_id)
    if person is None:
        raise VKError(936)
    return person
