"""The HTML page of a consolidated invoice: its period and the POs it covers.

The Saleor tier has the general rendering tests; ``render_html`` needs no
Django, so these run in the core tier.
"""

from __future__ import annotations

from decimal import Decimal

from saleor_oci_plugin.invoices.dataclasses import SupportingDocument
from saleor_oci_plugin.invoices.rendering import render_html
from saleor_oci_plugin.invoices.ubl import compute_totals

from .documents import (
    DECEMBER_ORDERS,
    consolidated_invoice,
    hospital_credit_note,
    hospital_invoice,
)


def test_consolidated_invoice_shows_period_orders_and_line_pos() -> None:
    document = consolidated_invoice()

    html = render_html(document, compute_totals(document))

    assert "<tr><th>Invoicing period</th><td>2026-12-01 to 2026-12-31</td></tr>" in html
    assert "<h2>Referenced documents</h2>" in html
    for po_number, _, ordered in DECEMBER_ORDERS:
        assert (
            f"<tr><th>{po_number}</th>"
            f"<td>Inkooporder van {ordered.isoformat()}</td></tr>"
        ) in html
    # Each line names its PO, and lines stay the only rows that start with <td>.
    assert "<small>PO 4500098177 line 20</small>" in html
    assert html.count("<tr><td>") == len(document.lines)


def test_without_period_or_documents_neither_is_shown() -> None:
    document = hospital_invoice()
    html = render_html(document, compute_totals(document))
    assert "Invoicing period" not in html
    assert "Referenced documents" not in html


def test_supporting_documents_are_escaped() -> None:
    document = consolidated_invoice(
        supporting_documents=(
            SupportingDocument("<b>PO-1</b>", 'Order "A" & <i>B</i>'),
        )
    )

    html = render_html(document, compute_totals(document))

    assert "<b>PO-1</b>" not in html
    assert "<i>B</i>" not in html
    assert (
        "<tr><th>&lt;b&gt;PO-1&lt;/b&gt;</th>"
        "<td>Order &quot;A&quot; &amp; &lt;i&gt;B&lt;/i&gt;</td></tr>"
    ) in html


def test_a_rounding_amount_is_shown_between_the_gross_and_the_amount_due() -> None:
    document = hospital_credit_note(payable_rounding_amount=Decimal("-0.01"))

    html = render_html(document, compute_totals(document))

    # 2 x 37.45 = 74.90 with 21 % VAT: 15.73, so 90.63 with VAT, 90.62 due.
    assert (
        "<tr><th>Total with VAT</th><td class='n'>EUR 90.63</td></tr>"
        "<tr><th>Rounding</th><td class='n'>EUR -0.01</td></tr>"
        "<tr><th>Amount due</th><td class='n'><strong>EUR 90.62</strong>"
    ) in html


def test_without_a_rounding_amount_no_rounding_row() -> None:
    document = hospital_credit_note()
    html = render_html(document, compute_totals(document))
    assert "Rounding" not in html
    assert "Total with VAT" not in html
