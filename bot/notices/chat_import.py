"""A chat import's progress (one message edited as chats are created) and its summary, with the
report of rows not created."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable

from bot.notices.base import Notice
from bot.runtime.supervisor import Backoff, while_database_away
from bot.services.chats.model import CreationReport
from bot.services.core.ports import MessengerError, MessengerUnavailable
from bot.services.importing.runs import Started, problems_report
from bot.services.staff.invitations import Delivery
from bot.vk.gateway import bulk_priority

log = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 2.0


class ImportNotices(Notice):
    async def run(self, peer_id: int, cmid: int, started: Started) -> None:
        """Create the chats (yielding VK capacity to interactive replies), editing one progress
        message, then send the summary and the report of rows not created."""
        last_edit = 0.0

        async def progress(done: int, total: int) -> None:
            nonlocal last_edit
            if done < total and time.monotonic() - last_edit < PROGRESS_EVERY_SECONDS:
                return
            last_edit = time.monotonic()
            try:
                await self._messenger.edit(peer_id, cmid=cmid, text=f"Создаю чаты: {done} из {total}…")
            except MessengerError as exc:
                log.info("progress message not edited: %s", exc)

        def create() -> Awaitable[CreationReport]:
            return self.services.imports.run(started, progress)

        with bulk_priority():
            try:  # a run the database interrupted goes on where it was (each step is done once)
                report = await while_database_away(
                    f"import {started.batch.id}", create, Backoff.of(self.services.settings)
                )
            except MessengerUnavailable:
                await self._messenger.send(
                    peer_id,
                    "ВКонтакте перестал отвечать, создание чатов приостановлено. Оставшиеся чаты "
                    "создам автоматически, когда ВКонтакте заработает, — ничего не потеряно.",
                )
                return
            lines = [f"Готово: создано чатов — {len(report.created)} из {len(started.chats)}."]
            if report.failed:
                lines.append(f"Не создано ВКонтакте: {len(report.failed)} (причины — в файле).")
            if started.plan.rejected:
                lines.append(f"Отклонено строк файла: {len(started.plan.rejected)}.")
            told = report.count(Delivery.VK) + report.count(Delivery.SMS)
            lines.append(f"Администраторам и представителям отправлено приглашений: {told}.")
            attachments = []
            problems = problems_report(started.plan, report.failed)
            if problems is not None:
                attachments.append(
                    await self._messenger.upload(peer_id, "doc", "Не созданные строки.xlsx", problems)
                )
            await self._messenger.send(peer_id, "\n".join(lines), attachments=attachments)
