"""Test doubles for the ports services depend on, kept honest by contract tests (the clock
tests move is `bot.clock.MovableClock`).

`FakeMessenger` is the whole `Messenger` port in memory; `tests/test_messenger_contract.py`
runs the same contract over it and over the real gateway on the sandbox, so a service test that
passes with the fake would pass with VK's behaviour too. Besides the port it has what a test
needs to steer it (people who allow messages, joining by link, a chat VK deleted, a community
that lost its rights, titles VK refuses, an outage after N chats) and to look at the result.
`RecordingSms` is the SMS sender; `MemoryClaims` the dispatcher's claim of event ids.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.services.core.ports import (
    CHAT_PEER_OFFSET,
    ChatUnavailable,
    MadeChat,
    MessengerError,
    MessengerUnavailable,
    RecipientUnreachable,
    chat_peer,
)
from bot.sms import SmsError

COMMUNITY_ID = -229000001


@dataclass(frozen=True)
class Sent:
    """One message as a recipient sees it (the fake's `Delivered`)."""

    peer_id: int
    text: str
    cmid: int | None = None
    attachments: tuple[str, ...] = ()
    error: MessengerError | None = None
    keyboard: str | None = None


@dataclass
class FakeChat:
    id: int
    title: str
    link_version: int = 1
    members: list[int] = field(default_factory=lambda: [COMMUNITY_ID])
    admins: set[int] = field(default_factory=lambda: {COMMUNITY_ID})
    community_state: str = "in"  # "in" | "kicked" | "left"
    deleted: bool = False
    photo: bytes | None = None
    messages: list[Sent] = field(default_factory=list)
    pinned: int | None = None

    @property
    def peer_id(self) -> int:
        return chat_peer(self.id)

    @property
    def link(self) -> str:
        return f"https://vk.me/join/fake{self.id}v{self.link_version}"


class FakeMessenger:
    """The `Messenger` port in memory, behaving as the gateway does against VK."""

    community_id = COMMUNITY_ID
    chats_per_call = 1
    recipients_per_call = 100

    def __init__(self) -> None:
        self.chats: dict[int, FakeChat] = {}
        self.allowed: set[int] = set()  # people who let the community write to them
        self.inbox: dict[int, list[Sent]] = {}  # what each person got from the community
        self.created: list[str] = []  # titles of the chats made, in order
        self.refuse: set[str] = set()  # titles VK refuses to create
        self.down_after: int | None = None  # chats created before VK stops answering
        self.uploads: dict[str, tuple[str, bytes]] = {}
        self._ids = itertools.count(1)
        self._dedup: dict[tuple[str, int], Sent] = {}

    # -- steering and looking (not the port) ---------------------------------------------------

    def allow(self, person: int) -> None:
        self.allowed.add(person)

    def join(self, person: int, link: str) -> int:
        chat = next(c for c in self.chats.values() if c.link == link and not c.deleted)
        if person not in chat.members:
            chat.members.append(person)
        return chat.peer_id

    def delete_chat(self, chat_id: int) -> None:
        self.chats[chat_id].deleted = True

    def take_admin_rights(self, chat_id: int) -> None:
        self.chats[chat_id].admins.discard(COMMUNITY_ID)

    def personal(self) -> list[Sent]:
        """Every message sent to a person (not a chat), in order of their inboxes."""
        return [sent for inbox in self.inbox.values() for sent in inbox]

    def texts(self, peer_id: int) -> list[str]:
        """What the community sent there: a person's dialog, or a chat."""
        if peer_id >= CHAT_PEER_OFFSET:
            return [m.text for m in self._chat(peer_id - CHAT_PEER_OFFSET).messages]
        return [m.text for m in self.inbox.get(peer_id, [])]

    # -- the port ------------------------------------------------------------------------------

    async def create_chat(self, title: str) -> int:
        if self.down_after is not None and len(self.created) >= self.down_after:
            raise MessengerUnavailable("VK is down")
        if title in self.refuse:
            raise MessengerError("Access denied")
        chat = FakeChat(len(self.chats) + 1, title)
        self.chats[chat.id] = chat
        self.created.append(title)
        return chat.id

    async def create_chats(self, titles: Sequence[str]) -> list[MadeChat]:
        made = []
        for title in titles:
            try:
                chat_id = await self.create_chat(title)
            except MessengerError as exc:
                made.append(MadeChat(error=exc))
                continue
            made.append(MadeChat(chat_id, await self.invite_link(chat_peer(chat_id))))
        return made

    async def chats_created_after(self, chat_id: int) -> list[tuple[int, str]]:
        return [(c.id, c.title) for c in self.chats.values() if c.id > chat_id and not c.deleted]

    async def invite_link(self, peer_id: int, *, reset: bool = False) -> str:
        chat = self._reachable(peer_id)
        if COMMUNITY_ID not in chat.admins:
            raise ChatUnavailable("the community may not see the chat's link")
        if reset:
            chat.link_version += 1
        return chat.link

    async def set_chat_photo(self, chat_id: int, filename: str, content: bytes) -> None:
        self._reachable(chat_peer(chat_id)).photo = content

    async def chat_state(self, peer_id: int) -> tuple[str | None, tuple[int, ...]]:
        chat = self.chats.get(peer_id - CHAT_PEER_OFFSET)
        if chat is None or chat.deleted:
            return None, ()
        return chat.community_state, tuple(sorted(chat.admins))

    async def members(self, peer_id: int) -> list[int]:
        return list(self._reachable(peer_id).members)

    async def remove_chat_user(self, chat_id: int, member_id: int) -> None:
        chat = self._reachable(chat_peer(chat_id))
        if member_id == COMMUNITY_ID:
            chat.members.remove(COMMUNITY_ID)
            chat.admins.discard(COMMUNITY_ID)
            chat.community_state = "left"
            return
        if COMMUNITY_ID not in chat.admins:
            raise ChatUnavailable("the community is not an admin of the chat")
        if member_id not in chat.members:
            raise MessengerError("the user is not in the chat")
        chat.members.remove(member_id)

    async def members_count(self, peer_id: int) -> int | None:
        return len(self._reachable(peer_id).members) - 1  # the community not counted

    async def send(self, peer_id: int, text: str, **options: Any) -> Sent:
        (result,) = await self.send_many(
            [peer_id], text, keyboard=options.get("keyboard"),
            attachments=options.get("attachments", ()), dedup_key=options.get("dedup_key"),
        )
        if result.error is not None:
            raise result.error
        return result

    async def send_many(
        self, peer_ids: Sequence[int], text: str, *, keyboard: str | None = None,
        attachments: Sequence[str] = (), dedup_key: str | None = None,
    ) -> list[Sent]:
        results = []
        for peer_id in peer_ids:
            key = (dedup_key, peer_id) if dedup_key is not None else None
            if key is not None and key in self._dedup:  # VK drops a repeated random_id
                results.append(self._dedup[key])
                continue
            result = self._deliver(peer_id, text, tuple(attachments), keyboard)
            if key is not None and result.error is None:
                self._dedup[key] = result
            results.append(result)
        return results

    async def pin_many(self, pins: Sequence[tuple[int, int]]) -> list[MessengerError | None]:
        outcomes: list[MessengerError | None] = []
        for peer_id, cmid in pins:
            try:
                chat = self._reachable(peer_id)
            except ChatUnavailable as error:
                outcomes.append(error)
                continue
            if COMMUNITY_ID not in chat.admins:
                outcomes.append(ChatUnavailable("the community is not an admin of the chat"))
            elif not any(m.cmid == cmid for m in chat.messages):
                outcomes.append(MessengerError("no such message"))
            else:
                chat.pinned = cmid
                outcomes.append(None)
        return outcomes

    async def upload(self, peer_id: int, kind: str, filename: str, content: bytes) -> str:
        reference = f"{'photo' if kind == 'photo' else 'doc'}{COMMUNITY_ID}_{next(self._ids)}"
        self.uploads[reference] = (filename, content)
        return reference

    # -- inside --------------------------------------------------------------------------------

    def _chat(self, chat_id: int) -> FakeChat:
        chat = self.chats.get(chat_id)
        if chat is None or chat.deleted:
            raise ChatUnavailable("the chat is not there any more")
        return chat

    def _reachable(self, peer_id: int) -> FakeChat:
        """A chat the community is still in (ChatUnavailable otherwise)."""
        chat = self._chat(peer_id - CHAT_PEER_OFFSET)
        if chat.community_state != "in":
            raise ChatUnavailable(f"the community is {chat.community_state} from the chat")
        return chat

    def _deliver(
        self, peer_id: int, text: str, attachments: tuple[str, ...], keyboard: str | None = None
    ) -> Sent:
        if any(a not in self.uploads for a in attachments):
            return Sent(peer_id, text, error=MessengerError("unknown attachment"))
        if peer_id >= CHAT_PEER_OFFSET:
            try:
                chat = self._reachable(peer_id)
            except ChatUnavailable as error:
                return Sent(peer_id, text, error=error)
            sent = Sent(peer_id, text, len(chat.messages) + 1, attachments, keyboard=keyboard)
            chat.messages.append(sent)
            return sent
        if peer_id not in self.allowed:
            return Sent(peer_id, text, error=RecipientUnreachable("never wrote to the community"))
        inbox = self.inbox.setdefault(peer_id, [])
        sent = Sent(peer_id, text, len(inbox) + 1, attachments, keyboard=keyboard)
        inbox.append(sent)
        return sent


class RecordingSms:
    """The SMS sender: what was texted to which phone; `fail` makes the provider refuse."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail = fail

    async def send(self, phone: str, text: str) -> None:
        if self.fail:
            raise SmsError("provider down")
        self.sent.append((phone, text))


class MemoryClaims:
    """The dispatcher's claim of event ids, in memory: an id is new once."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def __call__(self, event_ids: list[str], moment: object) -> set[str]:
        new = {i for i in event_ids if i not in self.seen}
        self.seen |= new
        return new


class RecordingAnnouncer:
    """The meetings' `MeetingAnnouncer`: which announcement was made for which meeting."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []  # (what, meeting id)

    def of(self, what: str) -> list[int]:
        return [meeting_id for said, meeting_id in self.calls if said == what]

    async def scheduled(self, meeting: Any, ticket: Any, *, before: Any) -> None:
        self.calls.append(("scheduled", meeting.id))

    async def cancelled(self, meeting: Any, ticket: Any) -> None:
        self.calls.append(("cancelled", meeting.id))

    async def opened(self, meeting: Any, ticket: Any) -> None:
        self.calls.append(("opened", meeting.id))

    async def open_failed(self, meeting: Any, ticket: Any) -> None:
        self.calls.append(("open_failed", meeting.id))

    async def closed(self, meeting: Any, ticket: Any) -> None:
        self.calls.append(("closed", meeting.id))

    async def missed(self, meeting: Any, ticket: Any) -> None:
        self.calls.append(("missed", meeting.id))
