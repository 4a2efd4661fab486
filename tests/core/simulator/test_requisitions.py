"""Requisitions: reading lines, the purchase order made from them, the store."""

import re
import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from saleor_oci_plugin.oci import UTF_8, OCIItem
from saleor_oci_plugin.simulator.hook import PostedForm
from saleor_oci_plugin.simulator.requisitions import (
    NotOrderableError,
    Outcome,
    RequisitionStore,
    ShopAnswer,
    field_value,
    new_po_number,
    plain_number,
    purchase_order_for,
    sku_of,
    unit_price_of,
)

from .helpers import return_form_fields
from .items import CART, GIFT_BOX


def receive(fields, store=None):
    return (store or RequisitionStore()).receive(PostedForm(tuple(fields), UTF_8))


@pytest.mark.parametrize(
    ("price", "per", "expected"),
    [
        ("24.95", "1", "24.95"),
        ("1.25", "100", "0.0125"),
        ("10", "3", "3.333333"),  # rounded, not a repeating fraction
        ("5", "0", "5"),
    ],
)
def test_unit_price_is_the_price_of_one(price, per, expected):
    item = OCIItem(index=1, price=Decimal(price), price_unit=Decimal(per))

    assert unit_price_of(item) == Decimal(expected)


def test_no_price_stays_none():
    assert unit_price_of(OCIItem(index=1)) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [("2.000", "2"), ("1E+2", "100"), ("0.0125", "0.0125"), ("-0.0", "0")],
)
def test_plain_number(value, text):
    assert plain_number(Decimal(value)) == text


def test_product_code_and_fields_by_oci_name():
    item = OCIItem(
        index=1,
        vendormat="V-1",
        matgroup="4411",
        cust_field1="KP",
        other={"ZZNZI": "9"},
        long_text="x",
    )

    assert sku_of(item) == "V-1"
    assert sku_of(replace(item, ext_product_id="P-1")) == "P-1"
    assert field_value(item, "matgroup") == "4411"
    assert field_value(item, "CUST_FIELD1") == "KP"
    assert field_value(item, "ZZNZI") == "9"
    assert field_value(item, "LONGTEXT") == "x"


def test_purchase_order_from_a_requisition():
    requisition = receive(return_form_fields(CART))

    order = purchase_order_for(
        requisition, nzi_field="MATGROUP", cost_centre=" KP-1 ", today=date(2026, 1, 5)
    )

    assert order.order_number == requisition.po_number
    assert order.transfer_id == requisition.transfer_id != ""
    assert [line.line_number for line in order.lines] == ["10", "20"]
    assert [line.nzi_code for line in order.lines] == ["4411", "4420"]
    assert {line.cost_centre for line in order.lines} == {"KP-1"}
    assert order.total == Decimal("77.35")
    assert order.order_date == date(2026, 1, 5)


def test_nzi_code_from_another_field():
    fields = [
        (name.replace("MATGROUP", "CUST_FIELD2"), value)
        for name, value in return_form_fields([GIFT_BOX])
    ]

    order = purchase_order_for(receive(fields), nzi_field="CUST_FIELD2")

    assert [line.nzi_code for line in order.lines] == ["4411"]


def test_lines_that_cannot_be_ordered():
    requisition = receive(
        [
            ("NEW_ITEM-DESCRIPTION[1]", "A"),
            ("NEW_ITEM-EXT_PRODUCT_ID[1]", "A"),
            ("NEW_ITEM-CURRENCY[1]", "EUR"),
            ("NEW_ITEM-DESCRIPTION[2]", "B"),
            ("NEW_ITEM-QUANTITY[2]", "1"),
            ("NEW_ITEM-CURRENCY[2]", "EUR"),
        ]
    )

    with pytest.raises(NotOrderableError) as refused:
        purchase_order_for(requisition, nzi_field="MATGROUP")

    assert refused.value.problems == (
        "line 1 has no quantity to order",
        "line 2 has no product code (EXT_PRODUCT_ID, VENDORMAT or MATNR)",
    )


def test_an_empty_cart_cannot_be_ordered():
    requisition = receive([("~OKCODE", "ADDI")])

    assert requisition.is_cancelled
    with pytest.raises(NotOrderableError, match="the cart is empty"):
        purchase_order_for(requisition, nzi_field="MATGROUP")


def test_po_numbers_look_like_sap_ones():
    numbers = {new_po_number() for _ in range(200)}

    assert all(re.fullmatch(r"45\d{8}", number) for number in numbers)
    assert len(numbers) > 190


def test_store_keeps_answers_and_its_limit():
    store = RequisitionStore(limit=3)
    received = [receive(return_form_fields([GIFT_BOX]), store) for _ in range(5)]

    assert [requisition.id for requisition in store.all()] == [5, 4, 3]
    assert store.get(1) is None
    assert len({requisition.po_number for requisition in received}) == 5

    first = ShopAnswer("cXML", Outcome.FAILED, ("down",))
    second = ShopAnswer("cXML", Outcome.PLACED, ("ok",), order_number="7")
    store.add_answer(5, first)
    updated = store.add_answer(5, second)

    assert updated is not None
    assert updated.answers == (second, first)
    assert store.get(5) == updated
    assert store.add_answer(1, first) is None


def test_store_is_safe_across_threads():
    store = RequisitionStore()
    fields = return_form_fields([GIFT_BOX])
    threads = [
        threading.Thread(target=lambda: [receive(fields, store) for _ in range(20)])
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = [requisition.id for requisition in store.all()]
    assert sorted(ids) == list(range(1, 161))
