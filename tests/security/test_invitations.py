"""Invitations are bearer links and offers: a forwarded link, a link opened by a stranger, a
phone that already uses the bot — nobody gets a role that the inviter (or the invited person)
did not confirm, and inviting a phone does not tell whether it uses the bot."""

from __future__ import annotations

from bot.cli import invite_admin
from tests.e2e.conftest import bind_admin
from tests.e2e.steps import create_chat, texted_code
from tests.harness import Person, Stack

GUEST_KEYBOARD = ["Проверить объявление", "Помощь"]


def link_in(sms: dict) -> str:
    return sms["text"].rsplit(" ", 1)[-1]


async def test_a_forwarded_staff_link_needs_the_inviters_yes(stack: Stack, admin: Person) -> None:
    boris = await stack.person("Борис Петров", "+79000000002")
    await admin.press("Пригласить сотрудников")
    await admin.say(boris.phone)
    await admin.press("Отправить приглашения")
    forwarded = link_in((await boris.sms())[-1])  # Boris forwards his SMS

    zahar = await stack.person("Захар Иванов", "+79000000066")
    await zahar.open(forwarded)
    (waiting,) = await zahar.say("Здравствуйте")
    assert "Осталось подтверждение" in waiting.text and "Готово" not in waiting.text
    assert await zahar.keyboard() != ["Создать чат"]  # no staff menu yet
    question = await admin.last()
    assert f"Ссылку открыл «Захар Иванов» (vk.com/id{zahar.id}) — это ваш сотрудник?" in question.text
    assert question.buttons == ["Да", "Нет"]
    (menu,) = await zahar.say("Меню")
    assert "Создать чат" not in menu.buttons and await zahar.keyboard() == GUEST_KEYBOARD

    await admin.press("Нет")
    assert "приглашение отменено" in (await zahar.last()).text
    await zahar.say("Меню")
    assert await zahar.keyboard() == GUEST_KEYBOARD
    # Boris opens his own link afterwards: it no longer works; a new invitation does.
    await boris.open(forwarded)
    (cancelled,) = await boris.say("Здравствуйте")
    assert "отменено" in cancelled.text


async def test_a_forwarded_chat_admin_link_shows_whose_invitation_and_tells_the_inviter(
    stack: Stack, staff: Person
) -> None:
    await create_chat(staff, "Садовая 1", "+79000000005", kind="Дом")
    gleb = await stack.person("Глеб Орлов", "+79000000005", vk=False)  # no VK: SMS only
    zahar = await stack.person("Захар Иванов", "+79000000066")
    await zahar.open(link_in((await gleb.sms())[-1]))  # forwarded to a stranger
    (offer,) = await zahar.say("Здравствуйте")
    assert "«Борис Петров»" in offer.text  # whose invitation it is
    assert "администратор чата — чат «Садовая 1»" in offer.text  # and the role
    assert offer.buttons == ["Принять", "Отклонить"]
    await zahar.say("Меню")
    assert await zahar.keyboard() == GUEST_KEYBOARD  # nothing before «Принять»

    await zahar.press("Принять")
    told = await staff.last()
    assert f"«Захар Иванов» (vk.com/id{zahar.id}) принял приглашение" in told.text
    assert "Садовая 1" in told.text


async def test_a_command_line_admin_link_works_only_for_the_phones_owner(stack: Stack) -> None:
    anna = await stack.person("Анна Смирнова", "+79000000001")
    assert stack.app is not None
    await invite_admin(
        stack.app.services, phone=anna.phone, municipality="Демо-город", region="Демо-регион"
    )
    zahar = await stack.person("Захар Иванов", "+79000000066")
    await zahar.open(link_in((await anna.sms())[-1]))  # the SMS text was forwarded
    (asked,) = await zahar.say("Начать")
    assert "пришлите код из SMS" in asked.text and anna.phone[-2:] in asked.text
    assert "+7 900 000-00-01" not in asked.text  # the phone is not disclosed to the opener
    assert await zahar.sms() == []  # the code went to Anna's phone, not to him
    for guess in ("000000", "123456", "111111", "999999", "424242"):
        if guess != texted_code((await anna.sms())[-1]["text"]):
            await zahar.say(guess)
    await zahar.say("Меню")
    assert await zahar.keyboard() == GUEST_KEYBOARD


async def test_inviting_a_phone_that_uses_the_bot_discloses_nothing_and_needs_acceptance(
    stack: Stack, admin: Person
) -> None:
    vera = await stack.person("Вера Иванова", "+79000000003")
    await bind_admin(stack, vera, municipality="Другой город")  # she uses the bot already
    await admin.press("Пригласить сотрудников")
    await admin.say(f"{vera.phone}\n+79000000004")  # hers and a phone nobody uses yet
    (done,) = await admin.press("Отправить приглашения")
    assert "• +7 900 000-00-03 — приглашение отправлено" in done.text
    assert "• +7 900 000-00-04 — приглашение отправлено" in done.text
    assert "пользуется ботом" not in done.text and "выдан" not in done.text

    offer = await vera.last()
    assert "«Анна Смирнова»" in offer.text and "сотрудник муниципалитета — Демо-город" in offer.text
    assert offer.buttons == ["Принять", "Отклонить"]
    (roles,) = await vera.press("Мои роли")
    assert "Демо-город" not in roles.text  # not granted at once
    await admin.press("Сотрудники")
    listing = await admin.last()
    assert "+7 900 000-00-03 — приглашение отправлено" in listing.text  # like anyone invited

    await vera.press("Отклонить")
    assert "отклонил приглашение" in (await admin.last()).text
    (roles,) = await vera.press("Мои роли")
    assert "Демо-город" not in roles.text


async def test_a_person_using_the_bot_accepts_and_the_inviter_confirms(
    stack: Stack, admin: Person
) -> None:
    vera = await stack.person("Вера Иванова", "+79000000003")
    await bind_admin(stack, vera, municipality="Другой город")
    await admin.press("Пригласить сотрудников")
    await admin.say(vera.phone)
    await admin.press("Отправить приглашения")
    await vera.press("Принять")
    question = await admin.last()
    assert f"Приглашение принял «Вера Иванова» (vk.com/id{vera.id})" in question.text
    await admin.press("Да")
    welcome = await vera.last()
    assert "сотрудник муниципалитета — Демо-город" in welcome.text
    assert "подключён" in (await admin.last()).text
