"""A second bot process for tests: same database, same sandbox, no polling — it only runs the
meeting timers once, at a wall-clock instant shared with the test (so the two really race).
`python -m tests.e2e.second_process DATABASE_URL API_URL CLOCK_OFFSET START_AT`."""

from __future__ import annotations

import asyncio
import sys
import time

from pydantic import SecretStr

from bot.app import build_gateway, build_services, build_sms
from bot.clock import MovableClock
from bot.config import Settings
from bot.jobs import Jobs
from storage.db import close_database, init_database


async def main(database_url: str, api_url: str, offset: float, start_at: float) -> None:
    settings = Settings(
        vk_token=SecretStr("sandbox-token"), vk_group_id=229000001, vk_api_url=api_url,
        database_url=database_url, _env_file=None,  # type: ignore[call-arg]
    )
    await init_database(database_url)
    gateway = build_gateway(settings)
    clock = MovableClock()  # the test's clock: real time plus its offset
    clock.move(seconds=offset)
    try:
        services = build_services(
            settings, gateway, clock, build_sms(settings), await gateway.community()
        )
        await asyncio.sleep(max(0.0, start_at - time.time()))
        await Jobs(services).meetings_due()
    finally:
        await gateway.close()
        await close_database()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
