"""The printable A4 poster of a house chat: title, QR code of the invite link, instructions,
the community's name and a verification code. Pure rendering: data in, PDF bytes out.

Fonts are embedded from `assets/fonts` (DejaVu Sans, with Cyrillic). A character the font has
no glyph for is replaced by its closest plain form (or dropped), so no "missing glyph" box is
ever printed. A long title wraps and shrinks; it is never cut off.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONTS = Path(__file__).resolve().parents[3] / "assets" / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 120 * mm
ACCENT = HexColor("#2A5885")
MUTED = HexColor("#555555")

TITLE_SIZES = (34, 30, 26, 22, 19, 16)  # tried in order until the title fits in 3 lines
MAX_TITLE_LINES = 3


@dataclass(frozen=True)
class PosterContent:
    title: str  # the chat's name, usually the house address
    municipality: str
    community: str  # the VK community's name
    invite_link: str
    code: str  # the verification code, shown as printed


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


@lru_cache(maxsize=4096)
def _has_glyph(font_name: str, char: str) -> bool:
    font = pdfmetrics.getFont(font_name)
    return ord(char) in font.face.charToGlyph


def printable(text: str, font_name: str = REGULAR) -> str:
    """`text` with every character the font cannot draw replaced by a plain form or dropped."""
    _register_fonts()
    out = []
    for char in text:
        if char.isspace():
            out.append(" ")
        elif ord(char) < 0x10000 and _has_glyph(font_name, char):  # astral: unextractable
            out.append(char)
        else:
            plain = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in plain if ord(c) < 0x10000 and _has_glyph(font_name, c)))
    return " ".join("".join(out).split())


def _title_lines(title: str) -> tuple[list[str], int]:
    """The title's lines and font size: the largest size that fits in three lines (else the
    smallest size, however many lines it takes — never cut)."""
    for size in TITLE_SIZES:
        lines = simpleSplit(title, BOLD, size, TEXT_WIDTH)
        if len(lines) <= MAX_TITLE_LINES:
            return lines, size
    size = TITLE_SIZES[-1]
    return simpleSplit(title, BOLD, size, TEXT_WIDTH), size


@lru_cache(maxsize=256)
def _qr_png(link: str) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=2)
    code.add_data(link)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def render_poster(content: PosterContent) -> bytes:
    _register_fonts()
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(printable(f"Домовой чат — {content.title}"))
    pdf.setAuthor(printable(content.community))

    y = PAGE_HEIGHT - MARGIN
    pdf.setFillColor(ACCENT)
    pdf.setFont(BOLD, 15)
    y -= 15
    pdf.drawCentredString(PAGE_WIDTH / 2, y, printable("ОФИЦИАЛЬНЫЙ ЧАТ ДОМА", BOLD))
    pdf.setFillColor(MUTED)
    pdf.setFont(REGULAR, 12)
    y -= 18
    pdf.drawCentredString(PAGE_WIDTH / 2, y, printable(content.municipality))

    lines, size = _title_lines(printable(content.title, BOLD))
    pdf.setFillColor(HexColor("#000000"))
    pdf.setFont(BOLD, size)
    y -= 10
    for line in lines:
        y -= size * 1.15
        pdf.drawCentredString(PAGE_WIDTH / 2, y, line)

    qr_top = y - 8 * mm
    qr_size = min(QR_SIZE, qr_top - MARGIN - 70 * mm)
    pdf.drawImage(
        ImageReader(io.BytesIO(_qr_png(content.invite_link))),
        (PAGE_WIDTH - qr_size) / 2,
        qr_top - qr_size,
        width=qr_size,
        height=qr_size,
    )
    y = qr_top - qr_size - 8 * mm

    pdf.setFont(REGULAR, 13)
    instructions = (
        "Наведите камеру телефона на QR-код и откройте ссылку — вы попадёте в официальный "
        "чат дома во ВКонтакте. Здесь публикуют сведения об авариях и отключениях, "
        "отвечают управляющая компания и администрация."
    )
    for line in simpleSplit(printable(instructions), REGULAR, 13, TEXT_WIDTH):
        y -= 17
        pdf.drawCentredString(PAGE_WIDTH / 2, y, line)
    pdf.setFont(REGULAR, 10)
    y -= 16
    for line in simpleSplit(printable(content.invite_link), REGULAR, 10, TEXT_WIDTH):
        pdf.drawCentredString(PAGE_WIDTH / 2, y, line)
        y -= 12

    pdf.setFillColor(ACCENT)
    pdf.setFont(BOLD, 14)
    pdf.drawCentredString(PAGE_WIDTH / 2, MARGIN + 30, printable(f"Код проверки: {content.code}", BOLD))
    pdf.setFillColor(MUTED)
    pdf.setFont(REGULAR, 10)
    check = (
        f"Сомневаетесь, что объявление настоящее? Отправьте этот код сообществу "
        f"«{content.community}» во ВКонтакте — бот ответит, чей это чат и какая ссылка действует."
    )
    for index, line in enumerate(simpleSplit(printable(check), REGULAR, 10, TEXT_WIDTH)):
        pdf.drawCentredString(PAGE_WIDTH / 2, MARGIN + 14 - index * 12, line)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
