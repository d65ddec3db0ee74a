"""Deterministic faults for bulk work: queued failures of a method's next calls (also inside
`execute`, where a failed call is `false` and an `execute_errors` entry), and answers lost on
the way after the request ran."""

from __future__ import annotations

from .helpers import SandboxClient

CREATE = 'return [API.messages.createChat({"title": "Дом 1"}), API.messages.createChat({"title": "Дом 2"})];'


async def test_a_queued_failure_fails_the_next_call_inside_execute(client: SandboxClient) -> None:
    await client.faults(method_failures={"messages.createChat": [10]})
    answer = await client.vk("execute", code=CREATE)
    assert answer["response"] == [False, 1]  # the second call ran; the first failed unrun
    assert answer["execute_errors"] == [
        {"method": "messages.createChat", "error_code": 10,
         "error_msg": answer["execute_errors"][0]["error_msg"]}
    ]
    assert [c.title for c in client.sandbox.world.chats.all()] == ["Дом 2"]
    assert (await client.faults())["method_failures"] == {}  # used up
    assert await client.call("messages.createChat", title="Дом 3") == 2


async def test_queued_failures_of_direct_calls_come_in_order(client: SandboxClient) -> None:
    await client.faults(method_failures={"messages.createChat": [6, 10]})
    assert await client.error("messages.createChat", title="Дом") == 6
    assert await client.error("messages.createChat", title="Дом") == 10
    assert await client.call("messages.createChat", title="Дом") == 1


async def test_a_lost_answer_comes_after_the_request_ran(client: SandboxClient) -> None:
    await client.faults(lost_answers={"messages.createChat": 1})
    query = {"access_token": client.sandbox.config.token, "v": "5.199"}
    async with client.session.post(
        client.sandbox.api_url + "messages.createChat", params=query, data={"title": "Дом 1"}
    ) as response:
        assert response.status == 502 and "Bad Gateway" in await response.text()
    assert [c.title for c in client.sandbox.world.chats.all()] == ["Дом 1"]  # it was made
    assert await client.call("messages.createChat", title="Дом 2") == 2  # only the one lost


async def test_bad_settings_are_refused(client: SandboxClient) -> None:
    body = await client.request("POST", "/sandbox/faults", {"method_failures": {"x": ["a"]}}, status=400)
    assert "method_failures" in body["error"]
    body = await client.request("POST", "/sandbox/faults", {"lost_answers": {"x": -1}}, status=400)
    assert "lost_answers" in body["error"]


async def test_a_method_named_in_faults_fails_inside_execute_too(client: SandboxClient) -> None:
    await client.faults(error_rate=1.0, error_codes=[100], methods=["messages.createChat"])
    answer = await client.vk("execute", code=CREATE)
    assert answer["response"] == [False, False]
    assert [e["error_code"] for e in answer["execute_errors"]] == [100, 100]
    await client.faults(error_rate=1.0, error_codes=[10], methods=[])  # every method: requests only
    assert await client.error("execute", code=CREATE) == 10
