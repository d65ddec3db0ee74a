"""Typed button payloads: one small class per button command, packed by the keyboards and
unpacked by the rule that routes the press to its handler.

A button class is a frozen dataclass declaring its command (the payload's `cmd`) and its
arguments (the payload's other keys, by field name), in the spirit of aiogram's `CallbackData`:

    @dataclass(frozen=True)
    class StaffCard(Button, cmd="staff.card", callback=True):
        id: int

    callback_button("1", StaffCard(id=grant.id))            # the keyboard packs it
    @labeler.raw_event(..., Pressed(StaffCard))             # the rule unpacks it:
    async def card(event: dict, turn: CallbackTurn, button: StaffCard) -> None: ...

The `cmd` strings and JSON keys are the ones buttons already in people's dialogs carry, so
they must never change. Arguments are read as bot/runtime/payload.py reads them (forged
payloads are expected): an `int` is 0..MAX_ID and never a boolean, a `str` is a string; a
missing argument takes the field's default or makes the press stale. A press whose arguments
no button of the bot carries is answered «кнопка устарела» by the handler's guard
(bot/runtime/errors.py: `guarded`), the handler does not run.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, ClassVar, Self

from vkbottle.dispatch.rules import ABCRule

from bot.runtime.payload import MAX_ID, StaleButton, make_payload, parse_payload

BUTTONS: dict[str, type[Button]] = {}  # every button class by its command: the registry


class Button:
    """The base of every button class (subclass it as a frozen dataclass)."""

    cmd: ClassVar[str]
    callback: ClassVar[bool]  # a callback button (message_event), else a text button

    def __init_subclass__(cls, *, cmd: str, callback: bool, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.cmd = cmd
        cls.callback = callback
        if not cmd:  # a base of several commands' classes, never packed itself
            return
        if cmd in BUTTONS:
            raise TypeError(f"button command {cmd!r} is declared twice")
        BUTTONS[cmd] = cls

    def pack(self) -> str:
        """The payload JSON; ValueError when over VK's 255-character limit."""
        args = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return make_payload(self.cmd, **args)

    @classmethod
    def unpack(cls, payload: dict[str, Any]) -> Self:
        """The button of a parsed payload (see `parse_payload`); StaleButton when its arguments
        are not what this command's buttons carry."""
        if payload.get("cmd") != cls.cmd:
            raise StaleButton()
        hints = typing.get_type_hints(cls)
        args: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name not in payload:
                if f.default is dataclasses.MISSING:
                    raise StaleButton()
                continue
            value = payload[f.name]
            kind = hints[f.name]
            if kind is int:
                if type(value) is not int or not 0 <= value <= MAX_ID:
                    raise StaleButton()
            elif kind is str:
                if not isinstance(value, str):
                    raise StaleButton()
            else:  # a declaration this module cannot read: a bug, not a forged press
                raise TypeError(f"{cls.__name__}.{f.name}: only int and str arguments")
            args[f.name] = value
        return cls(**args)


@dataclasses.dataclass(frozen=True)
class StalePress:
    """What the rule hands over for a known command with unreadable arguments."""


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


class Pressed(ABCRule[Any]):
    """A press of one of `buttons` — a text button's message, or a callback button's
    `message_event` — or one of `texts` typed by hand (text buttons without arguments only).
    The handler gets the unpacked button as `button` (and the raw dict as `payload`)."""

    def __init__(self, *buttons: type[Button], texts: tuple[str, ...] = ()) -> None:
        if not buttons or len({b.callback for b in buttons}) != 1:
            raise TypeError("Pressed takes buttons of one kind: text or callback")
        self.buttons = {b.cmd: b for b in buttons}
        self.callback = buttons[0].callback
        self.texts = frozenset(_normalise(t) for t in texts)

    async def check(self, event: Any) -> dict[str, Any] | bool:
        if self.callback:
            if not isinstance(event, dict):
                return False
            payload = parse_payload((event.get("object") or {}).get("payload"))
        else:
            if isinstance(event, dict):
                return False
            payload = parse_payload(event.payload)
            if not event.payload and _normalise(event.text or "") in self.texts:
                button = next(iter(self.buttons.values()))
                return {"payload": {}, "button": _unpacked(button, {"cmd": button.cmd})}
        pressed = self.buttons.get(payload.get("cmd", ""))
        if pressed is None:
            return False
        return {"payload": payload, "button": _unpacked(pressed, payload)}


def _unpacked(button: type[Button], payload: dict[str, Any]) -> Button | StalePress:
    try:
        return button.unpack(payload)
    except StaleButton:
        return StalePress()


# -- stats ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Stats(Button, cmd="stats", callback=False):
    """«Статистика» in the menu: the municipality's summary."""


@dataclasses.dataclass(frozen=True)
class StatsExport(Button, cmd="stats.export", callback=True):
    """The municipality's spreadsheet (`id`: the municipality)."""

    id: int


@dataclasses.dataclass(frozen=True)
class ChatStats(Button, cmd="chat.stats", callback=True):
    """A chat's summary with its chart, from the chat's card (`id`: the chat)."""

    id: int


# -- onboarding -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OnboardingMenu(Button, cmd="onboarding", callback=False):
    """«Инструкция» in the menu: a chat admin's onboarding."""


@dataclasses.dataclass(frozen=True)
class OnboardingOpen(Button, cmd="onb.open", callback=True):
    """One of the chat admin's onboardings (`o`), when they have several chats."""

    o: int


@dataclasses.dataclass(frozen=True)
class OnboardingStepButton(Button, cmd="", callback=True):
    """A button of an onboarding's (`o`) current step; the step (`s`) makes old ones harmless."""

    o: int
    s: int


@dataclasses.dataclass(frozen=True)
class OnboardingNext(OnboardingStepButton, cmd="onb.next", callback=True):
    """«Готово» / «Понятно»: on to the next step."""


@dataclasses.dataclass(frozen=True)
class OnboardingCheck(OnboardingStepButton, cmd="onb.check", callback=True):
    """«Проверить»: the bot checks that the step is done."""


@dataclasses.dataclass(frozen=True)
class OnboardingLink(OnboardingStepButton, cmd="onb.link", callback=True):
    """«Сменить ссылку»: a new invite link for the chat."""


# -- staff ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StaffList(Button, cmd="staff.list", callback=False):
    """«Сотрудники» in the menu."""


@dataclasses.dataclass(frozen=True)
class StaffInviteStart(Button, cmd="staff.invite", callback=False):
    """«Пригласить сотрудников» in the menu."""


@dataclasses.dataclass(frozen=True)
class StaffInviteMunicipality(Button, cmd="staff.invite.municipality", callback=False):
    """The municipality (`id`) to invite staff to, when the admin has several."""

    id: int


@dataclasses.dataclass(frozen=True)
class StaffInviteSend(Button, cmd="staff.invite.send", callback=False):
    """«Отправить приглашения»: the confirmation."""


@dataclasses.dataclass(frozen=True)
class StaffPage(Button, cmd="staff.page", callback=True):
    """A page (`p`) of the staff list."""

    p: int = 1


@dataclasses.dataclass(frozen=True)
class StaffCard(Button, cmd="staff.card", callback=True):
    """A staff member's card (`id`: their role grant)."""

    id: int


@dataclasses.dataclass(frozen=True)
class StaffResend(Button, cmd="staff.resend", callback=True):
    """Send a staff member's (`id`: the grant) invitation again."""

    id: int


@dataclasses.dataclass(frozen=True)
class StaffRemove(Button, cmd="staff.remove", callback=True):
    """Remove a staff member (`id`: the grant)."""

    id: int


# -- municipality ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MunicipalityChoose(Button, cmd="municipality.choose", callback=False):
    """«Сменить муниципалитет» in the menu."""


@dataclasses.dataclass(frozen=True)
class MunicipalitySet(Button, cmd="municipality.set", callback=False):
    """The municipality (`id`) to work in."""

    id: int


# -- chat_import ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChatImportStart(Button, cmd="chat.import", callback=False):
    """«Чаты из файла»: chats from a spreadsheet."""


@dataclasses.dataclass(frozen=True)
class ChatImportConfirm(Button, cmd="import.confirm", callback=False):
    """«Создать N чатов»: the import's confirmation."""


# -- posters --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PosterCheckStart(Button, cmd="poster.check", callback=False):
    """«Проверить объявление»: a poster's code to check."""


# -- invitations ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InviteAccept(Button, cmd="invite.accept", callback=True):
    """The invited person accepts the invitation (`id`)."""

    id: int


@dataclasses.dataclass(frozen=True)
class InviteDecline(Button, cmd="invite.decline", callback=True):
    """The invited person declines the invitation (`id`)."""

    id: int


@dataclasses.dataclass(frozen=True)
class InviteConfirm(Button, cmd="invite.confirm", callback=True):
    """The inviter confirms that the VK account `u` opened the staff invitation `id`."""

    id: int
    u: int


@dataclasses.dataclass(frozen=True)
class InviteReject(Button, cmd="invite.reject", callback=True):
    """The inviter says the VK account `u` is not who the staff invitation `id` was for."""

    id: int
    u: int
