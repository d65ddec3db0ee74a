"""The representative's side of a ticket (answer, or an online meeting), ticket lists for every
role, and staff reassigning an overdue ticket."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.handlers.inputs import phone_or_ask_again
from bot.handlers.start import show_menu
from bot.keyboards.common import (
    CANCEL,
    POSITIVE,
    PRIMARY,
    build,
    callback_button,
    cancel_keyboard,
    text_button,
)
from bot.keyboards.lists import paged_list
from bot.keyboards.tickets import FILTER_TITLES, filters_keyboard, meeting_controls, notice_keyboard
from bot.notices.tickets import notice_text
from bot.runtime.attachments import first_file
from bot.runtime.context import CallbackTurn, Services, Turn
from bot.runtime.payload import int_arg
from bot.runtime.rules import CallbackCommand, Command
from bot.services.core.access import STAFF_ROLES, working_municipality
from bot.services.core.calendar import FORMAT_HINT, parse_meeting_time, show_moment
from bot.services.core.errors import DomainError
from bot.services.core.official import official_message
from bot.services.core.paging import Page
from bot.services.core.phones import format_phone
from bot.services.tickets.service import MAX_ANSWER, Attachment, TicketFilter
from bot.states.tickets import Reassign, RepAnswer, RepMeeting
from storage.models import Role, Ticket, TicketStatus

labeler = BotLabeler()

MAX_FILE_BYTES = 10_000_000
PAGE_SIZE = 5
STATUS_TITLES = {
    TicketStatus.OPEN: "ждёт ответа",
    TicketStatus.MEETING: "назначена встреча",
    TicketStatus.ANSWERED: "отвечено",
    TicketStatus.MET: "встреча проведена",
    TicketStatus.CANCELLED: "отменено",
}


async def _mark_notice(turn: CallbackTurn, ticket: Ticket, choice: str) -> None:
    """Show on the notice what was chosen; with its buttons gone a second press does nothing."""
    if ticket.notice_cmid is not None:
        await turn.edit_message(
            ticket.notice_cmid,
            f"{notice_text(ticket, turn.services)}\n\nВы выбрали: {choice}.",
            keyboard=build([], inline=True),  # without it VK keeps the old buttons
        )


# -- answering ------------------------------------------------------------------------------------

@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("ticket.answer"))
async def choose_answer(event: dict, turn: CallbackTurn) -> None:
    ticket = await turn.services.tickets.answerable(turn.actor, int_arg(turn.payload, "t"))
    await turn.snackbar()
    await _mark_notice(turn, ticket, "ответить")
    await turn.set_state(RepAnswer.TEXT, ticket_id=ticket.id)
    await turn.answer(
        f"Напишите ответ на обращение №{ticket.id}. Его опубликуют в домовом чате от имени "
        "вашей организации; можно приложить фото или документ.",
        keyboard=cancel_keyboard(),
    )


@labeler.private_message(StateRule(RepAnswer.TEXT))
async def answer_text(message: Message, turn: Turn) -> None:
    text = (message.text or "").strip()
    if not text:
        await turn.answer("Ответ пустой. Напишите текст ответа — файл можно приложить к нему.")
        return
    if len(text) > MAX_ANSWER:
        await turn.answer(f"Ответ длиннее {MAX_ANSWER} символов ({len(text)}). Сократите его.")
        return
    ticket = await turn.services.tickets.answerable(turn.actor, int(turn.data["ticket_id"]))
    found = first_file(message)
    file = None if found is None else {"kind": found.kind, "url": found.url, "name": found.name}
    await turn.set_state(RepAnswer.CONFIRM, **turn.data, text=text, file=file)
    preview = official_message(await turn.services.notices.tickets.source_of(ticket), text, ticket.id)
    attached = "\n(с вложением)" if file else ""
    await turn.answer(
        f"Так ответ увидят жители в чате «{ticket.chat.title}»:\n\n{preview}{attached}",
        keyboard=build([[(text_button("Опубликовать", "answer.publish"), POSITIVE)],
                        [(text_button("Изменить", "answer.edit"), PRIMARY), CANCEL]]),
    )


@labeler.private_message(StateRule(RepAnswer.CONFIRM), Command("answer.edit"))
async def answer_edit(message: Message, turn: Turn) -> None:
    await turn.set_state(RepAnswer.TEXT, ticket_id=turn.data["ticket_id"])
    await turn.answer("Напишите ответ заново.", keyboard=cancel_keyboard())


@labeler.private_message(StateRule(RepAnswer.CONFIRM), Command("answer.publish"))
async def answer_publish(message: Message, turn: Turn) -> None:
    data = turn.data
    attachment = None
    if data.get("file"):
        content = await turn.download(
            data["file"]["url"], max_bytes=MAX_FILE_BYTES,
            too_big="Вложение больше 10 МБ. Нажмите «Изменить» и приложите файл поменьше.",
        )
        attachment = Attachment(data["file"]["kind"], data["file"]["name"], content)
    ticket = await turn.services.tickets.answer(turn.actor, int(data["ticket_id"]), data["text"], attachment)
    await turn.clear_state()
    await turn.services.notices.tickets.publish_answer(ticket)
    await show_menu(turn, f"Ответ на обращение №{ticket.id} опубликован в чате «{ticket.chat.title}». Спасибо!")


@labeler.private_message(StateRule(RepAnswer.CONFIRM))
async def answer_confirmation_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Нажмите «Опубликовать», «Изменить» или «Отмена».")


# -- meetings ----------------------------------------------------------------------------------------

@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("ticket.meeting"))
async def choose_meeting(event: dict, turn: CallbackTurn) -> None:
    ticket = await turn.services.tickets.answerable(turn.actor, int_arg(turn.payload, "t"))
    await turn.snackbar()
    await _mark_notice(turn, ticket, "назначить онлайн-встречу")
    await turn.set_state(RepMeeting.WHEN, ticket_id=ticket.id)
    await turn.answer(
        f"Когда проведём встречу по обращению №{ticket.id}? {FORMAT_HINT}",
        keyboard=cancel_keyboard(),
    )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("meeting.move"))
async def move_meeting(event: dict, turn: CallbackTurn) -> None:
    meeting, ticket = await turn.services.meetings.mine(turn.actor, int_arg(turn.payload, "m"))
    await turn.snackbar()
    await turn.set_state(RepMeeting.WHEN, ticket_id=ticket.id, meeting_id=meeting.id)
    await turn.answer(f"На когда перенести встречу? {FORMAT_HINT}", keyboard=cancel_keyboard())


def _zone(services: Services, ticket: Ticket) -> ZoneInfo:
    return services.tickets.zone(ticket.municipality)


@labeler.private_message(StateRule(RepMeeting.WHEN))
async def meeting_time(message: Message, turn: Turn) -> None:
    ticket = await turn.services.tickets.for_representative(turn.actor, int(turn.data["ticket_id"]))
    zone = _zone(turn.services, ticket)
    starts = parse_meeting_time(message.text or "", turn.services.clock.now(), zone)
    if turn.data.get("meeting_id"):
        meeting = await turn.services.meetings.reschedule(turn.actor, int(turn.data["meeting_id"]), starts)
    else:
        meeting = await turn.services.meetings.schedule(turn.actor, ticket.id, starts)
    await turn.clear_state()
    lead = turn.services.meetings.link_lead_minutes
    await turn.answer(
        f"Встреча назначена {show_moment(meeting.starts_at, zone)}, мы пришлём ссылку на чат "
        f"за {lead} минут до начала.",
        keyboard=meeting_controls(meeting, live=False),
    )
    await show_menu(turn)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("meeting.cancel"))
async def cancel_meeting(event: dict, turn: CallbackTurn) -> None:
    _, ticket = await turn.services.meetings.cancel(turn.actor, int_arg(turn.payload, "m"))
    await turn.snackbar("Встреча отменена")
    await turn.answer(
        f"Встреча по обращению №{ticket.id} отменена, все предупреждены. Обращение снова ждёт ответа.",
        keyboard=notice_keyboard(ticket),
    )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("meeting.extend"))
async def extend_meeting(event: dict, turn: CallbackTurn) -> None:
    meeting, ticket = await turn.services.meetings.extend(turn.actor, int_arg(turn.payload, "m"))
    await turn.snackbar(f"Продлено до {show_moment(meeting.ends_at, _zone(turn.services, ticket))}")


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("meeting.finish"))
async def finish_meeting(event: dict, turn: CallbackTurn) -> None:
    await turn.services.meetings.finish(turn.actor, int_arg(turn.payload, "m"))
    await turn.snackbar("Встреча завершена")


# -- lists -------------------------------------------------------------------------------------------

def _line(index: int, ticket: Ticket, services: Services) -> str:
    overdue = " · просрочено" if services.tickets.overdue(ticket) else ""
    return (
        f"{index}. №{ticket.id} «{ticket.chat.title}» — {STATUS_TITLES[ticket.status]}{overdue}: "
        f"{ticket.question[:80]}"
    )


def _list_text(title: str, page: Page[Ticket], services: Services) -> str:
    if not page.total:
        return f"{title}\n\nОбращений нет."
    lines = [title, f"Всего: {page.total} · страница {page.number} из {page.pages}", ""]
    lines += [_line(i, t, services) for i, t in enumerate(page.items, start=page.first_index)]
    return "\n".join(lines)


async def _screen(turn: Turn, number: int, only: str | None) -> tuple[str, str | None]:
    chosen = TicketFilter(only) if only in {f.value for f in TicketFilter} else None
    staff = turn.actor.has(*STAFF_ROLES)
    municipality = await working_municipality(turn.actor) if staff else None
    page = await turn.services.tickets.page(
        turn.actor, number=number, size=PAGE_SIZE, only=chosen,
        municipality_id=municipality.id if municipality else None,
    )
    title = f"Обращения — {municipality.name}" if municipality else "Ваши обращения"
    if chosen is not None:
        title += f" ({FILTER_TITLES[chosen].lower()})"
    args = {"f": chosen.value} if chosen else {}
    keyboard = paged_list("tickets.card", [t.id for t in page.items], page, "tickets.page", **args)
    return _list_text(title, page, turn.services), keyboard


@labeler.private_message(Command("tickets.list", texts=("обращения", "мои обращения")))
async def open_list(message: Message, turn: Turn) -> None:
    if not turn.actor.has(*STAFF_ROLES, Role.CHAT_ADMIN, Role.REPRESENTATIVE):
        raise DomainError("Обращения видят администраторы чатов, представители и сотрудники.")
    text, keyboard = await _screen(turn, 1, None)
    if turn.actor.has(*STAFF_ROLES):
        await turn.answer("Показать:", keyboard=filters_keyboard())
    await turn.answer(text, keyboard=keyboard)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("tickets.page"))
async def turn_page(event: dict, turn: CallbackTurn) -> None:
    filter_value = turn.payload.get("f")
    text, keyboard = await _screen(
        turn, int_arg(turn.payload, "p", 1), filter_value if isinstance(filter_value, str) else None
    )
    await turn.snackbar()
    if turn.payload.get("new"):  # a filter: a new list
        await turn.answer(text, keyboard=keyboard)
    else:  # a page of the same list: in place
        await turn.edit(text, keyboard)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("tickets.card"))
async def open_card(event: dict, turn: CallbackTurn) -> None:
    ticket = await turn.services.tickets.visible(turn.actor, int_arg(turn.payload, "id"))
    zone = _zone(turn.services, ticket)
    lines = [
        f"Обращение №{ticket.id} — «{ticket.chat.title}»",
        f"Статус: {STATUS_TITLES[ticket.status]}" + (" · просрочено" if turn.services.tickets.overdue(ticket) else ""),
        f"Срок: до {show_moment(ticket.deadline_at, zone)}",
        f"Вопрос: {ticket.question}",
    ]
    if ticket.representative is not None:
        lines.append(f"Представитель: {format_phone(ticket.representative.phone or '') or ticket.representative.name}")
    if ticket.answer:
        lines.append(f"Ответ: {ticket.answer}")
    await turn.snackbar()
    keyboard = None
    person = turn.actor.person
    if ticket.status is TicketStatus.OPEN and person is not None and ticket.representative_id == person.id:
        keyboard = notice_keyboard(ticket)
    elif ticket.status in (TicketStatus.OPEN, TicketStatus.MEETING) and turn.actor.has(*STAFF_ROLES):
        reassign = callback_button("Передать другому представителю", "ticket.reassign", t=ticket.id)
        keyboard = build([[(reassign, PRIMARY)]], inline=True)
    await turn.answer("\n".join(lines), keyboard=keyboard)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("ticket.reassign"))
async def ask_reassign(event: dict, turn: CallbackTurn) -> None:
    ticket = await turn.services.tickets.visible(turn.actor, int_arg(turn.payload, "t"))
    if not turn.actor.has(*STAFF_ROLES):
        raise DomainError("Передавать обращения могут сотрудники муниципалитета.")
    await turn.snackbar()
    await turn.set_state(Reassign.PHONE, ticket_id=ticket.id)
    await turn.answer(
        f"Номер телефона нового представителя для обращения №{ticket.id}:", keyboard=cancel_keyboard()
    )


@labeler.private_message(StateRule(Reassign.PHONE))
async def reassign(message: Message, turn: Turn) -> None:
    phone = await phone_or_ask_again(turn, message.text, keyboard=None)
    if phone is None:
        return
    ticket = await turn.services.tickets.reassign(turn.actor, int(turn.data["ticket_id"]), phone)
    await turn.clear_state()
    reached = await turn.services.notices.tickets.notify_representative(ticket)
    how = "ему отправлено обращение" if reached else "ему отправлено SMS со ссылкой"
    await show_menu(turn, f"Обращение №{ticket.id} передано {format_phone(phone)}: {how}.")
