"""Build and validation time of UBL invoices of 1, 50 and 500 lines.

Run: .venv/bin/python bench/ubl_invoice.py

Build time is the mean of several builds in this process. Validation time is
one ``validate_ubl`` call (XSD here, EN 16931 schematron in a child process,
which pays Python start-up and compiling the rules every time), then one
``validate_ubl_many`` call for all three documents together.
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from saleor_oci_plugin.invoices.dataclasses import (
    Address,
    Customization,
    DocumentKind,
    Endpoint,
    InvoiceDocument,
    InvoiceLine,
    Party,
    PaymentMeans,
    PaymentMeansCode,
    VatCategory,
)
from saleor_oci_plugin.invoices.ubl import build_ubl
from saleor_oci_plugin.invoices.validation import validate_ubl, validate_ubl_many

SELLER = Party(
    "Cadeauhuis De Vlinder B.V.",
    Address("Oudegracht 112", "Utrecht", "3511 AX", "NL"),
    legal_id="30123456",
    vat_number="NL001234567B01",
    endpoint=Endpoint("30123456", "0106"),
)
BUYER = Party(
    "Stichting Ziekenhuis Rivierenland",
    Address("President Kennedylaan 1", "Tiel", "4002 WP", "NL"),
    legal_id="41061254",
    endpoint=Endpoint("41061254", "0106"),
)


def invoice(line_count: int) -> InvoiceDocument:
    lines = [
        InvoiceLine(
            line_id=str(n),
            name=f"Kerstpakket variant {n}",
            quantity=Decimal(n % 17 + 1),
            unit_code="C62",
            unit_net_price=Decimal("12.3456") + n,
            vat_category=VatCategory.STANDARD,
            vat_rate=Decimal(21 if n % 3 else 9),
            sku=f"KP-{n:05d}",
            cost_centre=f"KPL-40{n % 4}0",
            order_line_id=str(n * 10),
            nzi_code="445100",
        )
        for n in range(1, line_count + 1)
    ]
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number=f"BENCH-{line_count}",
        issue_date=datetime.date(2026, 12, 15),
        due_date=datetime.date(2027, 1, 14),
        currency="EUR",
        customization=Customization.PEPPOL_BIS_3,
        seller=SELLER,
        buyer=BUYER,
        lines=lines,
        purchase_order_number="4500098123",
        payment_means=PaymentMeans(
            PaymentMeansCode.SEPA_CREDIT_TRANSFER, "NL91ABNA0417164300"
        ),
    )


def main() -> None:
    print(f"{'lines':>6} {'bytes':>9} {'build ms':>9} {'validate s':>11}  valid")
    documents = []
    for line_count in (1, 50, 500):
        document = invoice(line_count)
        repeats = max(3, 500 // line_count)
        started = time.perf_counter()
        for _ in range(repeats):
            xml = build_ubl(document)
        build_ms = (time.perf_counter() - started) / repeats * 1000
        started = time.perf_counter()
        result = validate_ubl(xml)
        validate_s = time.perf_counter() - started
        documents.append(xml)
        print(
            f"{line_count:>6} {len(xml):>9} {build_ms:>9.2f} {validate_s:>11.2f}"
            f"  {result.is_valid}"
        )
    started = time.perf_counter()
    results = validate_ubl_many(documents)
    print(
        f"all three in one validate_ubl_many call: "
        f"{time.perf_counter() - started:.2f} s, "
        f"valid: {[r.is_valid for r in results]}"
    )


if __name__ == "__main__":
    main()
