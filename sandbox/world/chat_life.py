"""What happens to chats: creation, people coming and going, renames, photos, pins.

Each change leaves the service message VK would show in the chat (`action`).
"""

from __future__ import annotations

import secrets

from ..vk.shapes import file_url
from .conversations import NewMessage
from .records import Chat, Conversation, Message, StoredFile
from .world import World


def create_chat(world: World, title: str) -> Chat:
    """A chat owned by the community, which is its admin and, for now, its only member."""
    community = world.community_id
    with world.transaction():
        chat = world.chats.create(title, world.now())
        world.chats.add_member(chat.id, community, community, world.now(), is_admin=True)
        _service(world, chat, community, {"type": "chat_create", "text": title})
    return chat


def invite_link(world: World, chat: Chat, reset: bool) -> str:
    """The chat's invite link; `reset` makes a new one and the old one stops working."""
    token = chat.invite_token
    if token is None or reset:
        token = secrets.token_urlsafe(18)
        world.chats.update(chat.id, invite_token=token)
    return f"https://vk.me/join/{token}"


def add_member(world: World, chat: Chat, member_id: int, actor: int, action: str) -> Message:
    """`member_id` (a person or the community) comes in: by link, or added by `actor`."""
    conversation = world.conversations.chat(chat.id)
    with world.transaction():
        world.chats.add_member(chat.id, member_id, actor, world.now())
        if member_id == world.community_id:
            world.chats.update(chat.id, community_state="in")
        else:
            world.chats.show_to_person(member_id, chat.id, conversation.last_cmid + 1)
        return _service(world, chat, actor, {"type": action, "member_id": member_id})


def remove_member(world: World, chat: Chat, member_id: int, actor: int) -> Message:
    """`actor` removes `member_id`; when both are the same, the member leaves."""
    with world.transaction():
        # said while the member is still in, so they (and the community about itself) see it
        message = _service(world, chat, actor, {"type": "chat_kick_user", "member_id": member_id})
        world.chats.remove_member(chat.id, member_id)
        if member_id == world.community_id:
            world.chats.update(chat.id, community_state="left" if actor == member_id else "kicked")
        else:
            world.chats.hide_from_person(member_id, chat.id, message.cmid)
    return message


def rename(world: World, chat: Chat, title: str, actor: int) -> Message:
    with world.transaction():
        world.chats.update(chat.id, title=title)
        return _service(world, chat, actor, {"type": "chat_title_update", "text": title})


def set_photo(world: World, chat: Chat, photo: StoredFile, actor: int) -> Message:
    url = file_url(world.base_url, photo.token, photo.filename)
    action = {
        "type": "chat_photo_update",
        "photo": {"photo_50": url, "photo_100": url, "photo_200": url},
    }
    with world.transaction():
        world.chats.update(chat.id, photo_file_id=photo.id)
        return _service(world, chat, actor, action)


def pin(world: World, conversation: Conversation, message: Message, actor: int) -> None:
    with world.transaction():
        world.conversations.set_pinned(conversation.id, message.cmid)
        if conversation.is_chat:
            action = {
                "type": "chat_pin_message",
                "member_id": actor,
                "conversation_message_id": message.cmid,
                "message": message.text,
            }
            _post(world, conversation, actor, action)
        else:
            world.people.touch(world.viewers(conversation))


def unpin(world: World, conversation: Conversation, actor: int) -> None:
    with world.transaction():
        world.conversations.set_pinned(conversation.id, None)
        if conversation.is_chat:
            _post(world, conversation, actor, {"type": "chat_unpin_message", "member_id": actor})
        else:
            world.people.touch(world.viewers(conversation))


def _service(world: World, chat: Chat, actor: int, action: dict) -> Message:
    return _post(world, world.conversations.chat(chat.id), actor, action)


def _post(world: World, conversation: Conversation, actor: int, action: dict) -> Message:
    """A service message (`action`) in a chat's conversation."""
    return world.post(conversation, NewMessage(from_id=actor, action=action))
