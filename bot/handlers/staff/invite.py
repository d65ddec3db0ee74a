"""«Пригласить сотрудников»: municipality → phone numbers → confirmation → SMS invitations."""

from __future__ import annotations

from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.handlers.start import show_menu
from bot.keyboards.common import (
    CANCEL,
    PRIMARY,
    build,
    cancel_keyboard,
    confirm_keyboard,
    text_button,
)
from bot.runtime.buttons import (
    Pressed,
    StaffInviteMunicipality,
    StaffInviteSend,
    StaffInviteStart,
)
from bot.runtime.context import Turn
from bot.services.core.errors import AccessDenied
from bot.services.core.phones import extract_phones, format_phone
from bot.services.staff.service import InviteStatus
from bot.states.staff import StaffInvite

labeler = BotLabeler()

MAX_CHOICES = 20

ASK_PHONES = (
    "Пришлите номера телефонов сотрудников «{name}» одним сообщением — каждый с новой строки "
    "или через запятую, например:\n+7 912 123-45-67\n8 912 765 43 21"
)


@labeler.private_message(Pressed(StaffInviteStart, texts=("пригласить сотрудников",)))
async def begin(message: Message, turn: Turn) -> None:
    municipalities = await turn.services.staff.manageable_municipalities(turn.actor)
    if not municipalities:
        raise AccessDenied("Приглашать сотрудников могут администраторы муниципалитета.")
    if len(municipalities) == 1:
        await _ask_phones(turn, municipalities[0].id, municipalities[0].name)
        return
    rows = [
        [(text_button(m.name, StaffInviteMunicipality(id=m.id)), PRIMARY)]
        for m in municipalities[:MAX_CHOICES]
    ]
    rows.append([CANCEL])
    await turn.set_state(StaffInvite.MUNICIPALITY)
    await turn.answer("Для какого муниципалитета приглашаем сотрудников?", keyboard=build(rows))


@labeler.private_message(StateRule(StaffInvite.MUNICIPALITY), Pressed(StaffInviteMunicipality))
async def choose_municipality(
    message: Message, turn: Turn, button: StaffInviteMunicipality
) -> None:
    municipality = await turn.services.staff.municipality_for(turn.actor, button.id)
    await _ask_phones(turn, municipality.id, municipality.name)


@labeler.private_message(StateRule(StaffInvite.MUNICIPALITY))
async def municipality_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Выберите муниципалитет кнопкой ниже или нажмите «Отмена».")


async def _ask_phones(turn: Turn, municipality_id: int, name: str) -> None:
    await turn.set_state(StaffInvite.PHONES, municipality_id=municipality_id, name=name)
    await turn.answer(ASK_PHONES.format(name=name), keyboard=cancel_keyboard())


@labeler.private_message(StateRule(StaffInvite.PHONES))
async def receive_phones(message: Message, turn: Turn) -> None:
    found = extract_phones(message.text or "")
    problems = "\n".join(f"• {error}" for error in found.invalid)
    if not found.valid:
        lead = f"Не удалось разобрать номера:\n{problems}\n\n" if problems else ""
        await turn.answer(
            lead + "Пришлите номера в формате +7 912 123-45-67 или 8 912 123 45 67.",
            keyboard=cancel_keyboard(),
        )
        return
    data = turn.data
    await turn.set_state(StaffInvite.CONFIRM, **data, phones=list(found.valid))
    listing = "\n".join(format_phone(p) for p in found.valid)
    skipped = f"\n\nЭти номера пропущу:\n{problems}" if problems else ""
    await turn.answer(
        f"Пригласить в «{data['name']}» сотрудников: {len(found.valid)}\n{listing}{skipped}",
        keyboard=confirm_keyboard("Отправить приглашения", StaffInviteSend()),
    )


@labeler.private_message(StateRule(StaffInvite.CONFIRM), Pressed(StaffInviteSend))
async def send_invitations(message: Message, turn: Turn) -> None:
    data = turn.data
    outcomes = await turn.services.staff.invite(
        turn.actor, int(data["municipality_id"]), tuple(data["phones"])
    )
    await turn.clear_state()
    shown = {
        InviteStatus.INVITED: "приглашение отправлено",
        InviteStatus.ALREADY: "уже сотрудник",
        InviteStatus.NOT_SENT: "приглашение не отправлено, повторите позже",
    }
    lines = [f"• {format_phone(o.phone)} — {shown[o.status]}" for o in outcomes]
    await show_menu(
        turn,
        "Приглашения:\n" + "\n".join(lines) + "\n\nКогда сотрудник откроет приглашение, я "
        "спрошу вас, он ли это, — и после вашего «Да» он получит доступ.",
    )


@labeler.private_message(StateRule(StaffInvite.CONFIRM))
async def confirmation_expected(message: Message, turn: Turn) -> None:
    await turn.answer(
        "Нажмите «Отправить приглашения» или «Отмена».",
        keyboard=confirm_keyboard("Отправить приглашения", StaffInviteSend()),
    )
