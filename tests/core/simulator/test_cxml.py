"""The simulator's cXML against the shop's own reader and writer (no mocks)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from saleor_oci_plugin.purchase_orders.cxml import (
    STATUS_NOT_ACCEPTABLE,
    STATUS_OK,
    build_response,
    read_order_request,
)
from saleor_oci_plugin.simulator.cxml import (
    CXMLResponseError,
    build_order_request,
    read_response,
)
from saleor_oci_plugin.simulator.hook import read_posted_form
from saleor_oci_plugin.simulator.requisitions import (
    OrderLine,
    PurchaseOrder,
    RequisitionStore,
    purchase_order_for,
)

from .helpers import FORM_TYPE, TRANSFER_ID, browser_body, return_form_fields
from .items import CART


def order_from_cart(cost_centre: str = "") -> PurchaseOrder:
    """The PO the simulator sends for CART, via the same path as the hook."""
    form = read_posted_form(browser_body(return_form_fields(CART)), FORM_TYPE, "")
    requisition = RequisitionStore().receive(form)
    return purchase_order_for(
        requisition,
        nzi_field="MATGROUP",
        cost_centre=cost_centre,
        today=date(2026, 11, 28),
    )


def test_order_request_reads_back_with_the_shops_reader():
    order = order_from_cart(cost_centre="KP-4711")

    document = read_order_request(
        build_order_request(order, identity="AN01000000123", shared_secret="s3cr3t")
    )

    read = document.purchase_order
    assert read.order_number == order.order_number
    assert re.fullmatch(r"45\d{8}", read.order_number)
    assert read.transfer_id == TRANSFER_ID
    assert read.currency == "EUR"
    assert read.order_date == date(2026, 11, 28)
    assert read.cost_centre == "KP-4711"
    assert read.total == Decimal("77.35")
    assert [
        (
            line.line_number,
            line.sku,
            line.quantity,
            line.unit,
            line.unit_price,
            line.nzi_code,
            line.cost_centre,
            line.transfer_id,
            line.description,
        )
        for line in read.lines
    ] == [
        (
            "10",
            "KP-2026-XL",
            Decimal(3),
            "PCE",
            Decimal("24.95"),
            "4411",
            "KP-4711",
            TRANSFER_ID,
            "Kerstpakket Zoë & Söhne <XL>",
        ),
        # OCI sent 1.25 per 100: the PO carries the price of one.
        (
            "20",
            "TUL-100",
            Decimal(200),
            "PCE",
            Decimal("0.0125"),
            "4420",
            "KP-4711",
            TRANSFER_ID,
            "Tulpen, per steel",
        ),
    ]
    # How the shop authenticates the sender: a From identity and the Sender secret.
    assert ("NetworkID", "AN01000000123") in document.from_credentials
    assert document.sender is not None
    assert document.sender.identity == "AN01000000123"
    assert document.sender.shared_secret == "s3cr3t"
    assert document.payload_id


def test_order_request_without_cost_centre_or_transfer():
    order = PurchaseOrder(
        order_number="4500000001",
        transfer_id="",
        currency="EUR",
        order_date=date(2026, 1, 2),
        lines=(OrderLine("10", "SKU-1", Decimal("1.5"), unit_price=None),),
    )

    read = read_order_request(
        build_order_request(order, identity="AN1", shared_secret="x")
    ).purchase_order

    (line,) = read.lines
    assert (line.sku, line.quantity, line.unit_price) == ("SKU-1", Decimal("1.5"), None)
    assert (read.transfer_id, read.cost_centre, line.nzi_code) == ("", "", "")


def test_characters_xml_cannot_carry_do_not_break_the_document():
    order = PurchaseOrder(
        order_number="4500000002",
        transfer_id="t1",
        currency="EUR",
        order_date=date(2026, 1, 2),
        lines=(OrderLine("10", "SKU\x01", Decimal(1), description="bell\x07"),),
    )

    (line,) = read_order_request(
        build_order_request(order, identity="AN1", shared_secret="x")
    ).purchase_order.lines

    assert (line.sku, line.description) == ("SKU\ufffd", "bell\ufffd")


@pytest.mark.parametrize(
    ("code", "text", "message"),
    [
        (STATUS_OK, "OK", "Placed as order 1017."),
        (
            STATUS_NOT_ACCEPTABLE,
            "Not Acceptable",
            "line 10: sku: X was not in the cart.",
        ),
    ],
)
def test_reads_the_shops_response(code, text, message):
    status = read_response(build_response("", code, text, message=message))

    assert (status.code, status.text, status.message) == (code, text, message)


def test_response_that_is_not_cxml_is_refused():
    with pytest.raises(CXMLResponseError, match="not XML"):
        read_response(b"<html>Bad Gateway")
    with pytest.raises(CXMLResponseError, match="not a cXML Response"):
        read_response(b"<cXML><Message/></cXML>")


def test_response_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-0815")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<cXML><Response><Status code="200" text="OK">&x;</Status></Response></cXML>'
    ).encode()

    status = read_response(body)

    assert status.code == 200
    assert "MARKER-0815" not in status.message


# ------------------------------------------------------------- cXML punch-out
def _message(transfer_id: str, skus: tuple[str, ...]):
    from saleor_oci_plugin.simulator.cxml import CartLine, CartMessage

    return CartMessage(
        buyer_cookie="c",
        currency="EUR",
        total=Decimal("25.00") * len(skus),
        tax=None,
        operation_allowed="edit",
        lines=tuple(
            CartLine(
                line_number=str(number),
                quantity=Decimal(2),
                sku=sku,
                transfer_id=transfer_id,
                unit_price=Decimal("12.50"),
                currency="EUR",
                description=f"Gift {sku}",
                unit="EA",
                classifications=(("UNSPSC", "10161600"), ("NZI", "4711")),
                cost_centre="KP-1",
            )
            for number, sku in enumerate(skus, start=1)
        ),
    )


def test_an_order_request_merging_two_carts_conforms_to_the_dtd_and_reads_back():
    from saleor_oci_plugin.simulator.cxml import build_order_request_from_messages
    from tests.core.punchout.dtd import dtd_errors

    first, second = "a" * 32, "b" * 32
    body = build_order_request_from_messages(
        (_message(first, ("S-1", "S-2")), _message(second, ("S-3",))),
        order_number="PO-77",
        identity="AN01",
        shared_secret="s",
        bill_to={"company": "Z", "street": "Weg 1", "city": "U", "country": "NL"},
    )
    assert dtd_errors(body) == []
    order = read_order_request(body).purchase_order
    assert order.order_number == "PO-77"
    assert order.transfer_id == ""  # several carts: each line names its own
    assert [(line.sku, line.transfer_id) for line in order.lines] == [
        ("S-1", first),
        ("S-2", first),
        ("S-3", second),
    ]
    assert {line.nzi_code for line in order.lines} == {"4711"}
    assert {line.cost_centre for line in order.lines} == {"KP-1"}
    assert order.total == Decimal("75.00")
    assert order.billing_address.city == "U"


def test_the_order_request_of_a_requisition_conforms_to_the_dtd():
    from tests.core.punchout.dtd import dtd_errors

    order = PurchaseOrder(
        order_number="4500000001",
        transfer_id="a" * 32,
        currency="EUR",
        order_date=date(2026, 1, 1),
        lines=(
            OrderLine(
                line_number="1",
                sku="GB-1",
                quantity=Decimal(2),
                unit="PCE",
                unit_price=Decimal("12.50"),
                description="Geschenkdoos",
                nzi_code="4711",
                cost_centre="KP-1",
            ),
        ),
    )
    body = build_order_request(order, identity="AN01", shared_secret="s")
    assert dtd_errors(body) == []
    assert read_order_request(body).purchase_order.billing_address.city == "Utrecht"
