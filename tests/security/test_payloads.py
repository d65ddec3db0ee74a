"""Forged button payloads and deep-link refs: the normal «кнопка устарела» answer, never the
generic failure (which meant a traceback: a database overflow, a bool taken for id 1)."""

from __future__ import annotations

import json
import logging

import pytest

from bot.services.core import texts
from tests.e2e.steps import create_chat
from tests.harness import Person, Stack

FORGED_IDS = [2**63, 10**30, 2**31, -1, True, False, "1", 1.5, None, [1], {"id": 1}]


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_forged_callback_ids_and_pages_are_stale_buttons(
    stack: Stack, staff: Person, caplog: pytest.LogCaptureFixture
) -> None:
    await create_chat(staff, "Ленина 9", kind="Дом")  # chat id 1 exists: `true` must not open it
    await staff.press("Список чатов")
    before = len(await staff.snackbars())
    with caplog.at_level(logging.ERROR):
        for value in FORGED_IDS:
            assert await staff.forge({"cmd": "chats.card", "id": value}) == [], value
        for page in (2**63, 10**30, True):
            assert await staff.forge({"cmd": "chats.page", "p": page}) == [], page
    assert (await staff.snackbars())[before:] == [texts.STALE_BUTTON] * (len(FORGED_IDS) + 3)
    assert errors(caplog) == []


async def test_forged_text_button_ids_are_stale_buttons(
    stack: Stack, admin: Person, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        for value in (2**63, 10**30, True, "2", None):
            payload = json.dumps({"cmd": "municipality.set", "id": value})
            (reply,) = await admin.say("Демо-город", payload=payload)
            assert reply.text == texts.STALE_BUTTON, value
    assert errors(caplog) == []


async def test_an_overlong_ref_is_an_unknown_invitation(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    zahar = await stack.person("Захар Иванов", "+79000000066")
    with caplog.at_level(logging.ERROR):
        for length in (65, 300, 2000):
            await zahar.open(f"https://vk.me/{stack.sandbox.config.screen_name}?ref={'A' * length}")
            (reply,) = await zahar.say("Здравствуйте")
            assert "Приглашение не найдено" in reply.text, length
    assert errors(caplog) == []
