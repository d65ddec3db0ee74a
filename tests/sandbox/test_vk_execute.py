"""`execute`: VKScript as VK documents it (dev.vk.com/method/execute) — statements, `var`,
operators, arrays and objects, `.length`, `@.`, `if`/`while`, the listed built-ins, API calls
whose results feed the next ones — with `false` + `execute_errors` for a call that fails and
VK's errors 12 (does not compile) and 13 (runtime error, more than 25 API calls)."""

from __future__ import annotations

import json

import pytest

from .helpers import SandboxClient

CHAT = 2_000_000_000


async def run(client: SandboxClient, code: str, **params: object) -> object:
    answer = await client.vk("execute", code=code, **params)
    assert "error" not in answer and "execute_errors" not in answer, answer
    return answer["response"]


def pins(items: list[tuple[int, int]]) -> str:
    calls = ",".join(
        f"API.messages.pin({json.dumps({'peer_id': peer, 'conversation_message_id': cmid})})"
        for peer, cmid in items
    )
    return f"return [{calls}];"


async def test_the_loop_from_vks_documentation(client: SandboxClient) -> None:
    code = """
        // the example of a loop on VK's page of the method
        var a = 1;
        var b = 10;
        while (b != 0) {
            b = b - 1;
            a = a + 1;
        };
        return a;
    """
    assert await run(client, code) == 11


async def test_a_calls_result_feeds_the_next_call(client: SandboxClient) -> None:
    person = await client.person()
    code = """var id = API.messages.createChat({"title": "Ленина, 5"});
              return API.messages.getInviteLink({"peer_id": 2000000000 + id});"""
    link = (await run(client, code))["link"]
    joined = await client.request("POST", f"/sandbox/people/{person}/open", {"url": link})
    assert joined["title"] == "Ленина, 5"
    (chat,) = await client.request("GET", "/sandbox/chats")
    assert chat["invite_link"] == link and [m["id"] for m in chat["members"]] == [person]


async def test_many_chats_and_their_links_in_one_request(client: SandboxClient) -> None:
    titles = [f"Дом {n}" for n in range(12)]  # 24 calls: createChat + getInviteLink each
    code = f"""
        var titles = {json.dumps(titles, ensure_ascii=False)};
        var made = [];
        var i = 0;
        while (i < titles.length) {{
            var id = API.messages.createChat({{"title": titles[i], "group_id": {client.group_id}}});
            var link = API.messages.getInviteLink({{"peer_id": 2000000000 + id, "group_id": {client.group_id}}});
            made.push({{"chat_id": id, "link": link.link}});
            i = i + 1;
        }}
        return made;
    """
    await client.request("POST", "/sandbox/stats/reset")
    made = await run(client, code)
    assert [item["chat_id"] for item in made] == list(range(1, 13))
    chats = await client.request("GET", "/sandbox/chats")
    assert [(c["title"], c["invite_link"]) for c in chats] == [
        (title, item["link"]) for title, item in zip(titles, made, strict=True)
    ]
    assert (await client.request("GET", "/sandbox/stats"))["calls"] == {"execute": 1}


async def test_25_sends_in_one_request_a_failed_one_is_false_with_its_error(
    client: SandboxClient,
) -> None:
    people = [await client.writer(f"Житель {n}") for n in range(24)]
    silent = await client.person("Молчун")  # never wrote to the community: 901
    peers = [*people[:10], silent, *people[10:]]
    code = f"""
        var peers = {json.dumps(peers)};
        var results = [];
        var i = 0;
        while (i < peers.length) {{
            results.push(API.messages.send({{"peer_id": peers[i], "message": "Отключение воды",
                                             "random_id": 1000 + i}}));
            i = i + 1;
        }}
        return results;
    """
    answer = await client.vk("execute", code=code)
    results = answer["response"]
    assert len(results) == 25 and results[10] is False
    assert all(isinstance(r, int) and r > 0 for i, r in enumerate(results) if i != 10)
    assert answer["execute_errors"] == [{
        "method": "messages.send", "error_code": 901,
        "error_msg": "Can't send messages for users without permission",
    }]
    for person in people:
        items = (await client.seen(person, -client.group_id))["items"]
        assert items[-1]["text"] == "Отключение воды"


async def test_a_request_pool_of_one_method_as_an_sdk_writes_it(client: SandboxClient) -> None:
    """vk_api's VkRequestsPool sends one method's calls as this code (minified, no `;` after
    the loop's block, several variables in one `var`)."""
    people = [await client.writer(f"Житель {n}") for n in range(3)]
    values = json.dumps([{"user_ids": person, "fields": "screen_name"} for person in people])
    code = ("var values = " + values + ",i = 0,result = [];"
            "while(i < values.length) {result.push(API.users.get(values[i]));i = i + 1;}"
            "return result;")
    answer = await run(client, code)
    assert [[user["screen_name"] for user in item] for item in answer] == [
        [f"id{person}"] for person in people
    ]
    one_param = ('var def_values = {"fields": "screen_name"},values = ' + json.dumps(people)
                 + ',result = [],i = 0;while(i < values.length) {def_values.user_ids = values[i];'
                 'result.push(API.users.get(def_values));i = i + 1;}return result;')
    assert [item[0]["id"] for item in await run(client, one_param)] == people


async def test_array_filter_feeds_a_list_parameter(client: SandboxClient) -> None:
    first, second = await client.person("Анна Иванова"), await client.person("Пётр Сидоров")
    chat_id, _ = await client.chat_with_member(first)
    link = (await client.call("messages.getInviteLink", peer_id=CHAT + chat_id))["link"]
    await client.request("POST", f"/sandbox/people/{second}/open", {"url": link})
    code = f"""return API.users.get({{"user_ids": API.messages.getConversationMembers(
                   {{"peer_id": {CHAT + chat_id}}}).profiles@.id}})@.last_name;"""
    assert await run(client, code) == ["Иванова", "Сидоров"]


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


async def test_a_failed_call_can_be_checked_in_the_script(client: SandboxClient) -> None:
    code = """var sent = API.messages.send({"peer_id": 1, "message": "x", "random_id": 1});
              if (!sent) { return "не доставлено"; } else { return sent; }"""
    answer = await client.vk("execute", code=code)
    assert answer["response"] == "не доставлено"
    assert answer["execute_errors"][0]["error_code"] == 936
    unknown = await client.vk("execute", code="return API.wall.post({});")
    assert unknown["response"] is False and unknown["execute_errors"][0]["error_code"] == 3


async def test_a_single_call_returns_its_value(client: SandboxClient) -> None:
    code = f'return API.groups.getById({{"group_id": {client.group_id}}});'
    assert (await run(client, code))["groups"][0]["id"] == client.group_id


@pytest.mark.parametrize(("code", "expected"), [
    # arithmetic, concatenation, comparisons (a string and a number: the string as a number)
    ("return [1 + 2 * 3, (1 + 2) * 3, 7 / 2, 8 / 4, 7 % 3, -7 % 3, -(2 - 5)];",
     [7, 9, 3.5, 2, 1, -1, 3]),
    ('return ["Дом " + 5, "a" + "b", 1 + "2", 2000000000 + 7];', ["Дом 5", "ab", "12", 2000000007]),
    ('return [1 < 2, "b" > "a", "10" > 9, "10" == 10, 3 != 3, 2 <= 2, 1 >= 2];',
     [True, True, True, True, False, True, False]),
    ("return [true && 5, 0 || \"нет\", !0, !1, null || false];", [5, "нет", True, False, False]),
    # arrays, objects, .length, element access and assignment, delete
    ('var a = [1, 2, 3]; a[3] = 4; return [a, a.length, a[0], a[9], "строка".length];',
     [[1, 2, 3, 4], 4, 1, None, 6]),
    ('var row = {"user": {"id": 1}}; row.user.action = "test"; row["n"] = 2; return row;',
     {"user": {"id": 1, "action": "test"}, "n": 2}),
    ('var o = {a: 1, "b": 2, c: 3}; delete o.b; return [o, o.missing, o.a.b];',
     [{"a": 1, "c": 3}, None, None]),
    ('var r = {}; r.push("x"); r.push("y"); return r;', ["x", "y"]),
    ("return [1, 2] + [3];", [1, 2, 3]),
    ('return [{"id": 1, "n": "a"}, {"id": 2}]@.id;', [1, 2]),
    # the listed methods and functions
    ('var a = [1, 2, 3]; var n = a.push(4); var last = a.pop(); var first = a.shift();'
     "var m = a.unshift(0); return [n, last, first, m, a];", [4, 4, 1, 3, [0, 2, 3]]),
    ('var a = ["a", "b", "c", "d"]; var removed = a.splice(1, 2, "x"); return [removed, a];',
     [["b", "c"], ["a", "x", "d"]]),
    ('return [[1, 2, 3, 4].slice(1, 3), [1, 2, 3].slice(-1), "Ленина".substr(1, 3),'
     '"a,b,c".split(","), "123".indexOf(2), [1, 2, 3].indexOf(3), [1].indexOf(5)];',
     [[2, 3], [3], "ени", ["a", "b", "c"], 1, 2, -1]),
    ('return [parseInt("42"), parseInt("12 кв."), parseDouble("2.5"), parseInt("нет")];',
     [42, 12, 2.5, None]),
    # if / else, nested blocks, early return
    ('var n = 5; if (n > 3) { if (n > 4) return "больше 4"; } else { return "мало"; }'
     "return n;", "больше 4"),
    ('var s = 0; var i = 0; while (i < 5) { i = i + 1; if (i == 3) { } else s = s + i; }'
     "return s;", 12),
    ("return;", None),
    ("/* a comment */ return {\"ok\": true,};", {"ok": True}),
])
async def test_the_documented_language(client: SandboxClient, code: str, expected: object) -> None:
    assert await run(client, code) == expected


async def test_args_are_the_other_parameters(client: SandboxClient) -> None:
    assert await run(client, 'return [Args.house, parseInt(Args.n) + 1, Args.none];',
                     house="Ленина, 5", n="41") == ["Ленина, 5", 42, None]


@pytest.mark.parametrize("code", [
    "var a = 1;",  # no return
    "return [API.messages.pin(peer_id=1)];",
    "function f() { return 1; } return f();",  # no functions in VKScript
    "for (var i = 0; i < 3; i = i + 1) {} return 1;",  # only while loops
    "return [1, 2].map(1);",  # not one of the listed methods
    "var a = 1; a++; return a;",
    "return 1 === 1;",
    "return API.messages;",
    "return API.messages.send({}, {});",
    "var = 5; return 1;",
    "return (1 + 2;",
    "return 'unterminated;",
    "return 1 # 2;",
    "return 1 return 2;",
    "return " + "[" * 200 + "]" * 200 + ";",
])
async def test_code_that_does_not_compile_is_error_12(client: SandboxClient, code: str) -> None:
    answer = await client.vk("execute", code=code)
    assert answer["error"]["error_code"] == 12, answer
    assert answer["error"]["error_msg"].startswith("Unable to compile code")


@pytest.mark.parametrize(("code", "detail"), [
    ("while (true) { } return 1;", "Too many operations"),
    ("return 1 / 0;", "division by zero"),
    ("return missing + 1;", "missing is not defined"),
    ("var n = 5; n.push(1); return n;", "push()"),
    ("var a = []; a.push(a); return a;", "nested too deeply"),
    ('var s = "x"; var i = 0; while (i < 30) { s = s + s; i = i + 1; } return s;', "too large"),
    ("return API.messages.send(5);", "should be an object"),
])
async def test_runtime_errors_are_error_13(client: SandboxClient, code: str, detail: str) -> None:
    error = (await client.vk("execute", code=code))["error"]
    assert error["error_code"] == 13
    assert error["error_msg"].startswith("Runtime error occurred during code invocation")
    assert detail in error["error_msg"]


async def test_more_than_25_calls_is_error_13_and_what_ran_stays_done(
    client: SandboxClient,
) -> None:
    person = await client.writer()
    code = f"""var i = 0;
               while (i < 30) {{
                   API.messages.send({{"peer_id": {person}, "message": "№" + i, "random_id": 0}});
                   i = i + 1;
               }}
               return i;"""
    error = (await client.vk("execute", code=code))["error"]
    assert error["error_code"] == 13 and "Too many API calls" in error["error_msg"]
    items = (await client.seen(person, -client.group_id))["items"]
    assert [i["text"] for i in items[1:]] == [f"№{n}" for n in range(25)]  # as on VK: sent
    calls = "return [" + ",".join(["API.groups.getById({})"] * 25) + "];"
    assert len(await run(client, calls)) == 25


async def test_no_code_is_error_100(client: SandboxClient) -> None:
    assert await client.error("execute") == 100


async def test_utf16_escapes_of_a_json_encoder_are_one_character(client: SandboxClient) -> None:
    # json.dumps writes 📢 as "\ud83d\udce2", as JavaScript reads it: one character
    text = json.dumps("📢 Отключение воды")
    assert await run(client, f"return {text};") == "📢 Отключение воды"
    assert await run(client, 'return "\\ud800!";') == "\ufffd!"  # a lone half: replaced
