"""The poster PDF and verification codes, without VK."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from bot.services.chats.poster_book import PosterPrinter, PosterTooLarge, _render_within
from bot.services.chats.poster_pdf import PosterContent, printable, qr_modules, render_poster, render_posters
from bot.services.chats.posters import looks_like_code, new_code, normalise_code, show_code


def poster(title: str, link: str = "https://vk.me/join/AbCdEf123") -> bytes:
    return render_poster(
        PosterContent(title=title, municipality="Демо-город", community="Домовые чаты",
                      invite_link=link, code="7KQM-4WXP")
    )


def text_of(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_a_long_title_wraps_and_is_never_cut() -> None:
    title = ("Проспект Авиаконструкторов, дом 124, корпус 3, строение 2, подъезд 7 — "
             "жилой комплекс «Северная долина», очередь вторая")
    pdf = poster(title)
    assert title in text_of(pdf)
    page = pypdfium2.PdfDocument(pdf)[0]
    (barcode,) = zxingcpp.read_barcodes(page.render(scale=2).to_pil())
    assert barcode.text == "https://vk.me/join/AbCdEf123"  # the QR code still fits


def test_characters_outside_the_font_never_print_as_boxes() -> None:
    assert printable("Улица 𝟙𝟚 ☃ Ёлки") == "Улица 12 ☃ Ёлки"  # math digits fall back to plain
    assert printable("дом \U0001F3E0 5") == "дом 5"  # an emoji the font lacks is dropped
    assert "Ёлки" in text_of(poster("Улица Ёлки, 𝟙𝟚"))


def test_codes_are_unambiguous_and_typed_any_way() -> None:
    code = new_code()
    assert len(code) == 8 and not set(code) & set("01ILO")
    assert normalise_code(show_code(code).lower()) == code
    assert normalise_code("7kqm 4wxp") == "7KQM4WXP"
    assert normalise_code("7КQМ-4WХР") == "7KQM4WXP"  # Cyrillic К, М, Х, Р
    assert normalise_code("7KQM") is None
    assert looks_like_code(" 7KQM - 4WXP ") and not looks_like_code("Привет, как дела?")


def contents(count: int) -> list[PosterContent]:
    return [
        PosterContent(title=f"Садовая {n}", municipality="Демо-город", community="Домовые чаты",
                      invite_link=f"https://vk.me/join/AbCdEf{n:04d}", code="7KQM-4WXP")
        for n in range(1, count + 1)
    ]


async def test_a_batch_becomes_documents_under_the_limit_with_every_poster_once() -> None:
    printer = PosterPrinter(max_bytes=70_000, workers=2)
    try:
        documents = await printer.documents(contents(30), "Объявления")
    finally:
        await printer.close()
    assert len(documents) > 1
    titles = []
    for document in documents:
        assert len(document.content) <= 70_000
        pages = PdfReader(io.BytesIO(document.content)).pages
        assert document.last - document.first + 1 == len(pages)
        titles += [page.extract_text().split("\n")[2] for page in pages]
    assert titles == [f"Садовая {n}" for n in range(1, 31)]
    assert [d.first for d in documents][0] == 1 and documents[-1].last == 30


def test_a_document_over_the_limit_is_made_again_as_smaller_ones() -> None:
    pages = [(content, qr_modules(content.invite_link)) for content in contents(12)]
    whole = render_posters(pages, "Объявления")
    parts = _render_within(pages, "Объявления", len(whole) - 1)  # the plan was off by a byte
    assert len(parts) == 2 and sum(count for count, _ in parts) == 12
    assert all(len(content) < len(whole) for _, content in parts)
    with pytest.raises(PosterTooLarge):
        _render_within(pages, "Объявления", 20_000)  # not even one poster fits
