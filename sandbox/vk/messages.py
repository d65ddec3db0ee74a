"""messages.*: sending, editing, deleting, pinning, callback answers."""

from __future__ import annotations

import json
from typing import Any

from ..world import CHAT_PEER_OFFSET, Conversation, Message, NewMessage, Sent, World, chat_life
from .access import conversation_with, open_chat, require_admin, writable_conversation
from .attachments import resolve_attachments
from .errors import VKError, invalid_param
from .keyboard import parse_keyboard
from .params import Params

MAX_MESSAGE_LENGTH = 9000  # VK's documented limit (clients split at 4096)
MAX_PAYLOAD_LENGTH = 1000  # messages.send `payload`, per the schema
MAX_PEERS = 100
CALLBACK_ANSWER_WINDOW = 60  # seconds VK waits for sendMessageEventAnswer
MAX_SNACKBAR_TEXT = 90
PINNED_KEYS = (
    "id", "date", "from_id", "peer_id", "text", "conversation_message_id",
    "attachments", "fwd_messages", "out", "important",
)


def send(world: World, params: Params) -> Any:
    params.check_group(world.config.group_id)
    if "random_id" not in params:  # required since API 5.90; 0 turns de-duplication off
        raise invalid_param("random_id is a required parameter")
    peers, many = _recipients(params)
    new = NewMessage(
        from_id=world.community_id,
        text=_message_text(params) or "",
        payload=_payload(params),
        keyboard=_keyboard(params),
        attachments=resolve_attachments(world, params.text("attachment", "") or ""),
        random_id=params.required_integer("random_id"),
    )
    if not new.text.strip() and not new.attachments:
        raise invalid_param("message is empty")
    if not many:
        return _deliver(world, peers[0], new).message_id
    with world.transaction():  # one commit for the whole call, as one request is for VK
        return [_deliver_item(world, peer_id, new) for peer_id in peers]


def _recipients(params: Params) -> tuple[list[int], bool]:
    if "peer_ids" in params:
        peers = params.integers("peer_ids", max_items=MAX_PEERS)
        if not peers:
            raise invalid_param("peer_ids is undefined")
        return peers, True
    for name, offset in (("peer_id", 0), ("user_id", 0), ("chat_id", CHAT_PEER_OFFSET)):
        value = params.integer(name)
        if value is not None:
            return [offset + value], False
    raise invalid_param("you should specify peer_id, user_id, chat_id or peer_ids")


def _message_text(params: Params) -> str | None:
    text = params.text("message")
    if text is not None and len(text) > MAX_MESSAGE_LENGTH:
        raise VKError(914)
    return text


def _payload(params: Params) -> str | None:
    payload = params.text("payload")
    if payload is not None and len(payload) > MAX_PAYLOAD_LENGTH:
        raise invalid_param(f"payload should be at most {MAX_PAYLOAD_LENGTH} characters")
    return payload or None


def _keyboard(params: Params) -> dict[str, Any] | None:
    raw = params.text("keyboard")
    return parse_keyboard(raw) if raw else None


def _deliver(world: World, peer_id: int, new: NewMessage) -> Sent:
    """One recipient; a repeated (peer_id, random_id) answers the first result again."""
    if new.random_id:
        sent = world.conversations.sent_with_random_id(peer_id, new.random_id)
        if sent is not None:
            return sent
    conversation = writable_conversation(world, peer_id)
    with world.transaction():
        message = world.post(conversation, new)
        sent = Sent(message.id, message.cmid)
        if new.random_id:
            world.conversations.remember_random_id(peer_id, new.random_id, sent)
    return sent


def _deliver_item(world: World, peer_id: int, new: NewMessage) -> dict[str, Any]:
    try:
        sent = _deliver(world, peer_id, new)
    except VKError as error:  # VK gives no message ids for a recipient that failed
        return {"peer_id": peer_id, "error": error.as_item_error()}
    return {
        "peer_id": peer_id, "message_id": sent.message_id, "conversation_message_id": sent.cmid,
    }


def edit(world: World, params: Params) -> int:
    params.check_group(world.config.group_id)
    conversation = conversation_with(world, params.required_integer("peer_id"))
    message = _find_message(world, conversation, params)
    if message.action is not None:
        raise VKError(920)
    if message.from_id != world.community_id:
        raise VKError(909)
    attachments = None
    if "attachment" in params:
        attachments = resolve_attachments(world, params.text("attachment") or "")
    world.edit(conversation, message, _message_text(params), attachments, _keyboard(params))
    return 1


def _find_message(world: World, conversation: Conversation, params: Params) -> Message:
    cmid = params.integer("cmid", params.integer("conversation_message_id"))
    message_id = params.integer("message_id")
    if cmid is not None:
        message = world.conversations.by_cmid(conversation.id, cmid)
    elif message_id is not None:
        message = world.conversations.by_id(message_id)
    else:
        raise invalid_param("message_id or conversation_message_id is undefined")
    if message is None or message.conversation_id != conversation.id:
        raise invalid_param("message is not found")
    return message


def delete(world: World, params: Params) -> list[dict[str, Any]]:
    """Per message `{peer_id, message_id, conversation_message_id, response: 1}` or `error`."""
    params.check_group(world.config.group_id)
    cmids = params.integers("cmids", max_items=100)
    message_ids = params.integers("message_ids", max_items=1000)
    if not cmids and not message_ids:
        raise invalid_param("message_ids or cmids is undefined")
    peer_id = params.integer("peer_id")
    for_all = params.flag("delete_for_all")
    if cmids:
        if peer_id is None:
            raise invalid_param("peer_id is undefined")
        conversation = conversation_with(world, peer_id)
        return [
            _delete_one(world, conversation, world.conversations.by_cmid(conversation.id, cmid),
                        for_all, cmid=cmid)
            for cmid in cmids
        ]
    return [
        _delete_one(world, *_locate(world, message_id, peer_id), for_all, message_id=message_id)
        for message_id in message_ids
    ]


def _locate(
    world: World, message_id: int, peer_id: int | None
) -> tuple[Conversation | None, Message | None]:
    """A message by its id, if it is in the conversation with `peer_id` (when given)."""
    message = world.conversations.by_id(message_id)
    if message is None:
        return None, None
    conversation = world.conversations.get(message.conversation_id)
    if peer_id is not None and world.community_peer_id(conversation) != peer_id:
        return None, None
    return conversation, message


def _delete_one(
    world: World,
    conversation: Conversation | None,
    message: Message | None,
    for_all: bool,
    cmid: int = 0,
    message_id: int = 0,
) -> dict[str, Any]:
    if conversation is None or message is None:
        peer_id = 0 if conversation is None else world.community_peer_id(conversation)
        return {"peer_id": peer_id, "message_id": message_id, "conversation_message_id": cmid,
                "error": invalid_param("message is not found").as_item_error()}
    item: dict[str, Any] = {
        "peer_id": world.community_peer_id(conversation),
        "message_id": 0 if conversation.is_chat else message.id,
        "conversation_message_id": message.cmid,
    }
    if not for_all:
        return {**item, "response": 1}  # only the community's own copy: nobody else notices
    if message.from_id != world.community_id and not _community_moderates(world, conversation):
        return {**item, "error": VKError(924).as_item_error()}
    world.delete(conversation, message)
    return {**item, "response": 1}


def _community_moderates(world: World, conversation: Conversation) -> bool:
    if not conversation.is_chat:
        return False
    membership = world.chats.member(conversation.target_id, world.community_id)
    return membership is not None and membership.is_admin


def pin(world: World, params: Params) -> dict[str, Any]:
    conversation = _pinnable(world, params.required_integer("peer_id"))
    message = _find_message(world, conversation, params)
    chat_life.pin(world, conversation, message, world.community_id)
    shown = world.community_message(conversation, message)
    return {key: shown[key] for key in PINNED_KEYS}


def unpin(world: World, params: Params) -> int:
    params.check_group(world.config.group_id)
    conversation = _pinnable(world, params.required_integer("peer_id"))
    chat_life.unpin(world, conversation, world.community_id)
    return 1


def _pinnable(world: World, peer_id: int) -> Conversation:
    """A dialog, or a chat where the community is an admin (917, 927, 925 otherwise)."""
    if peer_id > CHAT_PEER_OFFSET:
        chat = open_chat(world, peer_id - CHAT_PEER_OFFSET, gone=927)
        require_admin(world, chat)
        return world.conversations.chat(chat.id)
    return conversation_with(world, peer_id, gone=927)


def send_message_event_answer(world: World, params: Params) -> int:
    event_id = params.required_text("event_id")
    callback = world.callbacks.pending(event_id, not_before=world.now() - CALLBACK_ANSWER_WINDOW)
    if callback is None:
        raise invalid_param("event_id is unknown, expired or already answered")
    conversation = world.conversations.get(callback["conversation_id"])
    if (
        params.required_integer("user_id") != callback["person_id"]
        or params.required_integer("peer_id") != world.community_peer_id(conversation)
    ):
        raise invalid_param("user_id or peer_id does not match the event")
    data = _event_data(params.text("event_data"))
    with world.transaction():
        world.callbacks.answer(event_id, callback["person_id"], conversation.id, data, world.now())
        world.people.touch([callback["person_id"]])
    return 1


def _event_data(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        raise invalid_param("event_data is not valid JSON") from None
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "show_snackbar":
        text = data.get("text")
        if not isinstance(text, str) or not 0 < len(text) <= MAX_SNACKBAR_TEXT:
            raise invalid_param(f"snackbar text should be 1..{MAX_SNACKBAR_TEXT} characters")
    elif kind == "open_link":
        if not isinstance(data.get("link"), str) or not data["link"]:
            raise invalid_param("event_data.link is undefined")
    elif kind == "open_app":
        if not isinstance(data.get("app_id"), int):
            raise invalid_param("event_data.app_id is undefined")
    else:
        raise invalid_param("event_data.type should be show_snackbar, open_link or open_app")
    return data


def is_messages_from_group_allowed(world: World, params: Params) -> dict[str, int]:
    params.check_group(world.config.group_id)
    person = world.people.vk_user(params.required_integer("user_id"))
    return {"is_allowed": int(person is not None and person.allows_messages)}


METHODS = {
    "messages.send": send,
    "messages.edit": edit,
    "messages.delete": delete,
    "messages.pin": pin,
    "messages.unpin": unpin,
    "messages.sendMessageEventAnswer": send_message_event_answer,
    "messages.isMessagesFromGroupAllowed": is_messages_from_group_allowed,
}
