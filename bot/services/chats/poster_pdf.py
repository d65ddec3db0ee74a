"""The printable A4 poster of a house chat: title, QR code of the invite link, instructions,
the community's name and a verification code. Pure rendering: data in, PDF bytes out.

`render_posters` makes one document of many posters, a page each: the fonts (and any image
two pages share — reportlab stores an image once per document by its digest) are embedded
once, so a page costs ~1.5 KB instead of the ~57 KB of a poster on its own. The QR code is a
1-bit image of its modules (a few hundred bytes, sharp at any zoom); `qr_modules` is the part
worth doing on another core (`bot/services/poster_book.py`).

Fonts are embedded from `assets/fonts` (DejaVu Sans, with Cyrillic). A character the font has
no glyph for is replaced by its closest plain form (or dropped), so no "missing glyph" box is
ever printed. A long title wraps and shrinks; it is never cut off.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image
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
BLACK = HexColor("#000000")

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
    return ord(char) in font.face.charToGlyph  # type: ignore[attr-defined]  # TTFont's; stubs know Font only


@lru_cache(maxsize=1024)  # the texts every poster repeats stay in it
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


@lru_cache(maxsize=64)
def _lines(text: str, font_name: str, size: float) -> list[str]:
    """A text every poster repeats, broken into lines (the caller must not change the list)."""
    return simpleSplit(printable(text, font_name), font_name, size, TEXT_WIDTH)


def _title_lines(title: str) -> tuple[list[str], int]:
    """The title's lines and font size: the largest size that fits in three lines (else the
    smallest size, however many lines it takes — never cut)."""
    for size in TITLE_SIZES:
        lines = simpleSplit(title, BOLD, size, TEXT_WIDTH)
        if len(lines) <= MAX_TITLE_LINES:
            return lines, size
    size = TITLE_SIZES[-1]
    return simpleSplit(title, BOLD, size, TEXT_WIDTH), size


@dataclass(frozen=True)
class QrModules:
    """A QR code's modules, quiet zone included: `size` rows of `size`, packed a bit each (set =
    light), rows padded to whole bytes — PIL's mode "1" raw layout."""

    size: int
    bits: bytes

    def image(self) -> Image.Image:
        return Image.frombytes("1", (self.size, self.size), self.bits)


# ISO/IEC 18004 lets the encoder pick any of the eight mask patterns and every reader decodes
# each; qrcode's search for the one with the fewest penalty points costs two thirds of the time
# of a whole poster (4 of 6 ms), so the posters use one fixed pattern.
MASK_PATTERN = 2


def qr_modules(link: str) -> QrModules:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, mask_pattern=MASK_PATTERN)
    code.add_data(link)
    code.make(fit=True)
    image = Image.new("1", (len(code.get_matrix()),) * 2)
    image.putdata([0 if dark else 1 for row in code.get_matrix() for dark in row])
    return QrModules(image.width, image.tobytes())


def render_poster(content: PosterContent) -> bytes:
    """One poster as a document of its own."""
    title = printable(f"Домовой чат — {content.title}")
    return render_posters([(content, qr_modules(content.invite_link))], title)


def render_posters(pages: Sequence[tuple[PosterContent, QrModules]], title: str) -> bytes:
    """One document, a poster a page, in the given order."""
    _register_fonts()
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    if pages:
        pdf.setAuthor(printable(pages[0][0].community))
    forms = _Forms(pdf)
    for content, qr in pages:
        _draw_poster(pdf, forms, content, qr)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class _Forms:
    """What many pages of a document repeat, stored once as a form XObject and placed on each
    page by reference: text in a form costs neither bytes nor time on the pages after the
    first. A form's content lies between y = -page height and +page height, so it can be
    moved down or up (`place(…, dy)`)."""

    def __init__(self, pdf: Canvas) -> None:
        self._pdf = pdf
        self._names: dict[tuple[str, ...], str] = {}

    def place(self, key: tuple[str, ...], draw: Callable[[Canvas], None], dy: float = 0) -> None:
        pdf = self._pdf
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"Poster{len(self._names)}"
            pdf.beginForm(name, 0, -PAGE_HEIGHT, PAGE_WIDTH, PAGE_HEIGHT)  # type: ignore[arg-type]  # floats work; the stubs say int
            draw(pdf)
            pdf.endForm()
        pdf.saveState()
        pdf.translate(0, dy)
        pdf.doForm(name)
        pdf.restoreState()


INSTRUCTIONS = (
    "Наведите камеру телефона на QR-код и откройте ссылку — вы попадёте в официальный "
    "чат дома во ВКонтакте. Здесь публикуют сведения об авариях и отключениях, "
    "отвечают управляющая компания и администрация."
)
INSTRUCTION_LINE = 17


def _header(municipality: str) -> Callable[[Canvas], None]:
    def draw(pdf: Canvas) -> None:
        pdf.setFillColor(ACCENT)
        pdf.setFont(BOLD, 15)
        header = printable("ОФИЦИАЛЬНЫЙ ЧАТ ДОМА", BOLD)
        pdf.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - MARGIN - 15, header)
        pdf.setFillColor(MUTED)
        pdf.setFont(REGULAR, 12)
        pdf.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - MARGIN - 33, printable(municipality))

    return draw


def _instructions(pdf: Canvas) -> None:
    """Drawn below y = 0 (placed moved up to just below the QR code)."""
    pdf.setFillColor(BLACK)
    pdf.setFont(REGULAR, 13)
    for index, line in enumerate(_lines(INSTRUCTIONS, REGULAR, 13), 1):
        pdf.drawCentredString(PAGE_WIDTH / 2, -index * INSTRUCTION_LINE, line)


def _check(community: str) -> Callable[[Canvas], None]:
    check = (
        f"Сомневаетесь, что объявление настоящее? Отправьте этот код сообществу "
        f"«{community}» во ВКонтакте — бот ответит, чей это чат и какая ссылка действует."
    )

    def draw(pdf: Canvas) -> None:
        pdf.setFillColor(MUTED)
        pdf.setFont(REGULAR, 10)
        for index, line in enumerate(_lines(check, REGULAR, 10)):
            pdf.drawCentredString(PAGE_WIDTH / 2, MARGIN + 14 - index * 12, line)

    return draw


def _draw_poster(pdf: Canvas, forms: _Forms, content: PosterContent, qr: QrModules) -> None:
    forms.place(("header", content.municipality), _header(content.municipality))
    y = PAGE_HEIGHT - MARGIN - 33

    lines, size = _title_lines(printable(content.title, BOLD))
    pdf.setFillColor(BLACK)
    pdf.setFont(BOLD, size)
    y -= 10
    for line in lines:
        y -= size * 1.15
        pdf.drawCentredString(PAGE_WIDTH / 2, y, line)

    qr_top = y - 8 * mm
    qr_size = min(QR_SIZE, qr_top - MARGIN - 70 * mm)
    pdf.drawImage(
        ImageReader(qr.image()),
        (PAGE_WIDTH - qr_size) / 2,
        qr_top - qr_size,
        width=qr_size,
        height=qr_size,
    )
    y = qr_top - qr_size - 8 * mm

    forms.place(("instructions",), _instructions, dy=y)
    y -= INSTRUCTION_LINE * len(_lines(INSTRUCTIONS, REGULAR, 13))
    pdf.setFillColor(BLACK)
    pdf.setFont(REGULAR, 10)
    y -= 16
    for line in simpleSplit(printable(content.invite_link), REGULAR, 10, TEXT_WIDTH):
        pdf.drawCentredString(PAGE_WIDTH / 2, y, line)
        y -= 12

    pdf.setFillColor(ACCENT)
    pdf.setFont(BOLD, 14)
    pdf.drawCentredString(PAGE_WIDTH / 2, MARGIN + 30, printable(f"Код проверки: {content.code}", BOLD))
    forms.place(("check", content.community), _check(content.community))
