"""The Callback API as VK runs it: servers are confirmed with the community's code, events are
POSTed with the secret, retried with X-Retry-Counter, held by Retry-After, paused after failures
in a row, stopped by deleteCallbackServer, sent to every server, and a restart sends nothing
acknowledged again. The receiving end is a tiny aiohttp server (callback_receiver)."""

from __future__ import annotations

import email.utils
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from vkbottle import Bot
from vkbottle.callback import BotCallback

from sandbox import Sandbox, SandboxConfig
from sandbox.config import CallbackSettings

from .callback_receiver import WAIT, Receiver, hang, ok, status, text
from .conftest import make_config
from .helpers import SandboxClient, keyboard

# quick retries, no pauses unless a test wants them, one event in flight (so the log's order)
SETTINGS = CallbackSettings(
    timeout=0.5, retry_delay=0.01, max_attempts=3, pause_after=100, pause_seconds=0.5,
    concurrency=1,
)
ENVELOPE = {"type", "event_id", "v", "object", "group_id", "secret"}

MakeClient = Callable[..., Awaitable[SandboxClient]]
MakeReceiver = Callable[..., Awaitable[Receiver]]


def delivery_config(tmp_path: Path, **settings: Any) -> SandboxConfig:
    """SETTINGS changed by the CallbackSettings among `settings`; the rest is configuration."""
    delivery = {field.name for field in fields(CallbackSettings)}
    callback = {k: v for k, v in settings.items() if k in delivery}
    other = {k: v for k, v in settings.items() if k not in delivery}
    return make_config(tmp_path, callback=replace(SETTINGS, **callback), **other)


@pytest.fixture
async def make_client(
    tmp_path: Path, session: aiohttp.ClientSession
) -> AsyncIterator[MakeClient]:
    """A running sandbox with the given settings (delivery_config), and a client for it."""
    started: list[Sandbox] = []

    async def make(**settings: Any) -> SandboxClient:
        sandbox = Sandbox(delivery_config(tmp_path, **settings))
        await sandbox.start()
        started.append(sandbox)
        return SandboxClient(sandbox, session)

    yield make
    for sandbox in started:
        await sandbox.stop()


@pytest.fixture
async def make_receiver() -> AsyncIterator[MakeReceiver]:
    started: list[Receiver] = []

    async def make(code: str | None, wait_for_code: bool = False) -> Receiver:
        receiver = await Receiver(code).start(wait_for_code)
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        await receiver.stop()


async def code_of(client: SandboxClient) -> str:
    answer = await client.call("groups.getCallbackConfirmationCode", group_id=client.group_id)
    return answer["code"]


def server_status(client: SandboxClient, server_id: int) -> str | None:
    server = client.sandbox.world.callback_servers.get(server_id)
    return None if server is None else server.status


async def until(client: SandboxClient, condition: Callable[[], bool]) -> None:
    """Wait for a change inside the sandbox (each committed change wakes the check)."""
    assert await client.sandbox.world.signal.wait_for(condition, WAIT)


async def add_server(
    client: SandboxClient, receiver: Receiver, *events: str, secret: str = "s3cret",
    title: str = "Бот",
) -> int:
    """A server added and confirmed (or not), with `events` enabled."""
    answer = await client.call(
        "groups.addCallbackServer", group_id=client.group_id, url=receiver.url, title=title,
        secret_key=secret,
    )
    server_id = answer["server_id"]
    await until(client, lambda: server_status(client, server_id) != "wait")
    if events:
        await client.call("groups.setCallbackSettings", group_id=client.group_id,
                          server_id=server_id, **dict.fromkeys(events, 1))
    return server_id


async def servers(client: SandboxClient) -> list[dict[str, Any]]:
    answer = await client.call("groups.getCallbackServers", group_id=client.group_id)
    assert answer["count"] == len(answer["items"])
    return answer["items"]


# -- confirmation ---------------------------------------------------------------------------


async def test_a_server_is_confirmed_with_the_community_code_and_starts_with_no_events(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client()
    code = await code_of(client)
    assert len(code) == 8 and code == await code_of(client)
    receiver = await make_receiver(code)

    server_id = await add_server(client, receiver)

    assert server_id == 1
    [confirmation] = receiver.requests
    assert confirmation.retry is None
    assert confirmation.body == {
        "type": "confirmation", "group_id": client.group_id, "secret": "s3cret",
        "event_id": confirmation.event_id, "v": "5.199",
    }
    assert await servers(client) == [{
        "id": 1, "title": "Бот", "creator_id": 0, "url": receiver.url, "secret_key": "s3cret",
        "status": "ok",
    }]
    settings = await client.call("groups.getCallbackSettings", group_id=client.group_id,
                                 server_id=server_id)
    assert settings["api_version"] == "5.199"
    assert "message_new" in settings["events"] and "message_event" in settings["events"]
    assert set(settings["events"].values()) == {0}  # every type is off until enabled, as in VK
    # nothing enabled, nothing sent: a witness with message_new gets the message meanwhile
    witness = await make_receiver(code)
    await add_server(client, witness, "message_new")
    await client.writer()
    await witness.wait_events(1)
    assert receiver.events == []


async def test_a_wrong_code_leaves_the_server_failed_and_it_gets_no_events(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client()
    code = await code_of(client)
    wrong = await make_receiver("0badc0de")
    witness = await make_receiver(code)

    server_id = await add_server(client, wrong, "message_new")
    await add_server(client, witness, "message_new")

    assert server_status(client, server_id) == "failed"
    assert [r.retry for r in wrong.confirmations] == [None, 1, 2]  # max_attempts, then failed
    assert (await servers(client))[0]["status"] == "failed"
    person = await client.writer()
    await witness.wait_events(1)
    assert wrong.events == []

    # an edit confirms it again; it gets what happens from then on, not what it missed
    wrong.code = code
    await client.call("groups.editCallbackServer", group_id=client.group_id, server_id=server_id,
                      url=wrong.url, title="Бот", secret_key="s3cret")
    await until(client, lambda: server_status(client, server_id) == "ok")
    await client.say(person, -client.group_id, "После подтверждения")
    [event] = await wrong.wait_events(1)
    assert event.body["object"]["message"]["text"] == "После подтверждения"


async def test_vkbottle_setup_webhook_registers_a_server_the_sandbox_confirms(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    """vkbottle adds the server before its endpoint knows the code: the confirmation is sent
    again until the endpoint answers it, as VK does."""
    client = await make_client(timeout=5.0)
    receiver = await make_receiver(None, wait_for_code=True)
    callback = BotCallback(url=receiver.url, title="Домовые чаты", secret_key="FixedSecret1",
                           group_id=client.group_id)
    bot = Bot(token=client.sandbox.config.token, callback=callback)
    bot.api.API_URL = client.sandbox.api_url
    try:
        code, secret = await bot.setup_webhook()
    finally:
        await bot.api.http_client.close()
    receiver.know_code(code)

    await until(client, lambda: server_status(client, 1) == "ok")
    assert secret == "FixedSecret1"
    settings = await client.call("groups.getCallbackSettings", group_id=client.group_id,
                                 server_id=1)
    assert settings["events"]["message_new"] == 1
    await client.writer()
    [event] = await receiver.wait_events(1)
    assert event.type == "message_new" and event.body["secret"] == "FixedSecret1"


# -- what is sent ---------------------------------------------------------------------------


async def test_each_event_carries_the_secret_and_long_poll_gets_the_same_events(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client()
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new", "message_reply", secret="Abc123")
    start = client.sandbox.world.events.last_ts

    person = await client.writer()
    await client.call("messages.send", peer_id=person, message="Здравствуйте!", random_id=1)

    delivered = await receiver.wait_events(2)
    assert [event.type for event in delivered] == ["message_new", "message_reply"]
    for event in delivered:
        assert set(event.body) == ENVELOPE
        assert event.body["secret"] == "Abc123"
        assert event.body["group_id"] == client.group_id and event.body["v"] == "5.199"
        assert event.retry is None
    polled = await client.events(since=start)
    assert [(u["event_id"], u["object"]) for u in polled] == [
        (e.event_id, e.body["object"]) for e in delivered
    ]
    assert delivered[0].body["object"]["message"]["text"] == "Здравствуйте"


async def test_only_the_enabled_event_types_are_sent(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client()  # one by one: an earlier event would arrive first
    receiver = await make_receiver(await code_of(client))
    server_id = await add_server(client, receiver, "message_event")
    person = await client.writer()  # message_new: off
    await client.call("messages.send", peer_id=person, message="Выберите", random_id=1,
                      keyboard=keyboard("Да", inline=True, kind="callback", payload='{"a": 1}'))
    pressed = await client.request("POST", f"/sandbox/people/{person}/press",
                                   {"peer_id": -client.group_id, "label": "Да"})

    [event] = await receiver.wait_events(1)
    assert event.type == "message_event"
    assert event.body["object"]["event_id"] == pressed["event_id"]

    await client.call("groups.setCallbackSettings", group_id=client.group_id,
                      server_id=server_id, message_event=0, message_new=1)
    await client.request("POST", f"/sandbox/people/{person}/press",
                         {"peer_id": -client.group_id, "label": "Да"})
    await client.say(person, -client.group_id, "Теперь текст")
    await receiver.wait_events(2)
    assert [e.type for e in receiver.events] == ["message_event", "message_new"]
    assert receiver.events[1].body["object"]["message"]["text"] == "Теперь текст"


async def test_the_api_version_of_a_server_sets_the_shape_of_its_events(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client()
    receiver = await make_receiver(await code_of(client))
    server_id = await add_server(client, receiver, "message_new")
    assert await client.error("groups.setCallbackSettings", group_id=client.group_id,
                              server_id=server_id, api_version="5.50") == 100
    await client.call("groups.setCallbackSettings", group_id=client.group_id,
                      server_id=server_id, api_version="5.101")
    settings = await client.call("groups.getCallbackSettings", group_id=client.group_id)
    assert settings["api_version"] == "5.101"  # without server_id: the first server

    await client.writer()

    [event] = await receiver.wait_events(1)
    assert event.body["v"] == "5.101"
    assert event.body["object"]["text"] == "Здравствуйте"  # before 5.103: the message itself
    assert "client_info" not in event.body["object"]


async def test_several_servers_each_get_every_event_with_their_own_secret(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client(concurrency=8)
    code = await code_of(client)
    receivers = [await make_receiver(code) for _ in range(3)]
    for number, receiver in enumerate(receivers):
        await add_server(client, receiver, "message_new", secret=f"secret{number}",
                         title=f"Процесс {number}")

    person = await client.writer()
    for number in range(3):
        await client.say(person, -client.group_id, f"Сообщение {number}")

    expected = [u["event_id"] for u in await client.events()]
    assert len(expected) == 4
    for number, receiver in enumerate(receivers):
        delivered = await receiver.wait_events(4)
        assert sorted(receiver.event_ids()) == sorted(expected)  # order across retries: none
        assert {event.body["secret"] for event in delivered} == {f"secret{number}"}


async def test_a_community_has_at_most_ten_servers_and_the_methods_check_their_parameters(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client()
    receiver = await make_receiver(await code_of(client))
    group_id = client.group_id
    url = receiver.url

    async def add(**params: Any) -> int:
        return await client.error("groups.addCallbackServer", **params)

    assert await add(group_id=group_id, url=url, title="x" * 15) == 100
    assert await add(group_id=group_id, url="ftp://127.0.0.1/", title="Бот") == 100
    assert await add(group_id=group_id, url="https://example.org/cb", title="Бот") == 100
    assert await add(group_id=group_id, url=url, title="Бот", secret_key="has-dash") == 100
    assert await add(group_id=group_id, url=url, title="Бот", secret_key="a" * 51) == 100
    assert await add(group_id=group_id + 1, url=url, title="Бот") == 15
    assert await add(group_id=group_id, title="Бот") == 100
    for number in range(10):
        await client.call("groups.addCallbackServer", group_id=group_id, url=url,
                          title=f"Сервер {number}")
    assert await add(group_id=group_id, url=url, title="Лишний") == 2000
    assert len(await servers(client)) == 10
    only = await client.call("groups.getCallbackServers", group_id=group_id, server_ids="2,5,99")
    assert [item["id"] for item in only["items"]] == [2, 5]
    for method in ("groups.deleteCallbackServer", "groups.getCallbackSettings",
                   "groups.setCallbackSettings"):
        assert await client.error(method, group_id=group_id, server_id=99) == 104
    assert await client.error("groups.editCallbackServer", group_id=group_id, server_id=99,
                              url=url, title="Бот") == 104
    assert await client.error("groups.deleteCallbackServer", group_id=group_id,
                              server_id="abc") == 100


# -- retries, Retry-After, pauses -----------------------------------------------------------


@pytest.mark.parametrize("failure", ["http 500", "wrong body", "timeout"])
async def test_a_failed_attempt_is_sent_again_with_x_retry_counter(
    make_client: MakeClient, make_receiver: MakeReceiver, failure: str
) -> None:
    client = await make_client(timeout=0.2)
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")
    receiver.answers.append(
        {"http 500": status(500, "ok"), "wrong body": text("okay"), "timeout": hang}[failure]
    )

    await client.writer()

    first, second = await receiver.wait_events(2)
    assert first.event_id == second.event_id
    assert (first.retry, second.retry) == (None, 1)
    assert first.body == second.body
    assert client.sandbox.stats.callback["failed"] == 1


async def test_an_event_is_given_up_after_the_last_attempt_and_the_next_one_goes(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client()
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")
    receiver.answers.extend([status(500)] * 3)  # max_attempts = 3

    person = await client.writer()
    await client.say(person, -client.group_id, "Второе")

    delivered = await receiver.wait_events(4)
    first = delivered[0].event_id
    assert [(e.event_id == first, e.retry) for e in delivered] == [
        (True, None), (True, 1), (True, 2), (False, None)
    ]
    assert delivered[3].body["object"]["message"]["text"] == "Второе"
    assert client.sandbox.stats.callback["given_up"] == 1


def _two_seconds_on() -> str:
    """An HTTP date (whole seconds) at least 2 s ahead."""
    return email.utils.formatdate(math.ceil(time.time()) + 2, usegmt=True)


@pytest.mark.parametrize("code, retry_after", [(503, lambda: "1"), (429, _two_seconds_on)])
async def test_retry_after_holds_the_server_and_is_not_counted_as_a_failure(
    make_client: MakeClient, make_receiver: MakeReceiver, code: int,
    retry_after: Callable[[], str],
) -> None:
    client = await make_client(max_attempts=1)  # one failure would give the event up
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")
    receiver.answers.append(status(code, **{"Retry-After": retry_after()}))

    await client.writer()

    first, second = await receiver.wait_events(2)
    assert first.event_id == second.event_id and second.retry == 1
    assert second.at - first.at >= 0.95  # a second at least (HTTP dates have whole seconds)
    assert client.sandbox.stats.callback["given_up"] == 0


async def test_failures_in_a_row_pause_the_server_and_it_resumes_after_the_pause(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    pause = 0.5
    client = await make_client(pause_after=2, pause_seconds=pause, max_attempts=10)
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")
    receiver.answers.extend([status(500)] * 3)

    person = await client.writer()
    await receiver.wait_events(2)
    await client.say(person, -client.group_id, "Во время паузы")

    delivered = await receiver.wait_events(5)
    gaps = [later.at - earlier.at for earlier, later in zip(delivered, delivered[1:])]
    assert gaps[1] >= pause  # two failures in a row: paused
    assert gaps[2] >= pause  # the first attempt after the pause failed: paused again
    assert [e.retry for e in delivered[:4]] == [None, 1, 2, 3]
    assert delivered[4].body["object"]["message"]["text"] == "Во время паузы"
    assert client.sandbox.stats.callback["paused"] == 2  # a success ended the pausing
    assert (await servers(client))[0]["status"] == "ok"


async def test_a_paused_server_shows_as_failed_and_the_pause_survives_a_restart(
    tmp_path: Path, session: aiohttp.ClientSession, make_receiver: MakeReceiver
) -> None:
    config = delivery_config(tmp_path, pause_after=1, pause_seconds=60)
    async with Sandbox(config) as first:
        client = SandboxClient(first, session)
        receiver = await make_receiver(await code_of(client))
        server_id = await add_server(client, receiver, "message_new")
        receiver.answers.append(status(500))
        await client.writer()
        await receiver.wait_events(1)
        await until(client, lambda: first.world.callback_servers.get(server_id).paused_until
                    is not None)
        assert (await servers(client))[0]["status"] == "failed"

    async with Sandbox(config) as second:
        client = SandboxClient(second, session)
        assert (await servers(client))[0]["status"] == "failed"
        state = await client.request("GET", "/sandbox/callback")
        assert 50 < state["servers"][0]["paused_for"] <= 60
        assert len(receiver.events) == 1


async def test_the_failure_counter_starts_again_after_a_success(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client(pause_after=2, pause_seconds=30)
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")
    receiver.answers.extend([status(500), ok, status(500), ok])

    person = await client.writer()
    await client.say(person, -client.group_id, "Второе")

    await receiver.wait_events(4)  # would wait 30 s if two failures in a row were counted
    assert client.sandbox.stats.callback["paused"] == 0


# -- servers come and go ---------------------------------------------------------------------


async def test_deleting_a_server_stops_its_delivery_at_once(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client(timeout=5.0)
    code = await code_of(client)
    removed = await make_receiver(code)
    witness = await make_receiver(code)
    removed_id = await add_server(client, removed, "message_new")
    await add_server(client, witness, "message_new")
    removed.default = hang

    person = await client.writer()
    await removed.wait_events(1)  # in flight, unanswered
    assert await client.call("groups.deleteCallbackServer", group_id=client.group_id,
                             server_id=removed_id) == 1
    removed.released.set()  # its answer comes too late: the request was dropped
    await client.say(person, -client.group_id, "После удаления")

    await witness.wait_events(2)
    assert len(removed.events) == 1
    assert [item["id"] for item in await servers(client)] == [removed_id + 1]
    state = await client.request("GET", "/sandbox/callback")
    assert [server["id"] for server in state["servers"]] == [removed_id + 1]
    assert client.sandbox.stats.callback["acknowledged"] == 2  # the witness's


async def test_a_restart_goes_on_without_sending_acknowledged_events_again(
    tmp_path: Path, session: aiohttp.ClientSession, make_receiver: MakeReceiver
) -> None:
    config = delivery_config(tmp_path, timeout=5.0, concurrency=2)
    async with Sandbox(config) as first:
        client = SandboxClient(first, session)
        receiver = await make_receiver(await code_of(client))
        server_id = await add_server(client, receiver, "message_new")
        receiver.answers.append(hang)  # the first stays in flight; the next two get through
        person = await client.writer()
        for number in range(2):
            await client.say(person, -client.group_id, f"Сообщение {number}")
        await receiver.wait_events(3)
        done = first.world.callback_servers.done_above_cursor
        await until(client, lambda: len(done(server_id)) == 2)  # acknowledged out of order
        before = receiver.event_ids()

    async with Sandbox(config) as second:
        client = SandboxClient(second, session)
        await client.say(person, -client.group_id, "После перезапуска")
        delivered = await receiver.wait_events(5)
        assert len(receiver.confirmations) == 1  # still confirmed
        counts = Counter(receiver.event_ids())
        assert [counts[event_id] for event_id in before] == [2, 1, 1]
        assert {e.body["object"]["message"]["text"] for e in delivered[3:]} == {
            "Здравствуйте", "После перезапуска"
        }
        assert len(counts) == 4


async def test_events_are_kept_for_a_server_that_lags_behind_the_long_poll_history(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client(timeout=5.0, event_history=10)  # long poll keeps the last 10
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")
    receiver.answers.append(hang)
    events = client.sandbox.world.events
    for number in range(250):
        events.emit("message_new", {"message": {"text": str(number)}, "client_info": {}})
    await receiver.wait_events(1)

    receiver.released.set()  # the first is answered at last, and the rest follow

    delivered = await receiver.wait_events(250)
    assert [e.body["object"]["message"]["text"] for e in delivered] == [
        str(number) for number in range(250)
    ]


# -- concurrency ------------------------------------------------------------------------------


async def test_up_to_concurrency_events_of_a_server_are_in_flight(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client(concurrency=2, timeout=5.0)
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")
    receiver.default = hang
    person = await client.writer()
    for number in range(4):
        await client.say(person, -client.group_id, f"Сообщение {number}")

    await receiver.wait_events(2)
    state = await client.request("GET", "/sandbox/callback")
    assert state["servers"][0]["in_flight"] == 2
    receiver.released.set()

    await receiver.wait_events(5)
    assert receiver.max_in_flight == 2


async def test_one_at_a_time_keeps_the_order_of_the_log(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client(concurrency=1)
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")
    person = await client.writer()
    for number in range(10):
        await client.say(person, -client.group_id, f"Сообщение {number}")

    await receiver.wait_events(11)
    assert receiver.event_ids() == [u["event_id"] for u in await client.events()]
    assert receiver.max_in_flight == 1


# -- run-time settings and faults -------------------------------------------------------------


async def test_delivery_settings_change_at_run_time(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client(timeout=30.0)
    for bad in ({"timeout": "1"}, {"concurrency": 0}, {"max_attempts": 1.5}, {"speed": 1}):
        body = await client.request("POST", "/sandbox/callback", bad, status=400)
        assert body["error"]
    changed = await client.request("POST", "/sandbox/callback", {"timeout": 0.2})
    assert changed["settings"]["timeout"] == 0.2
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")
    receiver.answers.append(hang)

    await client.writer()

    first, second = await receiver.wait_events(2)  # 0.2 s, not 30 s, then sent again
    assert second.retry == 1 and first.event_id == second.event_id


async def test_the_duplicates_fault_sends_acknowledged_events_once_more(
    make_client: MakeClient, make_receiver: MakeReceiver
) -> None:
    client = await make_client()
    await client.faults(callback_duplicates=1.0)
    receiver = await make_receiver(await code_of(client))
    await add_server(client, receiver, "message_new")

    await client.writer()

    first, second = await receiver.wait_events(2)
    assert first.event_id == second.event_id and (first.retry, second.retry) == (None, 1)
    assert client.sandbox.stats.callback["duplicates"] == 1
