"""Statistics told without being asked: the weekly summary to each coordination chat, the daily
uptake of a new chat to its admins — and the texts of every summary (the handlers show them too)."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.notices.base import Notice
from bot.services.chats.model import STATUS_TITLES
from bot.services.chats.onboarding import step_label
from bot.services.core import texts
from bot.services.core.ports import MessengerError
from bot.services.stats.activity import Period, Summary
from storage.models import ChatStatus, OnboardingStep

log = logging.getLogger(__name__)

STEP_ORDER = (None, *OnboardingStep)


def municipality_lines(summary: Summary) -> str:
    percent = summary.uptake.percent
    share = f" — {percent}% квартир (где их число известно)" if percent is not None else ""
    steps = summary.steps
    onboarding = ", ".join(f"{step_label(s, short=True)} — {steps[s]}" for s in STEP_ORDER if steps[s])
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
            f"Статистика чата «{chat.title}», {period_text(summary.period)}\n",
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


def period_text(period: Period) -> str:
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


class StatsNotices(Notice):
    async def weekly(self) -> None:
        """Last week's figures to each municipality's coordination chat, once a week."""
        for report in await self.services.stats.weekly_due():
            chat = await self.services.chats.coordination_chat(report.municipality)
            if chat is None or chat.peer_id is None:
                continue  # the messenger is down: the next run sends it
            text = (
                f"Итоги недели — {report.summary.title}, {period_text(report.summary.period)}\n\n"
                f"{municipality_lines(report.summary)}"
            )
            try:
                await self._messenger.send(chat.peer_id, text, dedup_key=report.key)
            except MessengerError as exc:
                log.warning("weekly summary of %s not sent: %s", report.municipality.name, exc)
                continue
            await self.services.stats.weekly_sent(report)

    async def uptake(self) -> None:
        """During a chat's first week, its admins hear once a day who joined."""
        for summary in await self.services.uptake.due_summaries():
            uptake = summary.uptake
            share = f" — {uptake.percent}% квартир" if uptake.percent is not None else ""
            text = (
                f"Чат «{summary.chat.title}»: за сутки присоединились "
                f"{texts.plural(summary.joined, 'житель', 'жителя', 'жителей')}, всего в чате "
                f"{texts.plural(uptake.members, 'участник', 'участника', 'участников')}{share}."
            )
            for admin in summary.admins:
                assert admin.vk_id is not None
                await self.message(admin.vk_id, text)
