"""The poster PDF and verification codes, without VK."""

from __future__ import annotations

import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from bot.services.chats.poster_pdf import PosterContent, printable, render_poster
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
