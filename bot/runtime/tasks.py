"""A set of running tasks that can be waited for or cancelled together.

Long work started by a handler (creating hundreds of chats) runs in the background this way, so
the person's next messages are not queued behind it; stopping the bot cancels it (pending work
is resumed at the next start). The update dispatcher keeps its updates in one too."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
