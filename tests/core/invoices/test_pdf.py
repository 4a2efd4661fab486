"""The invoice's PDF copy, read back with PDFium (``printing.raster``)."""

from __future__ import annotations

import dataclasses
import io
import re
from decimal import Decimal

from PIL import Image

from saleor_oci_plugin.invoices.dataclasses import VatCategory
from saleor_oci_plugin.invoices.pdf import render_pdf
from saleor_oci_plugin.invoices.ubl import compute_totals
from saleor_oci_plugin.printing.raster import page_png, page_sizes, pdf_text

from .documents import (
    GIFT_BOX,
    consolidated_invoice,
    hospital_credit_note,
    hospital_invoice,
)

A4 = (595.3, 841.9)


def rendered(document, **kwargs) -> bytes:
    return render_pdf(document, compute_totals(document), **kwargs)


def one_line(text: str) -> str:
    """PDF text with its line breaks and runs of spaces as single spaces."""
    return re.sub(r"\s+", " ", text)


def logo_png(width: int = 400, height: int = 100) -> bytes:
    image = Image.new("RGB", (width, height), (230, 120, 40))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def test_the_invoice_says_what_its_ubl_says():
    document = hospital_invoice()
    pdf = rendered(document)

    (text,) = pdf_text(pdf)
    flat = one_line(text)
    assert "Invoice 2026-0412" in flat
    assert "Purchase order 4500098123" in flat
    assert "Your reference INKOOP-FAC-77" in flat
    # The header cost centre and each line's, and every line's NZI code.
    assert "Cost centre KPL-4000 Facilitair" in flat
    assert "KPL-4010 Tiel" in flat
    assert "KPL-4020 Culemborg" in flat
    for nzi in ("445100", "445200"):
        assert nzi in flat
    # The lines: name, SKU, PO line, quantity, price, rate and net amount.
    assert "Boeket crème rozen — seizoen" in flat
    assert "SKU KP-LUXE-2026 · PO line 10" in flat
    # Rec 20's C62 ("one") printed as people read it.
    assert "40 pcs 37.45 21 % 1,498.00" in flat
    assert "46 pcs 1.2395 21 % 57.02" in flat
    # VAT once per rate, over that rate's lines, then the totals.
    assert "VAT 21 % (standard rate) over EUR 1,555.02 EUR 326.55" in flat
    assert "VAT 9 % (standard rate) over EUR 137.64 EUR 12.39" in flat
    assert "Total net EUR 1,692.66" in flat
    assert "Total VAT EUR 338.94" in flat
    assert "Amount due EUR 2,031.60" in flat
    # Payment as the UBL's PaymentMeans has it: IBAN (grouped), reference.
    assert (
        "Please pay EUR 2,031.60 by 2027-01-14 to IBAN NL91 ABNA 0417 1643 00"
    ) in flat
    assert "quoting 2026-0412" in flat
    # Seller and buyer with their registrations.
    assert "KvK 30123456" in flat
    assert "VAT NL001234567B01" in flat
    assert "Stichting Ziekenhuis Rivierenland" in flat
    assert "KvK 41061254" in flat
    assert "Invoice 2026-0412 · page 1 of 1" in flat


def test_it_is_one_a4_page_with_every_font_embedded():
    pdf = rendered(hospital_invoice())

    assert [tuple(round(side, 1) for side in size) for size in page_sizes(pdf)] == [A4]
    fonts_named = set(re.findall(rb"/BaseFont\s*/([^\s/]+)", pdf))
    # Subsets of the Vera family, each with its font file; no base-14 font
    # (Helvetica) that a reader would have to substitute.
    assert fonts_named == {
        b"AAAAAA+BitstreamVeraSans-Roman",
        b"AAAAAA+BitstreamVeraSans-Bold",
    }
    assert pdf.count(b"/FontFile2") == len(fonts_named)


def test_the_same_document_gives_the_same_bytes():
    assert rendered(hospital_invoice()) == rendered(hospital_invoice())


def test_a_credit_note_names_the_invoice_it_corrects_and_the_amount_credited():
    document = hospital_credit_note()
    flat = one_line(pdf_text(rendered(document))[0])

    assert "Credit note 2026-C-0031" in flat
    assert "Corrects invoice 2026-0412 Invoice date 2026-12-15" in flat
    assert "Amount credited EUR 90.63" in flat
    assert "Twee pakketten beschadigd geleverd" in flat
    assert "Amount due" not in flat
    # The money goes to the buyer: nothing asks them to pay.
    assert "Please pay" not in flat


def test_a_consolidated_invoice_lists_its_period_and_purchase_orders():
    flat = one_line(pdf_text(rendered(consolidated_invoice()))[0])

    assert "Invoicing period 2026-12-01 to 2026-12-31" in flat
    for po in ("4500098123", "4500098177", "4500098201"):
        assert po in flat


def test_a_many_line_invoice_paginates_without_losing_a_line():
    lines = [
        dataclasses.replace(
            GIFT_BOX, line_id=str(position), name=f"Kerstpakket nummer {position:04d}"
        )
        for position in range(1, 301)
    ]
    document = hospital_invoice(lines=lines)
    pdf = rendered(document)

    pages = [one_line(text) for text in pdf_text(pdf)]
    assert len(pages) > 3
    everything = " ".join(pages)
    found = re.findall(r"Kerstpakket nummer (\d{4})", everything)
    assert found == [f"{position:04d}" for position in range(1, 301)]
    for number, page in enumerate(pages, start=1):
        assert f"Invoice 2026-0412 · page {number} of {len(pages)}" in page
        # Each page's table starts with its column headings.
        assert "# Item NZI Cost centre Quantity Unit price VAT Amount" in page
    assert "Invoice 2026-0412 (continued)" in pages[1]
    total = compute_totals(document).payable_amount
    assert f"Amount due EUR {total:,.2f}" in pages[-1]


def test_a_long_item_name_and_cost_centre_wrap_inside_their_columns():
    long_name = "Kerstpakket " + "extra luxe " * 12 + "einde"
    line = dataclasses.replace(
        GIFT_BOX, name=long_name, cost_centre="KPL-4010 Tiel Oost Vleugel B"
    )
    flat = one_line(pdf_text(rendered(hospital_invoice(lines=[line])))[0])

    assert one_line(long_name) in flat
    assert "KPL-4010 Tiel Oost Vleugel B" in flat


def test_a_unit_code_without_a_common_name_is_printed_as_it_is():
    line = dataclasses.replace(GIFT_BOX, unit_code="KTM", quantity=Decimal("2.5"))
    flat = one_line(pdf_text(rendered(hospital_invoice(lines=[line])))[0])

    assert "2.5 KTM 37.45" in flat


def test_characters_the_font_lacks_are_replaced_not_dropped():
    line = dataclasses.replace(GIFT_BOX, name="Łódź bloemen 雪")
    flat = one_line(pdf_text(rendered(hospital_invoice(lines=[line])))[0])

    # Vera has Ł and ó but not ź (a z with its accent dropped) or 雪.
    assert "Łódz bloemen ?" in flat


def test_text_that_looks_like_markup_is_printed_as_it_is():
    line = dataclasses.replace(GIFT_BOX, name="Doos <b>groot</b> & klein")
    flat = one_line(pdf_text(rendered(hospital_invoice(lines=[line])))[0])

    assert "Doos <b>groot</b> & klein" in flat


def test_a_zero_rated_line_and_its_group_show_the_category():
    water = dataclasses.replace(
        GIFT_BOX,
        line_id="2",
        name="Export",
        vat_category=VatCategory.ZERO_RATED,
        vat_rate=Decimal(0),
    )
    flat = one_line(pdf_text(rendered(hospital_invoice(lines=[GIFT_BOX, water])))[0])

    assert "VAT 0 % (zero rated) over EUR 1,498.00 EUR 0.00" in flat


def test_the_logo_is_drawn_at_the_top_left_and_only_when_given():
    without = Image.open(io.BytesIO(page_png(rendered(hospital_invoice()), dpi=50)))
    with_logo = Image.open(
        io.BytesIO(page_png(rendered(hospital_invoice(), logo=logo_png()), dpi=50))
    )

    def orange_pixels(image: Image.Image) -> int:
        # The top left quarter of the page, where the letterhead's logo goes.
        corner = image.convert("RGB").crop((0, 0, image.width // 2, image.height // 6))
        return sum(
            1
            for red, green, blue in corner.getdata()
            if red > 200 and 90 < green < 150 and blue < 80
        )

    assert orange_pixels(without) == 0
    assert orange_pixels(with_logo) > 500


def test_a_large_logo_is_embedded_at_print_size_only():
    noise = Image.effect_noise((3000, 1000), 90).convert("RGB")
    output = io.BytesIO()
    noise.save(output, format="PNG")
    logo = output.getvalue()

    pdf = rendered(hospital_invoice(), logo=logo)

    # 60 x 22 mm at 300 dpi: 709 x 260 pixels; the proportions kept.
    widths = [int(width) for width in re.findall(rb"/Width (\d+)", pdf)]
    heights = [int(height) for height in re.findall(rb"/Height (\d+)", pdf)]
    assert (widths, heights) == ([709], [236])
    assert len(pdf) < len(logo) / 5


def test_an_unreadable_logo_is_left_out_and_the_pdf_still_made(caplog):
    pdf = rendered(hospital_invoice(), logo=b"<svg>not a raster image</svg>")

    assert "Invoice 2026-0412" in pdf_text(pdf)[0]
    assert "seller logo could not be read" in caplog.text
