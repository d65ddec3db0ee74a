"""What a person sees: their conversations and the messages in one of them."""

from __future__ import annotations

from typing import Any

from ..vk.shapes import file_url
from ..world import Conversation, Media, Message, Person, World
from .peers import PersonPeer, resolve_peer


def messages_view(world: World, person: Person, peer_id: int, limit: int) -> dict[str, Any]:
    peer = resolve_peer(world, person, peer_id)
    conversation = peer.conversation
    messages = world.conversations.window(conversation.id, peer.first_cmid, peer.last_cmid, limit)
    pinned = _pinned(world, peer)
    shown = messages if pinned is None else [*messages, pinned]
    names = _names(world, shown)
    media = world.media.many([ref["id"] for m in shown for ref in m.attachment_refs])
    answers = world.callbacks.answers(person.id, conversation.id)
    return {
        "items": [_message(world, conversation, m, names, media) for m in messages],
        "pinned": None if pinned is None else _message(world, conversation, pinned, names, media),
        "keyboard": conversation.current_keyboard if peer.is_member else None,
        "snackbars": [
            {"text": a["text"], "date": a["date"]} for a in answers if a["type"] == "show_snackbar"
        ],
        "links": [
            {"link": a["link"], "date": a["date"]} for a in answers if a["type"] == "open_link"
        ],
        "version": world.people.view_version(person.id),
    }


def _pinned(world: World, peer: PersonPeer) -> Message | None:
    """The pinned message belongs to the conversation: every current member sees it, also one
    who joined after it was pinned (as `chat_settings.pinned_message` in VK)."""
    cmid = peer.conversation.pinned_cmid
    if cmid is None or not peer.is_member:
        return None
    return world.conversations.by_cmid(peer.conversation.id, cmid)


def conversations_view(world: World, person: Person) -> list[dict[str, Any]]:
    peers: list[tuple[PersonPeer, str]] = []
    dialog = world.conversations.find_dialog(person.id)
    if dialog is not None:
        peers.append((resolve_peer(world, person, world.community_id), world.config.community_name))
    for person_chat in world.chats.person_chats(person.id):
        peer = resolve_peer(world, person, person_chat.peer_id)
        assert peer.chat is not None
        peers.append((peer, peer.chat.title))
    items = [_conversation(world, person, peer, title) for peer, title in peers]
    return sorted(items, key=_recency, reverse=True)


def _recency(item: dict[str, Any]) -> tuple[int, int]:
    last = item["last_message"]
    return (last["date"], last["message_id"]) if last else (0, 0)


def _conversation(
    world: World, person: Person, peer: PersonPeer, title: str
) -> dict[str, Any]:
    conversation = peer.conversation
    last = world.conversations.window(conversation.id, peer.first_cmid, peer.last_cmid, 1)
    item: dict[str, Any] = {
        "peer_id": peer.peer_id,
        "type": "chat" if peer.chat else "group",
        "title": title,
        "unread": world.conversations.unread_count(
            person.id, conversation.id, peer.first_cmid, peer.last_cmid
        ),
        "last_message": None,
    }
    if last:
        names = _names(world, last)
        media = world.media.many([ref["id"] for ref in last[0].attachment_refs])
        item["last_message"] = _message(world, conversation, last[0], names, media)
    if peer.chat is not None:
        item.update(member=peer.is_member, deleted=peer.chat.deleted)
    return item


def _message(
    world: World,
    conversation: Conversation,
    message: Message,
    names: dict[int, str],
    media: dict[int, Media],
) -> dict[str, Any]:
    action = message.action_data
    if action is not None and "member_id" in action:
        action = {**action, "member_name": names.get(action["member_id"], "")}
    return {
        "conversation_message_id": message.cmid,
        "message_id": message.id,
        "from_id": message.from_id,
        "sender_name": names.get(message.from_id, ""),
        "text": message.text,
        "date": message.date,
        "attachments": [
            _attachment(world, media[ref["id"]])
            for ref in message.attachment_refs
            if ref["id"] in media
        ],
        "keyboard": message.inline_keyboard,
        "action": action,
        "pinned": conversation.pinned_cmid == message.cmid,
        "edited": message.update_time is not None,
        "official": _is_official(world, message),
    }


def _attachment(world: World, media: Media) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "type": media.kind,
        "title": media.title,
        "url": file_url(world.base_url, media.token, media.filename),
        "ext": media.ext,
        "size": media.size,
    }
    if media.kind == "photo":
        attachment.update(width=media.width, height=media.height)
    return attachment


def _names(world: World, messages: list[Message]) -> dict[int, str]:
    """Display names of the authors and of the members named in service messages."""
    ids = {m.from_id for m in messages}
    actions = [m.action_data for m in messages if m.action_data]
    ids |= {action["member_id"] for action in actions if "member_id" in action}
    names = world.people.names([i for i in ids if i > 0])
    names[world.community_id] = world.config.community_name
    return names


OFFICIAL_MARK = "📢"  # the bot's official header (role · organisation · ticket) starts with it


def _is_official(world: World, message: Message) -> bool:
    """A post the community marked official, as VK users would read it: the header line."""
    return message.from_id == world.community_id and message.text.startswith(OFFICIAL_MARK)
