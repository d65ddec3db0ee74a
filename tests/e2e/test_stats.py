"""Statistics end to end: residents write in a house chat, staff read the figures, the chart
and the spreadsheet; the coordination chat gets the weekly summary."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from tests.e2e.steps import create_chat, sandbox_chat
from tests.e2e.test_onboarding import TITLE
from tests.harness import TICKING, Person, Stack

COORDINATION = "Координация: Демо-город"


async def residents_write(stack: Stack, staff: Person, messages: dict[str, int]) -> None:
    """A house chat whose residents join by its link and write `messages[name]` each."""
    await create_chat(staff, TITLE, "+79000000005")
    link = (await sandbox_chat(stack, TITLE))["invite_link"]
    for index, (name, count) in enumerate(messages.items()):
        resident = await stack.person(name, f"+7900000004{index}")
        peer = (await resident.open(link))["peer_id"]
        for number in range(count):
            await resident.say(f"Сообщение {number + 1}", peer_id=peer)
    assert stack.app is not None
    await stack.app.services.stats.flush()


async def test_staff_see_the_counts_the_chart_and_the_spreadsheet(
    stack: Stack, staff: Person
) -> None:
    await residents_write(stack, staff, {"Вера": 4, "Олег": 2, "Нина": 1})  # 3 joins: not messages

    (summary,) = await staff.press("Статистика")
    assert "Статистика — Демо-город, за 7 дней" in summary.text
    assert "Чатов: 1, действуют 1" in summary.text
    assert "Участников: 3" in summary.text
    assert "Сообщений: 7, активных авторов в среднем за день: 0,4" in summary.text  # 3 in 7 days
    assert "Вступили: 3, вышли: 0" in summary.text
    assert summary.buttons == ["Выгрузить статистику"]

    (export,) = await staff.press("Выгрузить статистику")
    sheet = load_workbook(io.BytesIO(await stack.download(export))).active
    header, *rows, totals = [list(row) for row in sheet.iter_rows(values_only=True)]
    messages = header.index("Сообщений")
    assert [row[0] for row in rows] == [TITLE]
    assert sum(row[messages] for row in rows) == totals[messages] == 7
    assert rows[0][header.index("Авторов")] == 3

    await staff.press("Список чатов")
    await staff.press("1")
    (chat,) = await staff.press("Статистика")
    assert f"Статистика чата «{TITLE}», за 7 дней" in chat.text
    assert "Сообщений: 7, писали 3 человека" in chat.text
    assert chat.attachments[0]["type"] == "photo"
    chart = Image.open(io.BytesIO(await stack.download(chat)))
    assert (chart.format, chart.size) == ("PNG", (1200, 600))


@pytest.mark.bot_settings(**TICKING)
async def test_the_coordination_chat_gets_the_weekly_summary_once(
    stack: Stack, staff: Person
) -> None:
    await residents_write(stack, staff, {"Вера": 3})
    link = (await sandbox_chat(stack, COORDINATION))["invite_link"]
    coordination = (await staff.open(link))["peer_id"]
    moscow = ZoneInfo("Europe/Moscow")
    now = datetime.now(moscow)
    next_monday = (now + timedelta(days=7 - now.weekday())).replace(hour=9, minute=30)
    stack.clock.set(next_monday)
    await stack.tick()
    await stack.tick()  # once a week only
    texts = [m.text for m in await staff.messages(coordination)]
    weekly = [text for text in texts if text.startswith("Итоги недели")]
    assert len(weekly) == 1
    assert "Демо-город" in weekly[0] and "Сообщений: 3," in weekly[0]
