"""What a handler gets: the services, the acting person and a way to answer them, injected by
middleware.

Handlers take it as `turn` (vkbottle reserves `ctx` and `context` for its own context dict).
A handler answers the person who wrote through the turn and nothing else; what the bot tells
anyone else is a notice (`services.notices`, bot/notices/). The VK gateway is not among the
services: only the turn's `Replies` (bound to the person's peer) and the notices reach it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vkbottle import ABCStateDispenser, BaseStateGroup, StatePeer

from bot.clock import Clock
from bot.config import Settings
from bot.runtime.tasks import BackgroundTasks
from bot.services.broadcasts.service import BroadcastService
from bot.services.chats.onboarding import OnboardingService
from bot.services.chats.posters import PosterService
from bot.services.chats.service import ChatService
from bot.services.core.access import Actor
from bot.services.core.errors import AccessDenied, DomainError
from bot.services.importing.runs import ImportService
from bot.services.staff.invitations import InvitationService
from bot.services.staff.service import StaffDirectory, StaffService
from bot.services.stats.activity import StatsService
from bot.services.stats.uptake import UptakeService
from bot.services.tickets.meetings import MeetingService
from bot.services.tickets.service import TicketService
from bot.states import dialog_of, may_hold
from bot.vk.gateway import FileTooLarge, PeerResult, VkGateway

if TYPE_CHECKING:
    from bot.notices import Notices


@dataclass
class Services:
    """Everything handlers, notices and jobs use, built once by the composition root
    (bot/app.py). `notices` is set right after (they read these services)."""

    settings: Settings
    clock: Clock
    states: ABCStateDispenser
    tasks: BackgroundTasks
    invitations: InvitationService
    staff: StaffService
    staff_directory: StaffDirectory
    chats: ChatService
    imports: ImportService
    onboarding: OnboardingService
    posters: PosterService
    uptake: UptakeService
    tickets: TicketService
    meetings: MeetingService
    broadcasts: BroadcastService
    stats: StatsService
    notices: Notices = field(init=False)


class Replies:
    """The messenger as far as one update's answers need it: the peer that wrote, the files it
    sent, the name of who wrote."""

    def __init__(self, gateway: VkGateway) -> None:
        self._gateway = gateway

    async def send(self, peer_id: int, text: str, **options: Any) -> PeerResult:
        return await self._gateway.send(peer_id, text, **options)

    async def edit(self, peer_id: int, cmid: int, text: str, keyboard: str | None) -> None:
        await self._gateway.edit(peer_id, cmid=cmid, text=text, keyboard=keyboard)

    async def upload(self, peer_id: int, kind: str, filename: str, content: bytes) -> str:
        return await self._gateway.upload(peer_id, kind, filename, content)

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        return await self._gateway.download(url, max_bytes=max_bytes)

    async def name(self, vk_id: int) -> str:
        return (await self._gateway.user_names([vk_id])).get(vk_id, "")

    async def answer_callback(
        self, event_id: str, user_id: int, peer_id: int, text: str | None
    ) -> None:
        await self._gateway.answer_callback(event_id, user_id, peer_id, text)


async def held_state(services: Services, actor: Actor, state: StatePeer | None) -> StatePeer | None:
    """The person's stored dialog state, unless their roles no longer allow it (a role taken
    away mid-dialog): then it is dropped, and the update is handled as outside any dialog."""
    if state is None or may_hold(actor.roles, state.state):
        return state
    await services.states.delete(actor.vk_id)
    return None


@dataclass
class Turn:
    """One update's context: who acts, where to answer, their dialog state."""

    services: Services
    replies: Replies
    actor: Actor
    peer_id: int
    state: StatePeer | None = None

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.state.payload) if self.state is not None else {}

    async def answer(
        self, text: str, *, keyboard: str | None = None, attachments: Sequence[str] = ()
    ) -> PeerResult:
        return await self.replies.send(
            self.peer_id, text, keyboard=keyboard, attachments=attachments
        )

    async def upload(self, kind: str, filename: str, content: bytes) -> str:
        """A photo ("photo") or document ("doc") to attach to an answer."""
        return await self.replies.upload(self.peer_id, kind, filename, content)

    async def answer_document(
        self, text: str, filename: str, content: bytes, *, keyboard: str | None = None
    ) -> PeerResult:
        document = await self.upload("doc", filename, content)
        return await self.answer(text, keyboard=keyboard, attachments=[document])

    async def edit_message(self, cmid: int, text: str, keyboard: str | None = None) -> None:
        """Change an earlier message of this dialog (its buttons go unless `keyboard` says)."""
        await self.replies.edit(self.peer_id, cmid, text, keyboard)

    async def sender_name(self) -> str:
        """The name of who wrote, as VK has it ("" if unknown)."""
        return await self.replies.name(self.actor.vk_id)

    async def download(self, url: str, *, max_bytes: int, too_big: str) -> bytes:
        """A file the person sent; `too_big` (what to tell them) when it is over `max_bytes`."""
        try:
            return await self.replies.download(url, max_bytes=max_bytes)
        except FileTooLarge:
            raise DomainError(too_big) from None

    async def set_state(self, state: BaseStateGroup, **payload: Any) -> None:
        """Enter a dialog step — refused (AccessDenied, nothing stored) if the person's roles do
        not allow the dialog: the one check every dialog passes before its state changes."""
        if not may_hold(self.actor.roles, state):
            dialog = dialog_of(state)
            raise AccessDenied(dialog.refusal) if dialog else AccessDenied()
        await self.services.states.set(self.actor.vk_id, state, **payload)
        self.state = await self.services.states.get(self.actor.vk_id)

    async def clear_state(self) -> None:
        await self.services.states.delete(self.actor.vk_id)
        self.state = None


@dataclass
class CallbackTurn(Turn):
    """A callback button press: it must be answered once (a snackbar or an empty answer)."""

    event_id: str = ""
    cmid: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    answered: bool = False

    async def edit(self, text: str, keyboard: str | None = None) -> None:
        """Change the message whose button was pressed (a list turning its page, say)."""
        if self.cmid is None:
            await self.answer(text, keyboard=keyboard)
            return
        await self.edit_message(self.cmid, text, keyboard)

    async def snackbar(self, text: str | None = None) -> None:
        if self.answered:
            return
        self.answered = True
        await self.replies.answer_callback(self.event_id, self.actor.vk_id, self.peer_id, text)
