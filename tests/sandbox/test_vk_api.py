"""The VK API endpoint itself: auth, errors, limits, injected faults, statistics."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp

from sandbox import Sandbox

from .conftest import make_config
from .helpers import SandboxClient


async def test_error_format_has_vk_text_and_request_params(client: SandboxClient) -> None:
    answer = await client.vk("no.suchMethod", foo="bar")
    assert answer["error"]["error_code"] == 3
    assert answer["error"]["error_msg"] == "Unknown method passed"
    params = {p["key"]: p["value"] for p in answer["error"]["request_params"]}
    assert params == {"method": "no.suchMethod", "oauth": "1", "v": "5.199", "foo": "bar"}


async def test_wrong_or_missing_token_is_error_5(sandbox: Sandbox, session) -> None:
    url = sandbox.api_url + "groups.getById"
    for query in ({"access_token": "other", "v": "5.199"}, {"v": "5.199"}):
        async with session.get(url, params=query) as response:
            error = (await response.json())["error"]
        assert error["error_code"] == 5
        assert error["error_msg"].startswith("User authorization failed")
        assert all(p["key"] != "access_token" for p in error["request_params"])


async def test_version_is_required(sandbox: Sandbox, session) -> None:
    url = sandbox.api_url + "groups.getById"
    async with session.get(url, params={"access_token": sandbox.config.token}) as response:
        assert (await response.json())["error"]["error_code"] == 8


async def test_params_from_query_and_body_are_merged(sandbox: Sandbox, session) -> None:
    url = sandbox.api_url + "groups.getLongPollServer"
    query = {"access_token": sandbox.config.token, "v": "5.199"}
    async with session.post(url, params=query, data={"group_id": "229000001"}) as response:
        assert "key" in (await response.json())["response"]
    async with session.get(url, params={**query, "group_id": "229000001"}) as response:
        assert "key" in (await response.json())["response"]


async def test_rate_limit_gives_error_6_without_running_the_method(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    async with Sandbox(make_config(tmp_path, rate_limit=20)) as sandbox:
        client = SandboxClient(sandbox, session)
        await client.writer()
        started = time.monotonic()
        answers = await asyncio.gather(
            *(client.vk("messages.send", peer_id=1000001, message=f"m{i}", random_id=0)
              for i in range(25))
        )
        assert time.monotonic() - started < 1
        refused = [a for a in answers if "error" in a]
        assert len(refused) == 5
        assert {a["error"]["error_code"] for a in refused} == {6}
        seen = await client.seen(1000001, -client.group_id, limit=100)
        assert len(seen["items"]) == 1 + 20  # the person's greeting and 20 delivered
        await asyncio.sleep(1.05)
        assert "response" in await client.vk("groups.getById")


async def test_injected_errors_fail_before_the_method_runs(client: SandboxClient) -> None:
    person = await client.writer()
    await client.faults(error_rate=1.0, error_codes=[10])
    assert await client.error("messages.send", peer_id=person, message="x", random_id=7) == 10
    await client.faults(error_rate=0.0)
    assert len((await client.seen(person, -client.group_id))["items"]) == 1
    message_id = await client.call("messages.send", peer_id=person, message="x", random_id=7)
    assert isinstance(message_id, int)


async def test_injected_errors_can_target_some_methods(client: SandboxClient) -> None:
    await client.faults(error_rate=1.0, error_codes=[100], methods=["messages.createChat"])
    assert await client.error("messages.createChat", title="Дом", group_id=client.group_id) == 100
    assert "response" in await client.vk("groups.getById")  # other methods are untouched
    assert (await client.request("GET", "/sandbox/faults"))["methods"] == ["messages.createChat"]


async def test_a_seed_makes_injected_errors_repeatable(client: SandboxClient) -> None:
    async def outcomes() -> list[int | None]:
        await client.faults(error_rate=0.5, error_codes=[6, 10], seed=7)
        answers = [await client.vk("groups.getById") for _ in range(20)]
        return [answer.get("error", {}).get("error_code") for answer in answers]

    first, second = await outcomes(), await outcomes()
    assert first == second and any(first) and None in first
    assert (await client.request("GET", "/sandbox/faults"))["seed"] == 7


async def test_injected_delay(client: SandboxClient) -> None:
    await client.faults(delay_ms=300)
    started = time.monotonic()
    await client.call("groups.getById")
    assert time.monotonic() - started >= 0.3
    assert (await client.request("GET", "/sandbox/faults"))["delay_ms"] == 300


async def test_bad_fault_settings_are_refused(client: SandboxClient) -> None:
    bad_settings = (
        {"error_rate": 2}, {"longpoll_failed": [4]}, {"error_codes": []}, {"x": 1}, {"methods": "all"},
        {"seed": "abc"},
    )
    for bad in bad_settings:
        body = await client.request("POST", "/sandbox/faults", bad, status=400)
        assert body["error"]


async def test_statistics_count_calls_and_errors(client: SandboxClient) -> None:
    await client.call("groups.getById")
    await client.call("groups.getById")
    await client.vk("messages.send", peer_id=1, message="x")
    stats = await client.request("GET", "/sandbox/stats")
    assert stats["calls"] == {"groups.getById": 2, "messages.send": 1}
    assert stats["errors"] == {"936": 1}
    await client.request("POST", "/sandbox/stats/reset")
    assert await client.request("GET", "/sandbox/stats") == {"calls": {}, "errors": {}}


async def test_groups_get_by_id(client: SandboxClient) -> None:
    response = await client.call("groups.getById")
    assert response["profiles"] == []
    (group,) = response["groups"]
    assert group["id"] == client.group_id
    assert group["screen_name"] == "domovye_chaty"
    assert group["type"] == "group"
    assert group["is_closed"] == 0
    assert (await client.call("groups.getById", group_id="domovye_chaty"))["groups"] == [group]
    assert await client.error("groups.getById", group_ids="1") == 100


async def test_group_id_of_another_community_is_refused(client: SandboxClient) -> None:
    assert await client.error("groups.getLongPollServer", group_id=1) == 15
    assert await client.error("groups.getLongPollServer") == 100


async def test_users_get(client: SandboxClient) -> None:
    person = await client.writer("Пётр Сидоров")
    silent = await client.person("Ольга Ким")
    users = await client.call(
        "users.get", user_ids=[person, silent, 999], fields="can_write_private_message"
    )
    assert users[0] == {
        "id": person, "first_name": "Пётр", "last_name": "Сидоров",
        "can_access_closed": True, "is_closed": False, "can_write_private_message": 1,
    }
    assert users[1]["can_write_private_message"] == 0
    assert users[2]["deactivated"] == "deleted"
    no_vk = await client.person("Без VK", vk=False)
    assert (await client.call("users.get", user_ids=no_vk))[0]["deactivated"] == "deleted"
    assert await client.error("users.get", user_ids="nobody") == 113


async def test_dates_come_from_the_configured_clock(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    async with Sandbox(make_config(tmp_path, clock=lambda: 1_700_000_000.7)) as sandbox:
        client = SandboxClient(sandbox, session)
        person = await client.writer()
        chat_id, _ = await client.chat_with_member(person)
        (event, *_) = await client.events()
        assert event["object"]["message"]["date"] == 1_700_000_000
        members = await client.call(
            "messages.getConversationMembers", peer_id=2_000_000_000 + chat_id
        )
        assert {item["join_date"] for item in members["items"]} == {1_700_000_000}
