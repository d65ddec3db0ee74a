"""`execute`: many calls in one request, `false` + `execute_errors` for the ones that fail."""

from __future__ import annotations

import json

from .helpers import SandboxClient

CHAT = 2_000_000_000


def pins(items: list[tuple[int, int]]) -> str:
    calls = ",".join(
        f"API.messages.pin({json.dumps({'peer_id': peer, 'conversation_message_id': cmid})})"
        for peer, cmid in items
    )
    return f"return [{calls}];"


async def test_pins_in_many_chats_with_one_request(client: SandboxClient) -> None:
    person = await client.writer()
    chats = [await client.chat_with_member(person, f"Дом {i}") for i in range(3)]
    sent = await client.call("messages.send", peer_ids=[CHAT + c for c, _ in chats],
                             message="Авария", random_id=5)
    await client.request("POST", "/sandbox/stats/reset")
    answer = await client.vk("execute", code=pins(
        [(item["peer_id"], item["conversation_message_id"]) for item in sent]
    ))
    assert [pinned["text"] for pinned in answer["response"]] == ["Авария"] * 3
    assert "execute_errors" not in answer
    assert (await client.request("GET", "/sandbox/stats"))["calls"] == {"execute": 1}
    for _, person_peer in chats:
        items = (await client.seen(person, person_peer))["items"]
        assert [i["text"] for i in items if i["pinned"]] == ["Авария"]


async def test_a_failed_call_is_false_with_its_error_and_the_rest_run(client: SandboxClient) -> None:
    person = await client.writer()
    (ok_chat, ok_peer), (lost_chat, _) = [
        await client.chat_with_member(person, title) for title in ("Дом 1", "Дом 2")
    ]
    sent = await client.call("messages.send", peer_ids=[CHAT + ok_chat, CHAT + lost_chat],
                             message="Авария", random_id=6)
    await client.request("POST", f"/sandbox/chats/{lost_chat}/community", {"is_admin": False})
    cmids = {item["peer_id"]: item["conversation_message_id"] for item in sent}
    answer = await client.vk("execute", code=pins(
        [(CHAT + lost_chat, cmids[CHAT + lost_chat]), (CHAT + ok_chat, cmids[CHAT + ok_chat])]
    ))
    assert answer["response"][0] is False and answer["response"][1]["text"] == "Авария"
    assert answer["execute_errors"] == [{
        "method": "messages.pin", "error_code": 925, "error_msg": "You are not admin of this chat",
    }]
    items = (await client.seen(person, ok_peer))["items"]
    assert [i["text"] for i in items if i["pinned"]] == ["Авария"]


async def test_a_single_call_returns_its_value(client: SandboxClient) -> None:
    answer = await client.vk("execute", code=f'return API.groups.getById({{"group_id": {client.group_id}}});')
    assert answer["response"]["groups"][0]["id"] == client.group_id


async def test_code_it_cannot_run_is_a_compile_error(client: SandboxClient) -> None:
    for code in ("var a = 1; return a;", "return [API.messages.pin(peer_id=1)];",
                 "return API.messages.pin({\"peer_id\": 1}) + 1;", "return [];"):
        assert await client.error("execute", code=code) == 12, code
    assert await client.error("execute") == 100  # no code at all


async def test_more_than_25_calls_is_refused(client: SandboxClient) -> None:
    code = "return [" + ",".join(["API.groups.getById({})"] * 26) + "];"
    answer = await client.vk("execute", code=code)
    assert answer["error"]["error_code"] == 13
    assert "Too many API calls" in answer["error"]["error_msg"]
    calls = "return [" + ",".join(["API.groups.getById({})"] * 25) + "];"
    assert len((await client.vk("execute", code=calls))["response"]) == 25
