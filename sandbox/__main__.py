"""`python -m sandbox`: run the sandbox on its own until Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path

from .config import SandboxConfig
from .server import Sandbox
from .world.store import remove_database

DEFAULT_DB = Path("data/sandbox.sqlite3")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="the world's SQLite file")
    parser.add_argument("--fresh", action="store_true", help="start from an empty world")
    return parser.parse_args()


async def serve(config: SandboxConfig) -> None:
    sandbox = Sandbox(config)
    await sandbox.start()
    print(f"Sandbox: {sandbox.base_url}  (VK API: {sandbox.api_url}, token: {config.token})")
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main() -> None:
    args = parse_args()
    if args.fresh:
        remove_database(args.db)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(SandboxConfig(db_path=args.db, port=args.port)))


if __name__ == "__main__":
    main()
