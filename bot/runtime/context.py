"""What a handler gets: the services and the acting person, injected by middleware.

Handlers take it as `turn` (vkbottle reserves `ctx` and `context` for its own context dict).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vkbottle import ABCStateDispenser, BaseStateGroup, StatePeer

from bot.clock import Clock
from bot.config import Settings
from bot.services.core.access import Actor
from bot.services.staff.invitations import InvitationService
from bot.runtime.tasks import BackgroundTasks
from bot.services.broadcasts.service import BroadcastService
from bot.services.chats.service import ChatService
from bot.services.importing.runs import ImportService
from bot.services.tickets.meetings import MeetingService
from bot.services.chats.onboarding import OnboardingService
from bot.services.core.ports import RecipientUnreachable
from bot.services.chats.posters import PosterService
from bot.services.stats.uptake import UptakeService
from bot.services.staff.service import StaffDirectory, StaffService
from bot.services.stats.activity import StatsService
from bot.services.tickets.service import TicketService
from bot.services.core.errors import AccessDenied, DomainError
from bot.states import dialog_of, may_hold
from bot.vk.gateway import FileTooLarge, PeerResult, VkGateway


@dataclass
class Services:
    """Everything handlers and jobs use, built once by the composition root (bot/app.py)."""

    settings: Settings
    clock: Clock
    gateway: VkGateway
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

    async def message(self, vk_id: int, text: str, *, keyboard: str | None = None) -> bool:
        """A message to a person's dialog; False if VK will not deliver it to them."""
        try:
            await self.gateway.send(vk_id, text, keyboard=keyboard)
        except RecipientUnreachable:
            return False
        return True


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
    actor: Actor
    peer_id: int
    state: StatePeer | None = None

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.state.payload) if self.state is not None else {}

    async def answer(
        self, text: str, *, keyboard: str | None = None, attachments: Sequence[str] = ()
    ) -> PeerResult:
        return await self.services.gateway.send(
            self.peer_id, text, keyboard=keyboard, attachments=attachments
        )

    async def download(self, url: str, *, max_bytes: int, too_big: str) -> bytes:
        """A file the person sent; `too_big` (what to tell them) when it is over `max_bytes`."""
        try:
            return await self.services.gateway.download(url, max_bytes=max_bytes)
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
        await self.services.gateway.edit(self.peer_id, cmid=self.cmid, text=text, keyboard=keyboard)

    async def snackbar(self, text: str | None = None) -> None:
        if self.answered:
            return
        self.answered = True
        await self.services.gateway.answer_callback(
            self.event_id, self.actor.vk_id, self.peer_id, text
        )
