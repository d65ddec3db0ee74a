"""Official broadcasts end to end: emergency and pinned, quiet hours, scopes, failures, stop."""

from __future__ import annotations

import asyncio
import signal
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.core.access import load_actor
from bot.services.core.tenants import find_or_create_municipality
from sandbox.bulk import community_posts_per_chat, create_chats
from storage.models import BroadcastKind, Chat, ChatKind, ChatStatus
from tests.e2e.conftest import main_py
from tests.e2e.steps import bind_by_sms, create_chat, sandbox_chat
from tests.harness import TICKING, Person, Stack

MSK = ZoneInfo("Europe/Moscow")
HEADER = "📢 Официально · Муниципалитет «Демо-город»"


async def residents_in(stack: Stack, titles: list[str]) -> dict[str, tuple[Person, int]]:
    """A resident who joined each chat: (person, the chat's peer as they see it)."""
    joined = {}
    for index, title in enumerate(titles):
        person = await stack.person(f"Житель {index}", f"+7900000004{index}")
        chat = await sandbox_chat(stack, title)
        joined[title] = (person, (await person.open(chat["invite_link"]))["peer_id"])
    return joined


async def many_house_chats(stack: Stack, count: int) -> None:
    """`count` house chats of the demo municipality, made straight in the sandbox and the database."""
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    made = create_chats(stack.sandbox.world, [f"Дом {i}" for i in range(count)])
    await Chat.bulk_create([
        Chat(municipality=municipality, title=f"Дом {i}", title_key=f"дом {i}", kind=ChatKind.HOUSE,
             status=ChatStatus.ACTIVE, vk_chat_id=chat_id, peer_id=peer, invite_link=link)
        for i, (chat_id, peer, link) in enumerate(made)
    ])


def at_eleven_pm(stack: Stack) -> datetime:
    """Move the bot's clock to the next 23:00 in Moscow; that moment."""
    now = datetime.now(MSK)
    eleven_pm = now.replace(hour=23, minute=0, second=0, microsecond=0)
    if eleven_pm < now:
        eleven_pm += timedelta(days=1)
    stack.clock.set(eleven_pm)
    return eleven_pm


async def broadcast(staff: Person, text: str, *, kind: str = "Экстренное", scope: str | None = None) -> None:
    await staff.press("Рассылка")
    if scope is None:
        labels = await staff.keyboard()
        await staff.press(next(label for label in labels if label.startswith("Во ")))
    else:
        await staff.press("Найти чаты по адресу")
        await staff.say(scope)
    await staff.press(kind)
    await staff.say(text)


async def test_emergency_reaches_three_chats_highlighted_and_pinned(stack: Stack, staff: Person) -> None:
    titles = ["Невский 124", "Садовая 1", "Лиговский 10"]
    for index, title in enumerate(titles):
        await create_chat(staff, title, f"+7900000005{index}")
    people = await residents_in(stack, titles)
    await broadcast(staff, "Авария на водопроводе: вода будет к 18:00.")
    preview = await staff.last()
    assert f"{HEADER}\n\nАвария на водопроводе" in preview.text and "Получат: 3 чата" in preview.text
    await staff.press("Отправить")
    await stack.finish_background_work()
    for title, (person, peer) in people.items():
        *_, last, pin_notice = await person.messages(peer)
        assert pin_notice.raw["action"]["type"] == "chat_pin_message", title
        assert last.text == f"{HEADER}\n\nАвария на водопроводе: вода будет к 18:00.", title
        assert last.raw["official"] and last.raw["pinned"], title
    report = await staff.last()
    assert "доставлено в 3 из 3 чатов" in report.text
    progress = next(m for m in await staff.messages() if m.text.startswith("Рассылка №1:"))
    assert progress.text == "Рассылка №1: отправлено в 3 из 3 чатов…"  # edited in place to the end


async def test_an_emergency_pins_in_batches_and_a_chat_without_rights_still_gets_it(
    stack: Stack, staff: Person
) -> None:
    titles = ["Невский 124", "Садовая 1"]
    for index, title in enumerate(titles):
        await create_chat(staff, title, f"+7900000005{index}")
    people = await residents_in(stack, titles)
    no_rights = await sandbox_chat(stack, "Садовая 1")
    await stack.api("POST", f"/sandbox/chats/{no_rights['id']}/community", {"is_admin": False})
    await stack.api("POST", "/sandbox/stats/reset")
    await broadcast(staff, "Авария: отключение света.")
    await staff.press("Отправить")
    await stack.finish_background_work()
    (pinned_person, pinned_peer), (other_person, other_peer) = people.values()
    assert [m.text for m in await pinned_person.messages(pinned_peer) if m.raw["pinned"]] == [
        f"{HEADER}\n\nАвария: отключение света."
    ]
    last = (await other_person.messages(other_peer))[-1]
    assert last.text.endswith("Авария: отключение света.") and not last.raw["pinned"]
    calls = (await stack.stats())["calls"]
    assert calls.get("execute") == 1 and "messages.pin" not in calls  # both pins in one request


@pytest.mark.bot_settings(**TICKING)
async def test_informational_at_23_waits_until_8(stack: Stack, staff: Person) -> None:
    """Held over the quiet hours, the broadcast goes out at 8:00 by the running scheduler."""
    await create_chat(staff, "Невский 124", "+79000000050")
    (person, peer), = (await residents_in(stack, ["Невский 124"])).values()
    eleven_pm = at_eleven_pm(stack)
    await broadcast(staff, "Плановая проверка лифтов в среду.", kind="Информационное")
    (waiting, _menu) = await staff.press("Отправить")
    morning = (eleven_pm + timedelta(days=1)).replace(hour=8)
    assert f"рассылка уйдёт {morning:%d.%m.%y} в 08:00" in waiting.text
    await stack.tick()
    assert "Плановая проверка" not in (await person.messages(peer))[-1].text
    stack.clock.set(morning + timedelta(minutes=1))
    await stack.tick()
    assert (await person.messages(peer))[-1].text.endswith("Плановая проверка лифтов в среду.")


async def test_a_representative_reaches_only_their_chats(stack: Stack, staff: Person) -> None:
    await create_chat(staff, "Невский 124", "+79000000050")
    await create_chat(staff, "Садовая 1", "+79000000051")
    rep = await stack.person("Роман Комфортов", "+79000000011")
    await staff.press("Список чатов")
    await staff.say("невский")
    await staff.press("Назначить представителя найденным")
    await staff.press("УК")
    await staff.say("Комфорт")
    await staff.say(rep.phone)
    await staff.press("Назначить")
    await bind_by_sms(rep)
    people = await residents_in(stack, ["Невский 124", "Садовая 1"])
    (choice,) = await rep.press("Рассылка")
    assert "Во все ваши чаты (1)" in choice.buttons or "Во все ваши чаты (1)" in await rep.keyboard()
    await rep.press("В один чат")
    sadovaya = await Chat.get(title="Садовая 1")
    (refused,) = await rep.say("Садовая", payload=f'{{"cmd":"broadcast.chat","id":{sadovaya.id}}}')
    assert "недоступен" in refused.text  # a forged button for another chat
    await rep.press("Отмена")
    await rep.press("Рассылка")
    await rep.press("Во все ваши чаты (1)")
    await rep.press("Информационное")
    (preview,) = await rep.say("Завтра промывка системы отопления.")
    assert "📢 Официально · Управляющая компания «Комфорт»" in preview.text
    stack.clock.set(datetime.now(MSK).replace(hour=12))
    await rep.press("Отправить")
    await stack.finish_background_work()
    nevsky, sadovaya_resident = people["Невский 124"], people["Садовая 1"]
    assert "промывка" in (await nevsky[0].messages(nevsky[1]))[-1].text
    assert all("промывка" not in m.text for m in await sadovaya_resident[0].messages(sadovaya_resident[1]))


async def test_lost_chats_are_reported_and_flagged(stack: Stack, staff: Person) -> None:
    for index, title in enumerate(["Невский 124", "Садовая 1"]):
        await create_chat(staff, title, f"+7900000005{index}")
    gone = await sandbox_chat(stack, "Садовая 1")
    await stack.api("DELETE", f"/sandbox/chats/{gone['id']}")
    await broadcast(staff, "Отключение света в 14:00.")
    await staff.press("Отправить")
    await stack.finish_background_work()
    report = await staff.last()
    assert "доставлено в 1 из 2 чатов" in report.text
    assert "• «Садовая 1»: чат отключён ВКонтакте" in report.text
    await staff.press("Список чатов")
    assert "Садовая 1 — отключён ВКонтакте" in (await staff.last()).text


async def test_bad_input(stack: Stack, staff: Person) -> None:
    await create_chat(staff, "Невский 124", "+79000000050")
    await staff.press("Рассылка")
    await staff.press("Найти чаты по адресу")
    (nothing,) = await staff.say("Марс")
    assert "чатов не нашлось" in nothing.text
    await staff.press("Отмена")
    await broadcast(staff, "Я" * 3600)
    assert "длиннее 3500 символов" in (await staff.last()).text
    (accepted,) = await staff.say("Короткий текст")
    assert "Так увидят жители" in accepted.text
    first = await staff.press("Отправить")
    second = await staff.say("Отправить", payload='{"cmd":"broadcast.send"}')  # pressed twice
    await stack.finish_background_work()
    assert any("Рассылка №1" in m.text for m in first)
    assert any("Не понял" in m.text for m in second)  # the second press did not send again
    posts = community_posts_per_chat(stack.sandbox.world, "📢")
    assert list(posts.values()) == [1]


@pytest.mark.bot_settings(vk_execute=False)  # a request per 100 chats: stopped half-way
async def test_stop_skips_what_is_not_sent(stack: Stack, staff: Person) -> None:
    await many_house_chats(stack, 2000)
    await stack.faults(delay_ms=300)  # slow enough to stop half-way
    await broadcast(staff, "Проверка связи.")
    await staff.press("Отправить")
    await staff.press("Остановить")
    await stack.faults(delay_ms=0)
    await stack.finish_background_work()
    report = await staff.last()
    assert "остановлена" in report.text and "Не отправлено после остановки" in report.text
    assert sum(community_posts_per_chat(stack.sandbox.world, "📢").values()) < 2000


@pytest.mark.bot_settings(**TICKING)
async def test_one_broadcast_at_a_time_per_person(stack: Stack, staff: Person) -> None:
    await create_chat(staff, "Невский 124", "+79000000050")
    eleven_pm = at_eleven_pm(stack)
    await broadcast(staff, "Плановая проверка лифтов.", kind="Информационное")
    (waiting, _menu) = await staff.press("Отправить")  # waits for the morning: still active
    assert "рассылка уйдёт" in waiting.text
    await broadcast(staff, "Вторая, пока первая не ушла.", kind="Информационное")
    refused = await staff.press("Отправить")
    assert any("У вас уже идёт рассылка" in m.text for m in refused)
    stack.clock.set(eleven_pm + timedelta(days=1, hours=9))
    await stack.tick()
    posts = community_posts_per_chat(stack.sandbox.world, "📢")
    assert list(posts.values()) == [1]  # only the first one went out


async def test_a_broadcast_killed_half_way_delivers_exactly_one_copy_everywhere(
    stack: Stack, staff: Person
) -> None:
    await many_house_chats(stack, 1200)
    assert stack.app is not None
    service = stack.app.services.broadcasts
    actor = await load_actor(staff.id)
    draft, _ = await service.draft(actor, author_peer=staff.id, kind=BroadcastKind.EMERGENCY,
                                  text="Авария: отключение воды.", file=None)
    await service.confirm(actor, draft.id, "", None)
    await stack.stop_bot()  # the broadcast is left to the separate bot process
    await stack.faults(delay_ms=150)

    one_per_100 = {"VK_EXECUTE": "false"}  # a request per 100 chats: killed half-way
    first = await main_py(stack, env=one_per_100)
    while sum(community_posts_per_chat(stack.sandbox.world, "📢").values()) < 300:
        await asyncio.sleep(0.02)
    first.kill()  # SIGKILL, half-way
    await first.wait()
    sent_before = sum(community_posts_per_chat(stack.sandbox.world, "📢").values())
    assert 0 < sent_before < 1200

    await stack.faults(delay_ms=0)
    second = await main_py(stack, env=one_per_100)
    for _ in range(600):
        if len(community_posts_per_chat(stack.sandbox.world, "📢")) == 1200:
            break
        await asyncio.sleep(0.1)
    second.send_signal(signal.SIGTERM)
    await second.wait()
    posts = community_posts_per_chat(stack.sandbox.world, "📢")
    assert len(posts) == 1200 and set(posts.values()) == {1}  # every chat: exactly one copy
    await stack.start_bot()
