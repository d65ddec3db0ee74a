"""Spreadsheet exports for staff."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.chats.model import (
    KIND_TITLES,
    REPRESENTATIVE_TITLES,
    STATUS_TITLES,
    ChatCard,
    Holder,
)
from bot.services.core.phones import format_phone
from bot.services.core.sheets import append, new_sheet, to_bytes
from bot.services.staff.invitations import PERSON_STATUS_TITLES
from storage.models import RepresentativeKind

CHAT_COLUMNS = (
    "Название чата",
    "Тип чата",
    "Статус",
    "Администраторы",
    "Представитель УК",
    "Другие представители",
    "Квартир",
    "Участников",
    "Ссылка",
)
WIDTHS = (40, 10, 22, 45, 45, 60, 10, 12, 36)


def _holder(holder: Holder) -> str:
    who = ", ".join(p for p in (holder.person.name, format_phone(holder.person.phone or "")) if p)
    org = f" {holder.grant.organisation}" if holder.grant.organisation else ""
    return f"{who}{org} ({PERSON_STATUS_TITLES[holder.status]})"


def _others(holders: Sequence[Holder]) -> str:
    return "; ".join(
        f"{REPRESENTATIVE_TITLES[h.grant.kind]}: {_holder(h)}"
        for h in holders
        if h.grant.kind is not None and h.grant.kind is not RepresentativeKind.UK
    )


def chats_xlsx(cards: Sequence[ChatCard]) -> bytes:
    """One row per chat; the columns of the import template come first, so it reads alike."""
    book, sheet = new_sheet("Домовые чаты", CHAT_COLUMNS, WIDTHS)
    for card in cards:
        chat = card.chat
        uk = [h for h in card.representatives if h.grant.kind is RepresentativeKind.UK]
        append(
            sheet,
            [
                chat.title,
                KIND_TITLES.get(chat.kind, ""),
                STATUS_TITLES[chat.status],
                "; ".join(_holder(h) for h in card.admins),
                "; ".join(_holder(h) for h in uk),
                _others(card.representatives),
                chat.flats,
                chat.members_count,
                chat.invite_link or "",
            ]
        )
    return to_bytes(book)
