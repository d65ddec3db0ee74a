"""Building blocks of service tests: tenants, chats, people with roles, the moment tests start."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from bot.services.core.access import Actor, load_actor
from bot.services.core.ports import chat_peer
from bot.services.core.tenants import find_or_create_municipality
from storage.models import (
    Chat,
    ChatKind,
    ChatStatus,
    Municipality,
    Person,
    RepresentativeKind,
    Role,
    RoleGrant,
)
from tests.fakes import FakeMessenger

NOON = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday, 12:00 in Moscow
TIMEZONE = "Europe/Moscow"

_vk_ids = itertools.count(1_000_100)


async def town(name: str = "Демо-город", region: str = "Демо-регион") -> Municipality:
    return await find_or_create_municipality(name, region)


async def house(
    municipality: Municipality, title: str, messenger: FakeMessenger | None = None,
    *, status: ChatStatus = ChatStatus.ACTIVE, kind: ChatKind = ChatKind.HOUSE, **fields: object,
) -> Chat:
    """A house chat; with `messenger`, one that exists there too (its peer reachable)."""
    chat_id = await messenger.create_chat(title) if messenger else next(_vk_ids) % 100_000
    return await Chat.create(
        municipality=municipality, title=title, title_key=title.lower(), kind=kind,
        peer_id=chat_peer(chat_id), vk_chat_id=chat_id, status=status, **fields,
    )


async def person(*, vk_id: int | None = None, phone: str | None = None, name: str = "") -> Person:
    vk_id = next(_vk_ids) if vk_id is None else vk_id
    return await Person.create(vk_id=vk_id, phone=phone or f"+7900{vk_id % 10_000_000:07d}",
                               name=name)


async def grant(
    who: Person, role: Role, *, municipality: Municipality | None = None, chat: Chat | None = None,
    kind: RepresentativeKind | None = None, organisation: str | None = None,
    accepted: bool = True, region_id: int | None = None,
) -> RoleGrant:
    if chat is not None and municipality is None:
        municipality = await Municipality.get(id=chat.municipality_id)
    return await RoleGrant.create(
        person=who, role=role, municipality=municipality, chat=chat, kind=kind,
        organisation=organisation, accepted=accepted, region_id=region_id,
    )


async def someone(role: Role, **scope: object) -> Actor:
    """A new person in VK with one accepted role, as the services see them."""
    who = await person()
    await grant(who, role, **scope)  # type: ignore[arg-type]
    return await load_actor(who.vk_id)  # type: ignore[arg-type]


async def actor_of(who: Person) -> Actor:
    assert who.vk_id is not None
    return await load_actor(who.vk_id)
