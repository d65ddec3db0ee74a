"""Notices: every message the bot sends on its own initiative — ticket notifications and meeting
announcements, onboarding steps, broadcast progress and reports, import progress, summaries —
rendered and sent here, one module per flow, through the `Messenger` port. Handlers answer the
person who wrote and call notices for anyone else; jobs call notices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.notices.broadcasts import BroadcastNotices
from bot.notices.chat_events import ChatEventNotices
from bot.notices.chat_import import ImportNotices
from bot.notices.chat_list import ChatListNotices
from bot.notices.invitations import InvitationNotices
from bot.notices.onboarding import OnboardingNotices
from bot.notices.stats import StatsNotices
from bot.notices.tickets import TicketNotices
from bot.services.core.ports import Messenger

if TYPE_CHECKING:
    from bot.runtime.context import Services


@dataclass(frozen=True)
class Notices:
    tickets: TicketNotices
    onboarding: OnboardingNotices
    invitations: InvitationNotices
    broadcasts: BroadcastNotices
    chat_import: ImportNotices
    chat_list: ChatListNotices
    chat_events: ChatEventNotices
    stats: StatsNotices


def build_notices(messenger: Messenger, services: Services) -> Notices:
    return Notices(
        tickets=TicketNotices(messenger, services),
        onboarding=OnboardingNotices(messenger, services),
        invitations=InvitationNotices(messenger, services),
        broadcasts=BroadcastNotices(messenger, services),
        chat_import=ImportNotices(messenger, services),
        chat_list=ChatListNotices(messenger, services),
        chat_events=ChatEventNotices(messenger, services),
        stats=StatsNotices(messenger, services),
    )
