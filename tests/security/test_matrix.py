"""The permission matrix: role × action × tenant. Every button command the handlers answer
(read from their rules: `bot.flows.button_commands`, so a new command is in here at once) is
forged by each role of one municipality with the ids of another municipality's chat, staff,
ticket, meeting, broadcast, onboarding and invitations — a dialog's buttons inside the dialog's
step (for the roles that may be in it). Nothing of the other municipality may
change, reach its people, or show up in what the attacker sees.

The other municipality's world is made first, in an empty database, so its rows hold ids 1 and 2
in every table a payload can point at (checked below): one forged payload with every id
argument set to 1 (then 2) aims at all of its objects at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tortoise.expressions import Q

from bot.services.core import texts
from bot.cli import invite_admin
from bot.flows import ButtonCommand, button_commands
from bot.runtime.buttons import BUTTONS, Button
from bot.runtime.payload import MAX_ID, MAX_PAYLOAD_LENGTH
from bot.services.core.access import load_actor
from bot.services.core.phones import format_phone
from bot.states import may_hold
from storage.models import (
    Broadcast,
    Chat,
    DialogState,
    Invitation,
    Meeting,
    Municipality,
    Onboarding,
    Person as PersonRow,
    Poster,
    RoleGrant,
    Ticket,
)
from tests.e2e.conftest import bind_staff, running_stack
from tests.e2e.steps import bind_by_sms, create_chat
from tests.harness import Person, Stack

ROOT = Path(__file__).resolve().parents[2]
FOREIGN_IDS = (1, 2)
QUESTION = "Секретный вопрос про подвал дома семь"
SECRET_BROADCAST = "Секретная рассылка другого города"


UNLIMITED = 1000  # calls a second: VK's 20/s is not what this test is about


@pytest.fixture
async def stack(database_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    """The e2e stack with VK's rate limit lifted on both sides: ~600 forged presses are answered
    in seconds instead of half a minute of waiting for the limiter."""
    async with running_stack(database_url, tmp_path, rate_limit=UNLIMITED) as running:
        yield running


async def assign_representative(staff: Person, phone: str, organisation: str) -> None:
    """From the open chat card: «Назначить представителя» УК <organisation> <phone>."""
    await staff.press("Список чатов")
    await staff.press("1")
    await staff.press("Назначить представителя")
    await staff.press("УК")
    await staff.say(organisation)
    await staff.say(phone)
    await staff.press("Назначить")


async def municipality(
    stack: Stack, name: str, region: str, people: dict[str, tuple[str, str]], organisation: str
) -> dict[str, Person]:
    """A municipality with an admin, a staff member, a house chat with its admin and a
    representative (`people`: role → name and phone), all bound as the bot binds them."""
    assert stack.app is not None
    roles = {role: await stack.person(*who) for role, who in people.items()}
    admin, staff = roles["admin"], roles["staff"]
    await invite_admin(stack.app.services, phone=admin.phone, municipality=name, region=region)
    await bind_by_sms(admin, "Начать")
    await bind_staff(stack, admin, staff)
    await create_chat(staff, f"{organisation} дом", roles["chat admin"].phone, kind="Дом")
    await assign_representative(staff, roles["representative"].phone, organisation)
    await bind_by_sms(roles["chat admin"])
    await bind_by_sms(roles["representative"])
    return roles


async def victim_world(stack: Stack) -> dict[str, Person]:
    """«Другой город», made first (so its rows have the smallest ids), with a ticket, a
    meeting and a broadcast besides."""
    people = await municipality(stack, "Другой город", "Другой регион", {
        "admin": ("Ольга Другая", "+79000000020"),
        "staff": ("Павел Другой", "+79000000021"),
        "chat admin": ("Семён Другой", "+79000000022"),
        "representative": ("Фёдор Другой", "+79000000023"),
    }, "Тайна")
    semyon, fyodor, olga = people["chat admin"], people["representative"], people["admin"]
    await semyon.press("Пригласить представителя")
    await semyon.press("Управляющая компания «Тайна»")
    await semyon.say(QUESTION)
    await semyon.press("Отправить")
    await fyodor.press("Назначить онлайн-встречу")
    await fyodor.say("завтра 12:00")
    await olga.press("Рассылка")
    await olga.press(next(label for label in await olga.keyboard() if label.startswith("Во ")))
    await olga.press("Информационное")
    await olga.say(SECRET_BROADCAST)
    await olga.press("Отправить")
    await stack.finish_background_work()
    return people


async def attackers(stack: Stack) -> dict[str, Person]:
    """«Демо-город»: one person of every role, and a resident with none."""
    people = await municipality(stack, "Демо-город", "Демо-регион", {
        "admin": ("Анна Смирнова", "+79000000001"),
        "staff": ("Борис Петров", "+79000000002"),
        "chat admin": ("Глеб Орлов", "+79000000005"),
        "representative": ("Роман Комфортов", "+79000000011"),
    }, "Комфорт")
    vera = await stack.person("Вера Иванова", "+79000000003")
    await vera.say("Начать")
    return {"resident": vera, **people}


async def assert_victim_rows_hold_the_forged_ids(victim: Municipality) -> None:
    """The premise of the forged payloads: ids 1 and 2 are the victim's."""
    mine = {
        "chat": Chat.filter(municipality=victim),
        "role_grant": RoleGrant.filter(municipality=victim),
        "invitation": Invitation.filter(grant__municipality=victim),
        "ticket": Ticket.filter(municipality=victim),
        "meeting": Meeting.filter(ticket__municipality=victim),
        "broadcast": Broadcast.filter(author__grants__municipality=victim),
        "onboarding": Onboarding.filter(chat__municipality=victim),
    }
    for table, query in mine.items():
        ids = set(await query.values_list("id", flat=True))
        wanted = {1, 2} if table in ("chat", "role_grant", "invitation") else {1}
        assert wanted <= ids, (table, ids)
    assert victim.id == 1


async def snapshot(victim: Municipality, people: list[int]) -> dict[str, Any]:
    """Everything of the victim a forged button could change."""
    m = victim.id
    return {
        "chats": await Chat.filter(municipality_id=m).order_by("id").values(
            "id", "title", "status", "invite_link", "members_count"
        ),
        "grants": await RoleGrant.filter(
            Q(municipality_id=m) | Q(region_id=victim.region_id)  # type: ignore[attr-defined]
        ).order_by("id").values("id", "person_id", "role", "accepted", "chat_id", "notified_at"),
        "invitations": await Invitation.filter(grant__municipality_id=m).order_by("id").values(
            "id", "token", "used_at", "declined_at", "opened_by_vk_id", "expires_at"
        ),
        "tickets": await Ticket.filter(municipality_id=m).order_by("id").values(
            "id", "status", "representative_id", "answer", "deadline_at", "notice_cmid"
        ),
        "meetings": await Meeting.filter(ticket__municipality_id=m).order_by("id").values(
            "id", "status", "starts_at", "ends_at", "invite_link"
        ),
        "broadcasts": await Broadcast.filter(author_id__in=people).order_by("id").values(
            "id", "status", "total", "finished_at"
        ),
        "onboardings": await Onboarding.filter(chat__municipality_id=m).order_by("id").values(
            "id", "step", "completed_at"
        ),
        "posters": await Poster.filter(chat__municipality_id=m).order_by("id").values("id", "code"),
        "people": await PersonRow.filter(id__in=people).order_by("id").values(
            "id", "vk_id", "phone", "current_municipality_id"
        ),
        "states": await DialogState.filter(vk_id__in=people).order_by("vk_id").values(
            "vk_id", "state", "payload"
        ),
    }


async def what_people_saw(stack: Stack, people: list[Person]) -> dict[int, int]:
    """How many messages (and SMS) each of the victim's people has: nobody may write to them."""
    seen = {}
    for person in people:
        conversations = await stack.api("GET", f"/sandbox/people/{person.id}/conversations")
        total = 0
        for conversation in conversations:
            total += len(await person.messages(conversation["peer_id"]))
        seen[person.id] = total + len(await person.sms())
    return seen


def forged(command: ButtonCommand, victim_vk: int) -> list[dict[str, Any]]:
    """The command's payload aimed at the victim's objects: every id argument 1, then 2."""
    return [
        {
            "cmd": command.name, "id": value, "t": value, "m": value, "b": value, "o": value,
            "p": value, "s": 1, "u": victim_vk, "kind": "uk", "field": "title", "q": "", "f": "open",
        }
        for value in FOREIGN_IDS
    ]


async def fire(stack: Stack, person: Person, command: ButtonCommand, payload: dict) -> None:
    """One forged press, without waiting for the answer."""
    if command.callback:
        body: dict[str, Any] = {"peer_id": person.dialog, "payload": payload}
        await stack.api("POST", f"/sandbox/people/{person.id}/callback", body)
    else:
        body = {"peer_id": person.dialog, "text": command.name, "payload": json.dumps(payload)}
        await stack.api("POST", f"/sandbox/people/{person.id}/send", body)


async def settled(stack: Stack) -> None:
    """Everything handled, background work included — with room for five attackers at once."""
    assert stack.app is not None
    await stack.settle(timeout=120)
    await stack.app.services.tasks.drain()
    await stack.settle(timeout=120)


async def attack(stack: Stack, attacker: Person, victim_vk: int) -> tuple[list[str], list[str]]:
    """Every command forged by one person: (answers outside any dialog, everything they saw)."""
    assert stack.app is not None
    states = stack.app.services.states
    roles = (await load_actor(attacker.id)).roles
    first_message = max((m.cmid for m in await attacker.messages()), default=0)
    first_snackbar = len(await attacker.snackbars())
    commands = button_commands()
    # Commands answered anywhere: back to back (one person's updates keep their order).
    for command in commands:
        if not command.states:
            for payload in forged(command, victim_vk):
                await fire(stack, attacker, command, payload)
    await settled(stack)
    outside = [m.text for m in await attacker.messages() if m.cmid > first_message]
    # A dialog's buttons inside its step, if this role may be there at all.
    for command in commands:
        for state in command.states:
            if not may_hold(roles, state):
                continue
            for payload in forged(command, victim_vk):
                await states.set(attacker.id, state)
                await fire(stack, attacker, command, payload)
                await settled(stack)
    await states.delete(attacker.id)
    seen = [m.text for m in await attacker.messages() if m.cmid > first_message]
    return outside, seen + (await attacker.snackbars())[first_snackbar:]


async def test_no_role_of_one_municipality_reaches_another_with_any_button(stack: Stack) -> None:
    victims = await victim_world(stack)
    people = await attackers(stack)
    victim = await Municipality.get(name="Другой город")
    await assert_victim_rows_hold_the_forged_ids(victim)
    victim_ids = [p.id for p in await PersonRow.filter(vk_id__in=[v.id for v in victims.values()])]
    secrets = ["Другой город", "Тайна", QUESTION, SECRET_BROADCAST]
    secrets += [v.name for v in victims.values()] + [format_phone(v.phone) for v in victims.values()]
    secrets += [c["invite_link"] for c in await Chat.filter(municipality=victim).values("invite_link")]
    before = await snapshot(victim, victim_ids)
    seen_before = await what_people_saw(stack, list(victims.values()))

    # The roles attack side by side: different people are served concurrently.
    results = await asyncio.gather(
        *(attack(stack, attacker, victims["staff"].id) for attacker in people.values())
    )
    for role, (outside, seen) in zip(people, results, strict=True):
        assert texts.FAILURE not in outside, role  # a traceback instead of an answer
        leaks = [(secret, text) for text in seen for secret in secrets if secret in text]
        assert leaks == [], role
    assert await snapshot(victim, victim_ids) == before
    assert await what_people_saw(stack, list(victims.values())) == seen_before


def test_every_command_a_keyboard_sends_is_answered_by_a_handler() -> None:
    """The registry is complete: no button the bot draws carries a command nobody handles."""
    drawn = set()
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        drawn |= set(re.findall(r'(?:text_button|callback_button)\([^()]*?,\s*"([a-z_.]+)"', source))
        for pair in re.findall(r'paged_list\(\s*"([a-z_.]+)"[^)]*?"([a-z_.]+)"', source, re.S):
            drawn |= set(pair)
        drawn |= set(re.findall(r'make_payload\(\s*"([a-z_.]+)"', source))
    assert drawn, "the scan found no buttons at all"
    assert drawn - {c.name for c in button_commands()} == set()


def test_every_typed_button_is_answered_by_a_handler_of_its_kind() -> None:
    """Every button class (bot/runtime/buttons.py: the keyboards build typed buttons only from
    these) has a handler, for its kind of press (a text button's message or a callback)."""
    handled = {(c.name, c.callback) for c in button_commands()}
    assert BUTTONS, "no button classes at all"
    assert {(cmd, button.callback) for cmd, button in BUTTONS.items()} - handled == set()


def test_a_typed_button_packs_within_vk_limit_and_unpacks_to_itself() -> None:
    """With every id at its largest, each button fits VK's payload limit and reads back."""
    for button in BUTTONS.values():
        fields = dataclasses.fields(button)  # type: ignore[arg-type]
        largest: Button = button(**{f.name: MAX_ID for f in fields if f.type in (int, "int")})
        packed = largest.pack()
        assert len(packed) <= MAX_PAYLOAD_LENGTH, button
        assert button.unpack(json.loads(packed)) == largest
