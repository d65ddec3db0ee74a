"""The VK gateway against the sandbox: batching, per-peer results, retries, typed errors."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.vk.errors import ChatAccessDenied, VkUnavailable
from bot.vk.gateway import FileTooLarge, VkGateway, keyed_sends, stable_random_id
from bot.vk.rate_limit import RateLimiter
from sandbox.bulk import create_chats
from sandbox.server import Sandbox
from tests.harness import FAST_RETRIES, sandbox_config

CHAT = 2_000_000_000


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    server = Sandbox(sandbox_config(tmp_path))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def gateway(sandbox: Sandbox) -> AsyncIterator[VkGateway]:
    gw = VkGateway(
        token=sandbox.config.token,
        group_id=sandbox.config.group_id,
        api_url=sandbox.api_url,
        limiter=RateLimiter(20),
        retry=FAST_RETRIES,
    )
    try:
        yield gw
    finally:
        await gw.close()


async def people_api(sandbox: Sandbox, method: str, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession(base_url=sandbox.base_url) as http:
        async with http.request(method, path, json=body) as response:
            return await response.json()


async def make_people(sandbox: Sandbox, count: int, *, wrote_first: bool) -> list[int]:
    ids = []
    for i in range(count):
        phone = f"+7901{'1' if wrote_first else '2'}{i:06d}"
        person = await people_api(sandbox, "POST", "/sandbox/people", {"name": f"P{i}", "phone": phone})
        if wrote_first:
            await people_api(sandbox, "POST", f"/sandbox/people/{person['id']}/allow")
        ids.append(int(person["id"]))
    return ids


async def test_send_to_250_peers_makes_3_calls_and_reads_each_result(
    sandbox: Sandbox, gateway: VkGateway
) -> None:
    allowed = await make_people(sandbox, 240, wrote_first=True)
    silent = await make_people(sandbox, 10, wrote_first=False)
    await people_api(sandbox, "POST", "/sandbox/stats/reset")
    gateway.execute = False  # VK_EXECUTE off (with it: tests/test_gateway_execute.py)
    results = await gateway.send_many(allowed + silent, "Плановое отключение воды")
    stats = await people_api(sandbox, "GET", "/sandbox/stats")
    assert stats["calls"]["messages.send"] == 3
    assert [r.peer_id for r in results] == allowed + silent
    assert all(r.ok and r.message_id for r in results[:240])
    assert all(r.error is not None and r.error.code == 901 for r in results[240:])


async def test_same_dedup_key_is_delivered_once(sandbox: Sandbox, gateway: VkGateway) -> None:
    (person,) = await make_people(sandbox, 1, wrote_first=True)
    first = await gateway.send(person, "Раз", dedup_key="broadcast:1")
    second = await gateway.send(person, "Раз", dedup_key="broadcast:1")
    assert first.message_id == second.message_id
    seen = await people_api(sandbox, "GET", f"/sandbox/people/{person}/messages?peer_id=-{sandbox.config.group_id}")
    assert [m["text"] for m in seen["items"]] == ["Раз"]
    other = await gateway.send(person, "Раз", dedup_key="broadcast:2")  # another message goes
    assert other.message_id != first.message_id
    seen = await people_api(sandbox, "GET", f"/sandbox/people/{person}/messages?peer_id=-{sandbox.config.group_id}")
    assert [m["text"] for m in seen["items"]] == ["Раз", "Раз"]


def test_stable_random_id_is_the_same_in_another_process() -> None:
    """A broadcast resumed after a restart resends with the same random_id, so VK drops it:
    the id depends on the key alone (not on Python's per-process hash seed)."""
    code = "from bot.vk.gateway import stable_random_id; print(stable_random_id('broadcast:1'))"
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"  # not this process's seed
    other = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True, text=True, check=True,
    )
    assert int(other.stdout) == stable_random_id("broadcast:1")
    keys = [f"broadcast:{i}" for i in range(1000)]
    values = {stable_random_id(key) for key in keys}
    assert len(values) == len(keys)  # distinct messages do not collide
    assert all(1 <= v <= 2**31 - 1 for v in values)  # VK's random_id is a positive int32


async def test_temporary_errors_are_retried(sandbox: Sandbox, gateway: VkGateway) -> None:
    (person,) = await make_people(sandbox, 1, wrote_first=True)
    faults = {"error_rate": 0.4, "error_codes": [6, 10], "seed": 1}  # repeatable failures
    await people_api(sandbox, "POST", "/sandbox/faults", faults)
    for i in range(10):
        await gateway.send(person, f"сообщение {i}")
    await people_api(sandbox, "POST", "/sandbox/faults", {"error_rate": 0.0})
    assert sum((await people_api(sandbox, "GET", "/sandbox/stats"))["errors"].values()) >= 3
    seen = await people_api(sandbox, "GET", f"/sandbox/people/{person}/messages?peer_id=-{sandbox.config.group_id}")
    assert [m["text"] for m in seen["items"]] == [f"сообщение {i}" for i in range(10)]


async def test_persistent_failure_becomes_vk_unavailable(sandbox: Sandbox, gateway: VkGateway) -> None:
    await people_api(sandbox, "POST", "/sandbox/faults", {"error_rate": 1.0, "error_codes": [10]})
    with pytest.raises(VkUnavailable):
        await gateway.call("users.get", user_ids=[1])


async def test_permanent_errors_are_typed(gateway: VkGateway) -> None:
    with pytest.raises(ChatAccessDenied):
        await gateway.send(CHAT + 999, "в чужой чат")


async def test_the_limiter_keeps_bursts_under_vks_limit(sandbox: Sandbox, gateway: VkGateway) -> None:
    (person,) = await make_people(sandbox, 1, wrote_first=True)
    await people_api(sandbox, "POST", "/sandbox/stats/reset")
    await asyncio.gather(*(gateway.send(person, f"{i}") for i in range(45)))
    stats = await people_api(sandbox, "GET", "/sandbox/stats")
    assert stats["errors"].get("6", 0) == 0
    assert stats["calls"]["messages.send"] == 45


@pytest.mark.parametrize("shape", ["int", "object"])
async def test_create_chat_accepts_both_response_shapes(tmp_path: Path, shape: str) -> None:
    server = Sandbox(sandbox_config(tmp_path, create_chat_response=shape))
    await server.start()
    gw = VkGateway(
        token=server.config.token, group_id=server.config.group_id, api_url=server.api_url,
        limiter=RateLimiter(20), retry=FAST_RETRIES,
    )
    try:
        first = await gw.create_chat("Плесецкая 16")
        second = await gw.create_chat("Невский 124")
        assert second == first + 1
        link = await gw.invite_link(CHAT + first)
        assert link.startswith("https://vk.me/join/")
        assert await gw.invite_link(CHAT + first, reset=True) != link
    finally:
        await gw.close()
        await server.stop()


async def test_long_text_is_split_into_parts(sandbox: Sandbox, gateway: VkGateway) -> None:
    (person,) = await make_people(sandbox, 1, wrote_first=True)
    text = "\n".join(f"Строка {i}: " + "текст " * 20 for i in range(60))
    await gateway.send(person, text)
    seen = await people_api(sandbox, "GET", f"/sandbox/people/{person}/messages?peer_id=-{sandbox.config.group_id}")
    parts = [m["text"] for m in seen["items"]]
    assert len(parts) >= 2 and all(len(p) <= 4096 for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())  # nothing lost


async def test_pins_go_25_to_a_request_and_each_failure_is_typed(
    sandbox: Sandbox, gateway: VkGateway
) -> None:
    made = create_chats(sandbox.world, [f"Дом {i}" for i in range(30)])
    peers = [peer for _, peer, _ in made]
    sent = await gateway.send_many(peers, "Авария", dedup_key="pins")
    await people_api(sandbox, "POST", "/sandbox/stats/reset")
    pins = [(r.peer_id, r.cmid or 0) for r in sent] + [(CHAT + 999, 1)]  # a chat that is not there
    outcomes = await gateway.pin_many(pins)
    assert outcomes[:30] == [None] * 30
    assert isinstance(outcomes[30], ChatAccessDenied)
    assert (await people_api(sandbox, "GET", "/sandbox/stats"))["calls"] == {"execute": 2}


# -- downloads (issue 10: downloaded files were cut) ------------------------------------------------

MB = 1_000_000


PATTERN = bytes(range(256)) * 8192  # 2 MiB: a body of n bytes is PATTERN[:n]
PIECE = 16_384


@dataclass
class FileServer:
    """A local file host serving bodies the way CDNs do: in pieces, with or without a length."""

    url: str
    sent: list[int] = field(default_factory=list)  # bytes each response got out
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    cut_once: bool = False  # the first response stops half-way through its Content-Length


@pytest.fixture
async def files() -> AsyncIterator[FileServer]:
    state = FileServer(url="")

    async def pieces(request: web.Request) -> web.StreamResponse:
        """/files/<size>[?length=1]: PATTERN[:size] in 16 KB writes; /files/endless: until the
        client goes away."""
        size = request.match_info["size"]
        total = None if size == "endless" else int(size)
        response = web.StreamResponse()
        if total is not None and request.query.get("length") == "1":
            response.content_length = total
        await response.prepare(request)
        cut, state.cut_once = state.cut_once, False
        sent = 0
        try:
            while total is None or sent < total:
                if cut and total is not None and sent >= total // 2:
                    assert request.transport is not None
                    request.transport.close()
                    break
                piece = PATTERN[:PIECE] if total is None else PATTERN[sent : min(sent + PIECE, total)]
                await response.write(piece)
                sent += len(piece)
                if sent > 200 * MB:  # a safety bound, never reached
                    break
            else:
                await response.write_eof()
        except ConnectionError:
            pass  # the client went away
        finally:
            state.sent.append(sent)
            state.finished.set()
        return response

    app = web.Application()
    app.router.add_get("/files/{size}", pieces)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}/files"
    try:
        yield state
    finally:
        await runner.cleanup()


async def test_downloaded_files_are_cut_a_body_in_pieces_arrives_whole(
    files: FileServer, gateway: VkGateway
) -> None:
    for size, length in ((MB, "1"), (MB, "0"), (700_001, "0")):
        content = await gateway.download(f"{files.url}/{size}?length={length}", max_bytes=MB)
        assert len(content) == size
        assert content == PATTERN[:size]


async def test_downloaded_files_are_cut_an_endless_body_is_refused_while_streaming(
    files: FileServer, gateway: VkGateway
) -> None:
    with pytest.raises(FileTooLarge):
        await gateway.download(f"{files.url}/endless", max_bytes=MB)
    await asyncio.wait_for(files.finished.wait(), 10)
    (sent,) = files.sent
    assert sent < 20 * MB  # the server was cut off: the rest was never read


async def test_downloaded_files_are_cut_one_byte_over_the_limit_is_refused(
    files: FileServer, gateway: VkGateway
) -> None:
    for length in ("1", "0"):  # told by Content-Length, or found while streaming
        with pytest.raises(FileTooLarge):
            await gateway.download(f"{files.url}/{MB + 1}?length={length}", max_bytes=MB)


async def test_downloaded_files_are_cut_a_broken_transfer_is_retried(
    files: FileServer, gateway: VkGateway
) -> None:
    files.cut_once = True
    content = await gateway.download(f"{files.url}/{MB}?length=1", max_bytes=MB)
    assert content == PATTERN[:MB]
    assert len(files.sent) == 2  # the cut one, then the whole one


async def test_an_update_handled_again_delivers_its_answers_once(
    sandbox: Sandbox, gateway: VkGateway
) -> None:
    """Sends inside `keyed_sends(event)` repeat their `random_id`s when the same update is
    handled again (after a database failure): VK drops what it already delivered."""
    (person,) = await make_people(sandbox, 1, wrote_first=True)
    for event in ("event-1", "event-1", "event-2"):
        with keyed_sends(event):
            await gateway.send(person, "Здравствуйте")
            await gateway.send(person, "Выберите действие")
    seen = await people_api(sandbox, "GET", f"/sandbox/people/{person}/messages?peer_id=-{sandbox.config.group_id}")
    assert [m["text"] for m in seen["items"]] == ["Здравствуйте", "Выберите действие"] * 2


async def test_a_peer_that_refuses_messages_leaves_no_vkbottle_line(
    sandbox: Sandbox, gateway: VkGateway, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: vkbottle logged «API error(s) in response wasn't handled … 901» for every
    person who had not allowed messages, though the gateway reads each peer's result."""
    caplog.set_level(logging.DEBUG, logger="vkbottle")
    (silent,) = await make_people(sandbox, 1, wrote_first=False)
    (result,) = await gateway.send_many([silent], "Приглашение")
    assert result.error is not None and result.error.code == 901
    assert "wasn't handled" not in caplog.text
