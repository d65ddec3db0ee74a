"""The sandbox's messenger page, used as people use it: choose who you are, write, press the
bot's buttons, send a file, open links from messages and SMS — and see the bot answer live."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.screen import Screen
from tests.e2e.steps import create_chat
from tests.harness import Person, Stack
from tests.sandbox.helpers import png
from tests.test_chat_import import HEADER, xlsx_bytes

STAFF_NOTE = "сотрудник муниципалитета «Демо-город»"
TIME = re.compile(r"^\d{2}:\d{2}$")
XLSX = re.compile(r"\.xlsx$")
PDF = (  # one page saying «Sample PDF»
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 24 Tf 40 100 Td (Sample PDF) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


async def describe(stack: Stack, person: Person, note: str) -> None:
    """The note the demo gives each person (their role), shown under the name."""
    await stack.api("PATCH", f"/sandbox/people/{person.id}", {"note": note})


async def test_staff_writes_start_presses_a_menu_button_and_sees_the_replies(
    stack: Stack, admin: Person, staff: Person, page: Page
) -> None:
    await describe(stack, staff, STAFF_NOTE)
    # A colleague wrote in the coordination chat both are in (so the list has something to show).
    link = next(c for c in await stack.api("GET", "/sandbox/chats") if c["title"].startswith("Координация"))["invite_link"]
    chat = await admin.open(link)
    await staff.open(link)
    await admin.say("Коллеги, добрый день! В четверг в 10:00 — планёрка по домовым чатам.", peer_id=chat["peer_id"])

    screen = Screen(page)
    await page.reload()  # opened before the note was given
    await expect(screen.people).to_contain_text(STAFF_NOTE)
    await screen.choose("Борис Петров")
    coordination = screen.conversation("Координация: Демо-город")
    await expect(coordination).to_contain_text("Анна Смирнова: Коллеги, добрый день!")
    await expect(coordination.locator(".unread")).to_have_text("1")
    await screen.open("Домовые чаты")

    await screen.write("Начать")
    await screen.expect_reply("Выберите действие кнопкой ниже")
    for label in ("Создать чат", "Чаты из файла", "Список чатов", "Мои роли"):
        await expect(screen.keyboard.get_by_role("button", name=label, exact=True)).to_be_visible()

    await screen.press("Мои роли")
    await expect(screen.my_message("Мои роли")).to_be_visible()
    roles = await screen.expect_reply("Ваши роли")
    await expect(roles).to_contain_text("сотрудник")
    # The community's replies carry its name and a time; only official posts get the badge.
    await expect(roles.locator(".badge-official")).to_have_count(0)
    await expect(roles.locator(".sender-name")).to_have_text("Домовые чаты")
    await expect(roles.locator("time")).to_have_text(TIME)
    await screenshot(page, "sandbox-page.png")

    # Opening the chat marks it read.
    async with page.expect_response(lambda response: response.url.endswith("/read")) as read:
        await coordination.click()
    assert (await read.value).ok
    await expect(screen.thread).to_contain_text("Коллеги, добрый день!")
    await expect(coordination.locator(".unread")).to_have_count(0)
    seen = await stack.api("GET", f"/sandbox/people/{staff.id}/conversations")
    assert [c["unread"] for c in seen if c["title"] == "Координация: Демо-город"] == [0]


async def test_staff_sends_a_chat_file_through_the_composer_and_sees_the_preview(
    stack: Stack, staff: Person, page: Page, tmp_path: Path
) -> None:
    screen = Screen(page)
    await screen.choose("Борис Петров")
    await screen.press("Чаты из файла")
    intro = await screen.expect_reply("CSV, XLSX или XLS")
    template = intro.locator(".doc-title")  # the bot's template, downloadable
    await expect(template).to_have_text(XLSX)
    async with page.expect_download() as download:
        await template.click()
    assert (await download.value).suggested_filename.endswith(".xlsx")

    table = tmp_path / "чаты.xlsx"
    table.write_bytes(xlsx_bytes([HEADER, ["Садовая 1", "+7 900 000-00-05", "Дом", "", "", "", 40]]))
    await screen.attach(table)
    await expect(screen.thread.locator(".msg.out .doc-title").last).to_have_text("чаты.xlsx")
    preview = await screen.expect_reply("Будет создано чатов: 1")
    await expect(preview).to_be_visible()
    await expect(screen.keyboard.get_by_role("button", name="Создать 1 чат")).to_be_visible()


async def test_an_invite_link_in_a_message_joins_the_chat(
    stack: Stack, staff: Person, page: Page
) -> None:
    screen = Screen(page)
    await screen.choose("Борис Петров")
    welcome = await screen.expect_reply("Чат сотрудников и администраторов чатов")
    await welcome.get_by_role("link", name="https://vk.me/join/").click()

    # The chat appears in the list and opens, with the join shown as VK shows it.
    await expect(screen.conversation("Координация: Демо-город")).to_be_visible()
    await expect(screen.title).to_have_text("Координация: Демо-город")
    await expect(screen.thread).to_contain_text("Борис Петров вступил(а) в беседу по ссылке")
    await expect(screen.toasts).to_contain_text("Вы вступили в беседу «Координация: Демо-город»")
    await screen.write("Добрый день, коллеги!")
    members = next(c for c in await stack.api("GET", "/sandbox/chats") if c["title"].startswith("Координация"))
    assert staff.id in [m["id"] for m in members["members"]]


async def test_a_person_who_joins_sees_the_message_pinned_before(
    stack: Stack, staff: Person, page: Page
) -> None:
    coordination = next(c for c in await stack.api("GET", "/sandbox/chats")
                        if c["title"].startswith("Координация"))
    peer_id = 2_000_000_000 + coordination["community_chat_id"]
    async with aiohttp.ClientSession() as http:
        async def vk(method: str, **params: object) -> object:
            query = {"access_token": stack.sandbox.config.token, "v": "5.199"}
            async with http.post(stack.sandbox.api_url + method, params=query,
                                 data={k: str(v) for k, v in params.items()}) as response:
                return (await response.json())["response"]

        (sent,) = await vk("messages.send", peer_ids=peer_id, random_id=0,
                           message="Правила чата: вежливость и только по делу")
        await vk("messages.pin", peer_id=peer_id,
                 conversation_message_id=sent["conversation_message_id"])
    await staff.open(coordination["invite_link"])  # joins after the pin

    screen = Screen(page)
    await screen.choose("Борис Петров")
    await screen.open("Координация: Демо-город")
    pinned = page.locator("#pinned")
    await expect(pinned).to_be_visible()
    await expect(pinned).to_contain_text("Закреплено: Правила чата: вежливость и только по делу")


async def test_photos_are_shown_and_pdfs_previewed(stack: Stack, page: Page, tmp_path: Path) -> None:
    await stack.person("Вера Иванова", "+79000000003")
    screen = Screen(page)
    await page.reload()  # opened before she was created
    await screen.choose("Вера Иванова")
    photo = tmp_path / "двор.png"
    photo.write_bytes(png())
    await screen.attach(photo)  # an image goes as a photo
    image = screen.thread.locator(".msg.out .photo img").last
    await expect(image).to_be_visible()
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")

    pdf = tmp_path / "протокол.pdf"
    pdf.write_bytes(PDF)
    await screen.composer.fill("Протокол собрания")  # the typed text goes as the caption
    await screen.attach(pdf)
    sent = screen.my_message("Протокол собрания")
    await expect(sent.locator(".doc-title")).to_have_text("протокол.pdf")
    await sent.get_by_role("button", name="Просмотр").click()
    await expect(sent.locator("iframe.pdf")).to_be_visible()
    await sent.get_by_role("button", name="Скрыть").click()
    await expect(sent.locator("iframe.pdf")).to_have_count(0)


async def test_a_callback_button_shows_the_bots_snackbar(
    stack: Stack, staff: Person, page: Page
) -> None:
    await create_chat(staff, "Садовая 1", admin_phone="+79000000005", kind="Дом")
    screen = Screen(page)
    await screen.choose("Борис Петров")
    await screen.press("Список чатов")
    listing = await screen.expect_reply("Итого: 1 чат")
    await screen.press_inline(listing, "1")  # a callback button: the card comes as a new message
    card = await screen.expect_reply("«Садовая 1» — Дом")
    await screen.press_inline(card, "Отправить повторно")
    await expect(screen.toasts.get_by_role("status")).to_have_text("Приглашение отправлено")
    assert len(await stack.sms("+79000000005")) == 2


async def test_a_person_created_with_the_form_appears_and_writes_to_the_bot(
    page: Page, stack: Stack
) -> None:
    screen = Screen(page)
    await page.get_by_role("button", name="Новый человек").click()
    await page.get_by_label("Имя").fill("Вера Иванова")
    await page.get_by_label("Телефон").fill("8 900 000-00-03")
    await page.get_by_label("Кто это").fill("жительница дома на Садовой, 1")
    await page.get_by_role("button", name="Создать").click()

    # She is chosen at once; the dialog with the community offers «Начать», as VK does.
    await expect(page.locator("#me-card")).to_contain_text("Вера Иванова")
    await expect(page.locator("#me-card")).to_contain_text("жительница дома на Садовой, 1")
    await expect(page.locator("#me-card")).to_contain_text("+7 900 000-00-03")
    await screen.press("Начать")
    await screen.expect_reply("Это бот «Домовые чаты»")
    await expect(screen.keyboard.get_by_role("button", name="Помощь")).to_be_visible()

    # Back in the list of people she is there with her note; a phone-only person too.
    await page.get_by_role("button", name="Сменить человека").click()
    await expect(screen.people).to_contain_text("жительница дома на Садовой, 1")
    await page.get_by_role("button", name="Новый человек").click()
    await page.get_by_label("Имя").fill("Григорий Кузнецов")
    await page.get_by_label("Телефон").fill("+7 900 000-00-04")
    await page.get_by_label("Есть ВКонтакте").uncheck()
    await page.get_by_role("button", name="Создать").click()
    await expect(page.locator("#me-card")).to_contain_text("без ВКонтакте")
    people = {p["name"]: p for p in await stack.api("GET", "/sandbox/people")}
    assert people["Вера Иванова"]["vk"] and not people["Григорий Кузнецов"]["vk"]

    # A taken phone is explained in Russian.
    await page.get_by_role("button", name="Сменить человека").click()
    await page.get_by_role("button", name="Новый человек").click()
    await page.get_by_label("Имя").fill("Двойник")
    await page.get_by_label("Телефон").fill("+79000000003")
    await page.get_by_role("button", name="Создать").click()
    await expect(page.get_by_role("alert")).to_contain_text("уже есть у другого человека")


async def test_a_person_without_vk_sees_their_sms_arrive(page: Page, stack: Stack) -> None:
    await stack.person("Григорий Кузнецов", "+79000000004", vk=False)
    screen = Screen(page)
    await page.reload()  # opened before he was created
    await screen.choose("Григорий Кузнецов")
    await expect(screen.title).to_have_text("SMS")
    await expect(screen.thread).to_contain_text("SMS пока не приходили")
    await expect(screen.composer).to_be_hidden()

    # The bot's SMS gateway writes to the outbox; the page shows it without reloading.
    link = f"https://vk.me/{stack.sandbox.config.screen_name}?ref=abc"
    await stack.api("POST", "/sandbox/sms", {"phone": "+79000000004", "text": f"Вход: {link}", "sender": "DomChat"})
    await expect(screen.thread).to_contain_text(f"Вход: {link}")
    await expect(screen.thread.locator(".sender-name")).to_have_text("DomChat")
    await screen.thread.get_by_role("link", name=link).click()  # no VK account: VK cannot open
    await expect(page.get_by_role("alert")).to_contain_text("нет аккаунта VK")


async def test_a_vk_user_opens_the_link_from_their_sms_and_the_bot_knows_them(
    stack: Stack, admin: Person, page: Page
) -> None:
    boris = await stack.person("Борис Петров", "+79000000002")
    screen = Screen(page)
    await page.reload()  # opened before he was created
    await screen.choose("Борис Петров")
    sms = screen.conversation("SMS")
    await expect(sms).to_contain_text("SMS пока нет")

    await admin.press("Пригласить сотрудников")
    await admin.say(boris.phone)
    await admin.press("Отправить приглашения")
    await expect(sms.locator(".unread")).to_have_text("1")  # live: the invitation arrives

    await sms.click()
    invitation = screen.thread.locator(".msg.sms").last
    await invitation.get_by_role("link").click()
    await expect(screen.title).to_have_text("Домовые чаты")
    await screen.write("Здравствуйте")
    await screen.expect_reply("Осталось подтверждение")
    await admin.press("Да")  # the admin confirms it is Boris who opened the link
    await screen.expect_reply("Готово, бот вас узнал!")


async def test_on_a_phone_the_page_is_one_column(
    stack: Stack, staff: Person, phone_page: Page
) -> None:
    await describe(stack, staff, STAFF_NOTE)
    page = phone_page
    screen = Screen(page)
    await page.reload()  # opened before the note was given
    await screen.choose("Борис Петров")
    await expect(screen.thread).to_be_hidden()  # the list of conversations fills the screen
    await screen.open("Домовые чаты")
    await expect(screen.conversations).to_be_hidden()  # now the thread does
    await screen.write("Начать")
    await screen.expect_reply("Выберите действие кнопкой ниже")
    await expect(screen.keyboard.get_by_role("button", name="Список чатов")).to_be_visible()
    await screenshot(page, "sandbox-page-phone.png")
    await page.get_by_role("button", name="К списку диалогов").click()
    await expect(screen.conversations).to_be_visible()
