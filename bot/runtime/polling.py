"""Bots Long Poll that resumes from the position stored in the database after a restart."""

from __future__ import annotations

from typing import Any

from vkbottle import BotPolling


class ResumablePolling(BotPolling):
    """vkbottle's polling, starting from `resume_ts` instead of "now" on the first connect.

    vkbottle itself would keep the position in `.vkbottle/` of the working directory; the
    runner stores it in the database instead (see `BotApp._poll`), so this writes no files.
    """

    def __init__(self, *, resume_ts: str | None = None, **kwargs: Any) -> None:
        super().__init__(skip_old_events=True, **kwargs)
        self._resume_ts = resume_ts

    async def get_server(self) -> dict[str, Any]:
        server = await super().get_server()
        if self._resume_ts is not None:
            server["ts"], self._resume_ts = self._resume_ts, None
        return server

    def save_server_ts(self, server: dict[str, Any]) -> None:
        """Position is saved by the runner after handing updates off (no `.vkbottle/` file)."""
