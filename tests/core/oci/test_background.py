from decimal import Decimal

from saleor_oci_plugin.oci.background import (
    decode_background_answer,
    encode_background_answer,
)
from saleor_oci_plugin.oci.cart import encode_cart
from saleor_oci_plugin.oci.decode import decode_cart
from saleor_oci_plugin.oci.items import CartItem
from saleor_oci_plugin.oci.problems import RULE_CHARSET, FieldWarning


def product(line_number: int, description: str) -> CartItem:
    return CartItem(
        line_number=line_number,
        sku=f"GB-{line_number}",
        description=description,
        quantity=Decimal(3),
        unit_price=Decimal("12.50"),
        currency="EUR",
    )


def test_validate_answer_is_a_form_body_of_the_item():
    fields = encode_cart([product(1, "Kerstpakket & wijn")]).fields
    answer = encode_background_answer(fields)
    assert answer.content_type == "application/x-www-form-urlencoded; charset=UTF-8"
    assert answer.body.startswith(
        b"NEW_ITEM-DESCRIPTION%5B1%5D=Kerstpakket+%26+wijn&NEW_ITEM-QUANTITY%5B1%5D=3.000"
    )
    assert decode_background_answer(answer.body) == list(fields)


def test_search_answer_carries_every_found_product():
    fields = encode_cart([product(1, "Crème brûlée"), product(2, "Müsli für 2")]).fields
    answer = encode_background_answer(fields, charset="ISO-8859-1")
    assert b"Cr%E8me+br%FBl%E9e" in answer.body
    decoded = decode_cart(decode_background_answer(answer.body, charset="ISO-8859-1"))
    assert [item.description for item in decoded.items] == [
        "Crème brûlée",
        "Müsli für 2",
    ]


def test_nothing_found_is_an_empty_body():
    answer = encode_background_answer([])
    assert answer.body == b""
    assert decode_background_answer(answer.body) == []


def test_what_the_charset_cannot_carry_is_replaced_and_reported():
    answer = encode_background_answer(
        [("NEW_ITEM-DESCRIPTION[1]", "Boeket €")], charset="ISO-8859-1"
    )
    assert answer.body == b"NEW_ITEM-DESCRIPTION%5B1%5D=Boeket+EUR"
    assert answer.warnings == (
        FieldWarning("DESCRIPTION", 1, "Boeket €", "Boeket EUR", RULE_CHARSET),
    )
