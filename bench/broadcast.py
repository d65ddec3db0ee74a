"""Benchmark of broadcasts at VK's ceiling: `python -m bench.broadcast [--chats N] [--baseline N]`.

Through the sandbox at its 20 requests/s limit — run as a process of its own, as VK is — in one
run:
1. the baseline: one `messages.send` per chat, for `--baseline` chats (default 1,000);
2. the real broadcast service on the same number of chats, for the speed-up (target ≥ 80×);
3. the real broadcast service on `--chats` chats (default 10,000) and on `--huge` chats (default
   100,000), through `execute` (25 messages.send of 100 peers a request): VK requests made
   (target 4 and 40), VK time (target ≤ 1.0 s and ≤ 3 s) — the measured time less what the
   sandbox spent running the requests (writing every message into its one SQLite file, work VK
   spreads over its servers; the sandbox counts it per method) — and per chat exactly one copy
   (zero lost, zero duplicates);
4. a broadcast to `--busy` chats (default 5,000) while a person is answered every 0.25 s through
   the same gateway: the time each reply takes (target: under 1 s), against the same replies with
   nothing else going on;
5. an emergency broadcast to `--emergency` chats (default 2,000): sent and pinned everywhere, the
   pins 25 to an `execute` request — VK calls against one `messages.pin` a chat.

Prints a table, then one JSON object with the figures as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp

from bench.common import VK_RATE as RATE
from bench.common import (
    STAFF_VK_ID,
    bench_staff,
    least_seconds,
    report,
    reset_sandbox_stats,
    sandbox_stats,
    store_house_chats,
)
from bot.clock import MovableClock
from bot.services.core.access import load_actor
from bot.services.broadcasts.service import BroadcastService
from bot.vk.gateway import VkGateway, bulk_priority
from bot.vk.rate_limit import RateLimiter
from sandbox.bulk import community_posts_per_chat, create_chats, pinned_chats
from sandbox.config import SandboxConfig
from sandbox.server import Sandbox
from storage.db import close_database, init_database
from storage.models import BroadcastKind

ROOT = Path(__file__).resolve().parents[1]
NOON_UTC = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # 12:00 in Moscow: no quiet hours


async def one_call_per_chat(gateway: VkGateway, peers: list[int]) -> float:
    started = time.perf_counter()
    with bulk_priority():
        for index, peer in enumerate(peers):
            await gateway.send(peer, "Проверка связи.", dedup_key=f"baseline:{index}")
    return time.perf_counter() - started


async def replies_while(gateway: VkGateway, peer: int, running: asyncio.Event) -> list[float]:
    """Interactive replies, one every 0.25 s until `running` is cleared: seconds each took."""
    took = []
    index = 0
    while running.is_set():
        started = time.perf_counter()
        await gateway.send(peer, "Ответ на вопрос.", dedup_key=f"reply:{peer}:{index}")
        took.append(time.perf_counter() - started)
        index += 1
        await asyncio.sleep(0.25)
    return took


async def broadcast_with_replies(
    service: BroadcastService, gateway: VkGateway, staff_vk: int, search: str, reply_peer: int
) -> tuple[float, list[float]]:
    running = asyncio.Event()
    running.set()
    replies = asyncio.create_task(replies_while(gateway, reply_peer, running))  # interactive priority
    try:
        seconds = await broadcast(service, staff_vk, search)
    finally:
        running.clear()
    return seconds, await replies


async def idle_replies(gateway: VkGateway, peer: int, count: int = 8) -> list[float]:
    running = asyncio.Event()
    running.set()
    task = asyncio.create_task(replies_while(gateway, peer, running))
    await asyncio.sleep(0.25 * count)
    running.clear()
    return await task


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def broadcast(
    service: BroadcastService, staff_vk: int, search: str, kind: BroadcastKind = BroadcastKind.INFO
) -> float:
    actor = await load_actor(staff_vk)
    draft, _ = await service.draft(actor, author_peer=staff_vk, kind=kind,
                                   text="Плановое отключение воды.", file=None, search=search)
    confirmed = await service.confirm(actor, draft.id, search, None)

    async def progress(*_: object) -> None:
        return None

    started = time.perf_counter()
    with bulk_priority():
        await service.run(confirmed.id, progress)
    return time.perf_counter() - started


def _requests(stats: dict) -> int:  # type: ignore[type-arg]
    """The requests a broadcast made: sends (with `execute`, 25 in one request)."""
    return int(stats["calls"].get("execute", 0)) + int(stats["calls"].get("messages.send", 0))


def _busy_s(stats: dict) -> float:  # type: ignore[type-arg]
    """Seconds the sandbox spent running the requests (its own cost, not VK's time)."""
    return sum(stats.get("busy_ms", {}).values()) / 1000


def _delivery(prefix: str, seconds: float, stats: dict, copies: list[int]) -> dict[str, object]:  # type: ignore[type-arg]
    """A broadcast's figures: requests, measured and VK time, lost and duplicated copies."""
    calls = _requests(stats)
    figures = {
        "vk_calls": calls,
        "seconds": round(seconds, 2),
        "sandbox_busy_seconds": round(_busy_s(stats), 2),
        "vk_seconds": round(seconds - _busy_s(stats), 2),
        "least_seconds": round(least_seconds(calls), 2),
        "lost": sum(1 for n in copies if n == 0),
        "duplicates": sum(n - 1 for n in copies if n > 1),
        "error_6_answers": int(stats["errors"].get("6", 0)),
    }
    return {prefix + name: value for name, value in figures.items()}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _sandbox_process(db: Path) -> tuple[asyncio.subprocess.Process, str]:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox", "--port", str(port), "--db", str(db),
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(f"{base}/sandbox/community") as response:
                    if response.status == 200:
                        return process, base
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    raise RuntimeError("the sandbox did not start")


async def main_async(
    chats: int, baseline: int, emergency: int, busy: int, huge: int
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        world_db = Path(tmp) / "sandbox.sqlite3"
        setup = Sandbox(SandboxConfig(db_path=world_db, port=0, rate_limit=RATE))
        groups = {"baseline": baseline, "small": baseline, "large": chats, "dialog": 1,
                  "pinned": emergency, "busy": busy, "huge": huge}
        made = {g: create_chats(setup.world, [f"{g} {i}" for i in range(n)]) for g, n in groups.items()}
        setup.world.close()
        process, base = await _sandbox_process(world_db)
        await init_database(f"sqlite://{tmp}/bot.sqlite3")
        gateway = VkGateway(token=setup.config.token, group_id=setup.config.group_id,
                            api_url=f"{base}/method/", limiter=RateLimiter(RATE))
        try:
            municipality, _ = await bench_staff()
            for group, chats_made in made.items():
                if group != "dialog":
                    titles = [f"{group} {i}" for i in range(len(chats_made))]
                    await store_house_chats(municipality, titles, chats_made)
            service = BroadcastService(gateway, MovableClock(NOON_UTC), "Europe/Moscow")

            await reset_sandbox_stats(base)
            per_chat_s = await one_call_per_chat(gateway, [peer for _, peer, _ in made["baseline"]])
            per_chat_calls = (await sandbox_stats(base))["calls"].get("messages.send", 0)

            await asyncio.sleep(1.1)  # a fresh rate window for each measurement
            small_s = await broadcast(service, STAFF_VK_ID, "small")
            reply_peer = made["dialog"][0][1]
            await asyncio.sleep(1.1)
            idle = await idle_replies(gateway, reply_peer)
            await asyncio.sleep(1.1)
            await reset_sandbox_stats(base)
            large_s = await broadcast(service, STAFF_VK_ID, "large")
            stats = await sandbox_stats(base)
            await asyncio.sleep(1.1)
            await reset_sandbox_stats(base)
            huge_s = await broadcast(service, STAFF_VK_ID, "huge") if huge else 0.0
            huge_stats = await sandbox_stats(base)
            await asyncio.sleep(1.1)
            _, during = await broadcast_with_replies(service, gateway, STAFF_VK_ID, "busy", reply_peer)
            await asyncio.sleep(1.1)
            await reset_sandbox_stats(base)
            emergency_s = await broadcast(service, STAFF_VK_ID, "pinned", BroadcastKind.EMERGENCY)
            emergency_calls = (await sandbox_stats(base))["calls"]
        finally:
            await gateway.close()
            await close_database()
            process.terminate()
            await process.wait()
        check = Sandbox(SandboxConfig(db_path=world_db, port=0))
        posts = community_posts_per_chat(check.world, "📢")
        pinned_in = pinned_chats(check.world)
        check.world.close()
    copies = [posts.get(chat_id, 0) for chat_id, _, _ in made["large"]]
    huge_copies = [posts.get(chat_id, 0) for chat_id, _, _ in made["huge"]]
    emergency_total = sum(emergency_calls.values())
    pinned = sum(1 for chat_id, _, _ in made["pinned"] if chat_id in pinned_in)
    return {
        "chats": chats,
        **_delivery("", large_s, stats, copies),
        "huge_chats": huge,
        **_delivery("huge_", huge_s, huge_stats, huge_copies),
        "baseline_chats": baseline,
        "baseline_calls": per_chat_calls,
        "baseline_seconds": round(per_chat_s, 2),
        "batched_seconds_same_chats": round(small_s, 3),
        "speedup": round(per_chat_s / small_s, 1),
        "busy_chats": busy,
        "replies_during": len(during),
        "reply_p95_s": round(_p95(during), 3),
        "reply_max_s": round(max(during), 3),
        "reply_idle_max_s": round(max(idle), 3),
        "emergency_chats": emergency,
        "emergency_calls": emergency_total,
        "emergency_calls_one_pin_each": emergency_calls.get("messages.send", 0) + emergency,
        "emergency_pinned": pinned,
        "emergency_seconds": round(emergency_s, 2),
        "emergency_ratio_to_limit": round(emergency_s / least_seconds(emergency_total), 3)
        if emergency_total > RATE else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--emergency", type=int, default=2_000)
    parser.add_argument("--busy", type=int, default=5_000)
    parser.add_argument("--huge", type=int, default=100_000)
    args = parser.parse_args()
    figures = asyncio.run(
        main_async(args.chats, args.baseline, args.emergency, args.busy, args.huge)
    )
    rows = [
        ("chats in the broadcast", figures["chats"]),
        ("VK requests (target: chats / 2,500)", figures["vk_calls"]),
        ("measured time, s", figures["seconds"]),
        ("  of it the sandbox running the requests, s", figures["sandbox_busy_seconds"]),
        ("VK time, s (target ≤ 1.0 for 10,000)", figures["vk_seconds"]),
        ("least time the 20/s limit allows, s", figures["least_seconds"]),
        ("chats with no copy (lost)", figures["lost"]),
        ("extra copies (duplicates)", figures["duplicates"]),
        ("error 6 answers met", figures["error_6_answers"]),
        ("chats in the large broadcast", figures["huge_chats"]),
        ("  VK requests", figures["huge_vk_calls"]),
        ("  measured time, s", figures["huge_seconds"]),
        ("  of it the sandbox running the requests, s", figures["huge_sandbox_busy_seconds"]),
        ("  VK time, s (target ≤ 3 for 100,000)", figures["huge_vk_seconds"]),
        ("  least time the 20/s limit allows, s", figures["huge_least_seconds"]),
        ("  lost / duplicated", f"{figures['huge_lost']} / {figures['huge_duplicates']}"),
        (f"baseline: {figures['baseline_chats']} chats, one call each, s", figures["baseline_seconds"]),
        ("broadcast service, same chats, s", figures["batched_seconds_same_chats"]),
        ("speed-up (target ≥ 80)", figures["speedup"]),
        (f"replies to a person during a broadcast to {figures['busy_chats']} chats", figures["replies_during"]),
        ("  reply time p95, s", figures["reply_p95_s"]),
        ("  reply time max, s (target < 1)", figures["reply_max_s"]),
        ("  reply time max with nothing else going on, s", figures["reply_idle_max_s"]),
        (f"emergency to {figures['emergency_chats']} chats: VK calls (send + pins)", figures["emergency_calls"]),
        ("  the same with one messages.pin per chat", figures["emergency_calls_one_pin_each"]),
        ("  chats where it is pinned", figures["emergency_pinned"]),
        ("  time, s", figures["emergency_seconds"]),
        ("  ratio to the limit", figures["emergency_ratio_to_limit"]),
    ]
    figures["ok"] = (
        figures["lost"] == figures["duplicates"] == figures["huge_lost"] == figures["huge_duplicates"] == 0
        and (args.chats != 10_000 or (figures["vk_calls"] == 4 and figures["vk_seconds"] <= 1.0))
        and (args.huge != 100_000 or figures["huge_vk_seconds"] <= 3.0)
    )
    report(rows, figures)

if __name__ == "__main__":
    main()
