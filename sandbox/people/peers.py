"""Conversations as a person addresses them: -group_id for the community, 2000000000 + their
own chat id for a chat."""

from __future__ import annotations

from dataclasses import dataclass

from ..world import CHAT_PEER_OFFSET, Chat, Conversation, Person, World
from ..world.records import PersonChat
from .http import PeopleError, conflict, forbidden, not_found


@dataclass(frozen=True)
class PersonPeer:
    peer_id: int
    conversation: Conversation
    chat: Chat | None = None
    person_chat: PersonChat | None = None

    @property
    def first_cmid(self) -> int:
        return self.person_chat.visible_from_cmid if self.person_chat else 1

    @property
    def last_cmid(self) -> int | None:
        """The last message they see; None while they are in the conversation."""
        return self.person_chat.visible_until_cmid if self.person_chat else None

    @property
    def is_member(self) -> bool:
        return self.person_chat is None or self.person_chat.visible_until_cmid is None


def resolve_peer(world: World, person: Person, peer_id: int) -> PersonPeer:
    if peer_id == world.community_id:
        return PersonPeer(peer_id, world.conversations.dialog(person.id))
    if peer_id > CHAT_PEER_OFFSET:
        person_chat = world.chats.person_chat_by_local_id(person.id, peer_id - CHAT_PEER_OFFSET)
        if person_chat is not None:
            chat = world.chats.require(person_chat.chat_id)
            return PersonPeer(peer_id, world.conversations.chat(chat.id), chat, person_chat)
    raise not_found(
        f"У этого человека нет беседы peer_id={peer_id}: сообщество — {world.community_id}, "
        f"беседы — 2000000000 + его собственный номер беседы (со 101)"
    )


def require_vk(person: Person) -> None:
    if not person.has_vk:
        raise forbidden("У этого человека нет аккаунта VK: он может только получать SMS")


def writable_peer(world: World, person: Person, peer_id: int) -> PersonPeer:
    """A conversation the person can write to right now."""
    require_vk(person)
    peer = resolve_peer(world, person, peer_id)
    if peer.chat is not None:
        if peer.chat.deleted:
            raise PeopleError(410, "Беседа удалена")
        if not peer.is_member:
            raise forbidden("Этот человек больше не участник беседы")
    return peer


def community_in_chat(world: World, peer: PersonPeer) -> None:
    if peer.chat is not None and world.chats.member(peer.chat.id, world.community_id) is None:
        raise conflict("Сообщества нет в этой беседе")
