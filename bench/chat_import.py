"""Benchmark of creating chats from a file: `python -m bench.chat_import [--rows N] [--chats N]`.

1. Validating a spreadsheet (target: 10,000 rows under 3 s on one core), against the baseline
   of merely opening and reading the same workbook with openpyxl, in the same run.
2. Creating chats with their invite links against the sandbox at its 20 requests/s limit,
   through `execute` (12 chats with their links a request; target: 1,000 chats in ≤ 8 s),
   against the baseline in the same run — `VK_EXECUTE` off, a request per chat and one per
   link, on `--baseline` chats: VK calls per chat, the time as a ratio to the least time the
   limit allows, error-6 answers met (retried, never shown) and orphans (chats made in VK
   that the bot does not know: 0).

Prints a table, then one JSON object with the figures as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import openpyxl

from bench.common import VK_RATE as RATE
from bench.common import bench_staff, least_seconds, report, reset_sandbox_stats, sandbox_stats
from bot.clock import SystemClock
from bot.services.importing import COLUMNS, plan_import, read_table
from bot.services.chats.model import CreationReport, NewChat
from bot.services.chats.service import ChatService
from bot.services.staff.invitations import InvitationService
from bot.sms import OutboxSms
from bot.vk.gateway import VkGateway, bulk_priority
from bot.vk.rate_limit import RateLimiter
from sandbox.config import SandboxConfig
from sandbox.server import Sandbox
from storage.db import close_database, init_database
from storage.models import ChatKind



def spreadsheet(rows: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for i in range(rows):
        sheet.append(
            [
                f"Улица Строителей {i // 8 + 1}, подъезд {i % 8 + 1}",
                f"8 912 {i:07d}",
                "Подъезд" if i % 3 else "Дом",
                "Официальный чат подъезда" if i % 5 == 0 else "",
                f"+7 913 {i % 5000:07d} ООО «УК {i % 40}»" if i % 2 else "",
                f"РСО: +7 914 {i % 300:07d} Водоканал" if i % 7 == 0 else "",
                40 + i % 200,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def validation(rows: int) -> dict[str, float]:
    content = spreadsheet(rows)

    def baseline() -> None:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        for _ in book.active.iter_rows(values_only=True):
            pass

    def validate() -> None:
        plan = plan_import(read_table("chats.xlsx", content), set())
        assert len(plan.rows) + len(plan.rejected) == rows

    plan = plan_import(read_table("chats.xlsx", content), set())
    base = best_of(3, baseline)
    full = best_of(3, validate)
    return {
        "rows": rows,
        "valid_rows": len(plan.rows),
        "openpyxl_read_s": round(base, 3),
        "validate_s": round(full, 3),
        "ratio_to_read": round(full / base, 2),
    }


async def creation(chats: int, *, execute: bool = True) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Sandbox(SandboxConfig(db_path=Path(tmp) / "sandbox.sqlite3", port=0, rate_limit=RATE))
        await sandbox.start()
        await init_database(f"sqlite://{tmp}/bot.sqlite3")
        gateway = VkGateway(
            token=sandbox.config.token,
            group_id=sandbox.config.group_id,
            api_url=sandbox.api_url,
            limiter=RateLimiter(RATE),
            execute=execute,
        )
        try:
            service = await _chat_service(gateway, sandbox)
            municipality, staff = await bench_staff()
            stored = [
                await service.store(
                    municipality,
                    NewChat(f"Бенч {i}", ChatKind.HOUSE, f"+7900{i:07d}"),
                    staff,
                )
                for i in range(chats)
            ]
            await reset_sandbox_stats(sandbox.base_url)
            report = CreationReport()
            started = time.perf_counter()
            with bulk_priority():
                await service.provision_many(stored, report)
            elapsed = time.perf_counter() - started
            stats = await sandbox_stats(sandbox.base_url)
            known = {c.vk_chat_id for c in stored}
            orphans = sum(1 for c in sandbox.world.chats.all() if c.id not in known)
        finally:
            await gateway.close()
            await close_database()
            await sandbox.stop()
    calls = sum(stats["calls"].values())
    least = least_seconds(calls)
    busy = sum(stats.get("busy_ms", {}).values()) / 1000
    return {
        "chats": chats,
        "execute": execute,
        "created": len(report.created),
        "with_links": sum(1 for c in report.created if c.invite_link),
        "orphans": orphans,
        "vk_calls": calls,
        "calls_per_chat": round(calls / chats, 2),
        "seconds": round(elapsed, 2),
        # the sandbox runs in this process: what it spent running the requests is not VK's time
        "sandbox_busy_seconds": round(busy, 2),
        "vk_seconds": round(elapsed - busy, 2),
        "least_seconds": round(least, 2),
        "ratio_to_limit": round(elapsed / least, 3) if least else None,
        "error_6_answers": int(stats["errors"].get("6", 0)),
    }


async def _chat_service(gateway: VkGateway, sandbox: Sandbox) -> ChatService:
    async def deep_link(ref: str) -> str:
        return (await gateway.community()).deep_link(ref)

    invitations = InvitationService(
        sms=OutboxSms(f"{sandbox.base_url}/sandbox/sms"),
        clock=SystemClock(),
        deep_link=deep_link,
        ttl=timedelta(hours=72),
        messenger=gateway,
    )
    return ChatService(messenger=gateway, invitations=invitations, clock=SystemClock())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=1_000)
    parser.add_argument("--baseline", type=int, default=100, help="chats made without execute")
    args = parser.parse_args()

    check = validation(args.rows)
    base = asyncio.run(creation(args.baseline, execute=False))
    create = asyncio.run(creation(args.chats))
    projected = base["seconds"] * args.chats / max(args.baseline, 1)
    rows = [
        ("rows in the spreadsheet", check["rows"]),
        ("openpyxl read only (baseline), s", check["openpyxl_read_s"]),
        ("read + validate, s (target < 3)", check["validate_s"]),
        ("validation / plain read", check["ratio_to_read"]),
        (f"baseline: {base['chats']} chats without execute, s", base["seconds"]),
        ("  VK calls per chat", base["calls_per_chat"]),
        (f"  projected to {args.chats} chats, s", round(projected, 1)),
        ("chats created with links (execute)", create["with_links"]),
        ("VK calls per chat", create["calls_per_chat"]),
        ("measured time, s", create["seconds"]),
        ("  of it the sandbox running the requests, s", create["sandbox_busy_seconds"]),
        ("time without the sandbox's own work, s (target ≤ 8 for 1,000)", create["vk_seconds"]),
        ("least time the 20/s limit allows, s", create["least_seconds"]),
        ("ratio to the limit", create["ratio_to_limit"]),
        ("speed-up against the baseline", round(projected / create["seconds"], 1)),
        ("error 6 answers met (retried, never shown)", create["error_6_answers"]),
        ("orphan chats (made in VK, unknown to the bot)", create["orphans"] + base["orphans"]),
    ]
    ok = (
        create["with_links"] == args.chats
        and create["orphans"] == 0
        and (args.chats != 1_000 or create["vk_seconds"] <= 8)
    )
    report(rows, {"validation": check, "baseline": base, "creation": create, "ok": ok})

if __name__ == "__main__":
    main()
