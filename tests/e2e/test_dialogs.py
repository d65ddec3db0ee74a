"""A multi-step dialog (inviting staff): the whole path, restarts, order, and bad input."""

from __future__ import annotations

import asyncio
import json

from tests.harness import Person, Stack


async def test_admin_invites_two_staff_and_one_becomes_active(stack: Stack, admin: Person) -> None:
    (ask,) = await admin.press("Пригласить сотрудников")
    assert "Пришлите номера телефонов" in ask.text
    (preview,) = await admin.say("+7 (912) 123 45-67\n8 912 765 43 21")
    assert "сотрудников: 2" in preview.text
    assert "+7 912 123-45-67" in preview.text
    (done,) = await admin.press("Отправить приглашения")
    assert done.text.count("приглашение отправлено") == 2

    ivan = await stack.person("Иван Петров", "+79121234567")
    (sms,) = await ivan.sms()
    await ivan.open(sms["text"].rsplit(" ", 1)[-1])
    (waiting,) = await ivan.say("Здравствуйте!")
    assert "Осталось подтверждение" in waiting.text
    await admin.press("Да")
    welcome = await ivan.last()
    assert "сотрудник муниципалитета — Демо-город" in welcome.text
    assert await stack.sms("+79127654321")  # the other one got their SMS too


async def test_dialog_continues_after_a_bot_restart(stack: Stack, admin: Person) -> None:
    await admin.press("Пригласить сотрудников")
    await stack.restart_bot()
    (preview,) = await admin.say("89121234567")
    assert "сотрудников: 1" in preview.text
    await stack.stop_bot()
    await stack.api(  # typed while the bot is down: handled once it is back
        "POST", f"/sandbox/people/{admin.id}/press",
        {"peer_id": admin.dialog, "label": "Отправить приглашения"},
    )
    await stack.start_bot()
    await stack.settle()
    assert "приглашение отправлено" in (await admin.last()).text


async def test_random_text_mid_dialog_keeps_the_step(stack: Stack, admin: Person) -> None:
    await admin.press("Пригласить сотрудников")
    (reply,) = await admin.say("как дела?")
    assert "Не удалось разобрать номера" in reply.text
    assert "«как дела?»" in reply.text
    (preview,) = await admin.say("+79121234567")
    assert "сотрудников: 1" in preview.text
    (reply,) = await admin.say("что-то не то")
    assert "Нажмите «Отправить приглашения»" in reply.text
    (cancelled,) = await admin.press("Отмена")
    assert "Действие отменено" in cancelled.text
    assert await stack.sms("+79121234567") == []


async def test_two_quick_messages_from_one_person_are_handled_in_order(
    stack: Stack, admin: Person
) -> None:
    send = f"/sandbox/people/{admin.id}/send"
    seen = max(m.cmid for m in await admin.messages())
    # Fired back to back without waiting: the second only makes sense after the first.
    await stack.api("POST", send, {"peer_id": admin.dialog, "text": "Пригласить сотрудников"})
    await stack.api("POST", send, {"peer_id": admin.dialog, "text": "+79121234567"})
    await stack.settle()
    replies = [m.text for m in await admin.messages() if m.cmid > seen and m.from_id < 0]
    assert len(replies) == 2
    assert "Пришлите номера телефонов" in replies[0]
    assert "сотрудников: 1" in replies[1]


async def test_unknown_command_gets_a_hint(stack: Stack, admin: Person) -> None:
    (reply,) = await admin.say("абракадабра")
    assert "Не понял сообщение" in reply.text
    assert "Пригласить сотрудников" in await admin.keyboard()


async def test_forged_and_overlong_payloads_are_refused_cleanly(stack: Stack, admin: Person) -> None:
    (reply,) = await admin.say("x", payload='{"cmd": "no.such.command"}')
    assert "Не понял сообщение" in reply.text
    (reply,) = await admin.say("y", payload="{" + "a" * 300)
    assert "Не понял сообщение" in reply.text
    (reply,) = await admin.say("z", payload=json.dumps({"cmd": "staff.invite.send"}))
    assert "Не понял сообщение" in reply.text  # a step's button outside its step


async def test_button_of_a_role_the_person_does_not_hold(stack: Stack) -> None:
    vera = await stack.person("Вера Иванова", "+79000000003")
    (reply,) = await vera.say("Пригласить сотрудников", payload=json.dumps({"cmd": "staff.invite"}))
    assert "администраторы муниципалитета" in reply.text
    (reply,) = await vera.say("Пригласить сотрудников")
    assert "администраторы муниципалитета" in reply.text


async def test_other_people_are_served_while_one_is_mid_dialog(stack: Stack, admin: Person) -> None:
    vera = await stack.person("Вера Иванова", "+79000000003")
    await admin.press("Пригласить сотрудников")
    results = await asyncio.gather(vera.say("Начать"), admin.say("+79121234567"))
    assert "Домовые чаты" in results[0][0].text
    assert "сотрудников: 1" in results[1][0].text
