"""Tickets' buttons: the representative's notice, meetings, the list's filters."""

from __future__ import annotations

from vkbottle import Keyboard, OpenLink

from bot.keyboards.common import NEGATIVE, POSITIVE, PRIMARY, SECONDARY, build, callback_button
from bot.services.tickets.service import TicketFilter
from storage.models import Meeting, Ticket


def notice_keyboard(ticket: Ticket) -> str:
    return build(
        [
            [(callback_button("Ответить", "ticket.answer", t=ticket.id), POSITIVE)],
            [(callback_button("Назначить онлайн-встречу", "ticket.meeting", t=ticket.id), PRIMARY)],
        ],
        inline=True,
    )


def open_link_keyboard(link: str) -> str:
    keyboard = Keyboard(inline=True)
    keyboard.add(OpenLink(link, "Открыть"))
    return keyboard.get_json()


def meeting_controls(meeting: Meeting, *, live: bool) -> str:
    if live:
        return build(
            [
                [(callback_button("Продлить на 30 минут", "meeting.extend", m=meeting.id), SECONDARY)],
                [(callback_button("Завершить встречу", "meeting.finish", m=meeting.id), NEGATIVE)],
            ],
            inline=True,
        )
    return build(
        [
            [(callback_button("Перенести", "meeting.move", m=meeting.id), SECONDARY)],
            [(callback_button("Отменить встречу", "meeting.cancel", m=meeting.id), NEGATIVE)],
        ],
        inline=True,
    )


def filters_keyboard() -> str:
    return build(
        [[(callback_button(title, "tickets.page", p=1, f=f.value, new=1), PRIMARY)
          for f, title in FILTER_TITLES.items()]],
        inline=True,
    )


FILTER_TITLES = {
    TicketFilter.OPEN: "Открытые",
    TicketFilter.OVERDUE: "Просроченные",
    TicketFilter.ANSWERED: "Отвеченные",
}
