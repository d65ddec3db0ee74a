"""messages.send / edit / delete / pin / sendMessageEventAnswer / isMessagesFromGroupAllowed."""

from __future__ import annotations

import json

from .helpers import SandboxClient, keyboard

CHAT = 2_000_000_000


async def test_send_to_a_user_who_wrote(client: SandboxClient) -> None:
    person = await client.writer()
    message_id = await client.call("messages.send", peer_id=person, message="Добрый день",
                                   random_id=1)
    assert isinstance(message_id, int) and message_id > 0
    items = (await client.seen(person, -client.group_id))["items"]
    assert [i["text"] for i in items] == ["Здравствуйте", "Добрый день"]
    assert items[-1]["sender_name"] == "Домовые чаты" and not items[-1]["official"]
    replies = [e for e in await client.events() if e["type"] == "message_reply"]
    assert replies[-1]["object"]["text"] == "Добрый день"
    assert replies[-1]["object"]["out"] == 1
    await client.call("messages.send", peer_id=person, message="📢 Официально · УК\n\nТекст", random_id=2)
    assert (await client.seen(person, -client.group_id))["items"][-1]["official"]


async def test_random_id_is_required_since_5_90(client: SandboxClient) -> None:
    """VK: "random_id is a required parameter" (error 100) since API 5.90; 0 is a value."""
    person = await client.writer()
    chat_id, _ = await client.chat_with_member(person)
    for recipient in ({"peer_id": person}, {"peer_ids": f"{person},{CHAT + chat_id}"},
                      {"chat_id": chat_id}):
        error = (await client.vk("messages.send", message="x", **recipient))["error"]
        assert (error["error_code"], error["error_msg"]) == (
            100, "One of the parameters specified was missing or invalid: "
                 "random_id is a required parameter",
        )
        assert await client.error("messages.send", message="x", random_id="", **recipient) == 100
    assert [i["text"] for i in (await client.seen(person, -client.group_id))["items"]] == [
        "Здравствуйте",
    ]
    assert await client.call("messages.send", peer_id=person, message="x", random_id=0) > 0


async def test_901_for_a_person_who_never_wrote_or_blocked(client: SandboxClient) -> None:
    silent = await client.person()
    assert await client.error("messages.send", peer_id=silent, message="x", random_id=0) == 901
    blocker = await client.writer()
    await client.request("POST", f"/sandbox/people/{blocker}/block")
    assert await client.error("messages.send", peer_id=blocker, message="x", random_id=0) == 901
    await client.request("POST", f"/sandbox/people/{blocker}/allow")
    assert await client.call("messages.send", peer_id=blocker, message="x", random_id=0)


async def test_936_for_people_without_vk(client: SandboxClient) -> None:
    no_vk = await client.person(vk=False)
    assert await client.error("messages.send", peer_id=no_vk, message="x", random_id=0) == 936


async def test_random_id_deduplication(client: SandboxClient) -> None:
    first, second = await client.writer(), await client.writer()
    one = await client.call("messages.send", peer_id=first, message="Раз", random_id=42)
    again = await client.call("messages.send", peer_id=first, message="Раз", random_id=42)
    other = await client.call("messages.send", peer_id=second, message="Раз", random_id=42)
    assert one == again and other != one
    for person in (first, second):
        items = (await client.seen(person, -client.group_id))["items"]
        assert [i["text"] for i in items] == ["Здравствуйте", "Раз"]
    zero = [await client.call("messages.send", peer_id=first, message="0", random_id=0)
            for _ in range(2)]
    assert zero[0] != zero[1]


async def test_peer_ids_answers_per_recipient(client: SandboxClient) -> None:
    writer, silent = await client.writer(), await client.person()
    chat_id, _ = await client.chat_with_member(writer)
    items = await client.call(
        "messages.send", peer_ids=[writer, silent, CHAT + chat_id], message="Всем", random_id=5
    )
    assert items[0]["peer_id"] == writer and items[0]["message_id"] > 0
    assert items[1] == {  # VK gives no message ids for a recipient that failed
        "peer_id": silent,
        "error": {"code": 901, "description": "Can't send messages for users without permission"},
    }
    assert items[2]["peer_id"] == CHAT + chat_id and items[2]["conversation_message_id"] > 0
    repeat = await client.call(
        "messages.send", peer_ids=[writer, silent, CHAT + chat_id], message="Всем", random_id=5
    )
    assert [r.get("message_id") for r in repeat] == [r.get("message_id") for r in items]


async def test_peer_ids_limit(client: SandboxClient) -> None:
    peers = list(range(1000001, 1000102))
    assert await client.error("messages.send", peer_ids=peers, message="x", random_id=0) == 100


async def test_text_limits(client: SandboxClient) -> None:
    person = await client.writer()
    assert await client.call("messages.send", peer_id=person, message="я" * 9000, random_id=0)
    assert await client.error("messages.send", peer_id=person, message="я" * 9001,
                              random_id=0) == 914
    assert await client.error("messages.send", peer_id=person, message="", random_id=0) == 100
    assert await client.error("messages.send", message="x", random_id=0) == 100
    assert await client.error("messages.send", peer_id=person, message="x",
                              payload="x" * 1001) == 100


async def test_keyboard_limits(client: SandboxClient) -> None:
    person = await client.writer()

    async def code(kb: object) -> int | None:
        answer = await client.vk("messages.send", peer_id=person, message="k", random_id=0,
                                 keyboard=kb if isinstance(kb, str) else json.dumps(kb))
        return answer.get("error", {}).get("error_code")

    def button(label: str = "Да", **action: object) -> dict:
        return {"action": {"type": "text", "label": label, **action}, "color": "positive"}

    def rows(count: int, per_row: int) -> list:
        return [[button(f"{r}-{c}") for c in range(per_row)] for r in range(count)]

    assert await code({"buttons": rows(8, 5)}) is None
    assert await code({"buttons": rows(11, 1)}) == 911
    assert await code({"buttons": rows(9, 5)}) == 911  # 45 buttons
    assert await code({"buttons": [[button()] * 6]}) == 911
    assert await code({"inline": True, "buttons": rows(2, 5)}) is None
    assert await code({"inline": True, "buttons": rows(7, 1)}) == 911
    assert await code({"inline": True, "buttons": rows(3, 4)}) == 911
    assert await code({"inline": True, "one_time": True, "buttons": rows(1, 1)}) == 911
    assert await code({"buttons": [[button("x" * 41)]]}) == 911
    assert await code({"buttons": [[button(payload=json.dumps("p" * 300))]]}) == 911
    assert await code({"buttons": [[button(payload="not json")]]}) == 911
    assert await code({"buttons": [[button(payload={"cmd": "x" * 300})]]}) == 911
    assert await code({"buttons": [[button(payload={"cmd": "menu"})]]}) is None  # as vkbottle sends
    assert await code({"buttons": [[{"action": {"type": "teleport", "label": "x"}}]]}) == 911
    assert await code({"buttons": [[{**button(), "color": "purple"}]]}) == 911
    assert await code({"buttons": [[{"action": {"type": "open_link", "label": "x"}}]]}) == 911
    assert await code("{not json") == 911
    assert await code({"buttons": []}) is None


async def test_regular_keyboard_shown_and_hidden(client: SandboxClient) -> None:
    person = await client.writer()
    await client.call("messages.send", peer_id=person, message="Меню", random_id=0,
                      keyboard=keyboard("Да", "Нет"))
    seen = await client.seen(person, -client.group_id)
    assert [b["action"]["label"] for b in seen["keyboard"]["buttons"][0]] == ["Да", "Нет"]
    assert seen["items"][-1]["keyboard"] is None  # only inline keyboards sit on messages
    await client.call("messages.send", peer_id=person, message="Скрыть", random_id=0,
                      keyboard=json.dumps({"buttons": []}))
    assert (await client.seen(person, -client.group_id))["keyboard"] is None


async def test_attachments_must_exist(client: SandboxClient) -> None:
    person = await client.writer()
    for attachment in ("doc-229000001_77", "photo-229000001_1", "video1_1", "doc1_"):
        assert await client.error("messages.send", peer_id=person, attachment=attachment,
                                  random_id=0) == 100


async def test_chat_errors(client: SandboxClient) -> None:
    assert await client.error("messages.send", peer_id=CHAT + 5, message="x", random_id=0) == 917
    person = await client.writer()
    chat_id, person_peer = await client.chat_with_member(person)
    # a person's own chat id is not the community's
    assert (person_peer, chat_id) == (CHAT + 101, 1)
    assert await client.error("messages.send", peer_id=person_peer, message="x",
                              random_id=0) == 917
    await client.call("messages.removeChatUser", chat_id=chat_id, member_id=-client.group_id)
    assert await client.error("messages.send", peer_id=CHAT + chat_id, message="x",
                              random_id=0) == 917
    other_id, _ = await client.chat_with_member(person, "Дом 2")
    await client.request("DELETE", f"/sandbox/chats/{other_id}")
    assert await client.error("messages.send", peer_id=CHAT + other_id, message="x",
                              random_id=0) == 945


async def test_edit_own_message(client: SandboxClient) -> None:
    person = await client.writer()
    message_id = await client.call("messages.send", peer_id=person, message="Черновик",
                                   random_id=0)
    assert await client.call("messages.edit", peer_id=person, message_id=message_id,
                             message="Итог", keyboard=keyboard("Ок", inline=True)) == 1
    item = (await client.seen(person, -client.group_id))["items"][-1]
    assert item["text"] == "Итог" and item["edited"]
    assert item["keyboard"]["buttons"][0][0]["action"]["label"] == "Ок"
    edits = [e for e in await client.events() if e["type"] == "message_edit"]
    assert edits[-1]["object"]["text"] == "Итог" and "update_time" in edits[-1]["object"]
    greeting_cmid = 1
    assert await client.error("messages.edit", peer_id=person, cmid=greeting_cmid,
                              message="x") == 909
    assert await client.error("messages.edit", peer_id=person, message_id=999,
                              message="x") == 100


async def test_edit_in_chat_by_conversation_message_id(client: SandboxClient) -> None:
    person = await client.writer()
    chat_id, person_peer = await client.chat_with_member(person)
    (item,) = await client.call("messages.send", peer_ids=CHAT + chat_id, message="Было",
                                random_id=0)
    await client.call("messages.edit", peer_id=CHAT + chat_id,
                      conversation_message_id=item["conversation_message_id"], message="Стало")
    assert (await client.seen(person, person_peer))["items"][-1]["text"] == "Стало"


async def test_delete(client: SandboxClient) -> None:
    person = await client.writer()
    chat_id, person_peer = await client.chat_with_member(person)
    mine = await client.call("messages.send", peer_ids=CHAT + chat_id, message="Моё", random_id=0)
    theirs = await client.say(person, person_peer, "Спам")
    cmids = [mine[0]["conversation_message_id"], theirs["conversation_message_id"]]
    result = await client.call("messages.delete", peer_id=CHAT + chat_id, cmids=cmids,
                               delete_for_all=1)
    assert [r["response"] for r in result] == [1, 1]
    texts = [i["text"] for i in (await client.seen(person, person_peer))["items"]]
    assert "Моё" not in texts and "Спам" not in texts

    await client.request("POST", f"/sandbox/chats/{chat_id}/community", {"is_admin": False})
    again = await client.say(person, person_peer, "Ещё спам")
    (refused,) = await client.call("messages.delete", peer_id=CHAT + chat_id,
                                   cmids=again["conversation_message_id"], delete_for_all=1)
    assert refused["error"]["code"] == 924
    (missing,) = await client.call("messages.delete", message_ids=99999, delete_for_all=1)
    assert "error" in missing


async def test_pin(client: SandboxClient) -> None:
    person = await client.writer()
    chat_id, person_peer = await client.chat_with_member(person)
    (sent,) = await client.call("messages.send", peer_ids=CHAT + chat_id, message="Правила",
                                random_id=0)
    pinned = await client.call("messages.pin", peer_id=CHAT + chat_id,
                               conversation_message_id=sent["conversation_message_id"])
    assert pinned["text"] == "Правила" and pinned["id"] == 0
    assert pinned["conversation_message_id"] == sent["conversation_message_id"]
    items = (await client.seen(person, person_peer))["items"]
    assert [i["text"] for i in items if i["pinned"]] == ["Правила"]
    assert items[-1]["action"]["type"] == "chat_pin_message"
    assert await client.call("messages.unpin", peer_id=CHAT + chat_id) == 1
    await client.request("POST", f"/sandbox/chats/{chat_id}/community", {"is_admin": False})
    assert await client.error("messages.pin", peer_id=CHAT + chat_id,
                              cmid=sent["conversation_message_id"]) == 925


async def test_callback_answer_shows_a_snackbar(client: SandboxClient) -> None:
    person = await client.writer()
    await client.call("messages.send", peer_id=person, message="Голосуйте", random_id=0,
                      keyboard=keyboard("За", inline=True, kind="callback",
                                        payload='{"vote": "yes"}'))
    pressed = await client.request("POST", f"/sandbox/people/{person}/press",
                                   {"peer_id": -client.group_id, "label": "За"})
    event = [e for e in await client.events() if e["type"] == "message_event"][-1]["object"]
    assert event["event_id"] == pressed["event_id"]
    assert event["user_id"] == person and event["peer_id"] == person
    assert event["payload"] == {"vote": "yes"}
    assert event["conversation_message_id"] == 2
    answer = {"event_id": event["event_id"], "user_id": person, "peer_id": person}
    data = json.dumps({"type": "show_snackbar", "text": "Голос учтён"})
    assert await client.call("messages.sendMessageEventAnswer", **answer, event_data=data) == 1
    seen = await client.seen(person, -client.group_id)
    assert [s["text"] for s in seen["snackbars"]] == ["Голос учтён"]
    assert await client.error("messages.sendMessageEventAnswer", **answer, event_data=data) == 100
    assert await client.error("messages.sendMessageEventAnswer", event_id="nope",
                              user_id=person, peer_id=person) == 100


async def test_callback_answer_checks_the_event_data(client: SandboxClient) -> None:
    person = await client.writer()
    await client.call("messages.send", peer_id=person, message="?", random_id=0,
                      keyboard=keyboard("Ссылка", inline=True, kind="callback"))
    pressed = await client.request("POST", f"/sandbox/people/{person}/press",
                                   {"peer_id": -client.group_id, "label": "Ссылка"})
    answer = {"event_id": pressed["event_id"], "user_id": person, "peer_id": person}
    assert await client.error("messages.sendMessageEventAnswer", **answer,
                              event_data='{"type": "fly"}') == 100
    assert await client.error("messages.sendMessageEventAnswer", **answer | {"user_id": 1},
                              event_data='{"type": "open_link", "link": "https://vk.com"}') == 100
    link = json.dumps({"type": "open_link", "link": "https://vk.com"})
    assert await client.call("messages.sendMessageEventAnswer", **answer, event_data=link) == 1
    assert (await client.seen(person, -client.group_id))["links"][0]["link"] == "https://vk.com"


async def test_is_messages_from_group_allowed(client: SandboxClient) -> None:
    writer, silent = await client.writer(), await client.person()
    for user_id, allowed in ((writer, 1), (silent, 0)):
        answer = await client.call("messages.isMessagesFromGroupAllowed",
                                   group_id=client.group_id, user_id=user_id)
        assert answer == {"is_allowed": allowed}
