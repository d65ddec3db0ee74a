"""The sandbox world kept in SQLite: people, chats, messages, events, files, SMS."""

from .conversations import NewMessage, Sent
from .records import CHAT_PEER_OFFSET, Chat, Conversation, Media, Member, Message, Person
from .world import World

__all__ = [
    "CHAT_PEER_OFFSET",
    "Chat",
    "Conversation",
    "Media",
    "Member",
    "Message",
    "NewMessage",
    "Person",
    "Sent",
    "World",
]
