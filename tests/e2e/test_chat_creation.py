"""Staff create a house chat by dialog; its admin is told by VK message or by SMS."""

from __future__ import annotations

import pytest

from tests.e2e.steps import bind_by_sms, sandbox_chat
from tests.harness import TICKING, Person, Stack
from tests.sandbox.helpers import png

CHAT = 2_000_000_000


async def walk_to_summary(staff: Person, *, title: str, admin_phone: str, photo: bool = False) -> None:
    await staff.press("Создать чат")
    await staff.say(title)
    await staff.press("Подъезд")
    await staff.press("Пропустить")
    if photo:
        await staff.upload("дом.png", png(), kind="photo")
    else:
        await staff.press("Пропустить")
    await staff.say(admin_phone)


async def test_staff_creates_a_chat_and_an_admin_without_vk_dialog_gets_an_sms(
    stack: Stack, staff: Person
) -> None:
    gleb = await stack.person("Глеб Орлов", "+79000000005")
    await walk_to_summary(staff, title="Плесецкая 16, 7 подъезд", admin_phone="8 900 000-00-05", photo=True)
    summary = await staff.last()
    assert "Название: Плесецкая 16, 7 подъезд" in summary.text
    assert "Тип: Подъезд" in summary.text
    assert "Фото: есть" in summary.text
    assert "+7 900 000-00-05" in summary.text
    await staff.press("Создать")
    done = await staff.last()
    assert "Чат «Плесецкая 16, 7 подъезд» создан" in done.text
    assert "приглашение отправлено" in done.text

    (chat,) = [c for c in await stack.api("GET", "/sandbox/chats") if c["title"] == "Плесецкая 16, 7 подъезд"]
    assert chat["photo"]  # the photo reached VK
    assert chat["invite_link"] in done.text

    (sms,) = await gleb.sms()
    assert "администратор чата «Плесецкая 16, 7 подъезд»" in sms["text"]
    welcome, first_step = await bind_by_sms(gleb)
    assert "администратор чата — чат «Плесецкая 16, 7 подъезд»" in welcome.text
    assert "Шаг 1 из 4" in first_step.text  # onboarding starts at once
    assert chat["invite_link"] in welcome.text
    joined = await gleb.open(chat["invite_link"])
    assert joined["title"] == "Плесецкая 16, 7 подъезд"


async def test_an_admin_who_wrote_to_the_bot_gets_a_vk_message(stack: Stack, staff: Person) -> None:
    vera = await stack.person("Вера Иванова", "+79000000003")
    await vera.say("Начать")  # she may be written to now, but the bot does not know her phone
    await walk_to_summary(staff, title="Невский 124", admin_phone="+79000000003")
    await staff.press("Создать")
    assert "приглашение отправлено" in (await staff.last()).text
    assert len(await vera.sms()) == 1  # unknown phone → SMS
    await bind_by_sms(vera, "Я здесь")
    # Now the bot knows her: the next chat reaches her in VK, without SMS — and staff are told
    # the same as for anybody (whether a phone uses the bot is not theirs to learn).
    await walk_to_summary(staff, title="Невский 126", admin_phone="+79000000003")
    await staff.press("Создать")
    assert "приглашение отправлено" in (await staff.last()).text
    assert len(await vera.sms()) == 1
    offer = await vera.last()
    assert "администратор чата — чат «Невский 126»" in offer.text
    assert offer.buttons == ["Принять", "Отклонить"]  # a new role is hers only once accepted
    welcome, step = await vera.press("Принять")
    assert "Шаг 1 из 4" in step.text  # her onboarding goes on, chat by chat
    assert "«Невский 126»" in welcome.text and "vk.me/join/" in welcome.text
    assert len(await vera.sms()) == 1


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 4, 5])
async def test_cancel_works_at_every_step(stack: Stack, staff: Person, steps: int) -> None:
    inputs = [("say", "Улица Ленина 1"), ("press", "Дом"), ("press", "Пропустить"),
              ("press", "Пропустить"), ("say", "+79000000009")]
    await staff.press("Создать чат")
    for action, value in inputs[:steps]:
        await getattr(staff, action)(value)
    (reply,) = await staff.press("Отмена")
    assert "Действие отменено" in reply.text
    (again,) = await staff.say("Улица Ленина 1")
    assert "Не понял сообщение" in again.text  # the dialog is over
    assert all(c["title"] != "Улица Ленина 1" for c in await stack.api("GET", "/sandbox/chats"))


async def test_summary_can_be_edited(stack: Stack, staff: Person) -> None:
    await walk_to_summary(staff, title="Садовая 1", admin_phone="+79000000005")
    await staff.press("Изменить")
    await staff.press("Название")
    (summary,) = await staff.say("Садовая 3")
    assert "Название: Садовая 3" in summary.text
    await staff.press("Изменить")
    await staff.press("Тип")
    (summary,) = await staff.press("Дом")
    assert "Тип: Дом" in summary.text and "Название: Садовая 3" in summary.text


async def test_bad_input_at_each_step_keeps_the_step(stack: Stack, staff: Person) -> None:
    await staff.press("Создать чат")
    (reply,) = await staff.say("Я" * 150)
    assert "длиннее 100 символов" in reply.text
    await staff.say("Садовая 5")
    (reply,) = await staff.say("квартира")
    assert "Выберите «Дом» или «Подъезд»" in reply.text
    await staff.press("Дом")
    await staff.press("Пропустить")
    (reply,) = await staff.upload("список.csv", b"a;b")
    assert "Это не фотография" in reply.text
    await staff.press("Пропустить")
    (reply,) = await staff.say("+1 202 555 0143")
    assert "нужен российский номер" in reply.text
    (summary,) = await staff.say("+79000000005")
    assert "Название: Садовая 5" in summary.text


async def test_vk_refusing_to_create_the_chat_is_reported(stack: Stack, staff: Person) -> None:
    await walk_to_summary(staff, title="Садовая 7", admin_phone="+79000000005")
    await stack.faults(error_rate=1.0, error_codes=[100], methods=["messages.createChat"])
    await staff.press("Создать")
    reply = await staff.last()
    assert "Не удалось создать чат «Садовая 7» во ВКонтакте" in reply.text
    await stack.faults(error_rate=0.0, methods=[])
    (listing,) = [m for m in await staff.press("Список чатов") if "Итого" in m.text]
    assert "Садовая 7 — не создан" in listing.text


@pytest.mark.bot_settings(**TICKING)
async def test_a_chat_vk_was_too_busy_to_create_is_created_later_by_the_scheduler(
    stack: Stack, staff: Person
) -> None:
    await walk_to_summary(staff, title="Садовая 9", admin_phone="+79000000005")
    await stack.faults(error_rate=1.0, error_codes=[10], methods=["messages.createChat"])
    await staff.press("Создать")
    assert "ВКонтакте сейчас не отвечает" in (await staff.last()).text
    assert not [c for c in await stack.api("GET", "/sandbox/chats") if c["title"] == "Садовая 9"]
    await stack.faults(error_rate=0.0, methods=[])
    await stack.tick()
    chat = await sandbox_chat(stack, "Садовая 9")
    (sms,) = await stack.sms("+79000000005")  # its admin is told, once
    assert "Садовая 9" in sms["text"]
    await staff.press("Отмена")
    (listing,) = [m for m in await staff.press("Список чатов") if "Итого" in m.text]
    assert "Садовая 9" in listing.text and "не создан" not in listing.text
    assert chat["invite_link"]


async def test_a_resident_cannot_create_chats(stack: Stack) -> None:
    vera = await stack.person("Вера Иванова", "+79000000003")
    (reply,) = await vera.say("Создать чат")
    assert "сотрудники муниципалитета" in reply.text
