"""The people API: people, acting as them, what they see, SMS, chats, errors."""

from __future__ import annotations

import asyncio
import json

import pytest

from .helpers import SandboxClient, b64, keyboard, png

CHAT = 2_000_000_000


async def test_people_are_created_listed_and_noted(client: SandboxClient) -> None:
    first = await client.person("Иван Петров", phone="+7 (912) 123-45-67", note="УК")
    second = await client.person("Без Телефона VK", vk=False, phone="89121234568")
    assert (first, second) == (1000001, 1000002)
    people = await client.request("GET", "/sandbox/people")
    assert people[0] == {"id": first, "name": "Иван Петров", "phone": "+79121234567", "vk": True,
                         "note": "УК", "allows_messages": False}
    assert people[1]["phone"] == "+79121234568" and people[1]["vk"] is False
    duplicate = await client.request("POST", "/sandbox/people",
                                     {"name": "Двойник", "phone": "8 912 123 45 67"}, status=409)
    assert "+79121234567" in duplicate["error"]
    patched = await client.request("PATCH", f"/sandbox/people/{first}", {"note": "председатель"})
    assert patched["note"] == "председатель"
    assert (await client.request("GET", f"/sandbox/people/{first}"))["note"] == "председатель"


async def test_bad_input_gets_a_clear_json_error(client: SandboxClient) -> None:
    cases = [
        ("POST", "/sandbox/people", {"name": "Без телефона"}, 400),
        ("POST", "/sandbox/people", {"name": "Кто", "phone": "12"}, 400),
        ("GET", "/sandbox/people/42", None, 404),
        ("GET", "/sandbox/people/abc", None, 404),
        ("POST", "/sandbox/people/1000001/send", {"peer_id": 1, "text": "x"}, 404),
        ("GET", "/sandbox/unknown", None, 404),
    ]
    for method, path, body, status in cases:
        answer = await client.request(method, path, body, status=status)
        assert isinstance(answer["error"], str) and answer["error"]
    async with client.session.post(client.sandbox.base_url + "/sandbox/people",
                                   data="{broken") as response:
        assert response.status == 400
        assert (await response.json())["error"] == "Тело запроса — не JSON"


async def test_deep_link_ref_lands_on_the_next_message_only(client: SandboxClient) -> None:
    person = await client.person()
    for url in ("https://vk.me/domovye_chaty?ref=staff-123&ref_source=sms",
                "vk.com/write-229000001?ref=other"):
        opened = await client.request("POST", f"/sandbox/people/{person}/open", {"url": url})
        assert opened == {"peer_id": -client.group_id}
    await client.request("POST", f"/sandbox/people/{person}/open",
                         {"url": "vk.me/domovye_chaty?ref=staff-123&ref_source=sms"})
    await client.say(person, -client.group_id, "Начать")
    await client.say(person, -client.group_id, "Ещё")
    messages = [e["object"]["message"] for e in await client.events()]
    assert (messages[0]["ref"], messages[0]["ref_source"]) == ("staff-123", "sms")
    assert "ref" not in messages[1]
    assert (await client.request("GET", f"/sandbox/people/{person}"))["allows_messages"] is True
    bad = await client.request("POST", f"/sandbox/people/{person}/open",
                               {"url": "https://example.org/x"}, status=400)
    assert bad["error"]


async def test_people_without_vk_cannot_act(client: SandboxClient) -> None:
    person = await client.person(vk=False)
    for path, body in (("send", {"peer_id": -client.group_id, "text": "x"}),
                       ("open", {"url": "https://vk.me/domovye_chaty"}), ("allow", {})):
        answer = await client.request("POST", f"/sandbox/people/{person}/{path}", body,
                                      status=403)
        assert "VK" in answer["error"]


async def test_press_text_button_sends_its_payload_and_one_time_hides(
    client: SandboxClient,
) -> None:
    person = await client.writer()
    await client.call("messages.send", peer_id=person, message="Меню", random_id=0,
                      keyboard=keyboard("Мои чаты", "Помощь", one_time=True,
                                        payload='{"cmd": "chats"}'))
    pressed = await client.request("POST", f"/sandbox/people/{person}/press",
                                   {"peer_id": -client.group_id, "label": "Мои чаты"})
    assert set(pressed) == {"conversation_message_id", "message_id"}
    message = [e for e in await client.events() if e["type"] == "message_new"][-1]["object"]
    assert message["message"]["text"] == "Мои чаты"
    assert message["message"]["payload"] == '{"cmd": "chats"}'
    assert (await client.seen(person, -client.group_id))["keyboard"] is None
    missing = await client.request("POST", f"/sandbox/people/{person}/press",
                                   {"peer_id": -client.group_id, "label": "Помощь"}, status=404)
    assert missing["labels"] == []


async def test_press_inline_buttons_of_the_latest_or_a_given_message(
    client: SandboxClient,
) -> None:
    person = await client.writer()
    for page in ("1", "2"):
        await client.call("messages.send", peer_id=person, message=f"Страница {page}",
                          random_id=0, keyboard=keyboard("Далее", inline=True,
                                                         payload=f'{{"page": {page}}}'))
    await client.request("POST", f"/sandbox/people/{person}/press",
                         {"peer_id": -client.group_id, "label": "Далее"})
    await client.request("POST", f"/sandbox/people/{person}/press",
                         {"peer_id": -client.group_id, "label": "Далее",
                          "conversation_message_id": 2})
    payloads = [e["object"]["message"].get("payload") for e in await client.events()
                if e["type"] == "message_new"][-2:]
    assert payloads == ['{"page": 2}', '{"page": 1}']
    missing = await client.request("POST", f"/sandbox/people/{person}/press",
                                   {"peer_id": -client.group_id, "label": "Назад"}, status=404)
    assert missing["labels"] == ["Далее"]


async def test_a_forged_callback_carries_any_payload_and_can_be_answered_once(
    client: SandboxClient,
) -> None:
    person = await client.writer()
    forged = await client.request("POST", f"/sandbox/people/{person}/callback",
                                  {"peer_id": -client.group_id, "payload": {"cmd": "x", "id": 10**30}})
    (event,) = [e["object"] for e in await client.events() if e["type"] == "message_event"]
    assert event["payload"] == {"cmd": "x", "id": 10**30} and event["user_id"] == person
    assert event["event_id"] == forged["event_id"]
    assert await client.call("messages.sendMessageEventAnswer", event_id=event["event_id"],
                             user_id=person, peer_id=person) == 1
    bad = await client.request("POST", f"/sandbox/people/{person}/callback",
                               {"peer_id": -client.group_id, "payload": "{not json"}, status=400)
    assert "JSON" in bad["error"]


async def test_press_open_link_opens_vk_links(client: SandboxClient) -> None:
    person = await client.writer()
    chat_id = await client.call("messages.createChat", title="Дом")
    link = (await client.call("messages.getInviteLink", peer_id=CHAT + chat_id))["link"]
    kb = {"inline": True, "buttons": [[
        {"action": {"type": "open_link", "label": "Вступить", "link": link}},
        {"action": {"type": "open_link", "label": "Сайт", "link": "https://example.org"}},
    ]]}
    await client.call("messages.send", peer_id=person, message="Беседа", random_id=0,
                      keyboard=json.dumps(kb))
    site = await client.request("POST", f"/sandbox/people/{person}/press",
                                {"peer_id": -client.group_id, "label": "Сайт"})
    assert site == {"link": "https://example.org"}
    joined = await client.request("POST", f"/sandbox/people/{person}/press",
                                  {"peer_id": -client.group_id, "label": "Вступить"})
    assert joined == {"link": link, "opened": {"peer_id": CHAT + 101, "title": "Дом"}}


async def test_joining_leaving_and_kicking(client: SandboxClient) -> None:
    admin, resident = await client.person("Анна Админ"), await client.person("Олег Житель")
    chat_id, admin_peer = await client.chat_with_member(admin)
    link = (await client.request("GET", "/sandbox/chats"))[0]["invite_link"]
    await client.request("POST", f"/sandbox/people/{resident}/open", {"url": link})
    joins = [e["object"]["message"] for e in await client.events()]
    assert [m["action"] for m in joins] == [
        {"type": "chat_invite_user_by_link", "member_id": admin},
        {"type": "chat_invite_user_by_link", "member_id": resident},
    ]
    assert joins[1]["peer_id"] == CHAT + chat_id and joins[1]["from_id"] == resident

    refused = await client.request("POST", f"/sandbox/people/{resident}/kick",
                                   {"peer_id": CHAT + 101, "member_id": admin}, status=403)
    assert refused["error"]
    await client.request("PATCH", f"/sandbox/chats/{chat_id}/members/{admin}", {"is_admin": True})
    await client.request("POST", f"/sandbox/people/{admin}/kick",
                         {"peer_id": admin_peer, "member_id": resident})
    kick = (await client.events())[-1]["object"]["message"]
    assert kick["action"] == {"type": "chat_kick_user", "member_id": resident}
    assert kick["from_id"] == admin

    await client.request("POST", f"/sandbox/people/{admin}/invite",
                         {"peer_id": admin_peer, "member_id": resident})
    assert (await client.events())[-1]["object"]["message"]["action"]["type"] == (
        "chat_invite_user"
    )
    await client.request("POST", f"/sandbox/people/{resident}/leave", {"peer_id": CHAT + 101})
    leave = (await client.events())[-1]["object"]["message"]
    assert leave["from_id"] == leave["action"]["member_id"] == resident

    await client.request("POST", f"/sandbox/people/{admin}/kick",
                         {"peer_id": admin_peer, "member_id": -client.group_id})
    kicked = (await client.events())[-1]["object"]["message"]["action"]
    assert kicked == {"type": "chat_kick_user", "member_id": -client.group_id}
    (chat,) = await client.request("GET", "/sandbox/chats")
    assert chat["community_state"] == "kicked" and not chat["community_is_admin"]
    assert [m["id"] for m in chat["members"]] == [admin]
    count = len(await client.events())
    await client.say(admin, admin_peer, "/команда")
    assert len(await client.events()) == count  # the community no longer hears the chat
    await client.request("POST", f"/sandbox/people/{admin}/invite",
                         {"peer_id": admin_peer, "member_id": -client.group_id})
    back = (await client.events())[-1]["object"]["message"]["action"]
    assert back == {"type": "chat_invite_user", "member_id": -client.group_id}


async def test_allow_and_block_emit_events_on_change(client: SandboxClient) -> None:
    person = await client.person()
    await client.request("POST", f"/sandbox/people/{person}/allow", {"key": "landing"})
    await client.request("POST", f"/sandbox/people/{person}/allow")
    await client.request("POST", f"/sandbox/people/{person}/block")
    events = [(e["type"], e["object"]) for e in await client.events()]
    assert events == [("message_allow", {"user_id": person, "key": "landing"}),
                      ("message_deny", {"user_id": person})]


async def test_conversations_unread_and_read(client: SandboxClient) -> None:
    person = await client.writer()
    chat_id, person_peer = await client.chat_with_member(person)
    await client.call("messages.send", peer_id=person, message="Ответ", random_id=0)
    await client.call("messages.send", peer_ids=CHAT + chat_id, message="Объявление",
                      random_id=0)
    conversations = await client.request("GET", f"/sandbox/people/{person}/conversations")
    assert [(c["peer_id"], c["type"], c["unread"]) for c in conversations] == [
        (person_peer, "chat", 1), (-client.group_id, "group", 1),
    ]
    assert conversations[0]["last_message"]["text"] == "Объявление"
    assert conversations[1]["title"] == "Домовые чаты"
    await client.request("POST", f"/sandbox/people/{person}/read", {"peer_id": person_peer})
    conversations = await client.request("GET", f"/sandbox/people/{person}/conversations")
    assert [c["unread"] for c in conversations] == [0, 1]


async def test_messages_view_limit_and_history_of_newcomers(client: SandboxClient) -> None:
    first, late = await client.person(), await client.person()
    chat_id, peer = await client.chat_with_member(first)
    for number in range(5):
        await client.say(first, peer, f"№{number}")
    assert [i["text"] for i in (await client.seen(first, peer, limit=2))["items"]] == ["№3", "№4"]
    link = (await client.call("messages.getInviteLink", peer_id=CHAT + chat_id))["link"]
    await client.request("POST", f"/sandbox/people/{late}/open", {"url": link})
    late_items = (await client.seen(late, CHAT + 101))["items"]
    assert [i["action"]["type"] for i in late_items] == ["chat_invite_user_by_link"]


async def test_wait_returns_when_the_view_changes(client: SandboxClient) -> None:
    person = await client.writer()
    version = (await client.seen(person, -client.group_id))["version"]

    async def answer_later() -> None:
        await asyncio.sleep(0.2)
        await client.call("messages.send", peer_id=person, message="Готово", random_id=0)

    waited, _ = await asyncio.gather(
        client.request("GET", f"/sandbox/people/{person}/wait", version=version, timeout=5),
        answer_later(),
    )
    assert waited["version"] > version
    still = await client.request("GET", f"/sandbox/people/{person}/wait",
                                 version=waited["version"], timeout=0)
    assert still == {"version": waited["version"]}


async def test_sms_outbox(client: SandboxClient) -> None:
    person = await client.person(vk=False, phone="+79120000001")
    version = (await client.request("GET", f"/sandbox/people/{person}/wait", timeout=0))["version"]
    sent = await client.request("POST", "/sandbox/sms",
                                {"phone": "8 (912) 000-00-01", "text": "Ссылка: vk.me/x",
                                 "sender": "DomChat"}, status=201)
    await client.request("POST", "/sandbox/sms", {"phone": "+79120000002", "text": "Другому"})
    (sms,) = await client.request("GET", "/sandbox/sms", phone="89120000001")
    assert sms["id"] == sent["id"] and sms["phone"] == "+79120000001"
    assert (sms["text"], sms["sender"]) == ("Ссылка: vk.me/x", "DomChat")
    assert len(await client.request("GET", "/sandbox/sms")) == 2
    waited = await client.request("GET", f"/sandbox/people/{person}/wait", version=version,
                                  timeout=0)
    assert waited["version"] > version


async def test_chats_listing_and_deletion(client: SandboxClient) -> None:
    person = await client.person("Анна Иванова")
    chat_id, person_peer = await client.chat_with_member(person)
    (chat,) = await client.request("GET", "/sandbox/chats")
    assert chat["community_chat_id"] == chat_id
    assert chat["community_peer_id"] == CHAT + chat_id
    assert chat["members"][0]["name"] == "Анна Иванова"
    assert chat["members"][0]["is_admin"] is False
    await client.request("DELETE", f"/sandbox/chats/{chat_id}")
    gone = await client.request("POST", f"/sandbox/people/{person}/send",
                                {"peer_id": person_peer, "text": "эй"}, status=410)
    assert gone["error"]
    reopened = await client.request("POST", f"/sandbox/people/{person}/open",
                                    {"url": chat["invite_link"]}, status=404)
    assert reopened["error"].startswith("Ссылка недействительна")
    answer = await client.call("messages.getConversationsById", peer_ids=CHAT + chat_id)
    assert answer == {"count": 0, "items": []}


async def test_members_rename_the_chat_and_change_its_photo(client: SandboxClient) -> None:
    person = await client.person()
    chat_id, peer = await client.chat_with_member(person)
    await client.request("POST", f"/sandbox/people/{person}/rename",
                         {"peer_id": peer, "title": "Наш дом"})
    await client.request("POST", f"/sandbox/people/{person}/chat_photo",
                         {"peer_id": peer, "filename": "дом.png", "content_base64": b64(png())})
    title, photo = [e["object"]["message"] for e in (await client.events())[-2:]]
    assert title["action"] == {"type": "chat_title_update", "text": "Наш дом"}
    assert title["from_id"] == person and title["peer_id"] == CHAT + chat_id
    assert photo["action"]["type"] == "chat_photo_update"
    (chat,) = await client.request("GET", "/sandbox/chats")
    assert chat["title"] == "Наш дом" and chat["photo"] == photo["action"]["photo"]["photo_200"]
    bad = await client.request("POST", f"/sandbox/people/{person}/chat_photo",
                               {"peer_id": peer, "filename": "x", "content_base64": b64(b"x")},
                               status=400)
    assert bad["error"]


async def test_people_who_join_later_see_the_pinned_message(client: SandboxClient) -> None:
    """In VK the pinned message belongs to the chat (`chat_settings.pinned_message`): every
    member sees it, whenever they joined — here one pinned before anybody joined."""
    chat_id = await client.call("messages.createChat", title="Ленина, 5", group_id=client.group_id)
    (sent,) = await client.call("messages.send", peer_ids=CHAT + chat_id, message="Сервисы",
                                random_id=0)
    await client.call("messages.pin", peer_id=CHAT + chat_id,
                      conversation_message_id=sent["conversation_message_id"])
    link = (await client.call("messages.getInviteLink", peer_id=CHAT + chat_id))["link"]
    first, late = await client.person(), await client.person()
    peers = {}
    for person in (first, late):
        peers[person] = (await client.request(
            "POST", f"/sandbox/people/{person}/open", {"url": link}
        ))["peer_id"]
        view = await client.seen(person, peers[person])
        assert view["pinned"]["text"] == "Сервисы"
        assert view["pinned"]["sender_name"] == "Домовые чаты"
        assert "Сервисы" not in [item["text"] for item in view["items"]]  # said before they came
    settings = (await client.call("messages.getConversationsById",
                                  peer_ids=CHAT + chat_id))["items"][0]["chat_settings"]
    assert settings["pinned_message"]["text"] == "Сервисы"

    await client.request("POST", f"/sandbox/people/{late}/leave", {"peer_id": peers[late]})
    assert (await client.seen(late, peers[late]))["pinned"] is None  # no longer a member
    await client.call("messages.unpin", peer_id=CHAT + chat_id)
    assert (await client.seen(first, peers[first]))["pinned"] is None


async def test_ids_beyond_int64_in_the_people_api_are_refused_cleanly(
    client: SandboxClient, caplog: pytest.LogCaptureFixture
) -> None:
    person = await client.writer()
    huge = 10**30
    await client.request("GET", f"/sandbox/people/{huge}", status=404)
    await client.request("POST", f"/sandbox/people/{person}/send",
                         {"peer_id": huge, "text": "x"}, status=400)
    await client.request("GET", f"/sandbox/people/{person}/messages", status=400, peer_id=huge)
    await client.request("PATCH", f"/sandbox/chats/{huge}/members/{person}", {"is_admin": True},
                         status=404)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
