"""Build, render and validation time of consolidated UBL invoices.

Run: .venv/bin/python bench/ubl_invoice.py

Each invoice is a month's consolidated invoice (Peppol BIS 3) of 10, 100 and
1,000 lines: one purchase order per five lines, so no single PO number (BT-13)
but the buyer reference (BT-10), the invoicing period (BG-14), one supporting
document (BG-24) per PO, and on every line the branch's cost centre (BT-133)
and a note naming its PO and PO line (BT-127).

Build and render times are the mean of several runs in this process (build
includes ``document_problems`` and ``compute_totals``; render is
``render_html`` given the totals).

Validation, per document (``validate_ubl``: XSD here, EN 16931 schematron in the
validator process, SVRL read back here):

* cold: the validator process stopped first, so the call pays starting Python,
  loading saxonche and compiling the rules (what every document paid before the
  validator process stayed warm);
* warm: the median of several calls to the running validator process;
* bare: the median of the compiled EN 16931 stylesheet alone (saxonche in this
  process: parse the document, transform), measured in the same run; warm/bare
  is the overhead of the process boundary, the XSD and reading the SVRL.

Then one ``validate_ubl_many`` call for all three documents together.

Last, what the PDF copy adds to issuing one invoice, the work done while the
number series is locked (besides the database writes): without a PDF,
``build_ubl`` and a warm ``validate_ubl``; with it, ``render_pdf`` first and the
UBL carrying the PDF built and validated. Means of a few runs each.
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from lxml import etree

from saleor_oci_plugin.invoices.dataclasses import (
    Address,
    Customization,
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
from saleor_oci_plugin.invoices.pdf import render_pdf
from saleor_oci_plugin.invoices.rendering import render_html
from saleor_oci_plugin.invoices.ubl import build_ubl, compute_totals
from saleor_oci_plugin.invoices.validation import (
    en16931_rule_set_path,
    stop_validator,
    validate_ubl,
    validate_ubl_many,
)

SIZES = (10, 100, 1000)
LINES_PER_ORDER = 5
BRANCHES = ("KPL-4010 Tiel", "KPL-4020 Culemborg", "KPL-4030 Zaltbommel")

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
DECEMBER = InvoicePeriod(datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))


def consolidated_invoice(line_count: int) -> InvoiceDocument:
    """``line_count`` lines over ``line_count / 5`` POs from three branches."""
    order_count = -(-line_count // LINES_PER_ORDER)
    orders = [f"45000{order:05d}" for order in range(1, order_count + 1)]
    lines = []
    for n in range(1, line_count + 1):
        order = (n - 1) // LINES_PER_ORDER
        po_line = ((n - 1) % LINES_PER_ORDER + 1) * 10
        lines.append(
            InvoiceLine(
                line_id=str(n),
                name=f"Kerstpakket variant {n}",
                quantity=Decimal(n % 17 + 1),
                unit_code="C62",
                unit_net_price=Decimal("12.3456") + n,
                vat_category=VatCategory.STANDARD,
                vat_rate=Decimal(21 if n % 3 else 9),
                sku=f"KP-{n:05d}",
                cost_centre=BRANCHES[order % len(BRANCHES)],
                nzi_code="445100",
                note=f"PO {orders[order]} line {po_line}",
            )
        )
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number=f"BENCH-{line_count}",
        issue_date=datetime.date(2027, 1, 4),
        due_date=datetime.date(2027, 2, 3),
        currency="EUR",
        customization=Customization.PEPPOL_BIS_3,
        seller=SELLER,
        buyer=BUYER,
        lines=lines,
        buyer_reference="VERZAMEL-2026-12",
        payment_means=PaymentMeans(
            PaymentMeansCode.SEPA_CREDIT_TRANSFER, "NL91ABNA0417164300"
        ),
        invoice_period=DECEMBER,
        supporting_documents=[
            SupportingDocument(po_number, "Inkooporder") for po_number in orders
        ],
    )


def mean_ms(repeats: int, run: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    for _ in range(repeats):
        run(*args)
    return (time.perf_counter() - started) / repeats * 1000


def median_ms(repeats: int, run: Callable[..., object], *args: object) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run(*args)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class BareTransform:
    """The compiled EN 16931 stylesheet run by saxonche in this process."""

    def __init__(self) -> None:
        from saxonche import PySaxonProcessor

        self.processor = PySaxonProcessor(license=False)
        self.executable = self.processor.new_xslt30_processor().compile_stylesheet(
            stylesheet_file=str(en16931_rule_set_path())
        )

    def run(self, text: str) -> None:
        node = self.processor.parse_xml(xml_text=text)
        self.executable.transform_to_string(xdm_node=node)


def main() -> None:
    bare = BareTransform()
    print(
        f"{'lines':>6} {'POs':>5} {'bytes':>9} {'build ms':>9} {'render ms':>10}"
        f" {'cold ms':>8} {'warm ms':>8} {'bare ms':>8} {'warm/bare':>9}"
        "  valid  warnings"
    )
    documents = []
    for line_count in SIZES:
        document = consolidated_invoice(line_count)
        repeats = max(3, 1000 // line_count)
        xml = build_ubl(document)
        totals = compute_totals(document)
        build_ms = mean_ms(repeats, build_ubl, document)
        render_ms = mean_ms(repeats, render_html, document, totals)
        stop_validator()
        started = time.perf_counter()
        result = validate_ubl(xml)
        cold_ms = (time.perf_counter() - started) * 1000
        validation_repeats = max(5, min(30, 3000 // line_count))
        warm_ms = median_ms(validation_repeats, validate_ubl, xml)
        text = etree.tostring(etree.fromstring(xml), encoding="unicode")
        bare_ms = median_ms(validation_repeats, bare.run, text)
        documents.append(xml)
        print(
            f"{line_count:>6} {len(document.supporting_documents):>5} {len(xml):>9}"
            f" {build_ms:>9.2f} {render_ms:>10.2f} {cold_ms:>8.0f} {warm_ms:>8.1f}"
            f" {bare_ms:>8.1f} {warm_ms / bare_ms:>9.2f}"
            f"  {result.is_valid!s:>5}  {len(result.warnings):>8}"
        )
    started = time.perf_counter()
    results = validate_ubl_many(documents)
    print(
        f"all three in one validate_ubl_many call: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms, "
        f"valid: {[r.is_valid for r in results]}, "
        f"findings: {[len(r.failures) for r in results]}"
    )
    pdf_cost()


def issue_without_pdf(document: InvoiceDocument) -> bool:
    return validate_ubl(build_ubl(document)).is_valid


def issue_with_pdf(document: InvoiceDocument) -> bool:
    pdf = render_pdf(document, compute_totals(document))
    return validate_ubl(build_ubl(document, pdf)).is_valid


def pdf_cost() -> None:
    """Issuing work per invoice without and with its PDF copy."""
    from saleor_oci_plugin.printing.raster import page_sizes

    print(
        f"\n{'lines':>6} {'pages':>5} {'PDF kB':>7} {'UBL kB':>7} {'+PDF kB':>8}"
        f" {'PDF ms':>7} {'without ms':>10} {'with ms':>8} {'added ms':>9}  valid"
    )
    # Fonts, styles and ReportLab's imports: paid once per worker process.
    render_pdf(consolidated_invoice(1), compute_totals(consolidated_invoice(1)))
    for line_count in SIZES:
        document = consolidated_invoice(line_count)
        repeats = max(3, 100 // line_count)

        totals = compute_totals(document)
        pdf = render_pdf(document, totals)
        valid = validate_ubl(build_ubl(document, pdf)).is_valid
        pdf_ms = mean_ms(repeats, render_pdf, document, totals)
        plain_ms = mean_ms(repeats, issue_without_pdf, document)
        full_ms = mean_ms(repeats, issue_with_pdf, document)
        print(
            f"{line_count:>6} {len(page_sizes(pdf)):>5} {len(pdf) / 1024:>7.0f}"
            f" {len(build_ubl(document)) / 1024:>7.0f}"
            f" {len(build_ubl(document, pdf)) / 1024:>8.0f} {pdf_ms:>7.0f}"
            f" {plain_ms:>10.0f} {full_ms:>8.0f} {full_ms - plain_ms:>9.0f}  {valid}"
        )


if __name__ == "__main__":
    main()
