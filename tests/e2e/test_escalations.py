"""Escalations end to end: tickets, official answers, online meetings in temporary chats,
deadlines — with a moved clock instead of waiting."""

from __future__ import annotations

import asyncio
import io
import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.services.core.access import load_actor
from bot.services.core.errors import AccessDenied, DomainError
from tests.e2e.steps import bind_by_sms, create_chat, sandbox_chat
from tests.harness import TICKING, Person, Stack
from tests.sandbox.helpers import png

TITLE = "Моросейка 17"
QUESTION = "Жильцы предлагают нарисовать граффити Гагарина на фасаде ко дню космонавтики"
MSK = ZoneInfo("Europe/Moscow")


@dataclass
class House:
    admin: Person
    rep: Person
    resident: Person
    chat: dict
    admin_peer: int  # the house chat as the admin sees it
    resident_peer: int


@pytest.fixture
async def house(stack: Stack, staff: Person) -> House:
    return await make_house(stack, staff)


async def make_house(stack: Stack, staff: Person, *, rep_bound: bool = True) -> House:
    """A house chat with its admin and a UK representative (who has written to the bot, unless
    not `rep_bound`) and a resident in it."""
    admin = await stack.person("Глеб Орлов", "+79000000005")
    rep = await stack.person("Роман Комфортов", "+79000000011")
    resident = await stack.person("Вера Иванова", "+79000000003")
    await create_chat(staff, TITLE, admin.phone)
    await staff.press("Список чатов")
    await staff.press("1")
    await staff.press("Назначить представителя")
    await staff.press("УК")
    await staff.say("Комфорт")
    await staff.say(rep.phone)
    await staff.press("Назначить")
    await bind_by_sms(admin)
    if rep_bound:
        await bind_by_sms(rep)
    chat = await sandbox_chat(stack, TITLE)
    admin_peer = (await admin.open(chat["invite_link"]))["peer_id"]
    resident_peer = (await resident.open(chat["invite_link"]))["peer_id"]
    return House(admin, rep, resident, chat, admin_peer, resident_peer)


async def escalate(house: House, question: str = QUESTION) -> int:
    await house.admin.press("Пригласить представителя")
    await house.admin.press("Управляющая компания «Комфорт»")
    await house.admin.say(question)
    *_, done = await house.admin.press("Отправить")
    assert "передано" in done.text
    return int(done.text.split("№")[1].split(" ")[0])


async def test_escalation_answer_and_highlighted_official_message(stack: Stack, house: House) -> None:
    number = await escalate(house)
    passed = (await house.resident.messages(house.resident_peer))[-1]
    assert f"обращение №{number}" in passed.text and "Срок ответа" in passed.text

    notice = await house.rep.last()
    assert notice.text.startswith(f"Поступило обращение от УД по адресу «{TITLE}» №{number} «{QUESTION}»")
    assert notice.buttons == ["Ответить", "Назначить онлайн-встречу"]

    await house.rep.press("Ответить")
    edited = next(m for m in await house.rep.messages() if m.cmid == notice.cmid)
    assert "Вы выбрали: ответить" in edited.text and edited.buttons == []  # a second press is gone

    (empty,) = await house.rep.upload("фасад.png", png(), kind="photo")  # a photo, no words
    assert "Ответ пустой" in empty.text
    (preview,) = await house.rep.say("Согласуем эскиз на общем собрании 15 марта.")
    assert f"📢 Официально · Управляющая компания «Комфорт» · обращение №{number}" in preview.text
    await house.rep.press("Опубликовать")

    official = (await house.resident.messages(house.resident_peer))[-1]
    assert official.text == (
        f"📢 Официально · Управляющая компания «Комфорт» · обращение №{number}\n\n"
        "Согласуем эскиз на общем собрании 15 марта."
    )
    assert official.raw["official"]
    assert f"ответил на обращение №{number}" in (await house.admin.last()).text

    rep_actor = await load_actor(house.rep.id)
    assert stack.app is not None
    with pytest.raises(DomainError, match="уже ответили"):  # a replayed «Ответить»
        await stack.app.services.tickets.answerable(rep_actor, number)


def noise_png(width: int, height: int) -> bytes:
    """A photo that does not compress: as big as a real phone photo of the same size."""
    pixels = random.Random(width * height).randbytes(width * height * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(buffer, "PNG")
    return buffer.getvalue()


async def test_downloaded_files_are_cut_a_photo_and_an_answer_file_arrive_whole(
    stack: Stack, house: House
) -> None:
    photo = noise_png(1600, 1000)
    assert len(photo) > 4_000_000
    await house.admin.press("Пригласить представителя")
    await house.admin.press("Управляющая компания «Комфорт»")
    await house.admin.upload("фасад.png", photo, kind="photo", text=QUESTION)
    *_, done = await house.admin.press("Отправить")
    assert "передано" in done.text
    notice = await house.rep.last()
    assert notice.buttons == ["Ответить", "Назначить онлайн-встречу"]
    assert await stack.download(notice) == photo

    document = b"%PDF-1.4\n" + random.Random(3).randbytes(3_000_000)
    await house.rep.press("Ответить")
    await house.rep.upload("смета.pdf", document, text="Смета ремонта фасада — во вложении.")
    await house.rep.press("Опубликовать")
    official = (await house.resident.messages(house.resident_peer))[-1]
    assert "Смета ремонта фасада" in official.text
    assert await stack.download(official) == document


async def test_a_representative_of_another_chat_cannot_use_the_button(stack: Stack, house: House, staff: Person) -> None:
    number = await escalate(house)
    other = await stack.person("Чужой Представитель", "+79000000012")
    await create_chat(staff, "Садовая 1", "+79000000006")
    await staff.press("Список чатов")
    await staff.say("садовая")
    await staff.press("Назначить представителя найденным")
    await staff.press("УК")
    await staff.press("Пропустить")
    await staff.say(other.phone)
    await staff.press("Назначить")
    await bind_by_sms(other)
    assert stack.app is not None
    intruder = await load_actor(other.id)
    with pytest.raises(AccessDenied):
        await stack.app.services.tickets.answerable(intruder, number)
    with pytest.raises(AccessDenied):
        await stack.app.services.tickets.answer(intruder, number, "чужой ответ", None)


async def test_a_representative_from_the_sms_link_sees_what_waits_for_him(
    stack: Stack, staff: Person
) -> None:
    """The representative never wrote to the community: the ticket reaches him by SMS; he opens
    its link, writes «Начать», accepts the role and sees the ticket with its buttons at once."""
    house = await make_house(stack, staff, rep_bound=False)
    rep = house.rep
    number = await escalate(house)
    sms = (await rep.sms())[-1]["text"]
    assert f"обращение №{number} по адресу «{TITLE}» ждёт ответа" in sms

    welcome, notice = await bind_by_sms(rep, "Начать")
    assert "Ждут вашего ответа: 1 обращение" in welcome.text
    assert notice.text.startswith(f"Поступило обращение от УД по адресу «{TITLE}» №{number} «{QUESTION}»")
    assert notice.buttons == ["Ответить", "Назначить онлайн-встречу"]

    (ask,) = await rep.press("Ответить")
    assert f"Напишите ответ на обращение №{number}" in ask.text
    edited = next(m for m in await rep.messages() if m.cmid == notice.cmid)
    assert "Вы выбрали: ответить" in edited.text and edited.buttons == []


def tomorrow_noon() -> datetime:
    now = datetime.now(MSK)
    return (now + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)


async def schedule_meeting(stack: Stack, house: House) -> tuple[int, datetime]:
    number = await escalate(house)
    await house.rep.press("Назначить онлайн-встречу")
    for bad, reason in (("31.02 12:00", "Даты 31.02 не бывает"), ("10.02", "Укажите и время"),
                        ("когда-нибудь", "Не понял"), ("01.01.2020 12:00", "уже прошло")):
        (reply,) = await house.rep.say(bad)
        assert reason in reply.text and "10.02 12:00" in reply.text
    confirmation, *_ = await house.rep.say("завтра 12:00")
    start = tomorrow_noon()
    assert confirmation.text == (
        f"Встреча назначена {start:%d.%m.%y} в 12:00, мы пришлём ссылку на чат за 30 минут до начала."
    )
    return number, start


async def run_meetings(stack: Stack, until: datetime) -> None:
    """Move the clock to `until` and let the running scheduler do what is due by then."""
    stack.clock.set(until)
    await stack.tick()


async def links_posted(house: House) -> list[str]:
    return [m.text for m in await house.resident.messages(house.resident_peer) if "Чат обсуждения:" in m.text]


@pytest.mark.bot_settings(**TICKING)
async def test_meeting_link_at_t_minus_30_residents_join_and_the_chat_is_closed(stack: Stack, house: House) -> None:
    """The running scheduler alone posts the link at T−30 and closes the chat at the end."""
    number, start = await schedule_meeting(stack, house)
    announced = (await house.resident.messages(house.resident_peer))[-1]
    assert "Онлайн-встреча" in announced.text and f"{start:%d.%m.%y} в 12:00" in announced.text

    await run_meetings(stack, start - timedelta(minutes=31))
    assert await links_posted(house) == []
    await run_meetings(stack, start - timedelta(minutes=30))
    (posted,) = await links_posted(house)
    link = posted.rsplit(" ", 1)[-1]
    invitation = [m for m in await house.rep.messages() if "Приглашение в чат встречи" in m.text][-1]
    assert link in invitation.text and invitation.buttons == ["Открыть"]
    assert any("Приглашение в чат встречи" in m.text for m in await house.admin.messages())

    temp_peer = (await house.resident.open(link))["peer_id"]
    await house.rep.open(link)
    temp = next(c for c in await stack.api("GET", "/sandbox/chats") if c["title"].startswith("Обсуждение:"))
    assert {m["id"] for m in temp["members"]} == {house.resident.id, house.rep.id}

    await run_meetings(stack, start + timedelta(minutes=60))
    temp = next(c for c in await stack.api("GET", "/sandbox/chats") if c["id"] == temp["id"])
    assert [m["id"] for m in temp["members"]] == []
    assert temp["community_state"] == "left"
    with pytest.raises(AssertionError):
        await house.resident.open(link)  # the link was revoked
    closing = (await house.resident.messages(house.resident_peer))[-1]
    assert "завершена" in closing.text
    assert temp_peer


@pytest.mark.bot_settings(**TICKING)
async def test_a_restart_before_t_minus_30_still_posts_exactly_one_link(stack: Stack, house: House) -> None:
    _, start = await schedule_meeting(stack, house)
    await stack.stop_bot()
    stack.clock.set(start - timedelta(minutes=20))
    await stack.start_bot()  # the start-up run finds the link due and posts it
    await stack.settle()
    for _ in range(3):
        await stack.tick()
    assert len(await links_posted(house)) == 1


@pytest.mark.bot_settings(**TICKING)
async def test_a_restart_after_the_end_closes_the_chat_once(stack: Stack, house: House) -> None:
    _, start = await schedule_meeting(stack, house)
    await run_meetings(stack, start - timedelta(minutes=30))
    await stack.stop_bot()
    stack.clock.set(start + timedelta(hours=3))
    await stack.start_bot()
    await stack.tick()
    closings = [m for m in await house.resident.messages(house.resident_peer) if "завершена" in m.text]
    assert len(closings) == 1


async def test_two_schedulers_never_post_the_link_twice(stack: Stack, house: House) -> None:
    _, start = await schedule_meeting(stack, house)
    stack.clock.set(start - timedelta(minutes=29))
    assert stack.app is not None
    await asyncio.gather(*(stack.app.services.meetings.run_due() for _ in range(4)))
    await stack.settle()
    assert len(await links_posted(house)) == 1


@pytest.mark.bot_settings(**TICKING)
async def test_vk_failing_to_create_the_chat_is_retried_and_reported(stack: Stack, house: House) -> None:
    _, start = await schedule_meeting(stack, house)
    await stack.faults(error_rate=1.0, error_codes=[10], methods=["messages.createChat"])
    for minutes in (30, 29, 28):
        await run_meetings(stack, start - timedelta(minutes=minutes))
    assert "не даёт создать чат встречи" in (await house.rep.last()).text
    assert "не даёт создать чат встречи" in (await house.admin.last()).text
    await stack.faults(error_rate=0.0, methods=[])
    await run_meetings(stack, start - timedelta(minutes=27))
    assert len(await links_posted(house)) == 1


@pytest.mark.bot_settings(**TICKING)
async def test_reschedule_and_cancel_tell_everyone_again(stack: Stack, house: House) -> None:
    _, start = await schedule_meeting(stack, house)
    await house.rep.press("Перенести")
    await house.rep.say("послезавтра 15:30")
    moved = (await house.resident.messages(house.resident_peer))[-1]
    assert "перенесена" in moved.text and "15:30" in moved.text
    await house.rep.press("Отменить встречу")
    cancelled = (await house.resident.messages(house.resident_peer))[-1]
    assert "отменена" in cancelled.text
    assert "отменена" in (await house.admin.last()).text
    await run_meetings(stack, start + timedelta(days=2))
    assert await links_posted(house) == []


@pytest.mark.bot_settings(**TICKING)
async def test_deadline_reminder_and_overdue_reaches_staff(stack: Stack, house: House, staff: Person) -> None:
    number = await escalate(house)
    assert stack.app is not None
    ticket = await stack.app.services.tickets.load(number)
    stack.clock.set(ticket.deadline_at - timedelta(hours=12))
    await stack.tick()
    assert f"Напоминаю: ответить на обращение №{number}" in (await house.rep.last()).text
    stack.clock.set(ticket.deadline_at + timedelta(hours=1))
    await stack.tick()
    await stack.tick()
    overdue = [m for m in await staff.messages() if f"Обращение №{number}" in m.text and "просрочено" in m.text]
    assert len(overdue) == 1
    await staff.press("Обращения")
    await staff.press("Просроченные")
    listing = await staff.last()
    assert f"№{number}" in listing.text and "просрочено" in listing.text
    await staff.press("1")
    await staff.press("Передать другому представителю")
    newcomer = await stack.person("Новый Представитель", "+79000000013")
    await newcomer.say("Начать")
    *warnings, done = await staff.say(newcomer.phone)
    assert f"Обращение №{number} передано" in done.text
    assert all("не получает сообщения бота" in w.text for w in warnings)  # no VK id known yet
    await stack.tick()  # the pending chats job does not tell him of the role once more
    (sms,) = await newcomer.sms()
    assert f"обращение №{number}" in sms["text"]  # no VK id known: SMS


async def test_a_representative_who_blocked_the_bot(stack: Stack, house: House, staff: Person) -> None:
    await stack.api("POST", f"/sandbox/people/{house.rep.id}/block")
    await escalate(house)
    done = await house.admin.last()
    assert "пока не получает сообщения" in done.text
    assert any("не получает сообщения" in m.text for m in await staff.messages())


async def test_two_processes_never_post_the_link_twice(stack: Stack, house: House) -> None:
    _, start = await schedule_meeting(stack, house)
    stack.clock.set(start - timedelta(minutes=29))
    start_at = time.time() + 4  # both processes run the timers at this very instant
    other = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.e2e.second_process", stack.settings.database_url,
        stack.sandbox.api_url, str(stack.clock.offset.total_seconds()), str(start_at),
        cwd=Path(__file__).resolve().parents[2],
    )
    assert stack.app is not None
    await asyncio.sleep(start_at - time.time())
    await stack.app.services.meetings.run_due()
    assert await other.wait() == 0
    await stack.settle()
    assert len(await links_posted(house)) == 1
    chats = [c for c in await stack.api("GET", "/sandbox/chats") if c["title"].startswith("Обсуждение:")]
    assert len(chats) == 1  # one process opened the meeting, the other found it claimed
