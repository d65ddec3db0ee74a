"""One contract for the `Messenger` port, run over the fake services are tested with and over the
real VK gateway on the sandbox (as aiogram runs one storage contract over every storage).

A test here speaks only the port, plus a small `World` that does what people and VK do around
it (a person allows messages, joins by a link; VK deletes a chat; the community loses its
rights) and says what a person sees. The fake is honest where it agrees with the gateway.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import pytest

from bot.services.core.ports import (
    ChatUnavailable,
    Messenger,
    MessengerError,
    RecipientUnreachable,
    chat_peer,
)
from bot.vk.gateway import VkGateway
from bot.vk.rate_limit import RateLimiter
from sandbox.server import Sandbox
from tests.fakes import FakeMessenger
from tests.harness import FAST_RETRIES, sandbox_config
from tests.sandbox.helpers import png

REFERENCE = re.compile(r"^(photo|doc)-?\d+_\d+$")


class World(Protocol):
    messenger: Messenger
    community_id: int  # the community as a member of chats (its -id)

    async def person(self, *, allows_messages: bool) -> int: ...
    async def join(self, person: int, link: str) -> None: ...
    async def delete_chat(self, chat_id: int) -> None: ...
    async def take_admin_rights(self, chat_id: int) -> None: ...
    async def seen(self, person: int, chat_id: int | None = None) -> list[str]:
        """Texts from the community the person sees: in their dialog, or in the chat."""
        ...
    async def has_photo(self, chat_id: int) -> bool: ...


@dataclass
class FakeWorld:
    messenger: FakeMessenger = field(default_factory=FakeMessenger)
    people: int = 1000

    @property
    def community_id(self) -> int:
        return self.messenger.community_id

    async def person(self, *, allows_messages: bool) -> int:
        self.people += 1
        if allows_messages:
            self.messenger.allow(self.people)
        return self.people

    async def join(self, person: int, link: str) -> None:
        self.messenger.join(person, link)

    async def delete_chat(self, chat_id: int) -> None:
        self.messenger.delete_chat(chat_id)

    async def take_admin_rights(self, chat_id: int) -> None:
        self.messenger.take_admin_rights(chat_id)

    async def seen(self, person: int, chat_id: int | None = None) -> list[str]:
        return self.messenger.texts(person if chat_id is None else chat_peer(chat_id))

    async def has_photo(self, chat_id: int) -> bool:
        return self.messenger.chats[chat_id].photo is not None


@dataclass
class SandboxWorld:
    """The gateway against the sandbox; people act through the sandbox's people API."""

    sandbox: Sandbox
    messenger: VkGateway
    http: aiohttp.ClientSession
    peers: dict[tuple[int, int], int] = field(default_factory=dict)  # (person, chat) → their peer
    made: int = 0

    @property
    def community_id(self) -> int:
        return -self.sandbox.config.group_id

    async def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.http.request(method, path, json=body) as response:
            assert response.status < 400, await response.text()
            return await response.json(content_type=None)

    async def person(self, *, allows_messages: bool) -> int:
        self.made += 1
        made = await self._api(
            "POST", "/sandbox/people", {"name": "Житель", "phone": f"+7900{self.made:07d}"}
        )
        if allows_messages:
            await self._api("POST", f"/sandbox/people/{made['id']}/allow")
        return int(made["id"])

    async def join(self, person: int, link: str) -> None:
        opened = await self._api("POST", f"/sandbox/people/{person}/open", {"url": link})
        chat = next(c for c in await self._api("GET", "/sandbox/chats") if c["invite_link"] == link)
        self.peers[(person, int(chat["id"]))] = int(opened["peer_id"])

    async def delete_chat(self, chat_id: int) -> None:
        await self._api("DELETE", f"/sandbox/chats/{chat_id}")

    async def take_admin_rights(self, chat_id: int) -> None:
        await self._api("POST", f"/sandbox/chats/{chat_id}/community", {"is_admin": False})

    async def seen(self, person: int, chat_id: int | None = None) -> list[str]:
        peer = self.community_id if chat_id is None else self.peers[(person, chat_id)]
        data = await self._api("GET", f"/sandbox/people/{person}/messages?peer_id={peer}&limit=100")
        return [m["text"] for m in data["items"] if m["from_id"] == self.community_id]

    async def has_photo(self, chat_id: int) -> bool:
        chat = next(c for c in await self._api("GET", "/sandbox/chats") if c["id"] == chat_id)
        return chat["photo"] is not None


@pytest.fixture(params=["fake", "gateway"])
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    if request.param == "fake":
        yield FakeWorld()
        return
    sandbox = Sandbox(sandbox_config(tmp_path))
    await sandbox.start()
    gateway = VkGateway(
        token=sandbox.config.token, group_id=sandbox.config.group_id, api_url=sandbox.api_url,
        limiter=RateLimiter(1000), retry=FAST_RETRIES,
    )
    http = aiohttp.ClientSession(base_url=sandbox.base_url)
    try:
        yield SandboxWorld(sandbox, gateway, http)
    finally:
        await http.close()
        await gateway.close()
        await sandbox.stop()


async def test_a_new_chat_is_the_communitys_and_has_one_link_until_reset(world: World) -> None:
    messenger = world.messenger
    first, second = await messenger.create_chat("Плесецкая 16"), await messenger.create_chat("Невский 124")
    assert first != second
    state, admins = await messenger.chat_state(chat_peer(first))
    assert state == "in" and world.community_id in admins
    link = await messenger.invite_link(chat_peer(first))
    assert await messenger.invite_link(chat_peer(first)) == link
    fresh = await messenger.invite_link(chat_peer(first), reset=True)
    assert fresh != link
    assert await messenger.invite_link(chat_peer(second)) not in (link, fresh)


async def test_members_join_by_link_and_are_counted_without_the_community(world: World) -> None:
    messenger = world.messenger
    chat_id = await messenger.create_chat("Плесецкая 16")
    peer = chat_peer(chat_id)
    assert await messenger.members_count(peer) == 0
    vera, gleb = await world.person(allows_messages=False), await world.person(allows_messages=False)
    link = await messenger.invite_link(peer)
    await world.join(vera, link)
    await world.join(gleb, link)
    assert await messenger.members_count(peer) == 2
    assert {vera, gleb, world.community_id} == set(await messenger.members(peer))

    await messenger.remove_chat_user(chat_id, vera)
    assert vera not in await messenger.members(peer)
    with pytest.raises(MessengerError):
        await messenger.remove_chat_user(chat_id, vera)  # no longer there


async def test_the_community_leaving_loses_the_chat(world: World) -> None:
    messenger = world.messenger
    chat_id = await messenger.create_chat("Временный чат встречи")
    await messenger.remove_chat_user(chat_id, world.community_id)
    state, _ = await messenger.chat_state(chat_peer(chat_id))
    assert state == "left"
    with pytest.raises(ChatUnavailable):
        await messenger.members_count(chat_peer(chat_id))
    with pytest.raises(ChatUnavailable):
        await messenger.send(chat_peer(chat_id), "после ухода")


async def test_a_deleted_chat_is_gone_for_every_method(world: World) -> None:
    messenger = world.messenger
    chat_id = await messenger.create_chat("Садовая 1")
    await world.delete_chat(chat_id)
    assert await messenger.chat_state(chat_peer(chat_id)) == (None, ())
    for call in (
        messenger.members(chat_peer(chat_id)),
        messenger.members_count(chat_peer(chat_id)),
        messenger.invite_link(chat_peer(chat_id)),
        messenger.send(chat_peer(chat_id), "в удалённый чат"),
    ):
        with pytest.raises(ChatUnavailable):
            await call


async def test_without_admin_rights_the_community_is_seen_as_a_plain_member(world: World) -> None:
    messenger = world.messenger
    chat_id = await messenger.create_chat("Садовая 3")
    await world.take_admin_rights(chat_id)
    state, admins = await messenger.chat_state(chat_peer(chat_id))
    assert state == "in" and world.community_id not in admins
    outcome, = await messenger.pin_many([(chat_peer(chat_id), 1)])
    assert isinstance(outcome, ChatUnavailable)


async def test_a_person_gets_messages_only_after_allowing_them(world: World) -> None:
    messenger = world.messenger
    allowed, silent = await world.person(allows_messages=True), await world.person(allows_messages=False)
    sent = await messenger.send(allowed, "Здравствуйте!")
    assert isinstance(sent.cmid, int)
    assert await world.seen(allowed) == ["Здравствуйте!"]
    with pytest.raises(RecipientUnreachable):
        await messenger.send(silent, "Здравствуйте!")
    assert await world.seen(silent) == []


async def test_send_many_answers_for_every_peer_and_a_repeat_reaches_nobody_twice(
    world: World,
) -> None:
    messenger = world.messenger
    chat_id = await messenger.create_chat("Плесецкая 16")
    resident = await world.person(allows_messages=False)
    await world.join(resident, await messenger.invite_link(chat_peer(chat_id)))
    allowed, silent = await world.person(allows_messages=True), await world.person(allows_messages=False)
    lost = await messenger.create_chat("Удалённый")
    await world.delete_chat(lost)
    peers = [chat_peer(chat_id), allowed, silent, chat_peer(lost)]

    for _ in range(2):  # the second time is a resend after a crash: same dedup key
        results = await messenger.send_many(peers, "Отключение воды", dedup_key="broadcast:7")
        assert [r.peer_id for r in results] == peers
        ok, to_person, unreachable, gone = results
        assert ok.error is None and isinstance(ok.cmid, int)
        assert to_person.error is None
        assert isinstance(unreachable.error, RecipientUnreachable)
        assert isinstance(gone.error, ChatUnavailable)

    assert await world.seen(resident, chat_id) == ["Отключение воды"]
    assert await world.seen(allowed) == ["Отключение воды"]
    again = await messenger.send_many([allowed], "Отключение воды", dedup_key="broadcast:8")
    assert again[0].error is None and await world.seen(allowed) == ["Отключение воды"] * 2


async def test_pins_of_sent_messages(world: World) -> None:
    messenger = world.messenger
    chats = [await messenger.create_chat(f"Дом {i}") for i in range(3)]
    lost = await messenger.create_chat("Потерянный")
    await world.delete_chat(lost)
    sent = await messenger.send_many([chat_peer(c) for c in chats], "Авария", dedup_key="pins")
    outcomes = await messenger.pin_many([(r.peer_id, r.cmid or 0) for r in sent] + [(chat_peer(lost), 1)])
    assert outcomes[:3] == [None, None, None]
    assert isinstance(outcomes[3], ChatUnavailable)


async def test_uploads_are_references_that_messages_carry(world: World) -> None:
    messenger = world.messenger
    person = await world.person(allows_messages=True)
    document = await messenger.upload(person, "doc", "Объявление.pdf", b"%PDF-1.4 test")
    photo = await messenger.upload(person, "photo", "фасад.png", png())
    assert REFERENCE.match(document) and document.startswith("doc")
    assert REFERENCE.match(photo) and photo.startswith("photo")
    await messenger.send(person, "Во вложении", attachments=[document, photo])
    assert await world.seen(person) == ["Во вложении"]


async def test_a_chat_photo_is_set(world: World) -> None:
    messenger = world.messenger
    chat_id = await messenger.create_chat("Плесецкая 16")
    assert not await world.has_photo(chat_id)
    await messenger.set_chat_photo(chat_id, "дом.png", png(64, 64))
    assert await world.has_photo(chat_id)
