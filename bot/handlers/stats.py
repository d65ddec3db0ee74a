"""«Статистика»: the municipality's summary and its spreadsheet, a chat's summary with a chart.
(The weekly summary is a notice, bot/notices/stats.py; ordinary chat messages are counted before
routing, bot/runtime/chat_messages.py.)"""

from __future__ import annotations

import asyncio

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message

from bot.keyboards.stats import stats_keyboard
from bot.notices.stats import chat_text, municipality_lines, period_text
from bot.runtime.buttons import ChatStats, Pressed, Stats, StatsExport
from bot.runtime.context import CallbackTurn, Turn
from bot.services.core.access import working_municipality
from bot.services.stats.chart import render_chart

labeler = BotLabeler()

XLSX_DAYS = 30
CHART_DAYS = 30


@labeler.private_message(Pressed(Stats, texts=("статистика",)))
async def municipality_stats(message: Message, turn: Turn) -> None:
    municipality = await working_municipality(turn.actor)
    summary = await turn.services.stats.municipality_summary(turn.actor, municipality.id)
    text = (
        f"Статистика — {summary.title}, {period_text(summary.period)}\n\n{municipality_lines(summary)}"
        "\n\nСтатистика чата с графиком — в его карточке: «Список чатов» → номер чата → "
        f"«Статистика». В таблице — каждый чат за {XLSX_DAYS} дней."
    )
    await turn.answer(text, keyboard=stats_keyboard(municipality.id))


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(StatsExport))
async def export(event: dict, turn: CallbackTurn, button: StatsExport) -> None:
    content = await turn.services.stats.municipality_xlsx(
        turn.actor, button.id, days=XLSX_DAYS
    )
    await turn.snackbar()
    await turn.answer_document(f"Статистика по каждому чату за {XLSX_DAYS} дней, последняя строка — итог.",
        "Статистика чатов.xlsx",
        content,
    )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(ChatStats))
async def chat_stats(event: dict, turn: CallbackTurn, button: ChatStats) -> None:
    summary = await turn.services.stats.chat_summary(turn.actor, button.id)
    await turn.snackbar()
    (figures,) = summary.chats
    series = await turn.services.stats.series(figures.chat, days=CHART_DAYS)
    title = f"«{figures.chat.title}»: сообщения и участники за {CHART_DAYS} дней"
    chart = await asyncio.to_thread(render_chart, title, series)
    photo = await turn.upload("photo", "Статистика.png", chart)
    await turn.answer(chat_text(summary), attachments=[photo])


# -- texts ----------------------------------------------------------------------------------------
