"""The shared rate limiter: never more than N calls per window, interactive calls first."""

from __future__ import annotations

import asyncio

from bot.vk.rate_limit import Priority, RateLimiter


async def test_at_most_rate_calls_start_per_window() -> None:
    limiter = RateLimiter(20, safety_margin=0.0)
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def call() -> None:
        async with limiter.slot():
            starts.append(loop.time())

    await asyncio.gather(*(call() for _ in range(50)))
    starts.sort()
    for i in range(len(starts) - 20):
        assert starts[i + 20] - starts[i] >= 0.99  # any 21 starts span a full second
    assert starts[-1] - starts[0] < 2.3  # and the limiter does not waste time either


async def test_a_slot_is_held_until_one_window_after_the_answer() -> None:
    limiter = RateLimiter(2, safety_margin=0.0)
    loop = asyncio.get_running_loop()
    answered: list[float] = []
    starts: list[float] = []

    async def slow_call() -> None:
        async with limiter.slot():
            starts.append(loop.time())
            await asyncio.sleep(0.3)  # a slow network: VK may count it late
            answered.append(loop.time())

    await asyncio.gather(*(slow_call() for _ in range(3)))
    assert starts[2] >= answered[0] + 0.99


async def test_interactive_overtakes_bulk_waiters() -> None:
    limiter = RateLimiter(5, safety_margin=0.0)
    order: list[str] = []

    async def call(name: str, priority: Priority) -> None:
        async with limiter.slot(priority):
            order.append(name)

    bulk = [asyncio.create_task(call(f"bulk{i}", Priority.BULK)) for i in range(12)]
    await asyncio.sleep(0.05)  # the first window's slots are taken by bulk calls
    interactive = asyncio.create_task(call("reply", Priority.INTERACTIVE))
    await asyncio.gather(*bulk, interactive)
    assert order.index("reply") == 5  # first in line once a slot frees up


async def test_cancelled_waiter_does_not_hold_a_slot() -> None:
    limiter = RateLimiter(1, safety_margin=0.0)
    async with limiter.slot():
        waiting = asyncio.create_task(limiter.slot().__aenter__())
        await asyncio.sleep(0.01)
        waiting.cancel()
        await asyncio.sleep(0)
    assert limiter.waiting == 0
