"""«Статистика»: the municipality's summary and its spreadsheet, a chat's summary with a chart,
the weekly summary to the coordination chat — and the counting of messages in house chats."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message

from bot.services.core import texts
from bot.handlers.onboarding import step_label
from bot.keyboards.stats import stats_keyboard
from bot.runtime.context import CallbackTurn, Services, Turn
from bot.runtime.rules import CallbackCommand, Command
from bot.runtime.payload import int_arg
from bot.services.core.access import working_municipality
from bot.services.chats.model import STATUS_TITLES
from bot.services.core.ports import CHAT_PEER_OFFSET, MessengerError
from bot.services.stats.activity import Period, Summary, step_text
from bot.services.stats.chart import render_chart
from storage.models import ChatStatus, OnboardingStep

log = logging.getLogger(__name__)
labeler = BotLabeler()

XLSX_DAYS = 30
CHART_DAYS = 30
STEP_ORDER = (None, *OnboardingStep)


async def count_ordinary_chat_message(update: dict[str, Any], services: Services) -> bool:
    """A resident's ordinary message in a group chat (not a service action: joins and leaves are
    counted by their own handlers) is only counted, so it is taken here, before vkbottle builds a
    message object and runs its rules for it — it is most of the bot's traffic. True if taken."""
    if update.get("type") != "message_new":
        return False
    message = (update.get("object") or {}).get("message")
    if not isinstance(message, dict) or message.get("action"):
        return False
    peer_id, from_id = message.get("peer_id"), message.get("from_id")
    if not isinstance(peer_id, int) or not isinstance(from_id, int):
        return False
    if peer_id < CHAT_PEER_OFFSET or from_id <= 0:
        return False
    await services.stats.count_message(peer_id, from_id)
    return True


@labeler.private_message(Command("stats", texts=("статистика",)))
async def municipality_stats(message: Message, turn: Turn) -> None:
    municipality = await working_municipality(turn.actor)
    summary = await turn.services.stats.municipality_summary(turn.actor, municipality.id)
    text = (
        f"Статистика — {summary.title}, {_period(summary.period)}\n\n{municipality_lines(summary)}"
        "\n\nСтатистика чата с графиком — в его карточке: «Список чатов» → номер чата → "
        f"«Статистика». В таблице — каждый чат за {XLSX_DAYS} дней."
    )
    await turn.answer(text, keyboard=stats_keyboard(municipality.id))


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("stats.export"))
async def export(event: dict, turn: CallbackTurn) -> None:
    content = await turn.services.stats.municipality_xlsx(
        turn.actor, int_arg(turn.payload, "id"), days=XLSX_DAYS
    )
    await turn.snackbar()
    await turn.services.gateway.send_document(
        turn.peer_id,
        f"Статистика по каждому чату за {XLSX_DAYS} дней, последняя строка — итог.",
        "Статистика чатов.xlsx",
        content,
    )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("chat.stats"))
async def chat_stats(event: dict, turn: CallbackTurn) -> None:
    summary = await turn.services.stats.chat_summary(turn.actor, int_arg(turn.payload, "id"))
    await turn.snackbar()
    (figures,) = summary.chats
    series = await turn.services.stats.series(figures.chat, days=CHART_DAYS)
    title = f"«{figures.chat.title}»: сообщения и участники за {CHART_DAYS} дней"
    chart = await asyncio.to_thread(render_chart, title, series)
    photo = await turn.services.gateway.upload_photo(turn.peer_id, "Статистика.png", chart)
    await turn.answer(chat_text(summary), attachments=[photo])


async def weekly_summaries(services: Services) -> None:
    """Last week's figures to each municipality's coordination chat, once a week."""
    for report in await services.stats.weekly_due():
        chat = await services.chats.coordination_chat(report.municipality)
        if chat is None or chat.peer_id is None:
            continue  # the messenger is down: the next run sends it
        text = (
            f"Итоги недели — {report.summary.title}, {_period(report.summary.period)}\n\n"
            f"{municipality_lines(report.summary)}"
        )
        try:
            await services.gateway.send(chat.peer_id, text, dedup_key=report.key)
        except MessengerError as exc:
            log.warning("weekly summary of %s not sent: %s", report.municipality.name, exc)
            continue
        await services.stats.weekly_sent(report)


# -- texts ----------------------------------------------------------------------------------------


def municipality_lines(summary: Summary) -> str:
    percent = summary.uptake.percent
    share = f" — {percent}% квартир (где их число известно)" if percent is not None else ""
    steps = summary.steps
    onboarding = ", ".join(f"{step_text(s)} — {steps[s]}" for s in STEP_ORDER if steps[s])
    return "\n".join(
        [
            f"Чатов: {len(summary.chats)}, действуют {summary.status_count(ChatStatus.ACTIVE)}, "
            f"бот удалён — {summary.status_count(ChatStatus.BOT_REMOVED)}",
            f"Участников: {summary.members}{share}",
            f"Сообщений: {summary.messages}, активных авторов в среднем за день: "
            f"{_decimal(summary.authors_per_day)}",
            _members_line(summary),
            _tickets_line(summary),
            f"Подключение администраторов (число чатов): {onboarding or '—'}",
        ]
    )


def chat_text(summary: Summary) -> str:
    (figures,) = summary.chats
    chat, uptake = figures.chat, summary.uptake
    flats = ""
    if uptake.flats:
        of_flats = texts.plural(uptake.flats, "квартиры", "квартир", "квартир")
        flats = f" — {uptake.percent}% из {of_flats}"
    authors = texts.plural(figures.authors, "человек", "человека", "человек")
    return "\n".join(
        [
            f"Статистика чата «{chat.title}», {_period(summary.period)}\n",
            f"Статус: {STATUS_TITLES[chat.status]}",
            f"Участников: {chat.members_count}{flats}",
            f"Сообщений: {figures.messages}, писали {authors} "
            f"(в среднем за день — {_decimal(summary.authors_per_day)})",
            _members_line(summary),
            _tickets_line(summary),
            f"Подключение администратора: {step_label(figures.step)}",
        ]
    )


def _members_line(summary: Summary) -> str:
    return f"Вступили: {summary.joins}, вышли: {summary.leaves}"


def _tickets_line(summary: Summary) -> str:
    line = (
        f"Обращения: открыто {summary.open_tickets}, из них просрочено {summary.overdue_tickets}; "
        f"отвечено за период: {summary.answered}"
    )
    if summary.median_answer is not None:
        line += f", медианное время ответа — {_duration(summary.median_answer)}"
    return line


def _period(period: Period) -> str:
    days = texts.plural(period.days, "день", "дня", "дней")
    return f"за {days} ({period.first:%d.%m}–{period.last:%d.%m})"


def _duration(value: timedelta) -> str:
    hours = value.total_seconds() / 3600
    if hours < 1:
        return texts.plural(max(1, round(hours * 60)), "минута", "минуты", "минут")
    if hours < 48:
        return texts.plural(round(hours), "час", "часа", "часов")
    return texts.plural(round(hours / 24), "день", "дня", "дней")


def _decimal(value: float) -> str:
    """«3», «2,5»: one decimal in the Russian way."""
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
