"""What a person can do: write, press buttons, send files, open links, join, leave, kick."""

from __future__ import annotations

import json
from typing import Any

from ..images import image_size
from ..world import Chat, Message, NewMessage, Person, World, chat_life
from .http import bad_request, conflict, forbidden, not_found
from .links import DeepLink, InviteLink, parse_link
from .peers import PersonPeer, community_in_chat, require_vk, resolve_peer, writable_peer

MAX_TEXT = 4096  # what a VK client lets a person send in one message
UNSUPPORTED_BUTTONS = {"location", "vkpay"}
NOT_AN_IMAGE = "Это не изображение: нужен JPEG, PNG, GIF, BMP или WebP"


def send(
    world: World,
    person: Person,
    peer_id: int,
    text: str,
    payload: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> Message:
    peer = writable_peer(world, person, peer_id)
    if not text.strip() and not attachments:
        raise bad_request("Пустое сообщение: нужен текст или вложение")
    if len(text) > MAX_TEXT:
        raise bad_request(f"Сообщение длиннее {MAX_TEXT} символов")
    new = NewMessage(from_id=person.id, text=text, payload=payload, attachments=attachments or [])
    with world.transaction():
        if peer.chat is None:
            new.ref, new.ref_source = person.pending_ref, person.pending_ref_source
            world.people.set_pending_ref(person.id, None, None)
            world.people.set_permission(person.id, "allowed")  # writing lets the community answer
        message = world.post(peer.conversation, new)
        world.conversations.mark_read(person.id, peer.conversation.id, message.cmid)
    return message


def upload(
    world: World, person: Person, peer_id: int, filename: str, content: bytes, text: str, kind: str
) -> Message:
    writable_peer(world, person, peer_id)
    size = image_size(content)
    if kind == "photo" and size is None:
        raise bad_request(NOT_AN_IMAGE)
    with world.transaction():
        stored = world.media.store_file(kind, filename, content, world.now(), size or (0, 0))
        media = world.media.save(kind, person.id, stored, filename, world.now())
        return send(world, person, peer_id, text, attachments=[{"type": kind, "id": media.id}])


def press(
    world: World, person: Person, peer_id: int, label: str, cmid: int | None
) -> dict[str, Any]:
    """Press a button the person sees; what happens depends on the button's type."""
    peer = writable_peer(world, person, peer_id)
    button, source_cmid, regular = _find_button(world, peer, label, cmid)
    action = button["action"]
    kind = action["type"]
    if kind in UNSUPPORTED_BUTTONS:
        raise bad_request(f"Кнопки типа {kind} в песочнице не нажимаются")
    with world.transaction():
        keyboard = peer.conversation.current_keyboard
        if regular and keyboard and keyboard.get("one_time"):
            world.hide_keyboard(peer.conversation)
        if kind == "text":
            message = send(world, person, peer_id, label, payload=action.get("payload"))
            return {"conversation_message_id": message.cmid, "message_id": message.id}
        if kind == "callback":
            return {"event_id": _callback(world, person, peer, action, source_cmid)}
    if kind == "open_link":
        link = action["link"]
        opened = open_link(world, person, link) if parse_link(link, world.config) else None
        return {"link": link, **({"opened": opened} if opened else {})}
    return {key: action.get(key) for key in ("app_id", "owner_id", "hash")}


def forge_callback(
    world: World, person: Person, peer_id: int, payload: str, cmid: int | None
) -> str:
    """A `message_event` with any payload, as a modified client can send one: no button of the
    community has to carry it (the bot must treat callback payloads as untrusted input)."""
    peer = writable_peer(world, person, peer_id)
    try:
        json.loads(payload)
    except ValueError:
        raise bad_request("payload — не JSON") from None
    with world.transaction():
        return _callback(world, person, peer, {"payload": payload}, cmid)


def _find_button(
    world: World, peer: PersonPeer, label: str, cmid: int | None
) -> tuple[dict[str, Any], int | None, bool]:
    """(button, cmid of the message that carries it, is it on the regular keyboard)."""
    keyboards: list[tuple[dict[str, Any], int | None, bool]] = []
    conversation = peer.conversation
    if cmid is None and conversation.current_keyboard:
        keyboards.append((conversation.current_keyboard, conversation.keyboard_cmid, True))
    messages = world.conversations.with_inline_keyboards(
        conversation.id, peer.first_cmid, peer.last_cmid
    )
    keyboards += [
        (message.inline_keyboard, message.cmid, False)
        for message in messages
        if message.inline_keyboard and (cmid is None or message.cmid == cmid)
    ]
    labels: list[str] = []
    for keyboard, source_cmid, regular in keyboards:
        for row in keyboard["buttons"]:
            for button in row:
                if button["action"].get("label") == label:
                    return button, source_cmid, regular
                labels.append(button["action"].get("label", button["action"]["type"]))
    raise not_found(
        f"Кнопки «{label}» здесь нет", labels=list(dict.fromkeys(labels))
    )


def _callback(
    world: World, person: Person, peer: PersonPeer, action: dict[str, Any], cmid: int | None
) -> str:
    community_in_chat(world, peer)
    event_id = world.callbacks.create(person.id, peer.conversation.id, world.now())
    event: dict[str, Any] = {
        "user_id": person.id,
        "peer_id": world.community_peer_id(peer.conversation),
        "event_id": event_id,
        "conversation_message_id": cmid,
    }
    if action.get("payload"):
        event["payload"] = json.loads(action["payload"])
    world.events.emit("message_event", event)
    return event_id


def open_link(world: World, person: Person, url: str) -> dict[str, Any]:
    """A deep link to the community (its ref lands on the next message) or an invite link."""
    require_vk(person)
    link = parse_link(url, world.config)
    if link is None:
        raise bad_request("Это не ссылка на сообщество и не ссылка-приглашение VK")
    if isinstance(link, DeepLink):
        with world.transaction():
            world.people.set_pending_ref(person.id, link.ref, link.ref_source)
            world.people.touch([person.id])
            world.conversations.dialog(person.id)
        return {"peer_id": world.community_id}
    return _join_by_link(world, person, link)


def _join_by_link(world: World, person: Person, link: InviteLink) -> dict[str, Any]:
    chat = world.chats.by_invite_token(link.token)
    if chat is None or chat.deleted:
        raise not_found("Ссылка недействительна: её отозвали или беседы больше нет")
    already = world.chats.member(chat.id, person.id) is not None
    if not already:
        chat_life.add_member(world, chat, person.id, person.id, "chat_invite_user_by_link")
    person_chat = world.chats.person_chat(person.id, chat.id)
    assert person_chat is not None
    answer: dict[str, Any] = {"peer_id": person_chat.peer_id, "title": chat.title}
    return {**answer, "already_member": True} if already else answer


def leave(world: World, person: Person, peer_id: int) -> None:
    chat = _chat_of(world, person, peer_id)
    chat_life.remove_member(world, chat, person.id, person.id)


def kick(world: World, person: Person, peer_id: int, member_id: int) -> None:
    """Only a chat admin kicks; `member_id = -group_id` removes the community."""
    chat = _chat_of(world, person, peer_id)
    membership = world.chats.member(chat.id, person.id)
    if membership is None or not membership.is_admin:
        raise forbidden("Исключать участников может только администратор беседы")
    if world.chats.member(chat.id, member_id) is None:
        raise not_found(f"Участника {member_id} нет в беседе")
    chat_life.remove_member(world, chat, member_id, person.id)


def invite(world: World, person: Person, peer_id: int, member_id: int) -> None:
    """A member adds a person with VK, or brings the community back (`-group_id`)."""
    chat = _chat_of(world, person, peer_id)
    if member_id != world.community_id and world.people.vk_user(member_id) is None:
        raise not_found(f"Нет человека с VK и id {member_id}")
    if world.chats.member(chat.id, member_id) is not None:
        raise conflict("Он уже в беседе")
    chat_life.add_member(world, chat, member_id, person.id, "chat_invite_user")


def rename_chat(world: World, person: Person, peer_id: int, title: str) -> None:
    """Any member may change the title (VK's default for a chat's settings)."""
    chat_life.rename(world, _chat_of(world, person, peer_id), title, person.id)


def set_chat_photo(
    world: World, person: Person, peer_id: int, filename: str, content: bytes
) -> None:
    chat = _chat_of(world, person, peer_id)
    size = image_size(content)
    if size is None:
        raise bad_request(NOT_AN_IMAGE)
    with world.transaction():
        stored = world.media.store_file("chat_photo", filename, content, world.now(), size, chat.id)
        chat_life.set_photo(world, chat, stored, person.id)


def _chat_of(world: World, person: Person, peer_id: int) -> Chat:
    chat = writable_peer(world, person, peer_id).chat
    if chat is None:
        raise bad_request("Это действие возможно только в беседе")
    return chat


def set_community_messages(world: World, person: Person, allowed: bool, key: str = "") -> None:
    """Allow or block the community's messages: message_allow / message_deny, on change only."""
    require_vk(person)
    permission = "allowed" if allowed else "denied"
    if person.permission == permission:
        return
    with world.transaction():
        world.people.set_permission(person.id, permission)
        if allowed:
            world.events.emit("message_allow", {"user_id": person.id, "key": key})
        else:
            world.events.emit("message_deny", {"user_id": person.id})


def mark_read(world: World, person: Person, peer_id: int) -> None:
    peer = resolve_peer(world, person, peer_id)
    last = peer.last_cmid or world.conversations.get(peer.conversation.id).last_cmid
    with world.transaction():
        world.conversations.mark_read(person.id, peer.conversation.id, last)
        world.people.touch([person.id])
