"""The registry of flows, in the order their handlers are tried.

A flow is found by one name in every layer: `bot/handlers/<flow>`, `bot/states/<flow>.py`,
`bot/keyboards/<flow>.py`, `bot/notices/<flow>.py`, and its domain under `bot/services/`.
vkbottle tries handlers in the order they were added and stops at the first whose rules
match, so the order matters; each entry says why it stands where it does. Whatever no flow
takes reaches the start flow's `last_resort`, loaded after all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vkbottle.bot import BotLabeler
from vkbottle.dispatch.handlers import ABCHandler, FromFuncHandler
from vkbottle.dispatch.rules.base import StateRule
from vkbottle.dispatch.views.bot import BotHandlerBasement, BotMessageView
from vkbottle.tools.mini_types.bot import MessageMin

from bot.handlers import (
    broadcasts,
    chat_creation,
    chat_events,
    chat_import,
    chat_list,
    invitations,
    municipality,
    onboarding,
    posters,
    representatives,
    start,
    stats,
)
from bot.handlers.staff import invite as staff_invite
from bot.handlers.staff import members as staff_members
from bot.handlers.tickets import answers as ticket_answers
from bot.handlers.tickets import opening as ticket_opening
from bot.runtime.buttons import Pressed
from bot.runtime.errors import guarded
from bot.runtime.rules import CallbackCommand, Command
from bot.services.core.ports import CHAT_PEER_OFFSET


@dataclass(frozen=True)
class Flow:
    """One flow's handlers and why they are tried where they are."""

    name: str
    labelers: tuple[BotLabeler, ...]
    order: str


OWN = "its commands and dialog states are its own: any place before chat_list and posters"

FLOWS: list[Flow] = [
    Flow("stats", (stats.labeler,),
         "first; ordinary chat messages never get here: BotApp._route counts them before routing"),
    Flow("chat_events", (chat_events.labeler,),
         "chat service messages (joins, leaves) only: no rule of another flow takes them"),
    Flow("start", (start.labeler,),
         "before every dialog: «Начать», «Меню», «Отмена» and invitation links work in any step"),
    Flow("invitations", (invitations.labeler,),
         "after start: «Меню» and «Отмена» work while a code is awaited"),
    Flow("onboarding", (onboarding.labeler,), OWN),
    Flow("municipality", (municipality.labeler,), OWN),
    Flow("staff", (staff_invite.labeler, staff_members.labeler), OWN),
    Flow("chat_creation", (chat_creation.labeler,), OWN),
    Flow("chat_import", (chat_import.labeler,), OWN),
    Flow("tickets", (ticket_opening.labeler, ticket_answers.labeler), OWN),
    Flow("broadcasts", (broadcasts.labeler,), OWN),
    Flow("representatives", (representatives.labeler,),
         "before chat_list: its button beats the list's typed search"),
    Flow("chat_list", (chat_list.labeler,),
         "after the dialogs: in its browse state any typed text is a search"),
    Flow("posters", (posters.labeler,),
         "after the dialogs: a code-like text inside a dialog belongs to the dialog"),
]
LAST_RESORT = start.last_resort  # anything no flow took: a clear answer


def labelers() -> list[BotLabeler]:
    """Every labeler, in the order they are tried (the last resort last)."""
    return [labeler for flow in FLOWS for labeler in flow.labelers] + [LAST_RESORT]


def build_labeler() -> BotLabeler:
    """A fresh labeler holding every flow's handlers, each guarded (see `guarded`).

    vkbottle's `BotLabeler.load` rebinds the loaded labeler to the target's views, so a second
    bot in the same process (a restart in tests) would inherit the first one's middlewares.
    Copying the handlers keeps the flows' labelers untouched.
    """
    labeler = BotLabeler(message_view=PersonStateView())
    for source in labelers():
        labeler.message_view.handlers.extend(
            _guard(handler) for handler in source.message_view.handlers
        )
        for event, basements in source.raw_event_view.handlers.items():
            labeler.raw_event_view.handlers.setdefault(event, []).extend(
                BotHandlerBasement(b.dataclass, _guard(b.handler)) for b in basements
            )
    return labeler


@dataclass(frozen=True)
class ButtonCommand:
    """A button command some handler answers (its payload's `cmd`)."""

    name: str
    callback: bool  # a callback button (message_event), else a text button's message
    states: tuple[str, ...] = ()  # the dialog steps it answers in ("Group:value"); () anywhere


def button_commands() -> list[ButtonCommand]:
    """Every button command, read from the handlers' own rules: the registry the permission
    tests forge payloads from, so a new command cannot be left out of them."""
    found: dict[ButtonCommand, None] = {}
    for source in labelers():
        for handler in source.message_view.handlers:
            rules = getattr(handler, "rules", ())
            states = tuple(s for r in rules if isinstance(r, StateRule) for s in r.state)
            for rule in rules:
                if isinstance(rule, Command):
                    found.update((ButtonCommand(n, False, states), None) for n in sorted(rule.names))
                if isinstance(rule, Pressed) and not rule.callback:
                    found.update((ButtonCommand(n, False, states), None) for n in sorted(rule.buttons))
        for basements in source.raw_event_view.handlers.values():
            for basement in basements:
                for rule in getattr(basement.handler, "rules", ()):
                    if isinstance(rule, CallbackCommand):
                        found.update((ButtonCommand(n, True), None) for n in sorted(rule.names))
                    if isinstance(rule, Pressed) and rule.callback:
                        found.update((ButtonCommand(n, True), None) for n in sorted(rule.buttons))
    return list(found)


class PersonStateView(BotMessageView):
    """Dialogs belong to people (the state key is the sender, not the chat), and messages in
    group chats carry no dialog state at all: no state lookup for each resident's message."""

    def get_state_key(self, message: MessageMin) -> int | None:
        return None if message.peer_id >= CHAT_PEER_OFFSET else message.from_id


def _guard(handler: ABCHandler[Any]) -> FromFuncHandler:
    if not isinstance(handler, FromFuncHandler):  # labelers' decorators make only these
        raise TypeError(f"cannot guard {handler!r}")
    return FromFuncHandler(guarded(handler.handler), *handler.rules, blocking=handler.blocking)
