"""«Скачать плакаты»: the posters of every chat as pages of PDF documents under VK's size
limit (shortened here), end to end."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from bot.services.importing import normalise_title
from sandbox.bulk import create_chats
from storage.models import Chat, ChatKind, ChatStatus, Municipality, Poster
from tests.e2e.steps import create_chat
from tests.harness import Person, Stack

LIMIT = 90_000  # bytes: the fonts (~48 KB) and some twenty pages of ~2 KB


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def qr_on_page(pdf: bytes, index: int) -> str:
    page = pypdfium2.PdfDocument(pdf)[index]
    (barcode,) = zxingcpp.read_barcodes(page.render(scale=2).to_pil())
    return barcode.text


async def house_chats(stack: Stack, titles: list[str]) -> dict[str, str]:
    """Active house chats of the staff member's municipality, made straight in the sandbox and
    the bot's database (creating them is not what these tests are about): title → link."""
    made = create_chats(stack.sandbox.world, titles)
    municipality = await Municipality.get(name="Демо-город")
    for title, (chat_id, peer_id, link) in zip(titles, made, strict=True):
        await Chat.create(
            municipality=municipality, title=title, title_key=normalise_title(title),
            kind=ChatKind.ENTRANCE, status=ChatStatus.ACTIVE, vk_chat_id=chat_id,
            peer_id=peer_id, invite_link=link,
        )
    return {title: link for title, (_, _, link) in zip(titles, made, strict=True)}


async def test_posters_of_a_few_chats_come_in_one_pdf(stack: Stack, staff: Person) -> None:
    await create_chat(staff, "Невский 124", "+79000000005")
    await create_chat(staff, "Садовая 1", "+79000000006")
    await staff.press("Список чатов")
    (note,) = await staff.press("Скачать плакаты")
    assert "пришлю файлы PDF" in note.text
    await stack.finish_background_work()
    done = await staff.last()
    assert "объявления всех чатов (2) — в одном файле PDF" in done.text
    assert done.attachments[0]["title"] == "Объявления.pdf"
    pdf = await stack.download(done)
    first, second = page_texts(pdf)
    assert "Невский 124" in first and "Садовая 1" in second  # the chat list's order
    links = {c["title"]: c["invite_link"] for c in await stack.api("GET", "/sandbox/chats")}
    assert qr_on_page(pdf, 1) == links["Садовая 1"]
    codes = {p.invite_link: p.code for p in await Poster.all()}
    code = codes[links["Садовая 1"]]
    assert f"Код проверки: {code[:4]}-{code[4:]}" in second  # the code that verifies it


@pytest.mark.bot_settings(poster_document_max_bytes=LIMIT, poster_workers=2)
async def test_posters_of_many_chats_come_in_documents_under_the_limit(
    stack: Stack, staff: Person
) -> None:
    titles = [f"Улица Строителей {n // 4 + 1}, подъезд {n % 4 + 1}" for n in range(70)]
    links = await house_chats(stack, titles)
    await staff.press("Список чатов")
    await staff.press("Скачать плакаты")
    await stack.finish_background_work()

    messages = await staff.messages()
    parts = [m for m in messages if m.text.startswith("Объявления, файл")]
    assert len(parts) >= 3
    assert f"Готово: объявления всех чатов (70) — в {len(parts)} файлах PDF" in messages[-1].text
    pages: list[str] = []
    for number, part in enumerate(parts, 1):
        assert part.text.startswith(f"Объявления, файл {number} из {len(parts)}: чаты {len(pages) + 1}–")
        pdf = await stack.download(part)
        assert len(pdf) <= LIMIT
        texts = page_texts(pdf)
        assert part.text.endswith(f"–{len(pages) + len(texts)} из 70.")
        first_title = next(t for t in titles if f"{t} Наведите" in texts[0])
        assert qr_on_page(pdf, 0) == links[first_title]  # each page its own chat's QR code
        pages += texts
    # Every chat's page exactly once, in the chat list's order.
    assert len(pages) == 70
    for title, page in zip(titles, pages, strict=True):
        assert f"{title} Наведите" in page
