"""Chats the community manages: create, invite links, members, settings, kicks, title."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from sandbox import Sandbox

from .conftest import make_config
from .helpers import SandboxClient

CHAT = 2_000_000_000


@pytest.mark.parametrize("shape", ["int", "object"])
async def test_create_chat_answer_shapes(
    tmp_path: Path, session: aiohttp.ClientSession, shape: str
) -> None:
    async with Sandbox(make_config(tmp_path, create_chat_response=shape)) as sandbox:
        client = SandboxClient(sandbox, session)
        first = await client.call("messages.createChat", title="Дом 1", group_id=client.group_id)
        second = await client.call("messages.createChat", title="Дом 2", user_ids="1000001")
        if shape == "int":
            assert (first, second) == (1, 2)
        else:
            assert first == {"chat_id": 1, "peer_ids": []} and second["chat_id"] == 2
        (chat, _) = await client.request("GET", "/sandbox/chats")
        assert chat["title"] == "Дом 1" and chat["community_is_admin"]
        assert chat["community_state"] == "in" and chat["members"] == []
        assert await client.error("messages.createChat", title="") == 100


async def test_create_chat_leaves_a_chat_create_message(client: SandboxClient) -> None:
    person = await client.person()
    chat_id, person_peer = await client.chat_with_member(person, "Ленина, 5")
    items = (await client.seen(person, person_peer))["items"]
    assert [i["action"]["type"] for i in items] == ["chat_invite_user_by_link"]
    members = await client.call("messages.getConversationMembers", peer_id=CHAT + chat_id)
    assert members["count"] == 2
    conversation = await client.call("messages.getConversationsById", peer_ids=CHAT + chat_id)
    assert conversation["items"][0]["last_conversation_message_id"] == 2  # chat_create + join


async def test_invite_link_is_stable_until_reset(client: SandboxClient) -> None:
    chat_id = await client.call("messages.createChat", title="Дом")
    peer = CHAT + chat_id
    first = (await client.call("messages.getInviteLink", peer_id=peer))["link"]
    assert first.startswith("https://vk.me/join/")
    assert (await client.call("messages.getInviteLink", peer_id=peer, reset=0))["link"] == first
    second = (await client.call("messages.getInviteLink", peer_id=peer, reset=1))["link"]
    assert second != first
    person = await client.person()
    refused = await client.request("POST", f"/sandbox/people/{person}/open", {"url": first},
                                   status=404)
    assert refused["error"].startswith("Ссылка недействительна")
    joined = await client.request("POST", f"/sandbox/people/{person}/open", {"url": second})
    assert joined == {"peer_id": CHAT + 101, "title": "Дом"}
    again = await client.request("POST", f"/sandbox/people/{person}/open", {"url": second})
    assert again["already_member"] is True


async def test_invite_link_needs_admin_rights(client: SandboxClient) -> None:
    chat_id = await client.call("messages.createChat", title="Дом")
    await client.request("POST", f"/sandbox/chats/{chat_id}/community", {"is_admin": False})
    assert await client.error("messages.getInviteLink", peer_id=CHAT + chat_id) == 919
    assert await client.error("messages.getInviteLink", peer_id=CHAT + chat_id, reset=1) == 931
    assert await client.error("messages.getInviteLink", peer_id=CHAT + 99) == 919


async def test_conversation_members(client: SandboxClient) -> None:
    anna, boris = await client.person("Анна Иванова"), await client.person("Борис Петров")
    chat_id, _ = await client.chat_with_member(anna)
    link = (await client.request("GET", "/sandbox/chats"))[0]["invite_link"]
    await client.request("POST", f"/sandbox/people/{boris}/open", {"url": link})
    await client.request("PATCH", f"/sandbox/chats/{chat_id}/members/{anna}", {"is_admin": True})
    page = await client.call("messages.getConversationMembers", peer_id=CHAT + chat_id,
                             offset=1, count=1, fields="screen_name", group_id=client.group_id)
    assert page["count"] == 3
    (item,) = page["items"]
    assert item["member_id"] == anna and item["is_admin"] is True and item["can_kick"] is True
    assert item["join_date"] > 0 and item["invited_by"] == anna
    assert page["profiles"][0]["first_name"] == "Анна"
    assert page["profiles"][0]["screen_name"] == f"id{anna}"
    everyone = await client.call("messages.getConversationMembers", peer_id=CHAT + chat_id)
    community = everyone["items"][0]
    assert community["member_id"] == -client.group_id and community["is_owner"] is True
    assert everyone["groups"][0]["id"] == client.group_id
    assert await client.error("messages.getConversationMembers", peer_id=CHAT + chat_id,
                              count=1001) == 100
    await client.request("POST", f"/sandbox/chats/{chat_id}/community", {"is_admin": False})
    assert await client.error("messages.getConversationMembers", peer_id=CHAT + chat_id) == 917
    await client.request("DELETE", f"/sandbox/chats/{chat_id}")
    assert await client.error("messages.getConversationMembers", peer_id=CHAT + chat_id) == 927


async def test_conversations_by_id(client: SandboxClient) -> None:
    person = await client.writer("Анна Иванова")
    chat_id, person_peer = await client.chat_with_member(person)
    await client.say(person, person_peer, "Всем привет")
    kicked_id, _ = await client.chat_with_member(person, "Дом 2")
    await client.request("PATCH", f"/sandbox/chats/{kicked_id}/members/{person}",
                         {"is_admin": True})
    await client.request("POST", f"/sandbox/people/{person}/kick",
                         {"peer_id": CHAT + 102, "member_id": -client.group_id})
    silent = await client.person()
    answer = await client.call(
        "messages.getConversationsById",
        peer_ids=[CHAT + chat_id, CHAT + kicked_id, person, silent, CHAT + 77],
        extended=1, group_id=client.group_id,
    )
    assert answer["count"] == 4
    chat, kicked, user, other = answer["items"]
    assert chat["peer"] == {"id": CHAT + chat_id, "type": "chat", "local_id": chat_id}
    settings = chat["chat_settings"]
    assert settings["title"] == "Дом 1" and settings["state"] == "in"
    assert settings["owner_id"] == -client.group_id
    assert settings["members_count"] == 2
    assert settings["admin_ids"] == [-client.group_id]
    assert settings["active_ids"] == [person]
    assert settings["acl"]["can_change_invite_link"] is True
    assert kicked["chat_settings"]["state"] == "kicked"
    assert kicked["chat_settings"]["acl"]["can_change_info"] is False
    assert user["peer"] == {"id": person, "type": "user", "local_id": person}
    assert user["can_write"] == {"allowed": True}
    assert other["can_write"] == {"allowed": False, "reason": 901}
    assert [p["id"] for p in answer["profiles"]] == [person, silent]
    assert await client.error("messages.getConversationsById",
                              peer_ids=list(range(1, 102))) == 100


async def test_remove_chat_user(client: SandboxClient) -> None:
    person = await client.person("Анна Иванова")
    chat_id, person_peer = await client.chat_with_member(person)
    assert await client.error("messages.removeChatUser", chat_id=chat_id, member_id=1) == 935
    assert await client.call("messages.removeChatUser", chat_id=chat_id, member_id=person) == 1
    seen = await client.seen(person, person_peer)
    assert seen["items"][-1]["action"] == {
        "type": "chat_kick_user", "member_id": person, "member_name": "Анна Иванова",
    }
    refused = await client.request("POST", f"/sandbox/people/{person}/send",
                                   {"peer_id": person_peer, "text": "Эй"}, status=403)
    assert refused["error"]
    assert await client.error("messages.removeChatUser", chat_id=chat_id, member_id=person) == 935


async def test_remove_needs_admin_but_leaving_does_not(client: SandboxClient) -> None:
    person = await client.person()
    chat_id, person_peer = await client.chat_with_member(person)
    await client.request("POST", f"/sandbox/chats/{chat_id}/community", {"is_admin": False})
    assert await client.error("messages.removeChatUser", chat_id=chat_id, member_id=person) == 925
    assert await client.call("messages.removeChatUser", chat_id=chat_id,
                             member_id=-client.group_id) == 1
    (chat,) = await client.request("GET", "/sandbox/chats")
    assert chat["community_state"] == "left"
    items = (await client.seen(person, person_peer))["items"]
    assert items[-1]["action"]["member_id"] == -client.group_id
    assert items[-1]["from_id"] == -client.group_id
    assert await client.error("messages.removeChatUser", chat_id=chat_id, member_id=person) == 917


async def test_edit_chat(client: SandboxClient) -> None:
    person = await client.person()
    chat_id, person_peer = await client.chat_with_member(person)
    assert await client.call("messages.editChat", chat_id=chat_id, title="Новое имя") == 1
    items = (await client.seen(person, person_peer))["items"]
    assert items[-1]["action"] == {"type": "chat_title_update", "text": "Новое имя"}
    conversations = await client.request("GET", f"/sandbox/people/{person}/conversations")
    assert conversations[0]["title"] == "Новое имя"
    await client.request("POST", f"/sandbox/chats/{chat_id}/community", {"is_admin": False})
    assert await client.error("messages.editChat", chat_id=chat_id, title="x") == 925
    await client.request("DELETE", f"/sandbox/chats/{chat_id}")
    assert await client.error("messages.editChat", chat_id=chat_id, title="x") == 945


async def test_community_without_rights_hears_only_what_is_meant_for_it(
    client: SandboxClient,
) -> None:
    person = await client.person()
    chat_id, person_peer = await client.chat_with_member(person)
    await client.request("POST", f"/sandbox/chats/{chat_id}/community", {"is_admin": False})
    before = len(await client.events())
    for text in ("просто так", "/помощь", f"[club{client.group_id}|@домовые] вопрос"):
        await client.say(person, person_peer, text)
    new = [e["object"]["message"] for e in (await client.events())[before:]]
    assert [m["text"] for m in new] == ["/помощь", f"[club{client.group_id}|@домовые] вопрос"]
    assert all(m["id"] == 0 and m["peer_id"] == CHAT + chat_id for m in new)
