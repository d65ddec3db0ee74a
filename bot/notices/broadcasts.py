"""A broadcast's progress (its message edited as it goes) and the report to its author."""

from __future__ import annotations

import logging
import time

from bot.keyboards.broadcasts import stop_keyboard
from bot.keyboards.common import build
from bot.notices.base import Notice
from bot.services.broadcasts.service import Report
from bot.services.core import texts
from bot.services.core.ports import MessengerError
from bot.vk.gateway import bulk_priority
from storage.models import Broadcast, BroadcastStatus

log = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 2.0
SHOWN_FAILURES = 20


def progress_text(broadcast: Broadcast, done: int) -> str:
    return f"Рассылка №{broadcast.id}: отправлено в {done} из {texts.of_chats(broadcast.total)}…"


def report_text(report: Report) -> str:
    broadcast = report.broadcast
    head = "остановлена" if broadcast.status is BroadcastStatus.STOPPED else "завершена"
    lines = [f"Рассылка №{broadcast.id} {head}: доставлено в {report.sent} из {texts.of_chats(broadcast.total)}."]
    if report.skipped:
        lines.append(f"Не отправлено после остановки: {report.skipped}.")
    if report.failed:
        lines.append("Не доставлено:")
        lines += [f"• «{title}»: {why}" for title, why in report.failed[:SHOWN_FAILURES]]
        if len(report.failed) > SHOWN_FAILURES:
            lines.append(f"…и ещё {len(report.failed) - SHOWN_FAILURES}. Такие чаты отмечены в списке чатов.")
        else:
            lines.append("Такие чаты отмечены в списке чатов.")
    return "\n".join(lines)


class BroadcastNotices(Notice):
    async def run(self, broadcast_id: int) -> None:
        """Send (or resume) a broadcast, editing its progress message, then report to the author."""
        last_edit = 0.0

        async def progress(broadcast: Broadcast, done: int) -> None:
            nonlocal last_edit
            if done < broadcast.total and time.monotonic() - last_edit < PROGRESS_EVERY_SECONDS:
                return
            last_edit = time.monotonic()
            if broadcast.progress_cmid is None:
                return
            try:
                await self._messenger.edit(
                    broadcast.author_peer, cmid=broadcast.progress_cmid, text=progress_text(broadcast, done),
                    keyboard=stop_keyboard(broadcast) if done < broadcast.total else build([], inline=True),
                )
            except MessengerError as exc:
                log.info("progress of broadcast %s not edited: %s", broadcast.id, exc)

        with bulk_priority():  # people using the bot meanwhile are answered first
            report = await self.services.broadcasts.run(broadcast_id, progress)
        if report is None:
            return
        await self._messenger.send(
            report.broadcast.author_peer, report_text(report), dedup_key=f"broadcast:{broadcast_id}:report"
        )
