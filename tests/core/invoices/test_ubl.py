"""The UBL builder: structure, arithmetic, and refusal of incomplete documents.

These tests read the built XML back; the real XSD and schematron run in
test_validation.py.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from saleor_oci_plugin.invoices.dataclasses import (
    Address,
    BillingReference,
    Customization,
    Delivery,
    InvoiceLine,
    InvoicePeriod,
    SupportingDocument,
    VatCategory,
)
from saleor_oci_plugin.invoices.ubl import (
    CAC_NS,
    CBC_NS,
    CREDIT_NOTE_NS,
    INVOICE_NS,
    InvoiceDataError,
    build_ubl,
    compute_totals,
    document_problems,
    embedded_pdf,
    line_net_amount,
)

from .documents import (
    DECEMBER,
    DECEMBER_ORDERS,
    FLOWERS,
    GIFT_BOX,
    HOSPITAL,
    SHOP,
    consolidated_invoice,
    hospital_credit_note,
    hospital_invoice,
)

NS = {"cac": CAC_NS, "cbc": CBC_NS, "inv": INVOICE_NS, "cn": CREDIT_NOTE_NS}


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def texts(root: etree._Element, path: str) -> list[str]:
    return [node.text for node in root.xpath(path, namespaces=NS)]


def amount(root: etree._Element, path: str) -> Decimal:
    (value,) = texts(root, path)
    return Decimal(value)


def line(**changes: Any) -> InvoiceLine:
    return dataclasses.replace(GIFT_BOX, **changes)


def header(root: etree._Element) -> list[str]:
    """The root's children by local name, repeats collapsed: the XSD's order."""
    names: list[str] = []
    for child in root:
        name = etree.QName(child).localname
        if not names or names[-1] != name:
            names.append(name)
    return names


# ------------------------------------------------------------------ structure


def test_invoice_carries_po_number_cost_centres_and_nzi_codes() -> None:
    root = parse(build_ubl(hospital_invoice()))

    assert root.tag == f"{{{INVOICE_NS}}}Invoice"
    assert texts(root, "/inv:Invoice/cac:OrderReference/cbc:ID") == ["4500098123"]
    assert texts(root, "/inv:Invoice/cbc:BuyerReference") == ["INKOOP-FAC-77"]
    assert texts(root, "/inv:Invoice/cbc:AccountingCost") == ["KPL-4000 Facilitair"]
    assert texts(root, "//cac:InvoiceLine/cbc:AccountingCost") == [
        "KPL-4010 Tiel",
        "KPL-4020 Culemborg",
        "KPL-4010 Tiel",
    ]
    assert texts(root, "//cac:InvoiceLine/cac:OrderLineReference/cbc:LineID") == [
        "10",
        "20",
        "30",
    ]
    classifications = root.xpath(
        "//cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode",
        namespaces=NS,
    )
    assert [(c.text, c.get("listID")) for c in classifications] == [
        ("445100", "ZZZ"),
        ("445200", "ZZZ"),
        ("445100", "ZZZ"),
    ]


def test_no_per_line_order_reference() -> None:
    # UBL-CR-528: the PO number is on the header only.
    root = parse(build_ubl(hospital_invoice()))
    assert (
        root.xpath("//cac:OrderLineReference/cac:OrderReference", namespaces=NS) == []
    )


def test_parties_carry_kvk_vat_and_endpoint() -> None:
    root = parse(build_ubl(hospital_invoice()))
    seller = root.xpath("cac:AccountingSupplierParty/cac:Party", namespaces=NS)[0]
    legal_id = seller.xpath("cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS)[0]
    assert (legal_id.text, legal_id.get("schemeID")) == ("30123456", "0106")
    assert texts(seller, "cac:PartyLegalEntity/cbc:RegistrationName") == [SHOP.name]
    assert texts(seller, "cac:PartyTaxScheme/cbc:CompanyID") == ["NL001234567B01"]
    endpoint = seller.xpath("cbc:EndpointID", namespaces=NS)[0]
    assert (endpoint.text, endpoint.get("schemeID")) == ("30123456", "0106")
    assert texts(seller, "cac:PostalAddress/cbc:PostalZone") == ["3511 AX"]


@pytest.mark.parametrize("customization", list(Customization))
def test_customization_and_profile(customization: Customization) -> None:
    root = parse(build_ubl(hospital_invoice(customization=customization)))
    assert texts(root, "cbc:CustomizationID") == [customization.customization_id]
    assert texts(root, "cbc:ProfileID") == [
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    ]


def test_customization_identifiers_are_the_published_ones() -> None:
    assert Customization.SI_UBL_2_0.customization_id == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
    )
    assert Customization.PEPPOL_BIS_3.customization_id == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )


def test_peppol_gets_one_document_note_with_all_text() -> None:
    notes = ("Kerstactie personeel 2026", "Levering in twee delen")
    peppol = parse(
        build_ubl(
            hospital_invoice(customization=Customization.PEPPOL_BIS_3, notes=notes)
        )
    )
    si_ubl = parse(build_ubl(hospital_invoice(notes=notes)))

    assert texts(peppol, "/inv:Invoice/cbc:Note") == ["\n".join(notes)]
    assert texts(si_ubl, "/inv:Invoice/cbc:Note") == list(notes)


def test_no_empty_elements_even_with_blank_optional_text() -> None:
    document = hospital_invoice(
        cost_centre="  ",
        notes=("", "   "),
        lines=(line(cost_centre="", nzi_code=" ", note="", sku=""),),
    )
    root = parse(build_ubl(document))
    empty = [
        node.tag
        for node in root.iter()
        if len(node) == 0 and not (node.text or "").strip()
    ]
    assert empty == []
    assert (
        root.xpath(
            "//cbc:AccountingCost | /inv:Invoice/cbc:Note | //cac:InvoiceLine/cbc:Note",
            namespaces=NS,
        )
        == []
    )


def test_credit_note_structure() -> None:
    root = parse(build_ubl(hospital_credit_note(due_date=datetime.date(2027, 1, 5))))

    assert root.tag == f"{{{CREDIT_NOTE_NS}}}CreditNote"
    assert texts(root, "cbc:CreditNoteTypeCode") == ["381"]
    assert texts(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == [
        "2026-0412"
    ]
    # SI-UBL advises against the preceding invoice's date (BR-NL-24).
    assert (
        root.xpath("//cac:InvoiceDocumentReference/cbc:IssueDate", namespaces=NS) == []
    )
    # A CreditNote has no cbc:DueDate; BT-9 lives in PaymentMeans.
    assert root.xpath("cbc:DueDate", namespaces=NS) == []
    assert texts(root, "cac:PaymentMeans/cbc:PaymentDueDate") == ["2027-01-05"]
    quantity = root.xpath("//cac:CreditNoteLine/cbc:CreditedQuantity", namespaces=NS)
    assert [(q.text, q.get("unitCode")) for q in quantity] == [("2", "C62")]
    assert amount(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == Decimal("90.63")


def test_peppol_credit_note_keeps_the_invoice_date() -> None:
    root = parse(
        build_ubl(hospital_credit_note(customization=Customization.PEPPOL_BIS_3))
    )
    assert texts(root, "//cac:InvoiceDocumentReference/cbc:IssueDate") == ["2026-12-15"]


def test_numbers_are_written_without_exponents() -> None:
    document = hospital_invoice(
        lines=(
            line(quantity=Decimal("1E+2"), unit_net_price=Decimal("5E-1")),
            line(line_id="2", quantity=Decimal("2.500"), vat_rate=Decimal("21.00")),
        )
    )
    root = parse(build_ubl(document))
    assert texts(root, "//cbc:InvoicedQuantity") == ["100", "2.5"]
    assert texts(root, "//cac:Price/cbc:PriceAmount") == ["0.5", "37.45"]
    assert texts(root, "//cac:ClassifiedTaxCategory/cbc:Percent") == ["21", "21"]
    # One breakdown group: 21 and 21.00 are the same rate.
    assert len(root.xpath("//cac:TaxSubtotal", namespaces=NS)) == 1


# ------------------------------------------------------------------ arithmetic


def test_hospital_invoice_totals() -> None:
    totals = compute_totals(hospital_invoice())

    # 40 x 37.45 = 1498.00; 6 x 22.94 = 137.64; 46 x 1.2395 = 57.017 -> 57.02
    assert totals.line_net_amounts == (
        Decimal("1498.00"),
        Decimal("137.64"),
        Decimal("57.02"),
    )
    groups = {(g.category, g.rate): g for g in totals.vat_breakdown}
    assert groups[VatCategory.STANDARD, Decimal(21)].taxable_amount == Decimal(
        "1555.02"
    )
    assert groups[VatCategory.STANDARD, Decimal(21)].tax_amount == Decimal("326.55")
    assert groups[VatCategory.STANDARD, Decimal(9)].tax_amount == Decimal("12.39")
    assert totals.line_extension_amount == Decimal("1692.66")
    assert totals.tax_amount == Decimal("338.94")
    assert totals.payable_amount == Decimal("2031.60")


def test_half_cents_round_up() -> None:
    # 3 x 0.835 = 2.505 -> 2.51 (not banker's 2.50); 21 % of 2.50 = 0.525 -> 0.53.
    assert line_net_amount(
        line(quantity=Decimal(3), unit_net_price=Decimal("0.835"))
    ) == Decimal("2.51")
    totals = compute_totals(
        hospital_invoice(
            lines=(line(quantity=Decimal(1), unit_net_price=Decimal("2.50")),)
        )
    )
    assert totals.tax_amount == Decimal("0.53")


def test_vat_is_computed_per_group_not_per_line() -> None:
    # Per line 21 % of 0.07 is 0.0147 -> 0.01, three times 0.03; EN 16931
    # computes the group: 21 % of 0.21 = 0.0441 -> 0.04.
    lines = tuple(
        line(line_id=str(n), quantity=Decimal(1), unit_net_price=Decimal("0.07"))
        for n in range(1, 4)
    )
    assert compute_totals(hospital_invoice(lines=lines)).tax_amount == Decimal("0.04")


def test_written_amounts_are_the_computed_totals() -> None:
    document = hospital_invoice()
    totals = compute_totals(document)
    root = parse(build_ubl(document))
    monetary = "cac:LegalMonetaryTotal/cbc:"
    assert (
        amount(root, monetary + "LineExtensionAmount") == totals.line_extension_amount
    )
    assert amount(root, monetary + "TaxExclusiveAmount") == totals.tax_exclusive_amount
    assert amount(root, monetary + "TaxInclusiveAmount") == totals.tax_inclusive_amount
    assert amount(root, monetary + "PayableAmount") == totals.payable_amount
    assert amount(root, "cac:TaxTotal/cbc:TaxAmount") == totals.tax_amount


def monetary_total(root: etree._Element) -> list[tuple[str, str]]:
    return [
        (etree.QName(node).localname, node.text)
        for node in root.xpath("cac:LegalMonetaryTotal/*", namespaces=NS)
    ]


@pytest.mark.parametrize("customization", list(Customization))
@pytest.mark.parametrize(
    "make",
    [hospital_invoice, hospital_credit_note],
    ids=["invoice", "credit note"],
)
def test_rounding_amount_goes_between_gross_and_amount_due(
    make: Any, customization: Customization
) -> None:
    plain = make(customization=customization)
    rounded = make(
        customization=customization, payable_rounding_amount=Decimal("-0.02")
    )
    before, after = compute_totals(plain), compute_totals(rounded)

    # The VAT and every total up to the gross stay what the lines give.
    unrounded = dataclasses.replace(
        after, payable_rounding_amount=None, payable_amount=before.payable_amount
    )
    assert unrounded == before
    assert after.payable_rounding_amount == Decimal("-0.02")
    assert after.payable_amount == before.payable_amount - Decimal("0.02")
    root = parse(build_ubl(rounded))
    gross = format(before.tax_inclusive_amount, "f")
    # UBL 2.1's MonetaryTotalType order: ... TaxInclusive, (Prepaid),
    # PayableRounding, Payable.
    assert monetary_total(root)[2:] == [
        ("TaxInclusiveAmount", gross),
        ("PayableRoundingAmount", "-0.02"),
        ("PayableAmount", format(after.payable_amount, "f")),
    ]
    assert root.xpath("//cbc:PayableRoundingAmount/@currencyID", namespaces=NS) == [
        "EUR"
    ]
    assert [name for name, _ in monetary_total(parse(build_ubl(plain)))] == [
        "LineExtensionAmount",
        "TaxExclusiveAmount",
        "TaxInclusiveAmount",
        "PayableAmount",
    ]


def test_a_rounding_amount_of_zero_is_written_when_given() -> None:
    root = parse(build_ubl(hospital_invoice(payable_rounding_amount=Decimal(0))))
    assert texts(root, "//cbc:PayableRoundingAmount") == ["0.00"]
    assert amount(root, "//cbc:PayableAmount") == Decimal("2031.60")


quantities = st.decimals(
    min_value=Decimal("-50"), max_value=Decimal("10000"), places=3, allow_nan=False
).filter(lambda q: q != 0)
prices = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("5000"), places=4, allow_nan=False
)
categories_and_rates = st.sampled_from(
    [
        (VatCategory.STANDARD, Decimal("21")),
        (VatCategory.STANDARD, Decimal("9")),
        (VatCategory.STANDARD, Decimal("21.00")),
        (VatCategory.ZERO_RATED, Decimal("0")),
    ]
)
random_lines = st.lists(
    st.tuples(quantities, prices, categories_and_rates), min_size=1, max_size=12
)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_lines)
def test_totals_satisfy_en16931_calculation_rules(
    specs: list[tuple[Decimal, Decimal, tuple[VatCategory, Decimal]]],
) -> None:
    """The BR-CO sums, read back from the written XML, hold to the cent."""
    lines = tuple(
        line(
            line_id=str(n),
            quantity=quantity,
            unit_net_price=price,
            vat_category=category,
            vat_rate=rate,
        )
        for n, (quantity, price, (category, rate)) in enumerate(specs, start=1)
    )
    root = parse(build_ubl(hospital_invoice(lines=lines)))

    line_amounts = [
        Decimal(t) for t in texts(root, "//cac:InvoiceLine/cbc:LineExtensionAmount")
    ]
    for (quantity, price, _), written in zip(specs, line_amounts, strict=True):
        assert written == cents(quantity * price)  # BT-131, PEPPOL-EN16931-R120
    monetary = "cac:LegalMonetaryTotal/cbc:"
    line_total = amount(root, monetary + "LineExtensionAmount")
    assert line_total == sum(line_amounts)  # BR-CO-10
    assert amount(root, monetary + "TaxExclusiveAmount") == line_total  # BR-CO-13
    tax_total = amount(root, "cac:TaxTotal/cbc:TaxAmount")
    subtotals = root.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=NS)
    assert tax_total == sum(
        Decimal(s.findtext(f"{{{CBC_NS}}}TaxAmount")) for s in subtotals
    )  # BR-CO-14
    for subtotal in subtotals:
        rate = Decimal(
            subtotal.findtext(f"{{{CAC_NS}}}TaxCategory/{{{CBC_NS}}}Percent")
        )
        taxable = Decimal(subtotal.findtext(f"{{{CBC_NS}}}TaxableAmount"))
        matching = [
            written
            for (_, _, (_, line_rate)), written in zip(specs, line_amounts, strict=True)
            if line_rate == rate
        ]
        assert taxable == sum(matching)  # BR-S-08 / BR-Z-08
        assert Decimal(subtotal.findtext(f"{{{CBC_NS}}}TaxAmount")) == cents(
            taxable * rate / 100
        )  # BR-S-09
    inclusive = amount(root, monetary + "TaxInclusiveAmount")
    assert inclusive == line_total + tax_total  # BR-CO-15
    assert amount(root, monetary + "PayableAmount") == inclusive  # BR-CO-16
    for text in texts(root, "//cbc:*[@currencyID and not(self::cbc:PriceAmount)]"):
        assert Decimal(text).as_tuple().exponent == -2  # BR-DEC: two decimals


# ------------------------------------------------------------ refused documents


def problems_of(**changes: Any) -> str:
    with pytest.raises(InvoiceDataError) as raised:
        build_ubl(hospital_invoice(**changes))
    return "\n".join(raised.value.problems)


def test_error_lists_every_gap_at_once() -> None:
    document = hospital_invoice(
        seller=dataclasses.replace(SHOP, name="", legal_id=None),
        buyer_reference=None,
        purchase_order_number=None,
    )
    with pytest.raises(InvoiceDataError) as raised:
        build_ubl(document)
    message = str(raised.value)
    assert "seller name is missing (BR-06)" in message
    assert "BR-NL-1" in message
    assert "BR-NL-2" in message
    assert "BR-NL-13" in message  # the lines still refer to PO lines
    assert len(raised.value.problems) == 4
    assert document_problems(document) == raised.value.problems


def test_consolidated_invoice_without_po_number_is_fine() -> None:
    lines = tuple(line(line_id=str(n), order_line_id=None) for n in (1, 2))
    root = parse(build_ubl(hospital_invoice(purchase_order_number=None, lines=lines)))
    assert root.xpath("cac:OrderReference", namespaces=NS) == []


def test_peppol_needs_both_endpoints() -> None:
    message = problems_of(
        customization=Customization.PEPPOL_BIS_3,
        seller=dataclasses.replace(SHOP, endpoint=None),
        buyer=dataclasses.replace(HOSPITAL, endpoint=None),
    )
    assert "PEPPOL-EN16931-R020" in message
    assert "PEPPOL-EN16931-R010" in message
    # SI-UBL does not require them.
    build_ubl(
        hospital_invoice(
            seller=dataclasses.replace(SHOP, endpoint=None),
            buyer=dataclasses.replace(HOSPITAL, endpoint=None),
        )
    )


def test_dutch_addresses_and_buyer_registration() -> None:
    message = problems_of(
        seller=dataclasses.replace(SHOP, address=Address("", "Utrecht", "", "NL")),
        buyer=dataclasses.replace(HOSPITAL, legal_id="12345", legal_id_scheme="0088"),
    )
    assert (
        "seller address lacks street (StreetName), postcode (PostalZone) (BR-NL-3)"
        in message
    )
    assert "BR-NL-10" in message


def test_foreign_buyer_needs_no_dutch_registration() -> None:
    buyer = dataclasses.replace(
        HOSPITAL,
        address=Address("Rue Neuve 1", "Bruxelles", "1000", "BE"),
        legal_id=None,
        vat_number="BE0123456749",
    )
    build_ubl(hospital_invoice(buyer=buyer))


def test_payment_and_due_date_required_when_money_is_due() -> None:
    message = problems_of(payment_means=None, due_date=None, payment_terms=None)
    assert "BR-NL-11" in message
    assert "BR-CO-25" in message


def test_vat_rules() -> None:
    message = problems_of(
        lines=(
            line(line_id="1", vat_rate=Decimal(0)),
            line(line_id="2", vat_category=VatCategory.EXEMPT, vat_rate=Decimal(0)),
            line(line_id="3", vat_category=VatCategory.ZERO_RATED, vat_rate=Decimal(9)),
        )
    )
    assert "line 1: standard-rated VAT needs a rate above zero (BR-S-05)" in message
    assert "BR-E-10" in message
    assert "line 3: VAT category Z must have rate 0 (BR-Z-05)" in message


def test_intra_community_supply_needs_buyer_vat_and_delivery() -> None:
    message = problems_of(
        buyer=dataclasses.replace(HOSPITAL, vat_number=None),
        delivery=None,
        lines=(line(vat_category=VatCategory.INTRA_COMMUNITY, vat_rate=Decimal(0)),),
        vat_exemption_reasons={
            VatCategory.INTRA_COMMUNITY: "Intracommunautaire levering"
        },
    )
    assert "BR-IC-02" in message
    assert "BR-IC-11" in message
    assert "BR-IC-12" in message


def test_not_subject_to_vat_cannot_be_mixed_and_drops_vat_numbers() -> None:
    reasons = {VatCategory.NOT_SUBJECT: "Niet onderworpen aan btw"}
    message = problems_of(
        lines=(
            line(line_id="1"),
            line(
                line_id="2", vat_category=VatCategory.NOT_SUBJECT, vat_rate=Decimal(0)
            ),
        ),
        vat_exemption_reasons=reasons,
    )
    assert "BR-O-11" in message

    only_o = hospital_invoice(
        lines=(line(vat_category=VatCategory.NOT_SUBJECT, vat_rate=Decimal(0)),),
        vat_exemption_reasons=reasons,
    )
    root = parse(build_ubl(only_o))
    assert root.xpath("//cac:PartyTaxScheme", namespaces=NS) == []  # BR-O-02..04
    assert root.xpath("//cac:ClassifiedTaxCategory/cbc:Percent", namespaces=NS) == []


def test_line_problems() -> None:
    message = problems_of(
        lines=(
            line(line_id="1", unit_net_price=Decimal("-1")),
            line(line_id="1", name=" ", unit_code=""),
        )
    )
    assert "line 1: item net price (BT-146) is negative (BR-27)" in message
    assert "line identifier (BT-126) is used twice" in message
    assert "BR-25" in message
    assert "BR-23" in message


def test_rounding_amount_problems() -> None:
    # BR-DEC-17: two decimals at most (trailing zeros are fine).
    assert "BR-DEC-17" in problems_of(payable_rounding_amount=Decimal("0.005"))
    build_ubl(hospital_invoice(payable_rounding_amount=Decimal("-0.010")))
    # Not a rule of the standard: a currency unit or more is not a rounding.
    for wrong in ("1.00", "-1", "250"):
        message = problems_of(payable_rounding_amount=Decimal(wrong))
        assert "rounding amount (BT-114)" in message
        assert "less than 1" in message
    build_ubl(hospital_invoice(payable_rounding_amount=Decimal("0.99")))
    build_ubl(hospital_invoice(payable_rounding_amount=Decimal("-0.99")))


def test_credit_note_rounded_below_zero_needs_payment_means() -> None:
    one_cent = line(quantity=Decimal(1), unit_net_price=Decimal("0.01"))
    # 0.01 with 21 % VAT (0.00): a rounding of -0.02 makes the buyer owe 0.01.
    with pytest.raises(InvoiceDataError, match="BR-NL-11"):
        build_ubl(
            hospital_credit_note(
                lines=(one_cent,),
                payment_means=None,
                payable_rounding_amount=Decimal("-0.02"),
            )
        )
    build_ubl(hospital_credit_note(lines=(one_cent,), payment_means=None))


def test_credit_note_needs_the_corrected_invoice() -> None:
    with pytest.raises(InvoiceDataError, match="NL-R-001"):
        build_ubl(hospital_credit_note(billing_reference=None))
    with pytest.raises(InvoiceDataError, match="NL-R-001"):
        build_ubl(hospital_credit_note(billing_reference=BillingReference(" ")))


def test_no_exemption_reason_for_standard_or_zero_rate() -> None:
    message = problems_of(
        lines=(line(vat_category=VatCategory.ZERO_RATED, vat_rate=Decimal(0)),),
        vat_exemption_reasons={VatCategory.ZERO_RATED: "Nultarief"},
    )
    assert "BR-Z-10" in message


def test_text_xml_cannot_carry_is_refused_clearly() -> None:
    with pytest.raises(InvoiceDataError, match=r"cbc:Name: .*XML compatible"):
        build_ubl(hospital_invoice(lines=(line(name="Kerst\x00pakket"),)))


def test_no_lines() -> None:
    assert "BR-16" in problems_of(lines=())


def test_reverse_charge_to_belgian_buyer() -> None:
    buyer = dataclasses.replace(
        HOSPITAL,
        address=Address("Rue Neuve 1", "Bruxelles", "1000", "BE"),
        legal_id=None,
        vat_number=None,
    )
    lines = (line(vat_category=VatCategory.REVERSE_CHARGE, vat_rate=Decimal(0)),)
    reasons = {VatCategory.REVERSE_CHARGE: "Btw verlegd"}
    assert "BR-AE-02" in problems_of(
        buyer=buyer, lines=lines, vat_exemption_reasons=reasons
    )
    buyer = dataclasses.replace(buyer, vat_number="BE0123456749")
    root = parse(
        build_ubl(
            hospital_invoice(buyer=buyer, lines=lines, vat_exemption_reasons=reasons)
        )
    )
    assert texts(root, "//cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason") == [
        "Btw verlegd"
    ]
    assert amount(root, "cac:TaxTotal/cbc:TaxAmount") == Decimal("0.00")


def test_delivery_without_data_is_left_out() -> None:
    root = parse(build_ubl(hospital_invoice(delivery=Delivery())))
    assert root.xpath("cac:Delivery", namespaces=NS) == []


def test_flowers_line_note_is_written() -> None:
    root = parse(build_ubl(hospital_invoice(lines=(FLOWERS,))))
    assert texts(root, "//cac:InvoiceLine/cbc:Note") == ["Bezorgen bij de receptie"]


# ------------------------------------------------ periodic and consolidated


@pytest.mark.parametrize("customization", list(Customization))
def test_consolidated_invoice_structure(customization: Customization) -> None:
    root = parse(build_ubl(consolidated_invoice(customization=customization)))

    # No single PO number (BT-13): the buyer reference (BT-10) instead.
    assert root.xpath("cac:OrderReference", namespaces=NS) == []
    assert texts(root, "/inv:Invoice/cbc:BuyerReference") == ["VERZAMEL-2026-12"]
    assert texts(root, "/inv:Invoice/cac:InvoicePeriod/cbc:StartDate") == ["2026-12-01"]
    assert texts(root, "/inv:Invoice/cac:InvoicePeriod/cbc:EndDate") == ["2026-12-31"]
    references = root.xpath(
        "/inv:Invoice/cac:AdditionalDocumentReference", namespaces=NS
    )
    assert [texts(r, "cbc:ID") for r in references] == [
        [po_number] for po_number, _, _ in DECEMBER_ORDERS
    ]
    assert texts(references[0], "cbc:DocumentDescription") == [
        "Inkooporder van 2026-12-03"
    ]
    # Without a type code: 130 would make each the invoiced object (BT-18).
    assert root.xpath("//cbc:DocumentTypeCode", namespaces=NS) == []
    # Each line: its branch's cost centre (BT-133) and its PO in the note (BT-127).
    assert texts(root, "//cac:InvoiceLine/cbc:AccountingCost") == [
        "KPL-4010 Tiel",
        "KPL-4010 Tiel",
        "KPL-4020 Culemborg",
        "KPL-4020 Culemborg",
        "KPL-4010 Tiel",
        "KPL-4010 Tiel",
    ]
    assert texts(root, "//cac:InvoiceLine/cbc:Note") == [
        "PO 4500098123 line 10",
        "PO 4500098123 line 20",
        "PO 4500098177 line 10",
        "PO 4500098177 line 20",
        "PO 4500098201 line 10",
        "PO 4500098201 line 20",
    ]
    assert root.xpath("//cac:OrderLineReference", namespaces=NS) == []
    # The UBL 2.1 sequence (the XSD checks it too, in test_validation.py).
    assert header(root)[header(root).index("DocumentCurrencyCode") :][:5] == [
        "DocumentCurrencyCode",
        "BuyerReference",
        "InvoicePeriod",
        "AdditionalDocumentReference",
        "AccountingSupplierParty",
    ]


def test_period_comes_before_the_order_and_documents_after_billing() -> None:
    credit_note = hospital_credit_note(
        invoice_period=DECEMBER,
        supporting_documents=(SupportingDocument("4500098123"),),
    )
    root = parse(build_ubl(credit_note))

    assert root.tag == f"{{{CREDIT_NOTE_NS}}}CreditNote"
    assert header(root)[header(root).index("BuyerReference") :][:6] == [
        "BuyerReference",
        "InvoicePeriod",
        "OrderReference",
        "BillingReference",
        "AdditionalDocumentReference",
        "AccountingSupplierParty",
    ]
    (reference,) = root.xpath("cac:AdditionalDocumentReference", namespaces=NS)
    # No description given, none written (no empty element).
    assert [etree.QName(child).localname for child in reference] == ["ID"]
    assert texts(root, "cac:InvoicePeriod/*") == ["2026-12-01", "2026-12-31"]


def test_without_period_or_documents_nothing_is_written() -> None:
    root = parse(build_ubl(hospital_invoice()))
    assert (
        root.xpath("cac:InvoicePeriod | cac:AdditionalDocumentReference", namespaces=NS)
        == []
    )


def test_period_may_be_one_day_but_not_end_before_it_starts() -> None:
    day = datetime.date(2026, 12, 31)
    build_ubl(consolidated_invoice(invoice_period=InvoicePeriod(day, day)))

    backwards = consolidated_invoice(
        invoice_period=InvoicePeriod(DECEMBER.end, DECEMBER.start)
    )
    assert document_problems(backwards) == (
        "invoicing period ends (2026-12-01) before it starts (2026-12-31) (BR-29)",
    )
    with pytest.raises(InvoiceDataError, match="BR-29"):
        build_ubl(backwards)


def test_supporting_documents_need_distinct_identifiers() -> None:
    document = consolidated_invoice(
        supporting_documents=(
            SupportingDocument("4500098123"),
            SupportingDocument(" ", "Inkooporder zonder nummer"),
            SupportingDocument("4500098177"),
            SupportingDocument("4500098123 ", "Dezelfde order"),
        )
    )
    assert document_problems(document) == (
        "supporting document #2: its reference (BT-122) is missing (BR-52)",
        "supporting document 4500098123 (BT-122) is listed twice",
    )


def test_intra_community_period_stands_in_for_the_delivery_date() -> None:
    german = dataclasses.replace(
        HOSPITAL,
        address=Address("Albersallee 5", "Kleve", "47533", "DE"),
        legal_id=None,
        vat_number="DE123456789",
    )
    changes: dict[str, Any] = {
        "buyer": german,
        "delivery": Delivery(Address("Albersallee 5", "Kleve", "47533", "DE")),
        "lines": (line(vat_category=VatCategory.INTRA_COMMUNITY, vat_rate=Decimal(0)),),
        "vat_exemption_reasons": {
            VatCategory.INTRA_COMMUNITY: "Intracommunautaire levering"
        },
    }
    assert "BR-IC-11" in problems_of(**changes)
    assert document_problems(hospital_invoice(invoice_period=DECEMBER, **changes)) == ()


# --------------------------------------------------------- the PDF copy


PDF = b"%PDF-1.4 a stand-in; the real one is rendered in test_pdf.py\n%%EOF"


def test_the_pdf_copy_is_an_attachment_after_the_order_reference() -> None:
    root = parse(build_ubl(hospital_invoice(), PDF))

    assert header(root)[header(root).index("BuyerReference") :][:4] == [
        "BuyerReference",
        "OrderReference",
        "AdditionalDocumentReference",
        "AccountingSupplierParty",
    ]
    (reference,) = root.xpath("cac:AdditionalDocumentReference", namespaces=NS)
    assert [etree.QName(child).localname for child in reference] == [
        "ID",
        "DocumentDescription",
        "Attachment",
    ]
    assert texts(reference, "cbc:ID") == ["2026-0412"]
    assert texts(reference, "cbc:DocumentDescription") == [
        "Invoice 2026-0412 (PDF copy)"
    ]
    (binary,) = reference.xpath(
        "cac:Attachment/cbc:EmbeddedDocumentBinaryObject", namespaces=NS
    )
    assert binary.attrib == {"mimeCode": "application/pdf", "filename": "2026-0412.pdf"}
    # No type code: 130 would make the PDF the invoiced object (BT-18).
    assert reference.xpath("cbc:DocumentTypeCode", namespaces=NS) == []


def test_embedded_pdf_reads_the_same_bytes_back() -> None:
    assert embedded_pdf(build_ubl(hospital_invoice(), PDF)) == PDF
    assert embedded_pdf(build_ubl(hospital_invoice())) is None


def test_a_credit_notes_pdf_comes_after_its_billing_reference() -> None:
    root = parse(build_ubl(hospital_credit_note(), PDF))

    assert header(root)[header(root).index("OrderReference") :][:4] == [
        "OrderReference",
        "BillingReference",
        "AdditionalDocumentReference",
        "AccountingSupplierParty",
    ]
    assert texts(root, "cac:AdditionalDocumentReference/cbc:DocumentDescription") == [
        "Credit note 2026-C-0031 (PDF copy)"
    ]


def test_a_consolidated_invoices_pdf_follows_its_purchase_orders() -> None:
    document = consolidated_invoice()
    root = parse(build_ubl(document, PDF))

    assert texts(root, "cac:AdditionalDocumentReference/cbc:ID") == [
        *(po_number for po_number, _, _ in DECEMBER_ORDERS),
        document.number,
    ]


def test_an_empty_pdf_is_refused_not_written_as_an_empty_element() -> None:
    with pytest.raises(InvoiceDataError, match="BT-125"):
        build_ubl(hospital_invoice(), b"")
