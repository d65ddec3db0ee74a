"""«Сотрудники»: the municipality's staff with statuses; resend an invitation; remove."""

from __future__ import annotations

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message

from bot.keyboards.lists import paged_list
from bot.keyboards.staff import member_keyboard
from bot.runtime.buttons import (
    Pressed,
    StaffCard,
    StaffList,
    StaffPage,
    StaffRemove,
    StaffResend,
)
from bot.runtime.context import CallbackTurn, Turn
from bot.services.chats.model import Release
from bot.services.core.access import working_municipality
from bot.services.core.paging import Page
from bot.services.core.phones import format_phone
from bot.services.core.texts import plural
from bot.services.staff.invitations import PERSON_STATUS_TITLES
from bot.services.staff.service import StaffMember

labeler = BotLabeler()

PAGE_SIZE = 5
RELEASED = {
    Release.REMOVED: " Из чата координации он тоже удалён.",
    Release.NOT_MEMBER: "",
    Release.FAILED: (
        " Удалить его из чата координации не удалось: у сообщества нет прав в этом чате — "
        "удалите его там вручную."
    ),
}


def _who(member: StaffMember) -> str:
    phone = format_phone(member.person.phone or "")
    return f"{member.person.name} {phone}".strip() if member.person.name else phone


def staff_text(municipality: str, page: Page[StaffMember]) -> str:
    if not page.total:
        return f"Сотрудники — {municipality}\n\nСотрудников пока нет. Нажмите «Пригласить сотрудников»."
    total = plural(page.total, "сотрудник", "сотрудника", "сотрудников")
    lines = [f"Сотрудники — {municipality}", f"Итого: {total}", ""]
    for index, member in enumerate(page.items, start=page.first_index):
        lines.append(f"{index}. {_who(member)} — {PERSON_STATUS_TITLES[member.status]}")
    lines.append("\nНажмите номер, чтобы отправить приглашение повторно или удалить сотрудника.")
    return "\n".join(lines)


async def _screen(turn: Turn, number: int) -> tuple[str, str | None]:
    municipality = await working_municipality(turn.actor)
    page = await turn.services.staff_directory.page(
        turn.actor, municipality.id, number=number, size=PAGE_SIZE
    )
    keyboard = paged_list(StaffCard, [m.grant.id for m in page.items], page, StaffPage)
    return staff_text(municipality.name, page), keyboard


@labeler.private_message(Pressed(StaffList, texts=("сотрудники", "список сотрудников")))
async def open_list(message: Message, turn: Turn) -> None:
    text, keyboard = await _screen(turn, 1)
    await turn.answer(text, keyboard=keyboard)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(StaffPage))
async def turn_page(event: dict, turn: CallbackTurn, button: StaffPage) -> None:
    text, keyboard = await _screen(turn, button.p)
    await turn.snackbar()
    await turn.edit(text, keyboard)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(StaffCard))
async def open_member(event: dict, turn: CallbackTurn, button: StaffCard) -> None:
    member = await turn.services.staff_directory.member(turn.actor, button.id)
    await turn.snackbar()
    await turn.edit(f"{_who(member)}\nСтатус: {PERSON_STATUS_TITLES[member.status]}", member_keyboard(member))


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(StaffResend))
async def resend(event: dict, turn: CallbackTurn, button: StaffResend) -> None:
    member = await turn.services.staff_directory.resend(turn.actor, button.id)
    await turn.snackbar("Приглашение отправлено повторно")
    await turn.edit(f"{_who(member)}\nСтатус: {PERSON_STATUS_TITLES[member.status]}", member_keyboard(member))


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, Pressed(StaffRemove))
async def remove(event: dict, turn: CallbackTurn, button: StaffRemove) -> None:
    member, release = await turn.services.staff_directory.remove(turn.actor, button.id)
    await turn.snackbar("Сотрудник удалён")
    text, keyboard = await _screen(turn, 1)
    await turn.edit(
        f"{_who(member)} удалён и больше не имеет доступа.{RELEASED[release]}\n\n{text}", keyboard
    )
