"""«Чаты из файла»: the template → a spreadsheet → preview → create with progress → report."""

from __future__ import annotations

from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.handlers.start import menu_keyboard
from bot.keyboards.chat_import import import_confirm_keyboard
from bot.keyboards.common import cancel_keyboard
from bot.runtime.attachments import document
from bot.runtime.buttons import ChatImportConfirm, ChatImportStart, Pressed
from bot.runtime.context import Turn
from bot.services.core.access import working_municipality
from bot.services.importing import MAX_FILE_BYTES, ImportPlan, template_xlsx
from bot.services.importing.runs import problems_report
from bot.states.chat_import import ChatImport

labeler = BotLabeler()

SHOWN_PROBLEMS = 15
TEMPLATE_NAME = "Шаблон — домовые чаты.xlsx"

ASK_FILE = (
    "Пришлите файлом таблицу со списком чатов — CSV, XLSX или XLS, до 1 МБ. "
    "Шаблон с примерами — во вложении; CSV подойдёт тоже (разделитель — запятая или точка "
    "с запятой, кодировка UTF-8 или Windows-1251).\n\n"
    "Обязательные колонки: «Название чата», «Номер администратора», «Тип чата». "
    "Сначала я проверю все строки и покажу, что получится, — ничего не создам без вашего "
    "подтверждения."
)


@labeler.private_message(Pressed(ChatImportStart, texts=("чаты из файла", "загрузить чаты")))
async def begin(message: Message, turn: Turn) -> None:
    municipality = await working_municipality(turn.actor)
    template = await turn.upload("doc", TEMPLATE_NAME, template_xlsx()
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
            await turn.upload("doc", "Ошибки в файле.xlsx", report)
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


@labeler.private_message(StateRule(ChatImport.CONFIRM), Pressed(ChatImportConfirm))
async def confirm(message: Message, turn: Turn) -> None:
    started = await turn.services.imports.start(turn.actor, int(turn.data["batch_id"]))
    await turn.clear_state()
    progress = await turn.answer(
        f"Создаю чаты: 0 из {len(started.chats)}…", keyboard=await menu_keyboard(turn)
    )
    assert progress.cmid is not None
    turn.services.tasks.spawn(
        turn.services.notices.chat_import.run(turn.peer_id, progress.cmid, started),
        name=f"import-{started.batch.id}",
    )


@labeler.private_message(StateRule(ChatImport.CONFIRM))
async def confirmation_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Нажмите «Создать…» или «Отмена». Чтобы загрузить другой файл, нажмите «Отмена».")
