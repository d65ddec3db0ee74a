"""Benchmark of incoming chat messages: `python -m bench.inbound [--messages N]`.

1. Throughput: how many incoming chat messages per second the whole bot handles (long poll,
   de-duplication, routing, activity statistics) — on SQLite, and on PostgreSQL when
   BENCH_POSTGRES_URL (or TEST_POSTGRES_URL) names a server — as a ratio to a bare vkbottle bot
   with one empty handler, on the same machine and sandbox in the same run (target ≥ 0.5×).
   The bot's message counts must come out exact.
2. Memory: the resident memory of the bot process (`python main.py`) with 100,000 chats in its
   database, after handling traffic (target ≤ 200 MB).

Prints a table, then one JSON object with the figures as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from vkbottle import API, Bot
from vkbottle.bot import Message

from bench.common import report, store_house_chats
from bot.app import BotApp
from bot.config import Settings
from bot.services.core.tenants import find_or_create_municipality
from sandbox.bulk import create_chats
from sandbox.config import SandboxConfig
from sandbox.server import Sandbox
from sandbox.world.conversations import NewMessage
from storage.db import close_database, init_database
from storage.throwaway import create_database, drop_database
from storage.models import Chat, ChatDayStat, ChatKind, ChatStatus

CHATS = 50
PEOPLE = 200
ROOT = Path(__file__).resolve().parents[1]


def _sandbox(tmp: str) -> Sandbox:
    """A fresh sandbox that keeps every event of a run for the long poll (VK keeps them too)."""
    return Sandbox(SandboxConfig(
        db_path=Path(tmp) / f"sandbox-{uuid.uuid4().hex}.sqlite3", port=0, event_history=1_000_000,
    ))


def _people_in_chats(sandbox: Sandbox, chat_ids: list[int]) -> list[int]:
    world = sandbox.world
    people = [
        world.people.create(f"Житель {i}", f"+7955{i:07d}", True, "", world.now()).id
        for i in range(PEOPLE)
    ]
    for index, person in enumerate(people):
        chat_id = chat_ids[index % len(chat_ids)]
        world.chats.add_member(chat_id, person, person, world.now())
    return people


def _inject(sandbox: Sandbox, chat_ids: list[int], people: list[int], count: int) -> int:
    """`count` messages from members of the chats, straight into the world; the last event ts."""
    world = sandbox.world
    with world.transaction():
        for i in range(count):
            author = i % len(people)  # person j sits in chat j mod the number of chats
            chat_id = chat_ids[author % len(chat_ids)]
            world.post(world.conversations.chat(chat_id), NewMessage(from_id=people[author], text=f"сообщение {i}"))
    return world.events.last_ts


async def _wait(condition, timeout: float = 600) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not keep up")
        await asyncio.sleep(0.005)


async def bare_vkbottle(tmp: str, count: int) -> float:
    """A vkbottle bot with one empty chat-message handler: messages per second."""
    sandbox = _sandbox(tmp)
    await sandbox.start()
    made = create_chats(sandbox.world, [f"Чат {i}" for i in range(CHATS)])
    chat_ids = [chat_id for chat_id, _, _ in made]
    people = _people_in_chats(sandbox, chat_ids)
    api = API(token=sandbox.config.token)
    api.API_URL = sandbox.api_url
    bot = Bot(api=api)
    handled = 0

    @bot.on.chat_message()
    async def count_it(message: Message) -> None:
        nonlocal handled
        handled += 1

    bot.polling.group_id = sandbox.config.group_id  # type: ignore[attr-defined]
    polling = asyncio.create_task(bot.run_polling())
    await asyncio.sleep(0.5)  # connected, waiting on the long poll
    _inject(sandbox, chat_ids, people, count)
    started = time.perf_counter()
    await _wait(lambda: handled >= count)
    elapsed = time.perf_counter() - started
    polling.cancel()
    await asyncio.gather(polling, return_exceptions=True)
    await api.http_client.close()
    await sandbox.stop()
    return count / elapsed


async def whole_bot(tmp: str, database_url: str, count: int) -> tuple[float, bool]:
    """The real bot: messages per second, and whether its daily counts are exact."""
    sandbox = _sandbox(tmp)
    await sandbox.start()
    settings = Settings(
        vk_token=SecretStr(sandbox.config.token), vk_group_id=sandbox.config.group_id,
        vk_api_url=sandbox.api_url, database_url=database_url,
        sms_outbox_url=f"{sandbox.base_url}/sandbox/sms", _env_file=None,  # type: ignore[call-arg]
    )
    app = BotApp(settings)
    await app.start()
    try:
        municipality = await find_or_create_municipality("Бенч-город", "Бенч-регион")
        titles = [f"Чат {i}" for i in range(CHATS)]
        made = create_chats(sandbox.world, titles)
        await store_house_chats(municipality, titles, made)
        chat_ids = [chat_id for chat_id, _, _ in made]
        people = _people_in_chats(sandbox, chat_ids)
        await asyncio.sleep(0.5)
        last = _inject(sandbox, chat_ids, people, count)
        started = time.perf_counter()
        await _wait(lambda: app.polled_ts >= last and not app.dispatcher.busy)
        elapsed = time.perf_counter() - started
        await app.services.stats.flush()
        counted = sum(await ChatDayStat.all().values_list("messages", flat=True))
    finally:
        await app.stop()
        await sandbox.stop()
    return count / elapsed, counted == count


async def memory_with_many_chats(tmp: str, chats: int) -> float:
    """Resident memory (MB) of `python main.py` with `chats` chats in its database."""
    database_url = f"sqlite://{tmp}/memory.sqlite3"
    await init_database(database_url)
    municipality = await find_or_create_municipality("Большой регион", "Бенч-регион")
    await Chat.bulk_create(
        [Chat(municipality=municipality, title=f"Дом {i}", title_key=f"дом {i}", kind=ChatKind.HOUSE,
              status=ChatStatus.ACTIVE, vk_chat_id=i + 1, peer_id=2_000_000_001 + i,
              invite_link=f"https://vk.me/join/m{i}") for i in range(chats)],
        batch_size=5000,
    )
    await close_database()
    sandbox = _sandbox(tmp)
    await sandbox.start()
    made = create_chats(sandbox.world, [f"Дом {i}" for i in range(10)])
    people = _people_in_chats(sandbox, [chat_id for chat_id, _, _ in made])
    env = {**os.environ, "VK_TOKEN": sandbox.config.token, "VK_GROUP_ID": str(sandbox.config.group_id),
           "VK_API_URL": sandbox.api_url, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
           "SMS_OUTBOX_URL": f"{sandbox.base_url}/sandbox/sms"}
    process = await asyncio.create_subprocess_exec(sys.executable, str(ROOT / "main.py"), cwd=ROOT, env=env)
    try:
        await asyncio.sleep(6)  # started and connected
        _inject(sandbox, [chat_id for chat_id, _, _ in made], people, 2000)
        await asyncio.sleep(4)  # the traffic handled
        status = Path(f"/proc/{process.pid}/status").read_text()
        rss_kb = int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
    finally:
        process.terminate()
        await process.wait()
        await sandbox.stop()
    return rss_kb / 1024


async def main_async(count: int, chats: int, rounds: int) -> dict[str, Any]:
    """Baseline and bot are measured alternately, `rounds` times; medians are reported."""
    figures: dict[str, Any] = {"messages": count, "rounds": rounds}
    with tempfile.TemporaryDirectory() as tmp:
        server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
        bare: list[float] = []
        sqlite: list[float] = []
        postgres: list[float] = []
        exact = True
        for round_ in range(rounds):
            bare.append(await bare_vkbottle(tmp, count))
            rate, ok = await whole_bot(tmp, f"sqlite://{tmp}/bot-{round_}.sqlite3", count)
            sqlite.append(rate)
            exact &= ok
            if server:
                url = await create_database(server, "bench")
                try:
                    rate, ok = await whole_bot(tmp, url, count)
                finally:
                    await drop_database(server, url)
                postgres.append(rate)
                exact &= ok
        baseline = statistics.median(bare)
        figures["bare_vkbottle_per_s"] = round(baseline)
        figures["sqlite_per_s"] = round(statistics.median(sqlite))
        figures["sqlite_ratio"] = round(statistics.median(sqlite) / baseline, 2)
        if postgres:
            figures["postgres_per_s"] = round(statistics.median(postgres))
            figures["postgres_ratio"] = round(statistics.median(postgres) / baseline, 2)
        figures["counts_exact"] = exact
        figures["chats_in_database"] = chats
        figures["rss_mb"] = round(await memory_with_many_chats(tmp, chats), 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures = asyncio.run(main_async(args.messages, args.chats, args.rounds))
    labels = {
        "messages": "chat messages sent",
        "rounds": "rounds (medians reported)",
        "bare_vkbottle_per_s": "bare vkbottle bot, messages/s (baseline)",
        "sqlite_per_s": "the bot on SQLite, messages/s",
        "sqlite_ratio": "  ratio to the baseline (target ≥ 0.5)",
        "postgres_per_s": "the bot on PostgreSQL, messages/s",
        "postgres_ratio": "  ratio to the baseline (target ≥ 0.5)",
        "counts_exact": "the bot's daily message counts exact (every run)",
        "chats_in_database": "chats in the database (memory run)",
        "rss_mb": "resident memory of the bot, MB (target ≤ 200)",
    }
    rows = [(label, figures[key]) for key, label in labels.items() if key in figures]
    notes = [] if "postgres_per_s" in figures else [
        "PostgreSQL skipped: set BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
    ]
    report(rows, figures, notes)


if __name__ == "__main__":
    main()
