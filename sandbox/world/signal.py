"""Wake-ups for long polls and people waiting for something to change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class ChangeSignal:
    """Fired after every committed change; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._closed = False

    def close(self) -> None:
        """The server is stopping: every waiter returns now."""
        self._closed = True
        self._event.set()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until `condition()` holds (True) or `timeout` seconds pass (False)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event  # taken before the check, so no wake-up is missed
            if condition():
                return True
            if self._closed:
                return False
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                # not asyncio.wait_for: on 3.11 it can swallow a cancellation that comes as the
                # event fires, and the cancelled waiter would go on waiting
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                return condition()
