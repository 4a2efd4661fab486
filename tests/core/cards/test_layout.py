import io

import pytest
from PIL import Image, ImageDraw

from saleor_oci_plugin.cards import layout
from saleor_oci_plugin.dataclasses import CardFormat
from saleor_oci_plugin.printing import raster

A6 = CardFormat()
MM = 72 / 25.4


def logo_png(width: int = 3000, height: int = 1000) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((0, 0, height, height), fill=(30, 90, 160, 255))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def test_the_page_is_the_card_plus_its_bleed_on_every_side():
    pdf = layout.render_pdf([layout.CardContent("Beterschap!")], A6)

    ((width, height),) = raster.page_sizes(pdf)
    assert width == pytest.approx((148 + 6) * MM, abs=0.01)
    assert height == pytest.approx((105 + 6) * MM, abs=0.01)
    assert b"/TrimBox [ 8.503937 8.503937 428.0315 306.1417 ]" in pdf


def test_the_text_reads_back_line_for_line_wrapped_at_the_card_width():
    text = (
        "Beterschap!\n\nVan harte beterschap gewenst en veel sterkte de komende weken"
    )
    pdf = layout.render_pdf([layout.CardContent(text)], A6)

    printed = layout.wrap(text, 128 * MM)
    assert printed == [
        "Beterschap!",
        "",
        "Van harte beterschap gewenst en veel sterkte de",
        "komende weken",
    ]
    # An empty line is space on the card, not text.
    assert raster.pdf_text(pdf)[0].splitlines() == [line for line in printed if line]


def test_a_word_wider_than_the_card_is_broken_between_characters():
    printed = layout.wrap("W" * 60, 128 * MM)

    assert "".join(printed) == "W" * 60
    assert len(printed) == 3


def test_the_logo_is_embedded_at_no_more_than_300_dpi_of_its_printed_size():
    pdf = layout.render_pdf([layout.CardContent("Hi", logo_png())], A6)

    assert b"/Subtype /Image" in pdf
    reader, width, height = layout.prepared_logo(logo_png(), 64 * MM, 22 * MM)
    # 3:1 in a 64 x 22 mm box: 64 x 21.3 mm, 756 x 252 pixels at 300 dpi.
    assert (width / MM, height / MM) == pytest.approx((64, 64 / 3))
    assert reader.getSize() == (756, 252)


def test_a_small_logo_is_not_enlarged():
    reader, _width, _height = layout.prepared_logo(logo_png(90, 30), 64 * MM, 22 * MM)

    assert reader.getSize() == (90, 30)


def test_a_batch_has_one_page_per_card_and_the_logo_once():
    logo = logo_png()
    cards = [layout.CardContent(f"Card {number}", logo) for number in range(3)]

    pdf = layout.render_pdf(cards, A6)

    assert [text.strip() for text in raster.pdf_text(pdf)] == [
        "Card 0",
        "Card 1",
        "Card 2",
    ]
    assert pdf.count(b"/Subtype /Image") == 1


def test_the_preview_is_cut_at_the_trim():
    png = layout.preview_png(layout.CardContent("Hi"), A6, dpi=72)

    width, height = Image.open(io.BytesIO(png)).size
    # PDFium rounds the cut page down to whole pixels.
    assert (width, height) == (int(148 * MM), int(105 * MM))


@pytest.mark.parametrize(
    ("text", "with_logo", "code"),
    [
        ("x" * 61, False, layout.TEXT_TOO_LONG),
        ("\n".join(["line"] * 9), False, layout.TEXT_TOO_LONG),
        (
            "Gefeliciteerd \N{CJK UNIFIED IDEOGRAPH-4E2D}",
            False,
            layout.UNSUPPORTED_CHARACTERS,
        ),
        ("Smile \N{GRINNING FACE}", True, layout.UNSUPPORTED_CHARACTERS),
    ],
)
def test_texts_that_do_not_fit_or_cannot_be_drawn_are_named(text, with_logo, code):
    assert [problem.code for problem in layout.text_problems(text, A6, with_logo)] == [
        code
    ]


def test_the_logo_leaves_fewer_lines_on_a_small_card():
    small = CardFormat(width_mm=100, height_mm=70, max_lines=20)
    text = "\n".join(["line"] * 6)

    assert layout.text_problems(text, small, with_logo=False) == []
    assert [p.code for p in layout.text_problems(text, small, with_logo=True)] == [
        layout.TEXT_TOO_LONG
    ]


def test_the_default_limits_fit_the_default_card_with_the_logo():
    # As many printed lines as allowed, each as wide as the card takes.
    widest = "\n".join(["m" * 26] * A6.max_lines)

    assert len(layout.wrap(widest, 128 * MM)) == A6.max_lines
    assert layout.text_problems(widest, A6, with_logo=True) == []
