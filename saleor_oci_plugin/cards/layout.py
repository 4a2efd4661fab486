"""The one layout of a greeting card, drawn with ReportLab.

The print PDF and the storefront's preview come from the same drawing: the preview
is the print PDF rasterised (``printing.raster.page_png``), cropped to the trim.
A text is checked against this layout (the embedded font's real widths) when the
buyer sets it, so nothing is shortened at print time.

Page geometry: the page is the trimmed card plus the bleed on every side (the
MediaBox); TrimBox and BleedBox say where to cut. A coloured band runs off the
bottom edge into the bleed; the logo (optional) sits centred at the top; the text
lines are centred below it.

ReportLab, Pillow and pypdfium2 are imported inside the functions: the plugin's
start-up does not pay for them.
"""

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..dataclasses import CardFormat
from ..printing import fonts

POINTS_PER_MM = 72 / 25.4
FONT_SIZE = 14.0
LEADING = 19.0
MARGIN_MM = 10.0
BAND_MM = 6.0
# Space between the band and the text, and between the logo and the text.
GAP_MM = 5.0
LOGO_MAX_HEIGHT_MM = 22.0
# Of the text width.
LOGO_MAX_WIDTH_SHARE = 0.5
# The logo is embedded at what a 300 dpi print needs at its printed size, no more.
LOGO_DPI = 300
# High enough that a print shows no JPEG artefacts around a logo's sharp edges.
LOGO_JPEG_QUALITY = 95
BAND_COLOUR = (0.18, 0.42, 0.36)

# Codes of a refused card text (the GraphQL error code is the upper-case form).
TEXT_TOO_LONG = "card_text_too_long"
UNSUPPORTED_CHARACTERS = "card_text_unsupported_characters"

# What the OCI long text and cXML comments add for a card printed with the logo.
WITH_LOGO_NOTE = "(card with company logo)"


@dataclass(frozen=True)
class CardContent:
    """What goes on one card: its text and the logo's image file (or None)."""

    text: str
    logo: bytes | None = None


@dataclass(frozen=True)
class CardProblem:
    code: str
    message: str


@dataclass(frozen=True)
class _Geometry:
    page_width: float
    page_height: float
    bleed: float
    trim_width: float
    trim_height: float
    text_width: float

    @classmethod
    def of(cls, card_format: CardFormat) -> "_Geometry":
        bleed = card_format.bleed_mm * POINTS_PER_MM
        width = card_format.width_mm * POINTS_PER_MM
        height = card_format.height_mm * POINTS_PER_MM
        return cls(
            page_width=width + 2 * bleed,
            page_height=height + 2 * bleed,
            bleed=bleed,
            trim_width=width,
            trim_height=height,
            text_width=width - 2 * MARGIN_MM * POINTS_PER_MM,
        )

    @property
    def logo_box(self) -> tuple[float, float]:
        return (
            self.text_width * LOGO_MAX_WIDTH_SHARE,
            LOGO_MAX_HEIGHT_MM * POINTS_PER_MM,
        )

    @property
    def text_bottom(self) -> float:
        return self.bleed + (BAND_MM + GAP_MM) * POINTS_PER_MM

    def text_top(self, with_logo: bool) -> float:
        top = self.bleed + self.trim_height - MARGIN_MM * POINTS_PER_MM
        if with_logo:
            top -= (LOGO_MAX_HEIGHT_MM + GAP_MM) * POINTS_PER_MM
        return top


def page_size_points(card_format: CardFormat) -> tuple[float, float]:
    """The PDF page of a card: the trimmed card plus its bleed, in points."""
    geometry = _Geometry.of(card_format)
    return geometry.page_width, geometry.page_height


def normalise_text(text: str) -> str:
    """The text as printed: Unix line ends, tabs as spaces, no trailing spaces,
    no blank lines before or after."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "\n".join(line.rstrip() for line in lines.split("\n")).strip("\n")


def wrap(text: str, width: float) -> list[str]:
    """The printed lines of ``text``: each typed line wrapped at spaces to
    ``width`` points with the embedded font's widths (a word wider than a line is
    broken between characters)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = fonts.register_fonts()

    def fits(candidate: str) -> bool:
        return stringWidth(candidate, font, FONT_SIZE) <= width

    printed: list[str] = []
    for typed in normalise_text(text).split("\n"):
        current = ""
        for word in typed.split(" "):
            candidate = f"{current} {word}" if current else word
            if fits(candidate):
                current = candidate
                continue
            if current:
                printed.append(current)
            current = ""
            while word and not fits(word):
                cut = len(word) - 1
                while cut > 1 and not fits(word[:cut]):
                    cut -= 1
                printed.append(word[:cut])
                word = word[cut:]
            current = word
        printed.append(current)
    return printed


def text_problems(
    text: str, card_format: CardFormat, with_logo: bool
) -> list[CardProblem]:
    """Why ``text`` cannot be printed on the card as it is; empty when it can."""
    problems: list[CardProblem] = []
    text = normalise_text(text)
    unsupported = fonts.unsupported_characters(text)
    if unsupported:
        problems.append(
            CardProblem(
                UNSUPPORTED_CHARACTERS,
                "The card's font cannot print these characters: "
                + " ".join(repr(char) for char in unsupported)
                + ". Replace them, for example by plain letters.",
            )
        )
        return problems
    long_lines = [
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if len(line) > card_format.max_line_characters
    ]
    if long_lines:
        problems.append(
            CardProblem(
                TEXT_TOO_LONG,
                f"A card line has at most {card_format.max_line_characters} "
                "characters; too long: line "
                + ", ".join(str(number) for number in long_lines)
                + ".",
            )
        )
    geometry = _Geometry.of(card_format)
    printed = wrap(text, geometry.text_width)
    room = int(
        (geometry.text_top(with_logo) - geometry.text_bottom + LEADING - FONT_SIZE)
        // LEADING
    )
    allowed = min(card_format.max_lines, max(room, 0))
    if len(printed) > allowed:
        problems.append(
            CardProblem(
                TEXT_TOO_LONG,
                f"The text takes {len(printed)} lines on the card"
                + (" with the logo" if with_logo else "")
                + f"; at most {allowed} fit. Shorten it.",
            )
        )
    return problems


def render_pdf(cards: Sequence[CardContent], card_format: CardFormat) -> bytes:
    """One page per card, each the card's physical size with bleed, fonts
    embedded. The texts are expected to have passed :func:`text_problems`."""
    from reportlab.pdfgen import canvas

    font = fonts.register_fonts()
    geometry = _Geometry.of(card_format)
    output = io.BytesIO()
    pdf = canvas.Canvas(
        output,
        pagesize=(geometry.page_width, geometry.page_height),
        pageCompression=1,
    )
    pdf.setTitle("Greeting cards" if len(cards) != 1 else "Greeting card")
    for card in cards:
        _draw_card(pdf, card, geometry, font)
        pdf.showPage()
    pdf.save()
    return output.getvalue()


def _draw_card(pdf: Any, card: CardContent, geometry: _Geometry, font: str) -> None:
    bleed = geometry.bleed
    trim = (bleed, bleed, bleed + geometry.trim_width, bleed + geometry.trim_height)
    pdf.setTrimBox(trim)
    pdf.setBleedBox((0, 0, geometry.page_width, geometry.page_height))
    pdf.setFillColorRGB(*BAND_COLOUR)
    # Runs off the left, right and bottom edges into the bleed.
    pdf.rect(
        0, 0, geometry.page_width, bleed + BAND_MM * POINTS_PER_MM, stroke=0, fill=1
    )
    with_logo = card.logo is not None
    if card.logo is not None:
        image, width, height = prepared_logo(card.logo, *geometry.logo_box)
        top = bleed + geometry.trim_height - MARGIN_MM * POINTS_PER_MM
        pdf.drawImage(
            image,
            (geometry.page_width - width) / 2,
            top - height,
            width=width,
            height=height,
        )
    lines = wrap(card.text, geometry.text_width)
    bottom, top = geometry.text_bottom, geometry.text_top(with_logo)
    block = FONT_SIZE + LEADING * (len(lines) - 1)
    # The block is centred in its area; the first baseline is one font size down.
    baseline = top - (top - bottom - block) / 2 - FONT_SIZE
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(font, FONT_SIZE)
    centre = geometry.page_width / 2
    for line in lines:
        if line:
            pdf.drawCentredString(centre, baseline, line)
        baseline -= LEADING


def prepared_logo(logo: bytes, box_width: float, box_height: float) -> tuple:
    """The logo fitted into the box (points): an image no larger than 300 dpi needs
    at its printed size, on white, with its printed width and height."""
    return _prepared_logo(hashlib.sha256(logo).digest(), logo, box_width, box_height)


@lru_cache(maxsize=32)
def _prepared_logo(
    _digest: bytes, logo: bytes, box_width: float, box_height: float
) -> tuple:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    with Image.open(io.BytesIO(logo)) as opened:
        image = opened.convert("RGBA")
    scale = min(box_width / image.width, box_height / image.height)
    width, height = image.width * scale, image.height * scale
    needed = (
        max(1, round(width / 72 * LOGO_DPI)),
        max(1, round(height / 72 * LOGO_DPI)),
    )
    if image.width > needed[0] or image.height > needed[1]:
        image = image.resize(needed, Image.Resampling.LANCZOS)
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, mask=image.getchannel("A"))
    # As a JPEG, ReportLab embeds the file as it is instead of compressing pixels
    # for every PDF; the reader is kept, so its pixels are decoded once.
    jpeg = io.BytesIO()
    flat.save(jpeg, format="JPEG", quality=LOGO_JPEG_QUALITY, subsampling=0)
    jpeg.seek(0)
    return ImageReader(jpeg), width, height


def preview_png(card: CardContent, card_format: CardFormat, dpi: int = 96) -> bytes:
    """The card as the buyer will receive it: the print PDF rasterised, cut at the
    trim (the bleed is cut off by the printer)."""
    from ..printing import raster

    pdf = render_pdf([card], card_format)
    bleed = card_format.bleed_mm * POINTS_PER_MM
    return raster.page_png(pdf, dpi, crop=(bleed, bleed, bleed, bleed))
