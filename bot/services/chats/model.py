"""What the chat services hand out and take: new chats, cards, the outcomes of role changes,
the titles staff see, and the queries every part shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tortoise.queryset import QuerySet

from bot.services.core.errors import NotFound
from bot.services.importing import RepresentativeSpec, normalise_title
from bot.services.staff.invitations import Delivery, PersonStatus
from storage.addresses import search_pattern
from storage.models import (
    CHAT_ORDER,
    HOUSE_KINDS,
    Chat,
    ChatKind,
    ChatStatus,
    Municipality,
    Person,
    RepresentativeKind,
    Role,
    RoleGrant,
)

# Who belongs in a municipality's coordination chat (region admins may join as well).
COORDINATION_ROLES = (Role.MUNICIPALITY_ADMIN, Role.STAFF, Role.CHAT_ADMIN)
KIND_TITLES = {ChatKind.HOUSE: "Дом", ChatKind.ENTRANCE: "Подъезд"}
REPRESENTATIVE_TITLES = {
    RepresentativeKind.UK: "УК",
    RepresentativeKind.ADMINISTRATION: "Администрация",
    RepresentativeKind.RSO: "РСО",
}
STATUS_TITLES = {
    ChatStatus.PENDING: "создаётся",
    ChatStatus.ACTIVE: "создан",
    ChatStatus.FAILED: "не создан",
    ChatStatus.BOT_REMOVED: "бот удалён из чата",
    ChatStatus.DISABLED: "отключён ВКонтакте",
    ChatStatus.CLOSED: "закрыт",
}


@dataclass(frozen=True)
class NewChat:
    title: str
    kind: ChatKind
    admin_phone: str
    description: str | None = None
    flats: int | None = None
    photo: bytes | None = None
    representatives: tuple[RepresentativeSpec, ...] = ()


@dataclass(frozen=True)
class Holder:
    """A person holding a chat-level role, as staff see them in a card."""

    grant: RoleGrant
    person: Person
    status: PersonStatus


@dataclass(frozen=True)
class ChatCard:
    chat: Chat
    admins: list[Holder]
    representatives: list[Holder]


class Release(StrEnum):
    """What taking a role away did to the person's place in the coordination chat."""

    REMOVED = "removed"
    NOT_MEMBER = "not_member"  # not in it, or another role keeps them there
    FAILED = "failed"  # the community could not remove them (rights taken): staff must


@dataclass(frozen=True)
class Admission:
    """An outsider joined the coordination chat and was removed (and the link reset)."""

    removed: bool  # False: the community could not remove them
    link: str | None  # the new link (None if VK did not give one)
    not_joined: list[Person]  # who belongs there and has not joined: the new link is for them


@dataclass
class CreationReport:
    created: list[Chat] = field(default_factory=list)
    failed: list[Chat] = field(default_factory=list)
    told: dict[int, Delivery] = field(default_factory=dict)  # person id → how they were told

    def count(self, delivery: Delivery) -> int:
        return sum(1 for how in self.told.values() if how is delivery)


async def existing_chat(chat_id: int) -> Chat:
    chat = await Chat.get_or_none(id=chat_id)
    if chat is None:
        raise NotFound("Такого чата нет — возможно, его удалили.")
    return chat


def house_chats(municipality: Municipality, search: str = "") -> QuerySet[Chat]:
    query = Chat.filter(municipality=municipality, kind__in=HOUSE_KINDS)
    return found_by_address(query, search).order_by(*CHAT_ORDER)


def found_by_address(query: QuerySet[Chat], search: str) -> QuerySet[Chat]:
    """The chats whose address the search names («садовая 12» finds «ул. Садовая, 12»); a
    search of abbreviations alone («ул.») is looked for in the titles as typed."""
    if not search.strip():
        return query
    pattern = search_pattern(search)
    if pattern is None:
        return query.filter(title_key__contains=normalise_title(search))
    return query.filter(search_key__contains=pattern)
