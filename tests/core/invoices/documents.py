"""Realistic documents for the tests: a Dutch gift shop invoicing a hospital.

Gift boxes at 21 % VAT, flowers at 9 %, ordered on the hospital's purchase order
with a header cost centre, NZI cost-type codes per line and two branches' cost
centres on the lines. The identifiers are well-formed but fictional.

``consolidated_invoice`` is December's invoice for three of the hospital's
purchase orders: no single PO number (BT-13), the buyer reference (BT-10), the
period, one supporting document per PO, and each line naming its PO.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from saleor_oci_plugin.invoices.dataclasses import (
    Address,
    BillingReference,
    Customization,
    Delivery,
    DocumentKind,
    Endpoint,
    InvoiceDocument,
    InvoiceLine,
    InvoicePeriod,
    Party,
    PaymentMeans,
    PaymentMeansCode,
    SupportingDocument,
    VatCategory,
)

SHOP = Party(
    name="Cadeauhuis De Vlinder & Zoon B.V.",
    address=Address("Oudegracht 112", "Utrecht", "3511 AX", "NL"),
    legal_id="30123456",
    vat_number="NL001234567B01",
    endpoint=Endpoint("30123456", "0106"),
)
HOSPITAL = Party(
    name="Stichting Ziekenhuis Rivierenland",
    address=Address("President Kennedylaan 1", "Tiel", "4002 WP", "NL"),
    legal_id="41061254",
    vat_number="NL002345678B01",
    endpoint=Endpoint("41061254", "0106"),
)
HOSPITAL_DELIVERY = Delivery(
    address=Address("President Kennedylaan 1", "Tiel", "4002 WP", "NL"),
    date=datetime.date(2026, 12, 14),
    recipient_name="Afdeling Facilitair, Ingang B",
)
SHOP_ACCOUNT = PaymentMeans(
    PaymentMeansCode.SEPA_CREDIT_TRANSFER, "NL91 ABNA 0417 1643 00", "2026-0412"
)

GIFT_BOX = InvoiceLine(
    line_id="1",
    name="Kerstpakket Luxe",
    quantity=Decimal("40"),
    unit_code="C62",
    unit_net_price=Decimal("37.45"),
    vat_category=VatCategory.STANDARD,
    vat_rate=Decimal("21"),
    sku="KP-LUXE-2026",
    cost_centre="KPL-4010 Tiel",
    order_line_id="10",
    nzi_code="445100",
)
FLOWERS = InvoiceLine(
    line_id="2",
    name="Boeket crème rozen — seizoen",
    quantity=Decimal("6"),
    unit_code="C62",
    unit_net_price=Decimal("22.94"),
    vat_category=VatCategory.STANDARD,
    vat_rate=Decimal("9"),
    sku="BQ-SEIZ-M",
    cost_centre="KPL-4020 Culemborg",
    order_line_id="20",
    nzi_code="445200",
    note="Bezorgen bij de receptie",
)
GREETING_CARDS = InvoiceLine(
    line_id="3",
    name="Wenskaart met logo",
    quantity=Decimal("46"),
    unit_code="C62",
    unit_net_price=Decimal("1.2395"),
    vat_category=VatCategory.STANDARD,
    vat_rate=Decimal("21"),
    sku="WK-LOGO",
    cost_centre="KPL-4010 Tiel",
    order_line_id="30",
    nzi_code="445100",
)


def hospital_invoice(**changes: Any) -> InvoiceDocument:
    """The gift shop's invoice to the hospital, with ``changes`` applied."""
    document = InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number="2026-0412",
        issue_date=datetime.date(2026, 12, 15),
        due_date=datetime.date(2027, 1, 14),
        currency="EUR",
        customization=Customization.SI_UBL_2_0,
        seller=SHOP,
        buyer=HOSPITAL,
        lines=(GIFT_BOX, FLOWERS, GREETING_CARDS),
        buyer_reference="INKOOP-FAC-77",
        purchase_order_number="4500098123",
        cost_centre="KPL-4000 Facilitair",
        delivery=HOSPITAL_DELIVERY,
        payment_means=SHOP_ACCOUNT,
        payment_terms="Betaling binnen 30 dagen",
        notes=("Kerstactie personeel 2026",),
    )
    return dataclasses.replace(document, **changes)


def hospital_credit_note(**changes: Any) -> InvoiceDocument:
    """Two damaged gift boxes credited against the invoice."""
    damaged = dataclasses.replace(GIFT_BOX, quantity=Decimal("2"))
    credit_note: dict[str, Any] = {
        "kind": DocumentKind.CREDIT_NOTE,
        "number": "2026-C-0031",
        "issue_date": datetime.date(2026, 12, 20),
        "due_date": None,
        "lines": (damaged,),
        "billing_reference": BillingReference("2026-0412", datetime.date(2026, 12, 15)),
        "notes": ("Twee pakketten beschadigd geleverd",),
    }
    return hospital_invoice(**{**credit_note, **changes})


DECEMBER = InvoicePeriod(datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))
# (PO number, the ordering branch's cost centre, order date)
DECEMBER_ORDERS = (
    ("4500098123", "KPL-4010 Tiel", datetime.date(2026, 12, 3)),
    ("4500098177", "KPL-4020 Culemborg", datetime.date(2026, 12, 10)),
    ("4500098201", "KPL-4010 Tiel", datetime.date(2026, 12, 17)),
)


def consolidated_lines() -> tuple[InvoiceLine, ...]:
    """Gift boxes and flowers on each December PO, each line naming its PO."""
    lines: list[InvoiceLine] = []
    for po_number, cost_centre, _ in DECEMBER_ORDERS:
        for po_line, item in (("10", GIFT_BOX), ("20", FLOWERS)):
            lines.append(
                dataclasses.replace(
                    item,
                    line_id=str(len(lines) + 1),
                    cost_centre=cost_centre,
                    # BT-132 needs the one header PO (BR-NL-13): the note says it.
                    order_line_id=None,
                    note=f"PO {po_number} line {po_line}",
                )
            )
    return tuple(lines)


def consolidated_invoice(**changes: Any) -> InvoiceDocument:
    """December's consolidated invoice for three POs, with ``changes`` applied."""
    document = hospital_invoice(
        number="2026-0450",
        issue_date=datetime.date(2027, 1, 4),
        due_date=datetime.date(2027, 2, 3),
        lines=consolidated_lines(),
        buyer_reference="VERZAMEL-2026-12",
        purchase_order_number=None,
        cost_centre=None,
        delivery=Delivery(
            address=HOSPITAL_DELIVERY.address,
            recipient_name=HOSPITAL_DELIVERY.recipient_name,
        ),
        payment_means=dataclasses.replace(SHOP_ACCOUNT, payment_reference="2026-0450"),
        notes=("Verzamelfactuur december 2026",),
        invoice_period=DECEMBER,
        supporting_documents=tuple(
            SupportingDocument(po_number, f"Inkooporder van {ordered.isoformat()}")
            for po_number, _, ordered in DECEMBER_ORDERS
        ),
    )
    return dataclasses.replace(document, **changes)
