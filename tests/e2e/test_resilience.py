"""Faults the bot meets for real: failing VK calls (6/10), long-poll `failed` 1/2/3, the
database locked by a second process or its connections killed, a loop that cannot go on."""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import main_py_running
from tests.e2e.test_chat_import import GOOD_ROWS
from tests.harness import Person, Stack
from tests.test_chat_import import HEADER, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
# Short waits and retries, so that an outage is seen (and outlived) many times in seconds.
QUICK_RETRIES = {"retry_first_seconds": 0.05, "retry_max_seconds": 0.5}
QUICK_RETRIES_ENV = {"RETRY_FIRST_SECONDS": "0.05", "RETRY_MAX_SECONDS": "0.5"}
UNAVAILABLE = "the database is unavailable"


async def test_every_message_is_answered_exactly_once_despite_faults(stack: Stack) -> None:
    people = [await stack.person(f"Житель {i}", f"+7900000010{i}") for i in range(5)]
    await stack.faults(
        error_rate=0.25, error_codes=[6, 10], longpoll_failed=[1, 2, 3, 1, 2, 3], seed=2
    )
    for round_ in range(4):
        for person in people:
            await write(stack, person)
        await asyncio.sleep(0.05)  # let injected long-poll failures interleave with events
    await stack.settle(timeout=60)
    await stack.faults(error_rate=0.0, longpoll_failed=[])
    for person in people:
        replies = [m for m in await person.messages() if m.from_id < 0]
        assert len(replies) == 4, f"{person.name}: {len(replies)} replies"
        assert all("Домовые чаты" in m.text for m in replies)
    stats = await stack.stats()
    assert sum(stats["errors"].values()) > 0  # faults really happened


# -- the database away -------------------------------------------------------------------------


async def write(stack: Stack, person: Person, text: str = "Начать") -> None:
    """Send a message without waiting for the answer."""
    body = {"peer_id": person.dialog, "text": text}
    await stack.api("POST", f"/sandbox/people/{person.id}/send", body)


async def replies(person: Person) -> list[str]:
    return [m.text for m in await person.messages() if m.from_id < 0]


async def until(condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Wait until `condition()` (sync or async) is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise TimeoutError("the condition never came true")
        await asyncio.sleep(0.02)


def sqlite_path(stack: Stack) -> str:
    return stack.settings.database_url.removeprefix("sqlite://")


@asynccontextmanager
async def write_lock(stack: Stack) -> AsyncIterator[None]:
    """The bot's SQLite database write-locked by a second process until the block ends."""
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.e2e.lock_holder", sqlite_path(stack), cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert await holder.stdout.readline() == b"locked\n"
        yield
    finally:
        holder.stdin.write(b"\n")
        await holder.wait()


async def answered_once_each(people: list[Person], messages: int) -> None:
    for person in people:
        texts = await replies(person)
        assert len(texts) == messages, f"{person.name}: {len(texts)} answers to {messages}"
        assert all("Домовые чаты" in text for text in texts), texts


@ON_SQLITE
@pytest.mark.bot_settings(sqlite_busy_timeout_seconds=0.2, **QUICK_RETRIES)
async def test_a_write_lock_held_by_another_process_for_10_s(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    """Every message sent while another process held the lock is answered once, afterwards
    (the bot's claims fail and are retried; before, the polling task died on the first)."""
    people = [await stack.person(f"Житель {i}", f"+7900000020{i}") for i in range(4)]
    for person in people:
        await write(stack, person)
    await stack.settle()
    loop = asyncio.get_running_loop()
    async with write_lock(stack):
        locked_at = loop.time()
        for _ in range(2):
            for person in people:
                await write(stack, person)
        await until(lambda: caplog.text.count(f"claiming updates: {UNAVAILABLE}") >= 3)
        assert [len(await replies(p)) for p in people] == [1] * len(people)  # nothing handled yet
        await asyncio.sleep(max(0.0, 10 - (loop.time() - locked_at)))  # the outage lasts 10 s
    await stack.settle(timeout=60)
    await answered_once_each(people, 3)
    await write(stack, people[0])  # and the bot goes on as before
    await stack.settle()
    assert len(await replies(people[0])) == 4


@ON_SQLITE
@pytest.mark.bot_settings(sqlite_busy_timeout_seconds=0.2, **QUICK_RETRIES)
async def test_an_import_the_database_interrupted_goes_on(
    stack: Stack, staff: Person, caplog: pytest.LogCaptureFixture
) -> None:
    """Chats from a file are being created when another process locks the database: the
    import waits and goes on where it was — every chat created once, the summary sent."""
    await staff.press("Чаты из файла")
    await staff.upload("чаты.xlsx", xlsx_bytes([HEADER, *GOOD_ROWS]))
    await stack.faults(delay_ms=3000)  # the first chat takes VK 3 s: time to lock the database
    await staff.press("Создать 3 чата")
    async with write_lock(stack):
        await stack.faults(delay_ms=0)
        await until(lambda: f"import 1: {UNAVAILABLE}" in caplog.text)
    await stack.finish_background_work()
    assert "Готово: создано чатов — 3 из 3" in (await staff.last()).text
    titles = sorted(c["title"] for c in await stack.api("GET", "/sandbox/chats"))
    assert [t for t in titles if not t.startswith("Координация")] == sorted(r[0] for r in GOOD_ROWS)


@ON_POSTGRES
@pytest.mark.bot_settings(**QUICK_RETRIES)
async def test_postgres_connections_killed_mid_traffic(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    """The bot's connections are terminated (`pg_terminate_backend`) while queries are in
    flight: first while updates are being claimed, then while they are being handled. Every
    message is answered exactly once once the pool has reconnected."""
    people = [await stack.person(f"Житель {i}", f"+7900000030{i}") for i in range(4)]
    database = urlsplit(stack.settings.database_url).path.lstrip("/")
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1),
                                  database=database)
    try:

        async def blocked() -> bool:
            return bool(await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()", database))

        async def kill_mid_query(table: str) -> None:
            """Hold back writes to `table`, let people write, kill the stuck connections."""
            async with admin.transaction():
                await admin.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                for person in people:
                    await write(stack, person)
                await until(blocked)
                killed = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()", database)
                assert killed >= 1
            await stack.settle(timeout=60)

        for _ in range(3):  # again and again: no connection may be lost to the pool for good
            await kill_mid_query("processed_event")  # claiming the batch
            await kill_mid_query("dialog_state")  # «Начать» clears the person's dialog state
    finally:
        await admin.close()
    # Queries in flight really failed, and were retried: a claim, then handling.
    assert f"claiming updates: {UNAVAILABLE}" in caplog.text
    assert re.search(rf"update \w+: {UNAVAILABLE}", caplog.text)
    await answered_once_each(people, 6)


@pytest.mark.bot_settings(**QUICK_RETRIES)
async def test_a_claim_committed_before_polling_failed_is_still_handled(stack: Stack) -> None:
    """The batch's claim is written, then polling fails before it goes on (here: a broken
    connection that reads as a bug). Polling starts again from the same position, VK sends the
    batch again, and the bot recognises its own claim: the message is answered, once."""
    assert stack.app is not None
    dispatcher = stack.app.dispatcher
    claim = dispatcher._claim  # the database's claim, wrapped to fail once after writing
    failed: list[bool] = []

    async def claim_then_fail(event_ids: Sequence[str], mark: datetime) -> set[str]:
        taken = await claim(event_ids, mark)
        if not failed:
            failed.append(True)
            raise asyncpg.exceptions.InternalClientError("lost after the claim was written")
        return taken

    dispatcher._claim = claim_then_fail  # type: ignore[method-assign]
    vera = await stack.person("Вера Иванова", "+79000000003")
    await write(stack, vera)
    await stack.settle()
    assert failed
    await answered_once_each([vera], 1)


# -- the process ---------------------------------------------------------------------------------


async def bot_answers(person: Person, count: int) -> None:
    await until(lambda: _has_answers(person, count))


async def _has_answers(person: Person, count: int) -> bool:
    return len(await replies(person)) >= count


async def read_log_until(process: asyncio.subprocess.Process, text: str) -> None:
    assert process.stderr is not None
    while True:
        line = await asyncio.wait_for(process.stderr.readline(), 30)
        assert line, f"the log ended before «{text}»"
        if text in line.decode():
            return


@asynccontextmanager
async def bot_process(
    stack: Stack, person: Person, env: dict[str, str]
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The bot as its own `main.py` process instead of in this one, once it has answered
    `person`; its log readable (stderr)."""
    await stack.stop_bot()
    async with main_py_running(stack, logs=True, env={**QUICK_RETRIES_ENV, **env}) as bot:
        await write(stack, person)
        await bot_answers(person, 1)
        yield bot


@ON_SQLITE
async def test_a_loop_that_gives_up_ends_the_process_non_zero(stack: Stack) -> None:
    """Polling fails for good (here the events table is gone): the process stops its scheduler,
    hands the lease back and exits non-zero, so a supervisor starts it again."""
    vera = await stack.person("Вера Иванова", "+79000000003")
    async with bot_process(stack, vera, {"TASK_MAX_FAILURES": "3"}) as bot:
        with sqlite3.connect(sqlite_path(stack)) as connection:
            connection.execute("ALTER TABLE processed_event RENAME TO processed_event_gone")
        await write(stack, vera)
        assert bot.stderr is not None
        log = (await asyncio.wait_for(bot.stderr.read(), 60)).decode()
        assert await bot.wait() == 1
    assert "vk-longpoll failed 3 times in a row; giving up" in log
    with sqlite3.connect(sqlite_path(stack)) as connection:
        assert connection.execute("SELECT count(*) FROM lease").fetchone() == (0,)  # handed back


@ON_SQLITE
async def test_sigterm_stops_promptly_while_the_database_is_locked(stack: Stack) -> None:
    """Stopping while updates wait for the database ends the process at once, and what was
    sent meanwhile is answered once by the next start."""
    vera = await stack.person("Вера Иванова", "+79000000003")
    async with bot_process(stack, vera, {"SQLITE_BUSY_TIMEOUT_SECONDS": "0.2"}) as bot:
        async with write_lock(stack):
            await write(stack, vera)
            await read_log_until(bot, UNAVAILABLE)
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 15) == 0
    await stack.start_bot()
    await stack.settle()
    assert len(await replies(vera)) == 2
