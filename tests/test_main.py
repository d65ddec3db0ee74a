"""`python main.py` on the embedded default (no VK token): one data folder holds everything it
writes, `--fresh` empties that folder's databases only, and the start-up output is the Russian
guide plus the bot's own lines — no library chatter."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
GUIDE_END = "Все запросы песочницы описаны"
LIBRARIES = ("apscheduler", "tortoise", "vkbottle", "aiosqlite", "aiohttp", "asyncio")


def environment(data_dir: Path, **settings: str) -> dict[str, str]:
    """This machine's environment without any of the bot's settings, plus `settings`."""
    names = {name.upper() for name in Settings.model_fields}
    clean = {key: value for key, value in os.environ.items() if key not in names}
    return {**clean, "DATA_DIR": str(data_dir), "SANDBOX_PORT": "0", **settings}


class Run:
    """`async with Run(cwd, env, *args) as run`: `main.py` started in `cwd` and its guide read;
    its stdout and stderr as one stream, as a terminal shows. Killed at the end if still alive."""

    def __init__(self, cwd: Path, env: dict[str, str], *args: str) -> None:
        self.command = (sys.executable, str(ROOT / "main.py"), *args)
        self.cwd, self.env = cwd, env
        self.lines: list[str] = []

    async def __aenter__(self) -> Run:
        self.process = await asyncio.create_subprocess_exec(
            *self.command, cwd=self.cwd, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        await self.read_until(GUIDE_END)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    async def read_until(self, text: str) -> None:
        assert self.process.stdout is not None
        while not self.lines or text not in self.lines[-1]:
            line = await asyncio.wait_for(self.process.stdout.readline(), 60)
            assert line, "main.py ended:\n" + "".join(self.lines)
            self.lines.append(line.decode())

    async def stop(self) -> str:
        """Ctrl-C's twin, SIGTERM: what the run printed in all."""
        assert self.process.stdout is not None
        self.process.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(self.process.stdout.read(), 60)
        assert await self.process.wait() == 0
        return "".join(self.lines) + rest.decode()


async def test_data_dir_holds_everything_the_embedded_default_writes(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data = tmp_path / "данные бота"
    async with Run(elsewhere, environment(data)) as run:
        await run.stop()
    assert list(elsewhere.iterdir()) == []  # nothing in the working directory
    names = {path.name for path in data.iterdir()}
    assert {"bot.sqlite3", "sandbox.sqlite3"} <= names
    assert all(name.startswith(("bot.sqlite3", "sandbox.sqlite3")) for name in names), names

    with sqlite3.connect(data / "bot.sqlite3") as bot_db:
        bot_db.execute("INSERT INTO key_value (key, value) VALUES ('marker', 'old')")
    decoy = elsewhere / "data" / "bot.sqlite3"  # where --fresh used to delete
    decoy.parent.mkdir()
    decoy.write_bytes(b"someone else's file")

    async with Run(elsewhere, environment(data), "--fresh") as run:
        await run.stop()
    with sqlite3.connect(data / "bot.sqlite3") as bot_db:
        marker = bot_db.execute("SELECT count(*) FROM key_value WHERE key = 'marker'")
        assert marker.fetchone() == (0,)
    assert decoy.read_bytes() == b"someone else's file"


def lease_expiry(data: Path) -> str | None:
    with sqlite3.connect(data / "bot.sqlite3") as bot_db:
        row = bot_db.execute("SELECT expires_at FROM lease").fetchone()
    return None if row is None else str(row[0])


async def test_start_up_shows_the_guide_and_the_bots_own_lines_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # The scheduler renews its lease every second and looks at meetings every half second.
    env = environment(data, SCHEDULER_LEASE_SECONDS="3", JOB_INTERVALS='{"meetings_due": 0.5}')
    async with Run(tmp_path, env) as run:
        renewals: set[str | None] = set()
        while len(renewals - {None}) < 3:  # the jobs really ran after the guide was printed
            renewals.add(lease_expiry(data))
            await asyncio.sleep(0.1)
        printed = await run.stop()

    guide = printed[printed.index("Песочница ВКонтакте запущена"):printed.index(GUIDE_END)]
    assert not re.search(r"\b(DEBUG|INFO|WARNING|ERROR)\b", guide)  # nothing inside the guide
    assert f"Данные бота и песочницы — в папке {data}" in guide
    library_lines = [line for line in printed.splitlines()
                     if re.search(rf" (DEBUG|INFO) ({'|'.join(LIBRARIES)})\b", line)]
    assert library_lines == []
    assert "API error(s) in response wasn't handled" not in printed
    assert re.search(r" INFO bot\.app: bot started for community", printed)  # the bot's own
