"""UBL 2.1 Invoice / CreditNote from an ``InvoiceDocument``, with its totals.

Amounts are computed with ``Decimal`` the way EN 16931 checks them: each line net
amount is quantity x price rounded half-up to the cent; VAT is computed once per
(category, rate) group on the sum of its lines, never per line; every total is
the exact sum of the rounded parts, so the BR-CO rules hold to the cent.

Before anything is written, ``document_problems`` lists the data a receiver's
rules (EN 16931, SI-UBL 2.0 BR-NL-*, Peppol BIS 3) would miss; ``build_ubl``
refuses such a document with ``InvoiceDataError`` instead of writing an invoice
that validation would reject later.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from .dataclasses import (
    DUTCH_LEGAL_ID_SCHEMES,
    NZI_CLASSIFICATION_LIST_ID,
    Address,
    Customization,
    DocumentKind,
    InvoiceDocument,
    InvoiceLine,
    Party,
    VatCategory,
)

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

# The document's PDF copy rides along as an attachment (BT-125): a MIME code
# every EN 16931 receiver must accept (BR-CL-24), and its file name.
PDF_MIME_CODE = "application/pdf"
_TITLES = {DocumentKind.INVOICE: "Invoice", DocumentKind.CREDIT_NOTE: "Credit note"}

_CENT = Decimal("0.01")
_ZERO = Decimal(0)

# Categories whose VAT breakdown needs an exemption reason (BR-E-10, BR-AE-10,
# BR-IC-10, BR-G-10, BR-O-10), with the rule named in the error.
_EXEMPTION_REASON_RULES = {
    VatCategory.EXEMPT: "BR-E-10",
    VatCategory.REVERSE_CHARGE: "BR-AE-10",
    VatCategory.INTRA_COMMUNITY: "BR-IC-10",
    VatCategory.EXPORT: "BR-G-10",
    VatCategory.NOT_SUBJECT: "BR-O-10",
}
# Categories that need the seller's VAT identifier (BR-S-02, BR-Z-02, ...).
_SELLER_VAT_RULES = {
    VatCategory.STANDARD: "BR-S-02",
    VatCategory.ZERO_RATED: "BR-Z-02",
    VatCategory.EXEMPT: "BR-E-02",
    VatCategory.REVERSE_CHARGE: "BR-AE-02",
    VatCategory.INTRA_COMMUNITY: "BR-IC-02",
    VatCategory.EXPORT: "BR-G-02",
}
# Categories whose rate is zero by definition (BR-Z-05, BR-E-05, ...).
_ZERO_RATE_RULES = {
    VatCategory.ZERO_RATED: "BR-Z-05",
    VatCategory.EXEMPT: "BR-E-05",
    VatCategory.REVERSE_CHARGE: "BR-AE-05",
    VatCategory.INTRA_COMMUNITY: "BR-IC-05",
    VatCategory.EXPORT: "BR-G-05",
}
# Categories whose breakdown must not carry an exemption reason.
_NO_EXEMPTION_REASON_RULES = {
    VatCategory.STANDARD: "BR-S-10",
    VatCategory.ZERO_RATED: "BR-Z-10",
}
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


class InvoiceDataError(ValueError):
    """The document lacks data that the receiver's rules require.

    ``problems`` lists every gap found, each naming the business term and rule.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "cannot build a valid UBL document: " + "; ".join(self.problems)
        )


@dataclass(frozen=True)
class VatBreakdown:
    """One VAT breakdown group (BG-23): a (category, rate) and its amounts."""

    category: VatCategory
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class Totals:
    """The document's computed amounts, all rounded to the cent."""

    line_net_amounts: tuple[Decimal, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    line_extension_amount: Decimal  # BT-106
    tax_exclusive_amount: Decimal  # BT-109
    tax_amount: Decimal  # BT-110
    tax_inclusive_amount: Decimal  # BT-112
    payable_amount: Decimal  # BT-115
    payable_rounding_amount: Decimal | None = None  # BT-114, when the document has one


def round_money(amount: Decimal) -> Decimal:
    """Round to the cent, half away from zero (EN 16931's "half-up")."""
    with decimal.localcontext(prec=60):
        return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def line_net_amount(line: InvoiceLine) -> Decimal:
    """BT-131: quantity x unit net price, rounded to the cent."""
    with decimal.localcontext(prec=60):
        return round_money(line.quantity * line.unit_net_price)


def _breakdown_rate(line: InvoiceLine) -> Decimal:
    # "Not subject to VAT" has no rate at all; group it under zero.
    if line.vat_category is VatCategory.NOT_SUBJECT:
        return _ZERO
    return line.vat_rate


def compute_totals(document: InvoiceDocument) -> Totals:
    """The amounts ``build_ubl`` writes, for checking against the shop's order."""
    net_amounts = tuple(line_net_amount(line) for line in document.lines)
    taxable: dict[tuple[VatCategory, Decimal], Decimal] = {}
    for line, net in zip(document.lines, net_amounts, strict=True):
        key = (line.vat_category, _breakdown_rate(line))
        taxable[key] = taxable.get(key, _ZERO) + net
    breakdown = []
    # Decimal keys compare by value, so 21 and 21.00 form one group.
    for (category, rate), taxable_amount in sorted(
        taxable.items(), key=lambda item: (item[0][0].value, -item[0][1])
    ):
        with decimal.localcontext(prec=60):
            tax = round_money(taxable_amount * rate / 100)
        breakdown.append(VatBreakdown(category, rate, taxable_amount, tax))
    line_extension = sum(net_amounts, _ZERO)
    tax_amount = sum((group.tax_amount for group in breakdown), _ZERO)
    # No document-level allowances, charges or prepaid amounts: the tax-exclusive
    # amount is the line total, and the payable amount the gross plus the
    # rounding amount if there is one (BR-CO-16). The rounding never touches the
    # VAT: each group's VAT stays its taxable amount x rate (BR-S-09, BR-CO-14).
    rounding = document.payable_rounding_amount
    tax_inclusive = line_extension + tax_amount
    return Totals(
        line_net_amounts=net_amounts,
        vat_breakdown=tuple(breakdown),
        line_extension_amount=line_extension,
        tax_exclusive_amount=line_extension,
        tax_amount=tax_amount,
        tax_inclusive_amount=tax_inclusive,
        payable_amount=tax_inclusive + (rounding or _ZERO),
        payable_rounding_amount=rounding,
    )


# --------------------------------------------------------------------- checks


def _address_problems(address: Address, who: str, rule: str) -> list[str]:
    missing = [
        label
        for label, value in (
            ("street (StreetName)", address.street),
            ("city (CityName)", address.city),
            ("postcode (PostalZone)", address.postcode),
        )
        if not value
    ]
    if not missing:
        return []
    return [f"{who} address lacks {', '.join(missing)} ({rule})"]


def _party_problems(
    party: Party, who: str, name_rule: str, country_rule: str
) -> list[str]:
    problems = []
    if not party.name:
        problems.append(f"{who} name is missing ({name_rule})")
    if not re.fullmatch(r"[A-Z]{2}", party.address.country):
        problems.append(
            f"{who} country must be an ISO 3166-1 alpha-2 code, "
            f"got {party.address.country!r} ({country_rule})"
        )
    if party.endpoint is not None and not (
        party.endpoint.identifier and party.endpoint.scheme
    ):
        problems.append(f"{who} electronic address needs an identifier and a scheme")
    if party.legal_id and not party.legal_id_scheme:
        problems.append(f"{who} legal registration needs a scheme identifier")
    return problems


def document_problems(document: InvoiceDocument) -> tuple[str, ...]:
    """Every gap that would make the built document fail the receiver's rules."""
    problems: list[str] = []
    seller, buyer = document.seller, document.buyer
    seller_is_dutch = seller.address.country == "NL"
    categories = {line.vat_category for line in document.lines}

    if not document.number:
        problems.append("document number (BT-1) is missing (BR-02)")
    if not _CURRENCY_CODE.fullmatch(document.currency):
        problems.append(
            f"currency must be an ISO 4217 code, got {document.currency!r} (BR-05)"
        )
    if not document.lines:
        problems.append("at least one invoice line is required (BR-16)")

    problems += _party_problems(seller, "seller", "BR-06", "BR-09")
    problems += _party_problems(buyer, "buyer", "BR-07", "BR-11")
    if document.customization is Customization.PEPPOL_BIS_3:
        if seller.endpoint is None:
            problems.append(
                "seller electronic address (BT-34) is missing (PEPPOL-EN16931-R020)"
            )
        if buyer.endpoint is None:
            problems.append(
                "buyer electronic address (BT-49) is missing (PEPPOL-EN16931-R010)"
            )

    if not (document.buyer_reference or document.purchase_order_number):
        problems.append(
            "buyer reference (BT-10) or purchase order number (BT-13) is required "
            "(BR-NL-2, PEPPOL-EN16931-R003)"
        )
    lines_with_po_line = [line.line_id for line in document.lines if line.order_line_id]
    if lines_with_po_line and not document.purchase_order_number:
        problems.append(
            "lines " + ", ".join(lines_with_po_line) + " refer to purchase order "
            "lines (BT-132) but the document has no purchase order number (BT-13) "
            "(BR-NL-13)"
        )

    # Dutch suppliers: SI-UBL 2.0 BR-NL-*, and the same rules as NL-R-* in Peppol.
    if seller_is_dutch:
        problems += _address_problems(seller.address, "seller", "BR-NL-3")
        if not seller.legal_id or seller.legal_id_scheme not in DUTCH_LEGAL_ID_SCHEMES:
            problems.append(
                "seller KvK (scheme 0106) or OIN (scheme 0190) number is missing "
                "(BR-NL-1)"
            )
        if buyer.address.country == "NL":
            problems += _address_problems(buyer.address, "buyer", "BR-NL-4")
            if (
                not buyer.legal_id
                or buyer.legal_id_scheme not in DUTCH_LEGAL_ID_SCHEMES
            ):
                problems.append(
                    "Dutch buyer's KvK (scheme 0106) or OIN (scheme 0190) number is "
                    "missing (BR-NL-10)"
                )
        if document.kind is DocumentKind.CREDIT_NOTE and not (
            document.billing_reference and document.billing_reference.invoice_number
        ):
            problems.append(
                "a credit note needs the number of the invoice it corrects (BT-25) "
                "(NL-R-001)"
            )

    period = document.invoice_period
    if period is not None and period.end < period.start:
        problems.append(
            f"invoicing period ends ({_date(period.end)}) before it starts "
            f"({_date(period.start)}) (BR-29)"
        )
    problems += _supporting_document_problems(document)
    problems += _rounding_problems(document)
    problems += _line_problems(document)
    problems += _vat_problems(document, categories)

    totals = compute_totals(document) if document.lines else None
    payable = totals.payable_amount if totals else _ZERO
    is_invoice = document.kind is DocumentKind.INVOICE
    # Money flows to the seller on an invoice with a positive amount due, and on
    # a credit note with a negative one (which a rounding amount could cause).
    if document.payment_means is None and (
        (is_invoice and payable > 0) or (not is_invoice and payable < 0)
    ):
        problems.append(
            "payment means (BG-16) are required when an amount is due to the "
            "seller (BR-NL-11)"
        )
    if (
        is_invoice
        and payable > 0
        and document.due_date is None
        and not document.payment_terms
    ):
        problems.append(
            "a due date (BT-9) or payment terms (BT-20) are required when an "
            "amount is due (BR-CO-25)"
        )
    if document.payment_means is not None and not document.payment_means.iban:
        problems.append("the IBAN (BT-84) is missing for a credit transfer (BR-61)")
    if (
        document.kind is DocumentKind.CREDIT_NOTE
        and document.due_date is not None
        and document.payment_means is None
    ):
        # A CreditNote carries its due date inside PaymentMeans.
        problems.append("a credit note's due date (BT-9) needs payment means (BG-16)")
    return tuple(problems)


# Not an EN 16931 rule: BT-114 corrects rounding, so a rounding amount of a
# currency unit or more is a mistake in the data, not a rounding.
_MAX_ROUNDING = Decimal(1)


def _rounding_problems(document: InvoiceDocument) -> list[str]:
    rounding = document.payable_rounding_amount
    if rounding is None:
        return []
    problems: list[str] = []
    if rounding != round_money(rounding):
        problems.append(
            f"rounding amount (BT-114) {_plain(rounding)} has more than two "
            "decimals (BR-DEC-17)"
        )
    if abs(rounding) >= _MAX_ROUNDING:
        problems.append(
            f"rounding amount (BT-114) {_plain(rounding)} is not a rounding: it "
            f"must be less than {_MAX_ROUNDING} in absolute value"
        )
    return problems


def _supporting_document_problems(document: InvoiceDocument) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for position, reference in enumerate(document.supporting_documents, start=1):
        if not reference.identifier:
            problems.append(
                f"supporting document #{position}: its reference (BT-122) is "
                "missing (BR-52)"
            )
        elif reference.identifier in seen:
            # Not an EN 16931 rule, but a buyer matching the invoice to its
            # purchase orders would count that order twice.
            problems.append(
                f"supporting document {reference.identifier} (BT-122) is listed twice"
            )
        seen.add(reference.identifier)
    return problems


def _line_problems(document: InvoiceDocument) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for position, line in enumerate(document.lines, start=1):
        label = f"line {line.line_id or f'#{position}'}"
        if not line.line_id:
            problems.append(f"{label}: line identifier (BT-126) is missing (BR-21)")
        elif line.line_id in seen:
            problems.append(f"{label}: line identifier (BT-126) is used twice")
        seen.add(line.line_id)
        if not line.name:
            problems.append(f"{label}: item name (BT-153) is missing (BR-25)")
        if not line.unit_code:
            problems.append(f"{label}: unit of measure (BT-130) is missing (BR-23)")
        if line.unit_net_price < 0:
            problems.append(f"{label}: item net price (BT-146) is negative (BR-27)")
        category = line.vat_category
        if category is VatCategory.STANDARD and line.vat_rate <= 0:
            problems.append(
                f"{label}: standard-rated VAT needs a rate above zero (BR-S-05)"
            )
        elif category in _ZERO_RATE_RULES and line.vat_rate != 0:
            problems.append(
                f"{label}: VAT category {category.value} must have rate 0 "
                f"({_ZERO_RATE_RULES[category]})"
            )
        elif category is VatCategory.NOT_SUBJECT and line.vat_rate != 0:
            problems.append(
                f"{label}: VAT category O (not subject) has no rate (BR-O-05)"
            )
    return problems


def _vat_problems(document: InvoiceDocument, categories: set[VatCategory]) -> list[str]:
    problems: list[str] = []
    seller, buyer = document.seller, document.buyer
    for category in sorted(categories, key=lambda c: c.value):
        rule = _EXEMPTION_REASON_RULES.get(category)
        if rule and category not in document.vat_exemption_reasons:
            problems.append(
                f"VAT category {category.value} needs an exemption reason (BT-120) "
                f"in vat_exemption_reasons ({rule})"
            )
        rule = _NO_EXEMPTION_REASON_RULES.get(category)
        if rule and category in document.vat_exemption_reasons:
            problems.append(
                f"VAT category {category.value} must not have an exemption reason "
                f"({rule})"
            )
        rule = _SELLER_VAT_RULES.get(category)
        if rule and not seller.vat_number:
            problems.append(
                f"VAT category {category.value} needs the seller VAT number "
                f"(BT-31) ({rule})"
            )
    if VatCategory.REVERSE_CHARGE in categories and not (
        buyer.vat_number or buyer.legal_id
    ):
        problems.append(
            "reverse charge needs the buyer VAT number (BT-48) or legal "
            "registration (BT-47) (BR-AE-02)"
        )
    if VatCategory.INTRA_COMMUNITY in categories:
        if not buyer.vat_number:
            problems.append(
                "intra-community supply needs the buyer VAT number (BT-48) (BR-IC-02)"
            )
        delivery = document.delivery
        # A periodic invoice covers its deliveries by the invoicing period.
        if (delivery is None or delivery.date is None) and (
            document.invoice_period is None
        ):
            problems.append(
                "intra-community supply needs the actual delivery date (BT-72) "
                "or the invoicing period (BG-14) (BR-IC-11)"
            )
        if (
            delivery is None
            or delivery.address is None
            or not (delivery.address.country)
        ):
            problems.append(
                "intra-community supply needs the deliver-to country (BT-80) (BR-IC-12)"
            )
    if VatCategory.NOT_SUBJECT in categories and len(categories) > 1:
        problems.append(
            "lines not subject to VAT (O) cannot be mixed with other VAT "
            "categories on one document (BR-O-11)"
        )
    return problems


# ------------------------------------------------------------------ XML output

_PREFIXES = {"cac": CAC_NS, "cbc": CBC_NS}


def _element(
    parent: etree._Element, name: str, text: str | None = None, **attributes: str
) -> etree._Element:
    """Append ``prefix:Name``; the one place XML elements are made.

    Text and attribute values must not be blank: Peppol (PEPPOL-EN16931-R008)
    and SI-UBL refuse empty elements, and ``document_problems`` has already
    turned blank data into an error, so a blank here is a bug.
    """
    prefix, local = name.split(":")
    child = etree.SubElement(parent, f"{{{_PREFIXES[prefix]}}}{local}")
    try:
        if text is not None:
            if not text.strip():
                raise ValueError(f"refusing to write an empty {name}")
            child.text = text
        for key, value in attributes.items():
            if not value.strip():
                raise ValueError(f"refusing to write an empty {name}/@{key}")
            child.set(key, value)
    except ValueError as error:
        # lxml refuses control characters; say which element they were for.
        raise InvoiceDataError([f"{name}: {error}"]) from error
    return child


def _plain(number: Decimal) -> str:
    """A decimal without exponent notation and without trailing zeros."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _amount(parent: etree._Element, name: str, value: Decimal, currency: str) -> None:
    _element(parent, name, format(round_money(value), "f"), currencyID=currency)


def _date(value: datetime.date) -> str:
    return value.isoformat()


def _address(parent: etree._Element, name: str, address: Address) -> None:
    node = _element(parent, name)
    if address.street:
        _element(node, "cbc:StreetName", address.street)
    if address.additional_street:
        _element(node, "cbc:AdditionalStreetName", address.additional_street)
    if address.city:
        _element(node, "cbc:CityName", address.city)
    if address.postcode:
        _element(node, "cbc:PostalZone", address.postcode)
    country = _element(node, "cac:Country")
    _element(country, "cbc:IdentificationCode", address.country)


def _party(
    parent: etree._Element, name: str, party: Party, *, with_vat_number: bool
) -> None:
    node = _element(_element(parent, name), "cac:Party")
    if party.endpoint is not None:
        _element(
            node,
            "cbc:EndpointID",
            party.endpoint.identifier,
            schemeID=party.endpoint.scheme,
        )
    _address(node, "cac:PostalAddress", party.address)
    if with_vat_number and party.vat_number:
        tax_scheme = _element(node, "cac:PartyTaxScheme")
        _element(tax_scheme, "cbc:CompanyID", party.vat_number)
        _element(_element(tax_scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _element(node, "cac:PartyLegalEntity")
    _element(legal, "cbc:RegistrationName", party.name)
    if party.legal_id:
        _element(legal, "cbc:CompanyID", party.legal_id, schemeID=party.legal_id_scheme)


def _tax_category(
    parent: etree._Element,
    name: str,
    category: VatCategory,
    rate: Decimal,
    exemption_reason: str | None = None,
) -> None:
    node = _element(parent, name)
    _element(node, "cbc:ID", category.value)
    if category is not VatCategory.NOT_SUBJECT:  # BR-O-05: no rate for O
        _element(node, "cbc:Percent", _plain(rate))
    if exemption_reason:
        _element(node, "cbc:TaxExemptionReason", exemption_reason)
    _element(_element(node, "cac:TaxScheme"), "cbc:ID", "VAT")


def pdf_file_name(document: InvoiceDocument) -> str:
    """The PDF copy's file name, in the UBL, the e-mail and downloads alike."""
    return f"{document.number}.pdf"


def build_ubl(document: InvoiceDocument, pdf: bytes | None = None) -> bytes:
    """The document as UBL 2.1 XML (UTF-8), or ``InvoiceDataError`` listing gaps.

    ``pdf``, the document's PDF copy, is embedded as an attachment (BG-24 with
    BT-125): receivers' people read it, their systems book the XML.
    """
    problems = document_problems(document)
    if problems:
        raise InvoiceDataError(problems)
    totals = compute_totals(document)
    currency = document.currency
    is_invoice = document.kind is DocumentKind.INVOICE
    root_ns = INVOICE_NS if is_invoice else CREDIT_NOTE_NS
    root_name = "Invoice" if is_invoice else "CreditNote"
    nsmap: dict[str | None, str] = {None: root_ns, "cac": CAC_NS, "cbc": CBC_NS}
    root = etree.Element(f"{{{root_ns}}}{root_name}", nsmap=nsmap)

    _element(root, "cbc:CustomizationID", document.customization.customization_id)
    _element(root, "cbc:ProfileID", document.customization.profile_id)
    _element(root, "cbc:ID", document.number)
    _element(root, "cbc:IssueDate", _date(document.issue_date))
    if is_invoice and document.due_date is not None:
        _element(root, "cbc:DueDate", _date(document.due_date))
    _element(
        root,
        "cbc:InvoiceTypeCode" if is_invoice else "cbc:CreditNoteTypeCode",
        document.kind.value,
    )
    notes = list(document.notes)
    if notes and document.customization is Customization.PEPPOL_BIS_3:
        # Peppol allows one document note (PEPPOL-EN16931-R002): keep every
        # line of text, joined, rather than drop any.
        notes = ["\n".join(notes)]
    for note in notes:
        _element(root, "cbc:Note", note)
    _element(root, "cbc:DocumentCurrencyCode", currency)
    if document.cost_centre:
        _element(root, "cbc:AccountingCost", document.cost_centre)
    if document.buyer_reference:
        _element(root, "cbc:BuyerReference", document.buyer_reference)
    if document.invoice_period is not None:
        period = _element(root, "cac:InvoicePeriod")
        _element(period, "cbc:StartDate", _date(document.invoice_period.start))
        _element(period, "cbc:EndDate", _date(document.invoice_period.end))
    if document.purchase_order_number:
        order = _element(root, "cac:OrderReference")
        _element(order, "cbc:ID", document.purchase_order_number)
    if document.billing_reference is not None:
        reference = _element(
            _element(root, "cac:BillingReference"), "cac:InvoiceDocumentReference"
        )
        _element(reference, "cbc:ID", document.billing_reference.invoice_number)
        # SI-UBL advises against the preceding invoice's date (BR-NL-24).
        if (
            document.billing_reference.issue_date is not None
            and document.customization is not Customization.SI_UBL_2_0
        ):
            _element(
                reference,
                "cbc:IssueDate",
                _date(document.billing_reference.issue_date),
            )
    for supporting in document.supporting_documents:
        # No DocumentTypeCode: 130 would make it the one invoiced object (BT-18).
        reference = _element(root, "cac:AdditionalDocumentReference")
        _element(reference, "cbc:ID", supporting.identifier)
        if supporting.description:
            _element(reference, "cbc:DocumentDescription", supporting.description)
    if pdf is not None:
        _pdf_reference(root, document, pdf)

    # BR-O-02..04: a document not subject to VAT carries no VAT identifiers.
    with_vat_numbers = any(
        line.vat_category is not VatCategory.NOT_SUBJECT for line in document.lines
    )
    _party(
        root,
        "cac:AccountingSupplierParty",
        document.seller,
        with_vat_number=with_vat_numbers,
    )
    _party(
        root,
        "cac:AccountingCustomerParty",
        document.buyer,
        with_vat_number=with_vat_numbers,
    )

    delivery = document.delivery
    if delivery is not None and (
        delivery.date or delivery.address or delivery.recipient_name
    ):
        node = _element(root, "cac:Delivery")
        if delivery.date is not None:
            _element(node, "cbc:ActualDeliveryDate", _date(delivery.date))
        if delivery.address is not None:
            _address(
                _element(node, "cac:DeliveryLocation"), "cac:Address", delivery.address
            )
        if delivery.recipient_name:
            party_name = _element(_element(node, "cac:DeliveryParty"), "cac:PartyName")
            _element(party_name, "cbc:Name", delivery.recipient_name)

    means = document.payment_means
    if means is not None:
        node = _element(root, "cac:PaymentMeans")
        _element(node, "cbc:PaymentMeansCode", means.code.value)
        if not is_invoice and document.due_date is not None:
            # UBL's CreditNote has no DueDate; EN 16931 binds BT-9 here.
            _element(node, "cbc:PaymentDueDate", _date(document.due_date))
        if means.payment_reference:
            _element(node, "cbc:PaymentID", means.payment_reference)
        account = _element(node, "cac:PayeeFinancialAccount")
        _element(account, "cbc:ID", means.iban)
    if document.payment_terms:
        _element(_element(root, "cac:PaymentTerms"), "cbc:Note", document.payment_terms)

    tax_total = _element(root, "cac:TaxTotal")
    _amount(tax_total, "cbc:TaxAmount", totals.tax_amount, currency)
    for group in totals.vat_breakdown:
        subtotal = _element(tax_total, "cac:TaxSubtotal")
        _amount(subtotal, "cbc:TaxableAmount", group.taxable_amount, currency)
        _amount(subtotal, "cbc:TaxAmount", group.tax_amount, currency)
        _tax_category(
            subtotal,
            "cac:TaxCategory",
            group.category,
            group.rate,
            document.vat_exemption_reasons.get(group.category),
        )

    monetary = _element(root, "cac:LegalMonetaryTotal")
    _amount(monetary, "cbc:LineExtensionAmount", totals.line_extension_amount, currency)
    _amount(monetary, "cbc:TaxExclusiveAmount", totals.tax_exclusive_amount, currency)
    _amount(monetary, "cbc:TaxInclusiveAmount", totals.tax_inclusive_amount, currency)
    if totals.payable_rounding_amount is not None:
        # After AllowanceTotal, ChargeTotal and Prepaid (not written), before
        # PayableAmount: UBL 2.1's MonetaryTotalType order.
        _amount(
            monetary,
            "cbc:PayableRoundingAmount",
            totals.payable_rounding_amount,
            currency,
        )
    _amount(monetary, "cbc:PayableAmount", totals.payable_amount, currency)

    for line, net in zip(document.lines, totals.line_net_amounts, strict=True):
        _line(root, line, net, currency, is_invoice=is_invoice)

    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def _pdf_reference(root: etree._Element, document: InvoiceDocument, pdf: bytes) -> None:
    """The PDF copy as an AdditionalDocumentReference with its attachment.

    Its ID is the document's own number (BT-122), without a DocumentTypeCode
    (130 would make it the invoiced object, BT-18). UBL puts every such
    reference after the order, billing, despatch, receipt and contract
    references and before the supplier, in Invoice and CreditNote alike.
    """
    if not pdf:
        raise InvoiceDataError(["the PDF copy (BT-125) is empty"])
    reference = _element(root, "cac:AdditionalDocumentReference")
    _element(reference, "cbc:ID", document.number)
    _element(
        reference,
        "cbc:DocumentDescription",
        f"{_TITLES[document.kind]} {document.number} (PDF copy)",
    )
    _element(
        _element(reference, "cac:Attachment"),
        "cbc:EmbeddedDocumentBinaryObject",
        base64.b64encode(pdf).decode("ascii"),
        mimeCode=PDF_MIME_CODE,
        filename=pdf_file_name(document),
    )


def embedded_pdf(xml: bytes) -> bytes | None:
    """The PDF copy embedded in an issued document's UBL; None if it has none.

    Reads only documents this plugin issued (stored, validated XML).
    """
    # Our own XML, but a PDF's base64 text may pass lxml's 10 MB node limit.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(xml, parser)
    found = root.xpath(
        "cac:AdditionalDocumentReference/cac:Attachment/"
        f"cbc:EmbeddedDocumentBinaryObject[@mimeCode='{PDF_MIME_CODE}']",
        namespaces=_PREFIXES,
    )
    if not found:
        return None
    return base64.b64decode(found[0].text or "")


def _line(
    root: etree._Element,
    line: InvoiceLine,
    net: Decimal,
    currency: str,
    *,
    is_invoice: bool,
) -> None:
    node = _element(root, "cac:InvoiceLine" if is_invoice else "cac:CreditNoteLine")
    _element(node, "cbc:ID", line.line_id)
    if line.note:
        _element(node, "cbc:Note", line.note)
    _element(
        node,
        "cbc:InvoicedQuantity" if is_invoice else "cbc:CreditedQuantity",
        _plain(line.quantity),
        unitCode=line.unit_code,
    )
    _amount(node, "cbc:LineExtensionAmount", net, currency)
    if line.cost_centre:
        _element(node, "cbc:AccountingCost", line.cost_centre)
    if line.order_line_id:
        # Only LineID: a per-line OrderReference raises UBL-CR-528.
        _element(
            _element(node, "cac:OrderLineReference"), "cbc:LineID", line.order_line_id
        )
    item = _element(node, "cac:Item")
    _element(item, "cbc:Name", line.name)
    if line.sku:
        _element(_element(item, "cac:SellersItemIdentification"), "cbc:ID", line.sku)
    if line.nzi_code:
        _element(
            _element(item, "cac:CommodityClassification"),
            "cbc:ItemClassificationCode",
            line.nzi_code,
            listID=NZI_CLASSIFICATION_LIST_ID,
        )
    _tax_category(
        item, "cac:ClassifiedTaxCategory", line.vat_category, _breakdown_rate(line)
    )
    price = _element(node, "cac:Price")
    _element(price, "cbc:PriceAmount", _plain(line.unit_net_price), currencyID=currency)
