"""The plain invoice data: normalisation that keeps empty text out of the XML."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from saleor_oci_plugin.invoices.dataclasses import (
    Address,
    DocumentKind,
    InvoiceLine,
    InvoicePeriod,
    PaymentMeans,
    PaymentMeansCode,
    SupportingDocument,
    VatCategory,
)

from .documents import DECEMBER, GIFT_BOX, hospital_invoice


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError, match="quantity must be a Decimal, not float"):
        dataclasses.replace(GIFT_BOX, quantity=1.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unit_net_price"):
        dataclasses.replace(GIFT_BOX, unit_net_price=3)  # type: ignore[arg-type]


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        dataclasses.replace(GIFT_BOX, vat_rate=Decimal("NaN"))
    with pytest.raises(ValueError, match="payable_rounding_amount .* finite"):
        hospital_invoice(payable_rounding_amount=Decimal("Infinity"))


def test_rounding_amount_is_a_decimal_or_absent() -> None:
    assert hospital_invoice().payable_rounding_amount is None
    with pytest.raises(TypeError, match="payable_rounding_amount must be a Decimal"):
        hospital_invoice(payable_rounding_amount=-0.01)


def test_blank_optional_text_becomes_none() -> None:
    line = dataclasses.replace(
        GIFT_BOX, sku=" ", cost_centre="", order_line_id="\t", nzi_code=" 4451 "
    )
    assert (line.sku, line.cost_centre, line.order_line_id) == (None, None, None)
    assert line.nzi_code == "4451"

    document = hospital_invoice(
        purchase_order_number="  ", notes=("", " Dank u ", "  ")
    )
    assert document.purchase_order_number is None
    assert document.notes == ("Dank u",)


def test_codes_are_normalised() -> None:
    assert Address("Straat 1", "Tiel", "4002 WP", " nl ").country == "NL"
    means = PaymentMeans(PaymentMeansCode.CREDIT_TRANSFER, "nl91 abna 0417 1643 00")
    assert means.iban == "NL91ABNA0417164300"
    document = hospital_invoice(currency="eur", kind="381")
    assert document.currency == "EUR"
    assert document.kind is DocumentKind.CREDIT_NOTE


def test_lines_become_a_tuple_and_documents_are_frozen() -> None:
    document = hospital_invoice(lines=[GIFT_BOX])
    assert document.lines == (GIFT_BOX,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.number = "other"  # type: ignore[misc]


def test_vat_category_accepts_its_code() -> None:
    line = InvoiceLine(
        "1",
        "Bloemen",
        Decimal(1),
        "C62",
        Decimal(5),
        "S",  # type: ignore[arg-type]
        Decimal(9),
    )
    assert line.vat_category is VatCategory.STANDARD
    document = hospital_invoice(
        vat_exemption_reasons={"E": " Vrijgesteld "}  # the code is accepted too
    )
    assert document.vat_exemption_reasons == {VatCategory.EXEMPT: "Vrijgesteld"}


def test_period_and_supporting_documents_default_to_absent() -> None:
    document = hospital_invoice()
    assert document.invoice_period is None
    assert document.supporting_documents == ()


def test_supporting_documents_are_normalised() -> None:
    document = hospital_invoice(
        invoice_period=DECEMBER,
        supporting_documents=[
            SupportingDocument(" 4500098123 ", "  "),
            SupportingDocument("4500098177", " Inkooporder Culemborg "),
        ],
    )
    assert document.supporting_documents == (
        SupportingDocument("4500098123"),
        SupportingDocument("4500098177", "Inkooporder Culemborg"),
    )
    assert document.supporting_documents[0].description is None
    # A blank identifier is kept, so that document_problems can name it (BR-52).
    assert SupportingDocument("  ").identifier == ""


def test_period_takes_dates_only() -> None:
    start, end = datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)
    assert InvoicePeriod(start, end) == DECEMBER
    # An end before the start is data, refused later by document_problems (BR-29).
    assert InvoicePeriod(end, start).end == start
    with pytest.raises(TypeError, match="end must be a datetime.date, not datetime"):
        InvoicePeriod(start, datetime.datetime(2026, 12, 31, 23, 59))
    with pytest.raises(TypeError, match="start must be a datetime.date, not str"):
        InvoicePeriod("2026-12-01", end)  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DECEMBER.end = start  # type: ignore[misc]
