"""A process that makes `CALLS` VK calls at once through the bot's gateway (settings from the
environment, as a bot process has them) and prints when they began and ended (wall clock): several of these
together check that the token's limit holds across processes.
`python -m tests.cluster.vk_load CALLS START_AT` (START_AT: a wall-clock instant to begin at)."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from bot.app import build_gateway
from bot.config import load_settings
from storage.db import close_database, init_database
from tests.harness import FAST_RETRIES


async def main(calls: int, start_at: float) -> None:
    settings = load_settings()
    await init_database(settings.database_url)
    gateway = build_gateway(settings, FAST_RETRIES)
    try:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        began = time.time()
        await asyncio.gather(*(
            gateway.call("users.get", user_ids=[1000001]) for _ in range(calls)
        ))
        print(json.dumps({"calls": calls, "began": began, "ended": time.time()}), flush=True)
    finally:
        await gateway.close()
        await close_database()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
