"""The VK API endpoint itself: auth, errors, limits, injected faults, statistics."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from sandbox import Sandbox
from sandbox.vk.api import METHODS
from sandbox.vk.params import INTEGER_PARAMS

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


async def test_a_missing_or_old_version_is_error_8(sandbox: Sandbox, session) -> None:
    """VK: `v` is required, and versions below 5.81 are refused."""
    url = sandbox.api_url + "groups.getById"
    for version in (None, "", "5.80", "5.8", "3.0", "5", "abc", "5.x", "-5.199"):
        query = {"access_token": sandbox.config.token}
        if version is not None:
            query["v"] = version
        async with session.get(url, params=query) as response:
            error = (await response.json())["error"]
        assert error["error_code"] == 8, version
        assert error["error_msg"].startswith("Invalid request: versions below 5.81 are deprecated")


async def test_accepted_versions_are_answered_in_the_5_199_shape(
    sandbox: Sandbox, session
) -> None:
    url = sandbox.api_url + "groups.getById"
    for version in ("5.81", "5.92", "5.131", "5.199"):
        query = {"access_token": sandbox.config.token, "v": version}
        async with session.get(url, params=query) as response:
            groups = (await response.json())["response"]["groups"]
        assert groups[0]["id"] == sandbox.config.group_id, version


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
    await client.vk("messages.send", peer_id=1, message="x", random_id=0)
    stats = await client.request("GET", "/sandbox/stats")
    assert stats["calls"] == {"groups.getById": 2, "messages.send": 1}
    assert stats["errors"] == {"936": 1}
    assert set(stats["busy_ms"]) == {"groups.getById", "messages.send"}  # the sandbox's own time
    assert all(ms >= 0 for ms in stats["busy_ms"].values())
    await client.request("POST", "/sandbox/stats/reset")
    reset = {"calls": {}, "errors": {}, "callback": {}, "busy_ms": {}}
    assert await client.request("GET", "/sandbox/stats") == reset


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


BEYOND_INT64 = "99999999999999999999"
NOT_INTEGERS = (BEYOND_INT64, "9223372036854775808", "-9223372036854775809", "abc", "1.5",
                "+1", "1_000", "１２")  # the last: full-width digits


def test_every_method_with_integer_parameters_declares_them() -> None:
    """The schema gives these methods no integer parameters; every other one has its list."""
    without = {"docs.save", "execute", "groups.getById", "messages.setChatPhoto"}
    assert set(METHODS) - without == set(INTEGER_PARAMS)


@pytest.mark.parametrize(("method", "name"), [
    (method, name) for method, names in INTEGER_PARAMS.items() for name in names
])
async def test_a_bad_integer_is_error_100_in_every_method(
    client: SandboxClient, caplog: pytest.LogCaptureFixture, method: str, name: str
) -> None:
    for value in NOT_INTEGERS:
        error = (await client.vk(method, **{name: value}))["error"]
        assert (error["error_code"], error["error_msg"]) == (
            100, f"One of the parameters specified was missing or invalid: {name} not integer"
        ), value
        list_value = f"1,{value}"  # one bad item spoils a list (and a single value)
        assert (await client.vk(method, **{name: list_value}))["error"]["error_code"] == 100
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_integers_beyond_int64_in_the_calls_that_used_to_crash(
    client: SandboxClient, caplog: pytest.LogCaptureFixture
) -> None:
    person = await client.writer()
    calls = [
        ("messages.send", {"peer_id": person, "message": "x", "random_id": 2**63}),
        ("messages.send", {"peer_id": BEYOND_INT64, "message": "x", "random_id": 0}),
        ("messages.send", {"peer_ids": f"{person},{BEYOND_INT64}", "message": "x",
                           "random_id": 0}),
        ("users.get", {"user_ids": BEYOND_INT64}),
        ("users.get", {"user_ids": f"{person},id{BEYOND_INT64}"}),
        ("messages.getConversationsById", {"peer_ids": BEYOND_INT64}),
        ("messages.getConversationMembers", {"peer_id": BEYOND_INT64}),
        ("docs.getMessagesUploadServer", {"peer_id": BEYOND_INT64, "type": "doc"}),
    ]
    for method, params in calls:
        assert await client.error(method, **params) == 100, (method, params)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert len((await client.seen(person, -client.group_id))["items"]) == 1  # nothing sent


async def test_the_int64_bounds_themselves_are_integers(client: SandboxClient) -> None:
    person = await client.writer()
    for random_id in (2**63 - 1, -(2**63), -5):  # SDKs send negative random ids too
        assert await client.call("messages.send", peer_id=person, message="x",
                                 random_id=random_id) > 0
    assert await client.error("messages.send", peer_id=2**63 - 1, message="x",
                              random_id=0) == 917  # a valid chat peer the community is not in


async def test_attachment_ids_beyond_int64_are_not_found(client: SandboxClient) -> None:
    person = await client.writer()
    answer = await client.vk("messages.send", peer_id=person, random_id=0,
                             attachment=f"doc-{client.group_id}_{BEYOND_INT64}")
    assert answer["error"]["error_code"] == 100 and "not found" in answer["error"]["error_msg"]
