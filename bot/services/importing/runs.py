"""Creating chats from a spreadsheet: preview first, then create on confirmation.

The file is kept (ImportBatch) between the preview and the confirmation and planned again at
confirmation, so chats created meanwhile (or by an earlier run of the same file) are skipped.
Creation stores every chat first, then creates them in the messenger, many to a request
(`ChatService.provision_many`): a crash leaves pending chats that
`ChatService.resume_pending` finishes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.services.chats.model import CreationReport, NewChat
from bot.services.chats.service import ChatService
from bot.services.core.access import Actor, require_municipality
from bot.services.core.errors import DomainError, NotFound
from bot.services.core.ports import MessengerUnavailable
from bot.services.importing import (
    ImportFileError,
    ImportPlan,
    RejectedRow,
    plan_import,
    read_table,
    rejected_report_xlsx,
)
from storage.models import Chat, ImportBatch, ImportStatus, Municipality

Progress = Callable[[int, int], Awaitable[None]]


@dataclass(frozen=True)
class Preview:
    batch_id: int
    plan: ImportPlan


@dataclass(frozen=True)
class Started:
    batch: ImportBatch
    chats: list[Chat]
    plan: ImportPlan


async def _existing_keys(municipality: Municipality) -> set[str]:
    keys = await Chat.filter(municipality=municipality).values_list("title_key", flat=True)
    return set(keys)  # type: ignore[arg-type]  # tortoise types flat values_list as tuples


def _plan(batch_filename: str, content: bytes, existing: set[str]) -> ImportPlan:
    return plan_import(read_table(batch_filename, content), existing)


class ImportService:
    def __init__(self, chats: ChatService) -> None:
        self._chats = chats

    async def preview(
        self, actor: Actor, municipality_id: int, filename: str, content: bytes
    ) -> Preview:
        municipality = await require_municipality(actor, municipality_id)
        plan = _plan(filename, content, await _existing_keys(municipality))
        batch = await ImportBatch.create(
            municipality=municipality, created_by=actor.person, filename=filename, content=content
        )
        return Preview(batch.id, plan)

    async def _batch(self, actor: Actor, batch_id: int) -> ImportBatch:
        batch = await ImportBatch.get_or_none(id=batch_id)
        if batch is None:
            raise NotFound("Этот файл больше не доступен — пришлите его ещё раз.")
        await require_municipality(actor, batch.municipality_id)
        return batch

    async def start(self, actor: Actor, batch_id: int) -> Started:
        """Claim the batch (a second press does nothing) and store its new chats."""
        batch = await self._batch(actor, batch_id)
        claimed = await ImportBatch.filter(id=batch.id, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.RUNNING
        )
        if not claimed:
            raise DomainError("Чаты из этого файла уже создаются или созданы.")
        municipality = await Municipality.get(id=batch.municipality_id)
        try:
            plan = _plan(batch.filename, bytes(batch.content), await _existing_keys(municipality))
        except ImportFileError:
            batch.status = ImportStatus.CANCELLED
            await batch.save(update_fields=["status"])
            raise
        chats = []
        for row in plan.rows:
            spec = NewChat(
                title=row.title,
                kind=row.kind,
                admin_phone=row.admin_phone,
                description=row.description,
                flats=row.flats,
                representatives=row.representatives,
            )
            chats.append(await self._chats.store(municipality, spec, actor.person, batch))
        return Started(batch, chats, plan)

    async def run(self, started: Started, progress: Progress) -> CreationReport:
        """Create the stored chats in the messenger, reporting progress, then tell their people.

        A messenger outage stops the run (MessengerUnavailable propagates); the chats left
        pending are finished later by `ChatService.resume_pending`.
        """
        report = CreationReport()
        await started.batch.fetch_related("created_by")
        try:
            await self._chats.provision_many(started.chats, report, progress)
            await self._chats.announce(report.created, report, sent_by=started.batch.created_by)
        except MessengerUnavailable:
            started.batch.status = ImportStatus.INTERRUPTED
            await started.batch.save(update_fields=["status"])
            raise
        started.batch.status = ImportStatus.DONE
        await started.batch.save(update_fields=["status"])
        return report

    async def recover(self) -> int:
        """At start-up no import is running: the ones that were become interrupted, so that
        `ChatService.resume_pending` finishes their chats."""
        return await ImportBatch.filter(status=ImportStatus.RUNNING).update(
            status=ImportStatus.INTERRUPTED
        )

    async def cancel(self, actor: Actor, batch_id: int) -> None:
        batch = await self._batch(actor, batch_id)
        await ImportBatch.filter(id=batch.id, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.CANCELLED
        )


def problems_report(plan: ImportPlan, failed: list[Chat]) -> bytes | None:
    """The XLSX of rows not created: rejected by validation, or refused by VK."""
    rows_by_key = {row.title_key: row for row in plan.rows}
    refused = []
    for chat in failed:
        row = rows_by_key.get(chat.title_key)
        refused.append(
            RejectedRow(
                row_number=row.row_number if row else 0,
                values={"Название чата": chat.title},
                reasons=(chat.status_reason or "ВКонтакте не создал чат",),
            )
        )
    rejected = sorted([*plan.rejected, *refused], key=lambda r: r.row_number)
    return rejected_report_xlsx(rejected) if rejected else None
