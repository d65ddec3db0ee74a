"""Chat admin onboarding, posters with verification codes, uptake — end to end."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from tests.e2e.steps import bind_by_sms, create_chat, sandbox_chat
from tests.harness import TICKING, Person, Stack

TITLE = "Плесецкая 16, 7 подъезд"


async def chat_admin(stack: Stack, staff: Person, title: str = TITLE) -> Person:
    """A chat admin reached by SMS (no VK dialog yet) who opens the link and writes."""
    gleb = await stack.person("Глеб Орлов", "+79000000005")
    await create_chat(staff, title, gleb.phone)
    await bind_by_sms(gleb)
    return gleb


def qr_of(pdf: bytes) -> str:
    page = pypdfium2.PdfDocument(pdf)[0]
    (barcode,) = zxingcpp.read_barcodes(page.render(scale=2).to_pil())
    return barcode.text


async def test_a_chat_admin_walks_every_step(stack: Stack, staff: Person) -> None:
    gleb = await chat_admin(stack, staff)
    step1 = await gleb.last()
    assert "Шаг 1 из 4" in step1.text and step1.buttons == ["Проверить"]
    chat = await sandbox_chat(stack, TITLE)

    (not_yet,) = await gleb.press("Проверить")
    assert "Вы ещё не вступили в чат" in not_yet.text

    await gleb.open(chat["invite_link"])  # the bot sees the join and moves on by itself
    seen, text = (await gleb.messages())[-2:]
    assert "Вижу, вы вступили" in seen.text and "Шаг 2 из 4" in seen.text
    assert "первый официальный чат" in text.text and chat["invite_link"] in text.text
    assert text.buttons == ["Готово"]

    step3 = (await gleb.press("Готово"))[-1]
    assert "Шаг 3 из 4" in step3.text and "Код проверки на нём" in step3.text
    pdf = await stack.download(step3)
    page_text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert TITLE in page_text and "Домовые чаты" in page_text and "Код проверки" in page_text
    assert qr_of(pdf) == chat["invite_link"]

    # The staff member sees how far the admin got.
    await staff.press("Список чатов")
    await staff.press("1")
    assert "Подключение администратора: шаг 3 из 4" in (await staff.last()).text

    step4 = (await gleb.press("Готово"))[-1]
    assert "Шаг 4 из 4" in step4.text and "Пригласить представителя" in step4.text
    done = (await gleb.press("Понятно"))[-1]
    assert "подключён" in done.text

    await gleb.press("Проверить")  # a button of a step long passed
    assert (await gleb.snackbars())[-1] == "Этот шаг уже пройден."
    assert (await gleb.last()).cmid == done.cmid  # and nothing else happened


async def test_onboarding_finished_shows_no_step_5_of_4(stack: Stack, staff: Person) -> None:
    gleb = await chat_admin(stack, staff)
    await gleb.open((await sandbox_chat(stack, TITLE))["invite_link"])
    await gleb.press("Готово")
    await gleb.press("Готово")
    (done,) = await gleb.press("Понятно")
    finished = (
        f"Чат «{TITLE}» подключён, все шаги пройдены — спасибо! Когда жители поднимут важный "
        "вопрос, нажмите «Пригласить представителя» в меню."
    )
    assert done.text == finished
    (again,) = await gleb.say("Инструкция")  # asked again later: the same, still no step 5
    assert again.text == finished
    assert not [m.text for m in await gleb.messages() if "Шаг 5" in m.text]


async def test_check_reports_lost_rights_and_tells_staff(stack: Stack, staff: Person) -> None:
    gleb = await chat_admin(stack, staff)
    chat = await sandbox_chat(stack, TITLE)
    await stack.api("POST", f"/sandbox/chats/{chat['id']}/community", {"is_admin": False})
    (reply,) = await gleb.press("Проверить")
    assert "отняли права администратора" in reply.text
    warning = await staff.last()
    assert f"Бот потерял доступ к чату «{TITLE}»" in warning.text
    await staff.press("Список чатов")
    assert "бот удалён из чата" in (await staff.last()).text


async def test_check_when_the_chat_was_deleted(stack: Stack, staff: Person) -> None:
    gleb = await chat_admin(stack, staff)
    chat = await sandbox_chat(stack, TITLE)
    await stack.api("DELETE", f"/sandbox/chats/{chat['id']}")
    (reply,) = await gleb.press("Проверить")
    assert "не найден ВКонтакте" in reply.text
    assert "потерял доступ" in (await staff.last()).text


async def test_poster_codes_verify_and_go_stale_after_a_link_reset(stack: Stack, staff: Person) -> None:
    await create_chat(staff, TITLE, "+79000000005")
    await staff.press("Список чатов")
    await staff.press("1")
    await staff.press("Плакат")
    poster = await staff.last()
    code = poster.text.split("код проверки ")[1].rstrip(".")
    old_link = (await sandbox_chat(stack, TITLE))["invite_link"]
    assert qr_of(await stack.download(poster)) == old_link

    vera = await stack.person("Вера Иванова", "+79000000003")
    (genuine,) = await vera.say(code)
    assert "Объявление настоящее" in genuine.text and TITLE in genuine.text and old_link in genuine.text
    typed = " ".join(code.replace("-", "").lower())  # spaces, lower case
    (again,) = await vera.say(typed.translate(str.maketrans("abekmhopctyx", "авекмнорстух")))
    assert "Объявление настоящее" in again.text  # Cyrillic look-alikes are fine too

    await staff.press("Сменить ссылку")
    new_link = (await sandbox_chat(stack, TITLE))["invite_link"]
    assert new_link != old_link
    (outdated,) = await vera.say(code)
    assert "устарело" in outdated.text and new_link not in outdated.text
    await vera.press("Проверить объявление")
    (unknown,) = await vera.say("AAAA-BBBB")
    assert "Такого кода нет" in unknown.text


@pytest.mark.bot_settings(**TICKING)
async def test_uptake_is_counted_and_the_admin_hears_daily(stack: Stack, staff: Person) -> None:
    gleb = await chat_admin(stack, staff)
    chat = await sandbox_chat(stack, TITLE)
    residents = [await stack.person(f"Житель {i}", f"+7900000003{i}") for i in range(3)]
    peers = [(await resident.open(chat["invite_link"]))["peer_id"] for resident in residents]
    await stack.api("POST", f"/sandbox/people/{residents[0].id}/leave", {"peer_id": peers[0]})
    await stack.settle()
    await staff.press("Список чатов")
    await staff.press("1")
    assert "Участников: 2" in (await staff.last()).text

    assert stack.app is not None
    moscow = ZoneInfo("Europe/Moscow")
    now = datetime.now(moscow)
    ten_thirty = now.replace(hour=10, minute=30, second=0, microsecond=0)
    if ten_thirty <= now:
        ten_thirty += timedelta(days=1)
    stack.clock.set(ten_thirty)
    before = len(await gleb.messages())
    await stack.tick()
    await stack.tick()  # once a day only
    news = (await gleb.messages())[before:]
    assert len(news) == 1
    assert "за сутки присоединились 3 жителя" in news[0].text and "всего в чате 2 участника" in news[0].text


@pytest.mark.bot_settings(**TICKING)
async def test_one_reminder_for_an_admin_who_stalls(stack: Stack, staff: Person) -> None:
    gleb = await chat_admin(stack, staff)
    stack.clock.move(hours=47)
    await stack.tick()
    assert "Напоминаю" not in (await gleb.last()).text
    stack.clock.move(hours=2)
    await stack.tick()
    reminder = await gleb.last()
    assert "Напоминаю о подключении чата" in reminder.text and "Шаг 1 из 4" in reminder.text
    stack.clock.move(hours=72)
    await stack.tick()
    assert (await gleb.last()).cmid == reminder.cmid  # just one reminder


