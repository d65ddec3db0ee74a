"""messages.* about chats: create, invite links, members, settings, removal, title, photo."""

from __future__ import annotations

from typing import Any

from ..world import CHAT_PEER_OFFSET, Chat, Conversation, Member, World, chat_life
from .access import chat_id_of, community_membership, open_chat, require_admin
from .errors import VKError, invalid_param
from .params import Params
from .shapes import file_url, group_object, user_object

MAX_MEMBERS_PAGE = 1000
MAX_PEERS = 100
ACTIVE_AUTHORS_WINDOW = 100  # messages looked at for chat_settings.active_ids
ADMIN_ACL = (
    "can_change_info", "can_change_invite_link", "can_change_pin", "can_invite",
    "can_promote_users", "can_see_invite_link", "can_moderate", "can_copy_chat",
    "can_use_mass_mentions",
)
ALL_ACL = (*ADMIN_ACL, "can_call", "can_change_service_type")


def create_chat(world: World, params: Params) -> Any:
    """Communities cannot add people: `user_ids` is accepted and nobody is added."""
    params.check_group(world.config.group_id)
    chat = chat_life.create_chat(world, params.required_text("title"))
    if world.config.create_chat_response == "object":
        return {"chat_id": chat.id, "peer_ids": []}
    return chat.id


def get_invite_link(world: World, params: Params) -> dict[str, str]:
    params.check_group(world.config.group_id)
    reset = params.flag("reset")
    chat = world.chats.get(chat_id_of(params.required_integer("peer_id")))
    membership = None if chat is None else world.chats.member(chat.id, world.community_id)
    if chat is None or chat.deleted or membership is None or not membership.is_admin:
        raise VKError(931 if reset else 919)
    return {"link": chat_life.invite_link(world, chat, reset)}


def get_conversation_members(world: World, params: Params) -> dict[str, Any]:
    params.check_group(world.config.group_id)
    chat = open_chat(world, chat_id_of(params.required_integer("peer_id")), gone=927)
    if not community_membership(world, chat).is_admin:
        raise VKError(917)
    offset = params.integer("offset", 0) or 0
    count = params.integer("count", 20) or 0
    if offset < 0 or not 1 <= count <= MAX_MEMBERS_PAGE:
        raise invalid_param(f"count should be 1..{MAX_MEMBERS_PAGE}, offset at least 0")
    members = world.chats.members(chat.id)
    page = members[offset : offset + count]
    fields = set(params.texts("fields"))
    people = [world.people.require(m.member_id) for m in page if m.member_id > 0]
    community_listed = any(m.member_id == world.community_id for m in page)
    return {
        "count": len(members),
        "items": [_member_item(world, member) for member in page],
        "profiles": [user_object(person, fields) for person in people],
        "groups": [group_object(world.config)] if community_listed else [],
    }


def _member_item(world: World, member: Member) -> dict[str, Any]:
    """The community owns its chats; it can kick everyone else (it is admin to list them)."""
    item: dict[str, Any] = {
        "member_id": member.member_id,
        "invited_by": member.invited_by,
        "join_date": member.join_date,
        "is_admin": member.is_admin,
    }
    if member.member_id == world.community_id:
        item["is_owner"] = True
    else:
        item["can_kick"] = True
    return item


def get_conversations_by_id(world: World, params: Params) -> dict[str, Any]:
    params.check_group(world.config.group_id)
    peer_ids = params.integers("peer_ids", max_items=MAX_PEERS)
    if not peer_ids:
        raise invalid_param("peer_ids is undefined")
    items = [item for peer_id in peer_ids if (item := _conversation_item(world, peer_id))]
    response: dict[str, Any] = {"count": len(items), "items": items}
    if params.flag("extended"):
        fields = set(params.texts("fields"))
        users = [world.people.vk_user(p) for p in peer_ids if 0 < p < CHAT_PEER_OFFSET]
        response["profiles"] = [user_object(user, fields) for user in users if user]
        response["groups"] = [group_object(world.config)]
    return response


def _conversation_item(world: World, peer_id: int) -> dict[str, Any] | None:
    if peer_id > CHAT_PEER_OFFSET:
        chat = world.chats.get(peer_id - CHAT_PEER_OFFSET)
        if chat is None or chat.deleted:
            return None
        conversation = world.conversations.chat(chat.id)
        return {
            **_conversation_basics(world, peer_id, "chat", chat.id, conversation),
            "chat_settings": _chat_settings(world, chat, conversation),
            "can_write": {"allowed": chat.community_state == "in"},
        }
    person = world.people.vk_user(peer_id) if peer_id > 0 else None
    if person is None:
        return None
    dialog = world.conversations.find_dialog(person.id)
    return {
        **_conversation_basics(world, peer_id, "user", person.id, dialog),
        "can_write": {"allowed": True}
        if person.allows_messages
        else {"allowed": False, "reason": 901},
    }


def _conversation_basics(
    world: World, peer_id: int, peer_type: str, local_id: int, conversation: Conversation | None
) -> dict[str, Any]:
    last_cmid = 0 if conversation is None else conversation.last_cmid
    last = None if conversation is None else world.conversations.by_cmid(conversation.id, last_cmid)
    return {
        "peer": {"id": peer_id, "type": peer_type, "local_id": local_id},
        "last_message_id": 0 if last is None or peer_type == "chat" else last.id,
        "last_conversation_message_id": last_cmid,
        "in_read": last_cmid,
        "out_read": last_cmid,
        "version": 0 if last is None else last.version,
    }


def _chat_settings(world: World, chat: Chat, conversation: Conversation) -> dict[str, Any]:
    membership = world.chats.member(chat.id, world.community_id)
    is_admin = membership is not None and membership.is_admin
    acl = {name: is_admin and name in ADMIN_ACL for name in ALL_ACL}
    if membership is not None:
        acl["can_invite"] = True
    settings: dict[str, Any] = {
        "owner_id": world.community_id,
        "title": chat.title,
        "state": chat.community_state,
        "acl": acl,
        "is_group_channel": False,
    }
    if membership is None:
        return settings
    members = world.chats.members(chat.id)
    settings.update(
        members_count=len(members),
        admin_ids=[m.member_id for m in members if m.is_admin],
        active_ids=_active_ids(world, conversation, {m.member_id for m in members}),
    )
    if chat.photo_file_id is not None:
        settings["photo"] = _chat_photo(world, chat)
    if conversation.pinned_cmid is not None:
        pinned = world.conversations.by_cmid(conversation.id, conversation.pinned_cmid)
        if pinned is not None:
            settings["pinned_message"] = world.community_message(conversation, pinned)
    return settings


def _active_ids(world: World, conversation: Conversation, members: set[int]) -> list[int]:
    """Current members among the authors of the latest messages, most recent first."""
    recent = world.conversations.window(conversation.id, 1, None, ACTIVE_AUTHORS_WINDOW)
    authors = dict.fromkeys(m.from_id for m in reversed(recent) if m.action is None)
    return [author for author in authors if author in members and author > 0]


def _chat_photo(world: World, chat: Chat) -> dict[str, Any]:
    stored = world.media.file_by_id(chat.photo_file_id) if chat.photo_file_id else None
    if stored is None:
        return {"is_default_photo": True}
    url = file_url(world.base_url, stored.token, stored.filename)
    return {"photo_50": url, "photo_100": url, "photo_200": url, "is_default_photo": False}


def remove_chat_user(world: World, params: Params) -> int:
    """Remove a member; `member_id = -group_id` makes the community leave (no rights needed)."""
    chat = open_chat(world, params.required_integer("chat_id"), gone=945)
    community_membership(world, chat)
    member_id = params.integer("member_id", params.integer("user_id"))
    if member_id is None:
        raise invalid_param("member_id is undefined")
    if member_id != world.community_id:
        require_admin(world, chat)
        if world.chats.member(chat.id, member_id) is None:
            raise VKError(935)
    chat_life.remove_member(world, chat, member_id, world.community_id)
    return 1


def edit_chat(world: World, params: Params) -> int:
    chat = open_chat(world, params.required_integer("chat_id"), gone=945)
    title = params.required_text("title")
    require_admin(world, chat)
    chat_life.rename(world, chat, title, world.community_id)
    return 1


def set_chat_photo(world: World, params: Params) -> dict[str, Any]:
    stored = world.media.file(params.required_text("file"))
    if stored is None or stored.purpose != "chat_photo" or stored.chat_id is None:
        raise invalid_param("file is invalid")
    chat = open_chat(world, stored.chat_id, gone=945)
    require_admin(world, chat)
    message = chat_life.set_photo(world, chat, stored, world.community_id)
    members = world.chats.members(chat.id)
    chat = world.chats.require(chat.id)
    return {
        "message_id": message.id,
        "chat": {
            "id": chat.id,
            "type": "chat",
            "title": chat.title,
            "admin_id": world.community_id,
            "users": [m.member_id for m in members],
            "members_count": len(members),
            **{key: value for key, value in _chat_photo(world, chat).items()
               if key.startswith("photo_")},
            "is_default_photo": False,
        },
    }


METHODS = {
    "messages.createChat": create_chat,
    "messages.getInviteLink": get_invite_link,
    "messages.getConversationMembers": get_conversation_members,
    "messages.getConversationsById": get_conversations_by_id,
    "messages.removeChatUser": remove_chat_user,
    "messages.editChat": edit_chat,
    "messages.setChatPhoto": set_chat_photo,
}
