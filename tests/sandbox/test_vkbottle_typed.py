"""Every VK method the sandbox serves, called through vkbottle's typed API (models must parse)."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest
from vkbottle import API, DocMessagesUploader, PhotoMessageUploader
from vkbottle.exception_factory import VKAPIError

from sandbox import Sandbox

from .conftest import make_config
from .helpers import SandboxClient, png

CHAT = 2_000_000_000


async def test_typed_api_covers_every_method(
    api: API, client: SandboxClient, session: aiohttp.ClientSession
) -> None:
    group_id = client.group_id
    person = await client.writer("Анна Иванова")

    groups = await api.groups.get_by_id()
    assert groups.groups[0].id == group_id
    server = await api.groups.get_long_poll_server(group_id=group_id)
    assert server.server.endswith(f"/longpoll/{group_id}") and server.ts == "1"
    (user,) = await api.users.get(user_ids=[person], fields=["can_write_private_message"])
    assert (user.first_name, user.can_write_private_message) == ("Анна", True)
    allowed = await api.messages.is_messages_from_group_allowed(group_id=group_id, user_id=person)
    assert allowed.is_allowed

    chat_id = (await api.request("messages.createChat", {"title": "Дом", "group_id": group_id}))[
        "response"
    ]
    chat_peer = CHAT + chat_id
    link = await api.messages.get_invite_link(peer_id=chat_peer, group_id=group_id)
    assert link.link.startswith("https://vk.me/join/")
    await client.request("POST", f"/sandbox/people/{person}/open", {"url": link.link})

    message_id = await api.messages.send(peer_id=person, message="Привет", random_id=1)
    assert isinstance(message_id, int)
    (sent,) = await api.messages.send(peer_ids=[chat_peer], message="Всем", random_id=2)
    assert sent.peer_id == chat_peer and sent.conversation_message_id and sent.error is None
    # A recipient that failed has no message ids in VK's answer, which vkbottle's model
    # requires: such answers are read raw (as the bot's gateway does).
    (failed,) = (await api.request("messages.send", {
        "peer_ids": await client.person(), "message": "x", "random_id": 3,
    }))["response"]
    assert failed["error"]["code"] == 901 and "message_id" not in failed
    assert await api.messages.edit(peer_id=person, message_id=message_id, message="Привет!")

    members = await api.messages.get_conversation_members(peer_id=chat_peer, group_id=group_id)
    assert members.count == 2 and members.items[1].member_id == person
    assert members.profiles[0].id == person and members.groups[0].id == group_id
    conversations = await api.messages.get_conversations_by_id(
        peer_ids=[chat_peer, person], group_id=group_id
    )
    chat_item, user_item = conversations.items
    assert chat_item.chat_settings.title == "Дом" and chat_item.chat_settings.members_count == 2
    assert user_item.peer.id == person
    pinned = await api.messages.pin(peer_id=chat_peer, cmid=sent.conversation_message_id)
    assert pinned.text == "Всем"
    assert await api.messages.unpin(peer_id=chat_peer, group_id=group_id) == 1
    assert await api.messages.edit_chat(chat_id=chat_id, title="Дом 1") == 1

    doc = await DocMessagesUploader(api).upload(b"a;b\n", peer_id=person, title="t.csv")
    photo = await PhotoMessageUploader(api).upload(png(), peer_id=person)
    await api.messages.send(peer_id=person, attachment=f"{doc},{photo}", random_id=4)
    server_url = (await api.docs.get_messages_upload_server(type="doc", peer_id=person)).upload_url
    uploaded = await _upload(session, server_url, "file", b"x")
    saved = await api.docs.save(file=uploaded["file"], title="x.txt")
    assert saved.doc.owner_id == -group_id and saved.doc.ext == "txt"
    photo_server = await api.photos.get_messages_upload_server(peer_id=person)
    uploaded = await _upload(session, photo_server.upload_url, "photo", png())
    (saved_photo,) = await api.photos.save_messages_photo(**uploaded)
    assert saved_photo.sizes[0].width == 3
    chat_server = await api.photos.get_chat_upload_server(chat_id=chat_id)
    uploaded = await _upload(session, chat_server.upload_url, "file", png())
    chat_photo = await api.messages.set_chat_photo(file=uploaded["response"])
    assert chat_photo.chat.id == chat_id

    await api.messages.send(peer_id=person, message="?", random_id=5, keyboard=json.dumps(
        {"inline": True, "buttons": [[{"action": {"type": "callback", "label": "Ок"}}]]}
    ))
    pressed = await client.request("POST", f"/sandbox/people/{person}/press",
                                   {"peer_id": -group_id, "label": "Ок"})
    assert await api.messages.send_message_event_answer(
        event_id=pressed["event_id"], user_id=person, peer_id=person,
        event_data=json.dumps({"type": "show_snackbar", "text": "Готово"}),
    ) == 1

    (deleted,) = await api.messages.delete(peer_id=chat_peer, cmids=[sent.conversation_message_id],
                                           delete_for_all=True, group_id=group_id)
    assert deleted.response == 1
    assert await api.messages.remove_chat_user(chat_id=chat_id, member_id=person) == 1
    assert await api.messages.remove_chat_user(chat_id=chat_id, member_id=-group_id) == 1
    with pytest.raises(VKAPIError[917]):
        await api.messages.get_conversation_members(peer_id=chat_peer)


async def test_create_chat_object_form_through_raw_request(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    async with Sandbox(make_config(tmp_path, create_chat_response="object")) as sandbox:
        api = API(sandbox.config.token)
        api.API_URL = sandbox.api_url
        try:
            answer = await api.request("messages.createChat", {"title": "Дом"})
            assert answer["response"] == {"chat_id": 1, "peer_ids": []}
            typed = await api.messages.create_chat(title="Дом 2")
            assert typed.chat_id == 2
        finally:
            await api.http_client.close()


async def _upload(session: aiohttp.ClientSession, url: str, field: str, content: bytes) -> dict:
    form = aiohttp.FormData()
    form.add_field(field, content, filename="file.png" if field != "file" else "file.txt")
    async with session.post(url, data=form) as response:
        return await response.json()
