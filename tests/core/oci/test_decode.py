from decimal import Decimal

import pytest

from saleor_oci_plugin.oci.decode import decode_cart
from saleor_oci_plugin.oci.problems import CartDecodeError


def test_decodes_a_standard_form():
    cart = decode_cart(
        [
            ("~OKCODE", "ADDI"),
            ("~TARGET", "_top"),
            ("~CALLER", "CTLG"),
            ("NEW_ITEM-DESCRIPTION[1]", "Kerstpakket"),
            ("NEW_ITEM-QUANTITY[1]", "2.000"),
            ("NEW_ITEM-UNIT[1]", "PCE"),
            ("NEW_ITEM-PRICE[1]", "49.95"),
            ("NEW_ITEM-PRICEUNIT[1]", "1"),
            ("NEW_ITEM-CURRENCY[1]", "EUR"),
            ("NEW_ITEM-LEADTIME[1]", "3"),
            ("NEW_ITEM-MATGROUP[1]", "4411"),
            ("NEW_ITEM-SERVICE[1]", "X"),
            ("NEW_ITEM-EXT_QUOTE_ID[1]", "T-1"),
            ("NEW_ITEM-EXT_QUOTE_ITEM[1]", "1"),
            ("NEW_ITEM-TAX[1]", "21.00"),
            ("NEW_ITEM-LONGTEXT_1:132[]", "Eerste regel "),
            ("NEW_ITEM-LONGTEXT_1:132[]", "tweede regel"),
            ("NEW_ITEM-DESCRIPTION[2]", "Boeket"),
            ("NEW_ITEM-QUANTITY[2]", "1"),
        ]
    )
    assert (cart.okcode, cart.target, cart.caller) == ("ADDI", "_top", "CTLG")
    first, second = cart.items
    assert first.index == 1
    assert first.description == "Kerstpakket"
    assert first.quantity == Decimal("2")
    assert first.price == Decimal("49.95")
    assert first.price_unit == Decimal(1)
    assert (first.unit, first.currency, first.matgroup) == ("PCE", "EUR", "4411")
    assert first.lead_time == 3
    assert first.service is True
    assert (first.ext_quote_id, first.ext_quote_item) == ("T-1", "1")
    assert first.tax == Decimal("21")
    assert first.long_text == "Eerste regel tweede regel"
    # Missing optional fields: empty text, no numbers, price unit 1.
    assert second.price is None
    assert second.price_unit == Decimal(1)
    assert second.lead_time is None
    assert second.long_text == ""
    assert second.service is False


@pytest.mark.parametrize(
    "name",
    [
        "NEW_ITEM-LONGTEXT_1:132[]",
        "NEW_ITEM-LONGTEXT_1:132",
        "NEW_ITEM-LONGTEXT_1[]",
        "NEW_ITEM-LONGTEXT[1]",
        "new_item-longtext_1:132[]",
    ],
)
def test_long_text_name_variants(name):
    (item,) = decode_cart([("NEW_ITEM-DESCRIPTION[1]", "x"), (name, "Tekst")]).items
    assert item.long_text == "Tekst"


def test_long_text_line_breaks_as_a_browser_posts_them():
    (item,) = decode_cart([("NEW_ITEM-LONGTEXT_1:132[]", "a\r\nb")]).items
    assert item.long_text == "a\nb"


@pytest.mark.parametrize(
    ("quantity", "price", "expected_quantity", "expected_price"),
    [
        ("2,5", "12,50", "2.5", "12.50"),
        ("1.000,5", "1.234,56", "1000.5", "1234.56"),
        (" 3 ", "1,234.56", "3", "1234.56"),
    ],
)
def test_comma_decimals(quantity, price, expected_quantity, expected_price):
    (item,) = decode_cart(
        [("NEW_ITEM-QUANTITY[1]", quantity), ("NEW_ITEM-PRICE[1]", price)]
    ).items
    assert item.quantity == Decimal(expected_quantity)
    assert item.price == Decimal(expected_price)


def test_empty_price_unit_is_one():
    (item,) = decode_cart([("NEW_ITEM-PRICEUNIT[1]", "")]).items
    assert item.price_unit == Decimal(1)


def test_items_are_ordered_by_index_and_zero_based_forms_work():
    cart = decode_cart(
        [
            ("NEW_ITEM-DESCRIPTION[1]", "second"),
            ("NEW_ITEM-DESCRIPTION[0]", "first"),
        ]
    )
    assert [(item.index, item.description) for item in cart.items] == [
        (0, "first"),
        (1, "second"),
    ]


def test_case_of_names_does_not_matter():
    (item,) = decode_cart([("new_item-Description[1]", "x"), ("~okcode", "ADDI")]).items
    assert item.description == "x"


def test_unknown_item_fields_and_other_fields_are_kept():
    cart = decode_cart(
        [
            ("NEW_ITEM-ZZMATGROUP[1]", "A1"),
            ("NEW_ITEM-DESCRIPTION[1]", "x"),
            ("submit", "Transfer"),
        ]
    )
    assert cart.items[0].other == {"ZZMATGROUP": "A1"}
    assert cart.other_fields == (("submit", "Transfer"),)


def test_an_empty_form_has_no_items():
    cart = decode_cart([("~OKCODE", "ADDI")])
    assert cart.items == ()
    assert cart.okcode == "ADDI"


def test_numbers_that_cannot_be_read_are_all_reported():
    with pytest.raises(CartDecodeError) as caught:
        decode_cart(
            [
                ("NEW_ITEM-QUANTITY[1]", "twee"),
                ("NEW_ITEM-PRICE[2]", "1,2,3"),
                ("NEW_ITEM-LEADTIME[2]", "2.5"),
            ]
        )
    assert [(problem.field, problem.line) for problem in caught.value.problems] == [
        ("QUANTITY", 1),
        ("PRICE", 2),
        ("LEADTIME", 2),
    ]
