"""The Callback API endpoint over real HTTP, on SQLite and PostgreSQL: confirmation, the secret,
events stored before `ok` and once per `event_id`, 429 / 503 with `Retry-After` when it cannot
take them now."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.config import Settings
from bot.runtime.callback import CallbackEndpoint
from storage import inbox
from storage.models import InboxEvent

GROUP = 229000001
SECRET = "Zx81secret"
CODE = "1a2b3c4d"
PATH = "/vk/callback"


class Harness:
    def __init__(self, **settings: Any) -> None:
        self.backlog = 0
        self.stored = 0
        self.settings = Settings(
            vk_token=SecretStr("t"), vk_group_id=GROUP, vk_transport="callback",
            callback_secret=SecretStr(SECRET), _env_file=None, **settings,  # type: ignore[call-arg]
        )
        self.endpoint = CallbackEndpoint(
            settings=self.settings, confirmation_code=CODE, backlog=lambda: self.backlog,
            stored=self._stored,
        )
        self.client = TestClient(TestServer(self.endpoint.app))

    def _stored(self) -> None:
        self.stored += 1

    async def post(
        self, body: dict[str, Any], retry: int | None = None
    ) -> tuple[int, str, dict[str, str]]:
        headers = {} if retry is None else {"X-Retry-Counter": str(retry)}
        async with self.client.post(PATH, json=body, headers=headers) as response:
            return response.status, await response.text(), dict(response.headers)


@pytest.fixture
async def harness(db: str, request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    marker = request.node.get_closest_marker("endpoint")
    running = Harness(**(marker.kwargs if marker else {}))
    await running.client.start_server()
    try:
        yield running
    finally:
        await running.client.close()


def event(event_id: str, text: str = "Начать", from_id: int = 1000001, **extra: Any) -> dict[str, Any]:
    message = {"from_id": from_id, "peer_id": from_id, "text": text, "id": 1}
    return {
        "type": "message_new", "event_id": event_id, "v": "5.199", "group_id": GROUP,
        "object": {"message": message, "client_info": {}}, "secret": SECRET, **extra,
    }


async def stored_ids() -> list[str]:
    return [row.event_id for row in await InboxEvent.all().order_by("id")]


async def test_confirmation_is_answered_with_the_code(harness: Harness) -> None:
    body = {"type": "confirmation", "group_id": GROUP, "event_id": "c1", "v": "5.199",
            "secret": SECRET}
    assert (await harness.post(body))[:2] == (200, CODE)
    assert await stored_ids() == []


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_stored(harness: Harness) -> None:
    for secret in (None, "", "wrong", SECRET + "x", SECRET.lower(), 12):
        confirmation = {"type": "confirmation", "group_id": GROUP, "event_id": "c", "v": "5.199"}
        for body in (confirmation, event("e1")):
            body.pop("secret", None)
            if secret is not None:
                body["secret"] = secret
            status, text, _ = await harness.post(body)
            assert status == 403 and CODE not in text, secret
    assert await stored_ids() == [] and harness.stored == 0


async def test_another_community_is_refused(harness: Harness) -> None:
    assert (await harness.post(event("e1", group_id=GROUP + 1)))[0] == 403
    assert await stored_ids() == []


async def test_an_event_is_stored_before_ok_without_its_secret(harness: Harness) -> None:
    status, text, _ = await harness.post(event("e1", "Привет"))
    assert (status, text) == (200, "ok")
    (row,) = await InboxEvent.all()
    assert row.event_id == "e1" and row.done_at is None and row.ordering_key == "1000001"
    assert row.body["object"]["message"]["text"] == "Привет" and "secret" not in row.body
    assert harness.stored == 1


async def test_a_redelivered_event_id_is_answered_ok_and_stored_once(harness: Harness) -> None:
    assert (await harness.post(event("e1")))[:2] == (200, "ok")
    assert (await harness.post(event("e2", from_id=1000002)))[:2] == (200, "ok")
    for retry in (1, 2):  # VK's redeliveries, and a duplicate without the header
        assert (await harness.post(event("e1"), retry=retry))[:2] == (200, "ok")
    assert (await harness.post(event("e2", from_id=1000002)))[:2] == (200, "ok")
    assert await stored_ids() == ["e1", "e2"]
    assert harness.stored == 2


async def test_a_first_delivery_that_carries_a_retry_counter_is_stored(harness: Harness) -> None:
    """A retry is never dropped for being a retry: the first attempt may have failed."""
    assert (await harness.post(event("e1"), retry=3))[:2] == (200, "ok")
    assert await stored_ids() == ["e1"]


@pytest.mark.endpoint(callback_max_backlog=5, callback_retry_after_seconds=7)
async def test_a_full_inbox_answers_429_with_retry_after(harness: Harness) -> None:
    harness.backlog = 5
    status, _, headers = await harness.post(event("e1"))
    assert status == 429 and headers["Retry-After"] == "7"
    assert await stored_ids() == []
    harness.backlog = 4  # handled meanwhile: VK's next attempt is taken
    assert (await harness.post(event("e1"), retry=1))[:2] == (200, "ok")
    assert await stored_ids() == ["e1"]


@pytest.mark.endpoint(callback_max_in_flight=1)
async def test_too_many_requests_at_once_answer_429(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    store = inbox.store

    async def slow_store(*args: Any) -> bool:
        await release.wait()
        return await store(*args)

    monkeypatch.setattr(inbox, "store", slow_store)
    first = asyncio.create_task(harness.post(event("e1")))
    await asyncio.sleep(0.1)
    status, _, headers = await harness.post(event("e2", from_id=1000002))
    assert status == 429 and headers["Retry-After"] == "5"
    release.set()
    assert (await first)[:2] == (200, "ok")
    assert await stored_ids() == ["e1"]


async def test_the_database_away_answers_503_with_retry_after(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def away(*args: Any) -> bool:
        raise ConnectionError("connection refused")

    monkeypatch.setattr(inbox, "store", away)
    status, _, headers = await harness.post(event("e1"))
    assert status == 503 and headers["Retry-After"] == "5"
    monkeypatch.undo()
    assert (await harness.post(event("e1"), retry=1))[:2] == (200, "ok")
    assert await stored_ids() == ["e1"]


async def test_malformed_requests_are_answered_400_or_403(harness: Harness) -> None:
    for raw in (b"", b"{", b"[1]", b'"ok"', b'{"type": "x"}', b"\xff"):
        async with harness.client.post(PATH, data=raw) as response:
            assert response.status in (400, 403), raw
    for missing in ("event_id", "type"):
        body = event("e1")
        del body[missing]
        assert (await harness.post(body))[0] == 400
    assert await stored_ids() == []
