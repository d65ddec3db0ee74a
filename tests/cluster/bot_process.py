"""`python main.py` as a test runs it in a cluster, with one difference: the domain clock is
read from a file the test moves (`CLOCK_FILE`: seconds to add to real time), so that timers of
every process come due together without waiting. Everything else — settings from the
environment, the Callback API endpoint, the scheduler — is `main.serve` unchanged."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.config import load_settings
from main import configure_logging, serve


class FileClock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        try:
            offset = float(self.path.read_text() or 0)
        except (OSError, ValueError):
            offset = 0.0
        return datetime.now(timezone.utc) + timedelta(seconds=offset)


def main() -> int:
    settings = load_settings()
    configure_logging(settings)
    return asyncio.run(serve(settings, fresh=False, clock=FileClock(Path(os.environ["CLOCK_FILE"]))))


if __name__ == "__main__":
    sys.exit(main())
