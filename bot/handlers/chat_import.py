"""«Чаты из файла»: the template → a spreadsheet → preview → create with progress → report."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable

from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.handlers.start import menu_keyboard
from bot.keyboards.chat_import import import_confirm_keyboard
from bot.keyboards.common import cancel_keyboard
from bot.runtime.attachments import document
from bot.runtime.context import Services, Turn
from bot.runtime.rules import Command
from bot.runtime.supervisor import Backoff, while_database_away
from bot.services.core.access import working_municipality
from bot.services.importing import MAX_FILE_BYTES, ImportPlan, template_xlsx
from bot.services.importing.runs import Started, problems_report
from bot.services.chats.model import CreationReport
from bot.services.staff.invitations import Delivery
from bot.services.core.ports import MessengerError, MessengerUnavailable
from bot.states.chat_import import ChatImport
from bot.vk.gateway import bulk_priority

log = logging.getLogger(__name__)
labeler = BotLabeler()

SHOWN_PROBLEMS = 15
PROGRESS_EVERY_SECONDS = 2.0
TEMPLATE_NAME = "Шаблон — домовые чаты.xlsx"

ASK_FILE = (
    "Пришлите файлом таблицу со списком чатов — CSV, XLSX или XLS, до 1 МБ. "
    "Шаблон с примерами — во вложении; CSV подойдёт тоже (разделитель — запятая или точка "
    "с запятой, кодировка UTF-8 или Windows-1251).\n\n"
    "Обязательные колонки: «Название чата», «Номер администратора», «Тип чата». "
    "Сначала я проверю все строки и покажу, что получится, — ничего не создам без вашего "
    "подтверждения."
)


@labeler.private_message(Command("chat.import", texts=("чаты из файла", "загрузить чаты")))
async def begin(message: Message, turn: Turn) -> None:
    municipality = await working_municipality(turn.actor)
    template = await turn.services.gateway.upload_document(
        turn.peer_id, TEMPLATE_NAME, template_xlsx()
    )
    await turn.set_state(ChatImport.FILE, municipality_id=municipality.id)
    await turn.answer(
        f"Создание чатов из файла — {municipality.name}.\n\n{ASK_FILE}",
        keyboard=cancel_keyboard(),
        attachments=[template],
    )


@labeler.private_message(StateRule(ChatImport.FILE))
async def receive_file(message: Message, turn: Turn) -> None:
    doc = document(message)
    if doc is None:
        await turn.answer(
            "Пришлите таблицу именно файлом (скрепка → «Файл»): CSV, XLSX или XLS.",
            keyboard=cancel_keyboard(),
        )
        return
    content = await turn.download(
        doc.url, max_bytes=MAX_FILE_BYTES,
        too_big=f"Файл «{doc.title}» больше 1 МБ. Разделите список на несколько файлов.",
    )
    preview = await turn.services.imports.preview(
        turn.actor, int(turn.data["municipality_id"]), doc.title, content
    )
    plan = preview.plan
    report = problems_report(plan, []) if len(plan.rejected) > SHOWN_PROBLEMS else None
    attachments = []
    if report is not None:
        attachments.append(
            await turn.services.gateway.upload_document(turn.peer_id, "Ошибки в файле.xlsx", report)
        )
    if not plan.rows:
        await turn.answer(
            preview_text(doc.title, plan) + "\n\nСоздавать нечего. Исправьте файл и пришлите снова.",
            keyboard=cancel_keyboard(),
            attachments=attachments,
        )
        return
    await turn.set_state(ChatImport.CONFIRM, **turn.data, batch_id=preview.batch_id)
    await turn.answer(
        preview_text(doc.title, plan),
        keyboard=import_confirm_keyboard(len(plan.rows)),
        attachments=attachments,
    )


def preview_text(filename: str, plan: ImportPlan) -> str:
    lines = [f"Файл «{filename}» проверен.", f"Будет создано чатов: {len(plan.rows)}"]
    if plan.existing:
        lines.append(f"Уже есть в списке, пропущу: {len(plan.existing)}")
    if plan.rejected:
        lines.append(f"Отклонено строк: {len(plan.rejected)}")
        for rejected in plan.rejected[:SHOWN_PROBLEMS]:
            lines.append(f"• строка {rejected.row_number}: {'; '.join(rejected.reasons)}")
        if len(plan.rejected) > SHOWN_PROBLEMS:
            lines.append(f"…и ещё {len(plan.rejected) - SHOWN_PROBLEMS} — все причины в файле.")
    return "\n".join(lines)


@labeler.private_message(StateRule(ChatImport.CONFIRM), Command("import.confirm"))
async def confirm(message: Message, turn: Turn) -> None:
    started = await turn.services.imports.start(turn.actor, int(turn.data["batch_id"]))
    await turn.clear_state()
    progress = await turn.answer(
        f"Создаю чаты: 0 из {len(started.chats)}…", keyboard=await menu_keyboard(turn)
    )
    assert progress.cmid is not None
    turn.services.tasks.spawn(
        run_import(turn.services, turn.peer_id, progress.cmid, started),
        name=f"import-{started.batch.id}",
    )


@labeler.private_message(StateRule(ChatImport.CONFIRM))
async def confirmation_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Нажмите «Создать…» или «Отмена». Чтобы загрузить другой файл, нажмите «Отмена».")


async def run_import(services: Services, peer_id: int, cmid: int, started: Started) -> None:
    """Create the chats (yielding VK capacity to interactive replies), editing one progress
    message, then send the summary and the report of rows not created."""
    gateway = services.gateway
    last_edit = 0.0

    async def progress(done: int, total: int) -> None:
        nonlocal last_edit
        if done < total and time.monotonic() - last_edit < PROGRESS_EVERY_SECONDS:
            return
        last_edit = time.monotonic()
        try:
            await gateway.edit(peer_id, cmid=cmid, text=f"Создаю чаты: {done} из {total}…")
        except MessengerError as exc:
            log.info("progress message not edited: %s", exc)

    def create() -> Awaitable[CreationReport]:
        return services.imports.run(started, progress)

    with bulk_priority():
        try:  # a run the database interrupted goes on where it was (each step is done once)
            report = await while_database_away(
                f"import {started.batch.id}", create, Backoff.of(services.settings)
            )
        except MessengerUnavailable:
            await gateway.send(
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
                await gateway.upload_document(peer_id, "Не созданные строки.xlsx", problems)
            )
        await gateway.send(peer_id, "\n".join(lines), attachments=attachments)

