"""Handler modules, in the order they are tried (the fallback last)."""

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
    chat_create,
    chat_events,
    chat_import,
    chat_list,
    escalation,
    fallback,
    invitations,
    municipality,
    onboarding,
    posters,
    representatives,
    staff_invite,
    staff_list,
    start,
    stats,
    tickets,
)
from bot.runtime.errors import guarded
from bot.runtime.rules import CallbackCommand, Command
from bot.services.ports import CHAT_PEER_OFFSET

MODULES = (
    stats,  # ordinary chat messages never get here: BotApp._route counts them first
    chat_events,
    start,
    invitations,  # after start: «Меню» and «Отмена» work while a code is awaited
    onboarding,
    municipality,
    staff_invite,
    staff_list,
    chat_create,
    chat_import,
    escalation,
    tickets,
    broadcasts,
    representatives,  # before chat_list: its button beats the list's typed search
    chat_list,
    posters,  # after the dialogs: a code-like text inside a dialog belongs to the dialog
    fallback,
)


def build_labeler() -> BotLabeler:
    """A fresh labeler holding every module's handlers, each guarded (see `guarded`).

    vkbottle's `BotLabeler.load` rebinds the loaded labeler to the target's views, so a second
    bot in the same process (a restart in tests) would inherit the first one's middlewares.
    Copying the handlers keeps the module labelers untouched.
    """
    labeler = BotLabeler(message_view=PersonStateView())
    for module in MODULES:
        source: BotLabeler = module.labeler
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
    for module in MODULES:
        source: BotLabeler = module.labeler
        for handler in source.message_view.handlers:
            rules = getattr(handler, "rules", ())
            states = tuple(s for r in rules if isinstance(r, StateRule) for s in r.state)
            for rule in rules:
                if isinstance(rule, Command):
                    found.update((ButtonCommand(n, False, states), None) for n in sorted(rule.names))
        for basements in source.raw_event_view.handlers.values():
            for basement in basements:
                for rule in getattr(basement.handler, "rules", ()):
                    if isinstance(rule, CallbackCommand):
                        found.update((ButtonCommand(n, True), None) for n in sorted(rule.names))
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
