"""Bulk work through `execute` (VK_EXECUTE, on by default), end to end: a broadcast to many
chats in one request with a call failed inside the script sent again, chats from a file made
12 with their links a request, and an answer to chat creation lost on the way found again by
title — never an orphan chat in VK."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sandbox.bulk import community_posts_per_chat
from storage.models import Chat, ChatStatus
from tests.e2e.test_broadcasts import broadcast, many_house_chats
from tests.harness import TICKING, Person, Stack
from tests.test_chat_import import HEADER, xlsx_bytes

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))  # no quiet hours


def rows(count: int) -> list[list[object]]:
    return [[f"Садовая {n}", "8 900 000-00-05", "Дом", "", "", "", ""] for n in range(1, count + 1)]


async def calls(stack: Stack) -> dict[str, int]:
    return (await stack.stats())["calls"]


async def test_a_broadcast_to_300_chats_is_one_request_and_a_failed_call_goes_again(
    stack: Stack, staff: Person
) -> None:
    stack.clock.set(NOON)
    await many_house_chats(stack, 300)
    await broadcast(staff, "Плановое отключение воды.", kind="Информационное")
    await stack.api("POST", "/sandbox/stats/reset")
    await stack.faults(method_failures={"messages.send": [10]})  # the first send of the script
    await staff.press("Отправить")
    await stack.finish_background_work()
    assert "доставлено в 300 из 300 чатов" in (await staff.last()).text
    posts = community_posts_per_chat(stack.sandbox.world, "📢")
    assert len(posts) == 300 and set(posts.values()) == {1}  # none lost, none twice
    assert (await calls(stack))["execute"] == 1  # 3 sends of 100 peers, one request


async def test_chats_from_a_file_are_made_12_with_their_links_a_request(
    stack: Stack, staff: Person
) -> None:
    await staff.press("Чаты из файла")
    await staff.upload("чаты.xlsx", xlsx_bytes([HEADER, *rows(30)]))
    await stack.api("POST", "/sandbox/stats/reset")
    await staff.press("Создать 30 чатов")
    await stack.finish_background_work()
    assert "Готово: создано чатов — 30 из 30" in (await staff.last()).text
    made = await calls(stack)
    assert made["execute"] == 3 and "messages.createChat" not in made
    links = {c["title"]: c["invite_link"] for c in await stack.api("GET", "/sandbox/chats")}
    for chat in await Chat.filter(title__startswith="Садовая"):
        assert chat.status is ChatStatus.ACTIVE and chat.invite_link == links[chat.title]


@pytest.mark.bot_settings(**TICKING)
async def test_a_lost_answer_to_chat_creation_is_found_by_title_without_an_orphan(
    stack: Stack, staff: Person
) -> None:
    await staff.press("Чаты из файла")
    await staff.upload("чаты.xlsx", xlsx_bytes([HEADER, *rows(20)]))
    # VK makes the first request's 12 chats, but its answer never reaches the bot.
    await stack.faults(lost_answers={"execute": 1})
    await staff.press("Создать 20 чатов")
    await stack.finish_background_work()
    assert "создание чатов приостановлено" in (await staff.last()).text
    await stack.tick()  # the resume job: the lost chats are looked up, the rest created

    titles = Counter(c["title"] for c in await stack.api("GET", "/sandbox/chats"))
    assert all(titles[f"Садовая {n}"] == 1 for n in range(1, 21)), titles  # no orphan, none missing
    chats = await Chat.filter(title__startswith="Садовая")
    assert len(chats) == 20 and all(c.status is ChatStatus.ACTIVE for c in chats)
    by_id = {c.id: c.title for c in stack.sandbox.world.chats.all()}
    assert all(by_id[c.vk_chat_id] == c.title for c in chats)  # each row is its own VK chat
