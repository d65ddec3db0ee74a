"""Staff list (statuses, resend, remove), chat list (pages, search, card, export), tenants."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from bot.services.core import texts
from bot.services.core.access import load_actor
from bot.services.core.errors import AccessDenied
from tests.e2e.conftest import bind_admin, bind_staff
from tests.e2e.steps import create_chat
from tests.harness import Message, Person, Stack
from tests.test_chat_import import HEADER, csv_bytes


def listing(messages: list[Message]) -> Message:
    return next(m for m in messages if "Итого" in m.text or "найдено" in m.text)


async def test_staff_list_shows_statuses_resends_and_removes(stack: Stack, admin: Person) -> None:
    boris = await stack.person("Борис Петров", "+79000000002")
    await bind_staff(stack, admin, boris)
    for _ in range(2):  # the same phone invited twice is one staff member
        await admin.press("Пригласить сотрудников")
        await admin.say("+79000000007")
        await admin.press("Отправить приглашения")

    (screen,) = await admin.press("Сотрудники")
    assert "Итого: 2 сотрудника" in screen.text
    assert "Борис Петров +7 900 000-00-02 — активен" in screen.text
    assert "+7 900 000-00-07 — приглашение отправлено" in screen.text
    assert screen.buttons == ["1", "2"]

    await admin.press("2")  # the pending one
    card = await admin.last()
    assert "Статус: приглашение отправлено" in card.text
    await admin.press("Отправить повторно")
    assert len(await stack.sms("+79000000007")) == 3

    await admin.press("‹ К списку")
    await admin.press("1")
    await admin.press("Удалить")
    assert "удалён и больше не имеет доступа" in (await admin.last()).text
    (reply,) = await boris.say("Создать чат")  # access is gone at once
    assert "сотрудники муниципалитета" in reply.text


async def test_chat_list_pages_search_card_and_export(stack: Stack, staff: Person) -> None:
    streets = ["Плесецкая 16", "Плесецкая 18", "Невский 124", "Садовая 1", "Садовая 3", "Лиговский 10"]
    for title in streets:
        await create_chat(staff, title, kind="Дом")
    first = listing(await staff.press("Список чатов"))
    assert "Итого: 6 чатов" in first.text and "Страница 1 из 2" in first.text
    assert first.buttons == ["1", "2", "3", "4", "5", "· 1 ·", "›"]
    await staff.press("›")
    second = next(m for m in await staff.messages() if m.cmid == first.cmid)  # edited in place
    assert "Страница 2 из 2" in second.text and "6. Садовая 3" in second.text

    found = listing(await staff.say("плесец"))
    assert "найдено 2" in found.text
    assert "Плесецкая 16" in found.text and "Невский" not in found.text

    await staff.press("1", peer_id=None)
    card = await staff.last()
    assert "«Плесецкая 16» — Дом" in card.text
    assert "Ссылка для вступления: https://vk.me/join/" in card.text
    assert "+7 900 000-00-05 (приглашение отправлено)" in card.text

    (export,) = await staff.press("Выгрузить в Excel")
    book = openpyxl.load_workbook(io.BytesIO(await stack.download(export)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Название чата"
    assert sorted(r[0] for r in rows[1:]) == sorted(streets)


async def test_card_actions_resend_change_admin_and_representative(stack: Stack, staff: Person) -> None:
    await create_chat(staff, "Плесецкая 16", kind="Дом")
    await staff.press("Список чатов")
    await staff.press("1")
    await staff.press("Отправить повторно")
    assert len(await stack.sms("+79000000005")) == 2

    await staff.press("Сменить администратора")
    (done,) = await staff.say("+79000000008")
    assert "Администратор чата — +7 900 000-00-08" in done.text
    assert "администратор чата «Плесецкая 16»" in (await stack.sms("+79000000008"))[0]["text"]

    await staff.press("Список чатов")
    await staff.press("1")
    await staff.press("Назначить представителя")
    await staff.press("УК")
    await staff.say("ООО «УК Комфорт»")
    (question,) = await staff.say("+79000000011")
    assert "представителя УК «ООО «УК Комфорт»»" in question.text
    (done,) = await staff.press("Назначить")
    assert "назначен" in done.text
    assert "представитель чата «Плесецкая 16»" in (await stack.sms("+79000000011"))[0]["text"]
    await staff.press("Список чатов")
    await staff.press("1")
    card = await staff.last()
    assert "+7 900 000-00-08" in card.text and "+7 900 000-00-05" not in card.text
    assert "УК «ООО «УК Комфорт»»: +7 900 000-00-11" in card.text


async def test_representative_for_every_found_chat(stack: Stack, staff: Person) -> None:
    for title in ("Плесецкая 16", "Плесецкая 18", "Невский 124"):
        await create_chat(staff, title, kind="Дом")
    await staff.press("Список чатов")
    await staff.say("плесецкая")
    (question,) = await staff.press("Назначить представителя найденным")
    assert "найденных чатов (2)" in question.text
    await staff.press("РСО")
    await staff.press("Пропустить")
    await staff.say("+79000000012")
    await staff.press("Назначить")
    (sms,) = await stack.sms("+79000000012")
    assert "представитель чата «Плесецкая 16» и ещё 1" in sms["text"]


async def test_another_municipality_sees_none_of_it(stack: Stack, staff: Person) -> None:
    await create_chat(staff, "Плесецкая 16", kind="Дом")
    other_admin = await stack.person("Ольга Другая", "+79000000020")
    await bind_admin(stack, other_admin, municipality="Другой город")
    (screen,) = await other_admin.press("Список чатов")
    assert "Чатов пока нет" in screen.text
    await other_admin.press("Меню")
    (staff_screen,) = await other_admin.press("Сотрудники")
    assert "Сотрудников пока нет" in staff_screen.text
    # Reaching the other municipality's chat directly (an old or forged button) is refused.
    assert stack.app is not None
    services = stack.app.services
    intruder = await load_actor(other_admin.id)
    chat_id = (await services.chats.search_ids(await load_actor(staff.id), 1, ""))[0]
    for attempt in (
        services.chats.card(intruder, chat_id),
        services.chats.resend_to_admins(intruder, chat_id),
        services.chats.change_admin(intruder, chat_id, "+79000000021"),
        services.chats.page(intruder, 1, number=1, size=5),
    ):
        with pytest.raises(AccessDenied):
            await attempt


def named_buttons(text: str) -> list[str]:
    """The buttons a message names: «…» in capitals (examples to type are in lower case)."""
    return [name for name in re.findall(r"«([^«»]+)»", text) if name[0].isupper()]


def titles_on(page: Message) -> list[str]:
    """The chat titles of a list page («3. Садовая 1 — создан · …»), in order."""
    return [line.split(". ", 1)[1].split(" — ")[0] for line in page.text.splitlines() if line[:1].isdigit()]


async def import_chats(stack: Stack, staff: Person, titles: list[str]) -> None:
    rows = [[title, "+79000000005", "Дом"] for title in titles]
    await staff.press("Чаты из файла")
    await staff.upload("чаты.csv", csv_bytes([HEADER[:3], *rows]))
    await staff.press(f"Создать {texts.chats(len(titles))}")
    await stack.finish_background_work()


async def test_empty_chat_list_names_buttons_that_are_on_its_keyboard(
    stack: Stack, staff: Person
) -> None:
    (screen,) = await staff.press("Список чатов")
    assert "Чатов пока нет" in screen.text
    named = named_buttons(screen.text)
    assert named == ["Создать чат", "Чаты из файла"]
    assert set(named) <= set(await staff.keyboard())
    (step,) = await staff.press("Чаты из файла")  # the button is there and works
    assert "Пришлите файлом таблицу" in step.text


async def test_chat_list_text_that_is_not_an_address_is_not_a_search(
    stack: Stack, staff: Person
) -> None:
    await create_chat(staff, "Плесецкая 16", kind="Дом")
    await staff.press("Список чатов")
    (reply,) = await staff.say("привет, как удалить чат?")
    assert "найдено" not in reply.text and "не похоже на адрес" in reply.text
    assert named_buttons(reply.text) == ["Найти чат", "Помощь", "Меню"]
    assert set(named_buttons(reply.text)) <= set(await staff.keyboard())
    assert "найдено 1" in listing(await staff.say("плесецкая 16")).text  # an address still searches
    await staff.press("Найти чат")  # and after «Найти чат» any text does
    assert "найдено 0" in listing(await staff.say("Привет")).text


async def test_chats_sort_as_text_natural_order_across_pages(stack: Stack, staff: Person) -> None:
    titles = [f"Строителей, {n}" for n in range(1, 13)] + ["ул. Садовая, 12", "Садовая 1"]
    await import_chats(stack, staff, titles[::-1])
    first = listing(await staff.press("Список чатов"))
    seen = titles_on(first)
    for _ in range(2):
        await staff.press("›")
        seen += titles_on(next(m for m in await staff.messages() if m.cmid == first.cmid))
    assert seen == ["Садовая 1", "ул. Садовая, 12", *[f"Строителей, {n}" for n in range(1, 13)]]


async def test_search_finds_sadovaya_12_written_with_abbreviations(stack: Stack, staff: Person) -> None:
    await import_chats(stack, staff, ["ул. Садовая, 12", "Садовая 1, корп. 12", "Садовая 3, подъезд 12", "Садовая 120"])
    await staff.press("Список чатов")
    found = listing(await staff.say("садовая 12"))
    assert "найдено 1" in found.text and "1. ул. Садовая, 12 —" in found.text
    found = listing(await staff.say("САДОВАЯ, д. 12"))
    assert "найдено 1" in found.text
