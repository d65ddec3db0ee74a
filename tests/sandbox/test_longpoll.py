"""Bots Long Poll: order, waiting, failures 1/2/3 and vkbottle's BotPolling across them."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest
from vkbottle import API, BotPolling

from sandbox import Sandbox

from .conftest import make_config
from .helpers import SandboxClient


async def test_events_in_order_with_numbered_ts(client: SandboxClient) -> None:
    person = await client.person()
    server = await client.call("groups.getLongPollServer", group_id=client.group_id)
    assert server["server"] == f"{client.sandbox.base_url}/longpoll/{client.group_id}"
    assert server["ts"] == "0"
    for text in ("один", "два", "три"):
        await client.say(person, -client.group_id, text)
    answer = await client.poll(server, server["ts"])
    assert answer["ts"] == "3"
    texts = [u["object"]["message"]["text"] for u in answer["updates"]]
    assert texts == ["один", "два", "три"]
    update = answer["updates"][0]
    assert update["type"] == "message_new" and update["group_id"] == client.group_id
    assert update["v"] == "5.199" and len({u["event_id"] for u in answer["updates"]}) == 3
    message = update["object"]["message"]
    assert message["peer_id"] == person and message["from_id"] == person and message["out"] == 0
    assert update["object"]["client_info"]["inline_keyboard"] is True
    later = await client.poll(server, 2)
    assert [u["object"]["message"]["text"] for u in later["updates"]] == ["три"]


async def test_poll_waits_until_something_happens(client: SandboxClient) -> None:
    person = await client.person()
    server = await client.call("groups.getLongPollServer", group_id=client.group_id)

    async def write_later() -> None:
        await asyncio.sleep(0.3)
        await client.say(person, -client.group_id, "Наконец")

    started = time.monotonic()
    answer, _ = await asyncio.gather(client.poll(server, server["ts"], wait=5), write_later())
    assert 0.25 < time.monotonic() - started < 3
    assert answer["updates"][0]["object"]["message"]["text"] == "Наконец"
    started = time.monotonic()
    empty = await client.poll(server, answer["ts"], wait=1)
    assert empty == {"ts": answer["ts"], "updates": []}
    assert time.monotonic() - started >= 0.9


async def test_unknown_key_and_outdated_ts(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    async with Sandbox(make_config(tmp_path, event_history=10)) as sandbox:
        client = SandboxClient(sandbox, session)
        server = await client.call("groups.getLongPollServer", group_id=client.group_id)
        assert await client.poll({**server, "key": "forged"}, 0) == {"failed": 2}
        for number in range(100):
            sandbox.world.events.emit("message_deny", {"user_id": number})
        assert await client.poll(server, 5) == {"failed": 1, "ts": "100"}
        assert len((await client.poll(server, 90))["updates"]) == 10
        assert await client.poll(server, 500) == {"failed": 1, "ts": "100"}
        for ts in ("99999999999999999999", "abc", "-1"):  # not a ts it handed out
            assert await client.poll(server, ts) == {"failed": 1, "ts": "100"}


async def test_injected_failures_wait_until_nothing_is_pending(client: SandboxClient) -> None:
    person = await client.person()
    server = await client.call("groups.getLongPollServer", group_id=client.group_id)
    await client.say(person, -client.group_id, "до сбоя")
    await client.faults(longpoll_failed=[1, 2, 3])
    assert len((await client.poll(server, 0))["updates"]) == 1  # pending events come first
    assert await client.poll(server, 1) == {"failed": 1, "ts": "1"}
    assert await client.poll(server, 1) == {"failed": 2}
    assert await client.poll(server, 1) == {"failed": 2}  # the key stays invalid
    fresh = await client.call("groups.getLongPollServer", group_id=client.group_id)
    assert fresh["key"] != server["key"]
    await client.say(person, -client.group_id, "между сбоями")
    assert len((await client.poll(fresh, 1))["updates"]) == 1
    assert await client.poll(fresh, 2) == {"failed": 3}
    await client.say(person, -client.group_id, "после сбоя 3")  # before the client reconnects
    newest = await client.call("groups.getLongPollServer", group_id=client.group_id)
    assert newest["ts"] == "2"  # resumes where failed 3 happened, so nothing is lost
    answer = await client.poll(newest, newest["ts"])
    assert [u["object"]["message"]["text"] for u in answer["updates"]] == ["после сбоя 3"]
    assert (await client.request("GET", "/sandbox/faults"))["longpoll_failed"] == []


async def test_vkbottle_polling_gets_every_event_once_across_failures(
    sandbox: Sandbox, client: SandboxClient, api: API, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)  # BotPolling saves its ts under ./.vkbottle
    person = await client.person()
    polling = BotPolling(api, group_id=client.group_id, wait=1)
    received: list[str] = []

    async def listen() -> None:
        async for event in polling.listen():
            received.extend(u["object"]["message"]["text"] for u in event["updates"])

    listener = asyncio.create_task(listen())
    await client.faults(longpoll_failed=[1, 2, 3, 3, 2, 1])
    expected = [f"сообщение {n}" for n in range(12)]
    for text in expected:
        await client.say(person, -client.group_id, text)
        await asyncio.sleep(0.05)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        faults = await client.request("GET", "/sandbox/faults")
        if len(received) >= len(expected) and not faults["longpoll_failed"]:
            break
        await asyncio.sleep(0.05)
    polling.stop()
    listener.cancel()
    assert received == expected
    assert faults["longpoll_failed"] == []
    assert (await client.request("GET", "/sandbox/stats"))["calls"]["groups.getLongPollServer"] >= 5


async def test_key_and_events_survive_a_restart(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    async with Sandbox(make_config(tmp_path)) as first:
        client = SandboxClient(first, session)
        person = await client.person()
        server = await client.call("groups.getLongPollServer", group_id=client.group_id)
        await client.say(person, -client.group_id, "до перезапуска")
    async with Sandbox(make_config(tmp_path)) as second:
        client = SandboxClient(second, session)
        moved = {**server, "server": f"{second.base_url}/longpoll/{client.group_id}"}
        await client.say(person, -client.group_id, "после перезапуска")
        answer = await client.poll(moved, server["ts"])
        texts = [u["object"]["message"]["text"] for u in answer["updates"]]
        assert texts == ["до перезапуска", "после перезапуска"]
        assert answer["ts"] == "2"
