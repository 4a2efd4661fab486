"""The HTML rendering stored with each issued document."""

import dataclasses

from saleor_oci_plugin.invoices.rendering import render_html
from saleor_oci_plugin.invoices.ubl import compute_totals
from tests.core.invoices.documents import GIFT_BOX, hospital_invoice


def test_rendering_shows_the_references_lines_and_totals_of_the_ubl():
    document = hospital_invoice()
    totals = compute_totals(document)

    html = render_html(document, totals)

    for text in (
        "Invoice 2026-0412",
        "4500098123",  # PO number (BT-13)
        "INKOOP-FAC-77",  # buyer reference (BT-10)
        "KPL-4000 Facilitair",  # header cost centre (BT-19)
        "445100",  # NZI code of a line
        "NL91ABNA0417164300",
        f"EUR {totals.payable_amount:,.2f}",
    ):
        assert text in html
    assert html.count("<tr><td>") == len(document.lines)


def test_every_value_is_escaped():
    hostile = dataclasses.replace(GIFT_BOX, name='<script>alert("x")</script>')

    html = render_html(
        hospital_invoice(lines=(hostile,)),
        compute_totals(hospital_invoice(lines=(hostile,))),
    )

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
