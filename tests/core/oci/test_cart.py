from decimal import Decimal

import pytest

from saleor_oci_plugin.oci.cart import encode_cart
from saleor_oci_plugin.oci.fields import OCIVersion, fields_for_version
from saleor_oci_plugin.oci.items import CartItem
from saleor_oci_plugin.oci.mapping import OCIMapping
from saleor_oci_plugin.oci.problems import (
    RULE_CHARSET,
    RULE_CONTROL_CHARACTERS,
    RULE_PRICE_UNIT_RAISED,
    RULE_ROUNDED_DECIMAL,
    RULE_SHORTENED_CODE,
    RULE_SHORTENED_TEXT,
    CartEncodeError,
    FieldWarning,
)

VENDOR_MAPPING = OCIMapping.from_dict({"fields": {"VENDOR": {"fixed": "100234"}}})


def item(line_number: int = 1, **values) -> CartItem:
    defaults = {
        "sku": f"SKU-{line_number}",
        "description": "Kerstpakket",
        "quantity": Decimal(1),
        "unit_price": Decimal("10.00"),
        "currency": "EUR",
    }
    return CartItem(line_number=line_number, **{**defaults, **values})


def field_values(fields, field: str) -> list[str]:
    return [value for name, value in fields if name.startswith(f"NEW_ITEM-{field}[")]


def realistic_cart() -> list[CartItem]:
    return [
        CartItem(
            line_number=1,
            sku="GB-1001",
            description="Kerstpakket Luxe met wijn en kaas",
            quantity=Decimal("25"),
            unit="stuk",
            unit_price=Decimal("49.95"),
            currency="EUR",
            lead_time_days=5,
            nzi_code="4411",
            card_text="Fijne feestdagen!\nTeam Intensive Care",
            vendor_material_number="KP-LUX-01",
            category="Kerstpakketten",
            category_id="XMAS",
            gtin="8712345678906",
            tax_rate=Decimal("9"),
            item_type="R",
        ),
        CartItem(
            line_number=2,
            sku="FL-2002",
            description="Boeket rozen 'Crème brûlée'",
            quantity=Decimal("2.5"),
            unit="bos",
            unit_price=Decimal("24.50"),
            currency="EUR",
            lead_time_days=1,
            nzi_code="4412",
            long_text="Twintig rozen met seizoensgroen, geleverd in vaas.",
            category="Bloemen",
            tax_rate=Decimal("9"),
            item_type="R",
        ),
        CartItem(
            line_number=3,
            sku="WK-3003",
            description="Wenskaart met logo, dubbel",
            quantity=Decimal("250"),
            unit="",
            unit_price=Decimal("0.125"),
            currency="EUR",
            nzi_code="4413",
            category="Wenskaarten",
            tax_rate=Decimal("21"),
            item_type="R",
            parent_line_number=1,
        ),
    ]


GOLDEN_OCI_4 = [
    ("NEW_ITEM-DESCRIPTION[1]", "Kerstpakket Luxe met wijn en kaas"),
    ("NEW_ITEM-MATGROUP[1]", "4411"),
    ("NEW_ITEM-QUANTITY[1]", "25.000"),
    ("NEW_ITEM-UNIT[1]", "PCE"),
    ("NEW_ITEM-PRICE[1]", "49.95"),
    ("NEW_ITEM-PRICEUNIT[1]", "1"),
    ("NEW_ITEM-CURRENCY[1]", "EUR"),
    ("NEW_ITEM-LEADTIME[1]", "5"),
    ("NEW_ITEM-VENDOR[1]", "100234"),
    ("NEW_ITEM-VENDORMAT[1]", "KP-LUX-01"),
    ("NEW_ITEM-EXT_QUOTE_ID[1]", "T-2024-000042"),
    ("NEW_ITEM-EXT_QUOTE_ITEM[1]", "1"),
    ("NEW_ITEM-EXT_PRODUCT_ID[1]", "GB-1001"),
    ("NEW_ITEM-EXT_CATEGORY_ID[1]", "XMAS"),
    ("NEW_ITEM-EXT_CATEGORY[1]", "Kerstpakketten"),
    ("NEW_ITEM-LONGTEXT_1:132[]", "Fijne feestdagen!\nTeam Intensive Care"),
    ("NEW_ITEM-DESCRIPTION[2]", "Boeket rozen 'Crème brûlée'"),
    ("NEW_ITEM-MATGROUP[2]", "4412"),
    ("NEW_ITEM-QUANTITY[2]", "2.500"),
    ("NEW_ITEM-UNIT[2]", "BH"),
    ("NEW_ITEM-PRICE[2]", "24.50"),
    ("NEW_ITEM-PRICEUNIT[2]", "1"),
    ("NEW_ITEM-CURRENCY[2]", "EUR"),
    ("NEW_ITEM-LEADTIME[2]", "1"),
    ("NEW_ITEM-VENDOR[2]", "100234"),
    ("NEW_ITEM-VENDORMAT[2]", "FL-2002"),
    ("NEW_ITEM-EXT_QUOTE_ID[2]", "T-2024-000042"),
    ("NEW_ITEM-EXT_QUOTE_ITEM[2]", "2"),
    ("NEW_ITEM-EXT_PRODUCT_ID[2]", "FL-2002"),
    ("NEW_ITEM-EXT_CATEGORY_ID[2]", ""),
    ("NEW_ITEM-EXT_CATEGORY[2]", "Bloemen"),
    ("NEW_ITEM-LONGTEXT_2:132[]", "Twintig rozen met seizoensgroen, geleverd in vaas."),
    ("NEW_ITEM-DESCRIPTION[3]", "Wenskaart met logo, dubbel"),
    ("NEW_ITEM-MATGROUP[3]", "4413"),
    ("NEW_ITEM-QUANTITY[3]", "250.000"),
    ("NEW_ITEM-UNIT[3]", "PCE"),
    ("NEW_ITEM-PRICE[3]", "1.25"),
    ("NEW_ITEM-PRICEUNIT[3]", "10"),
    ("NEW_ITEM-CURRENCY[3]", "EUR"),
    ("NEW_ITEM-LEADTIME[3]", ""),
    ("NEW_ITEM-VENDOR[3]", "100234"),
    ("NEW_ITEM-VENDORMAT[3]", "WK-3003"),
    ("NEW_ITEM-EXT_QUOTE_ID[3]", "T-2024-000042"),
    ("NEW_ITEM-EXT_QUOTE_ITEM[3]", "3"),
    ("NEW_ITEM-EXT_PRODUCT_ID[3]", "WK-3003"),
    ("NEW_ITEM-EXT_CATEGORY_ID[3]", ""),
    ("NEW_ITEM-EXT_CATEGORY[3]", "Wenskaarten"),
]

GOLDEN_OCI_5 = [
    ("NEW_ITEM-DESCRIPTION[1]", "Kerstpakket Luxe met wijn en kaas"),
    ("NEW_ITEM-MATGROUP[1]", "4411"),
    ("NEW_ITEM-QUANTITY[1]", "25.000"),
    ("NEW_ITEM-UNIT[1]", "PCE"),
    ("NEW_ITEM-PRICE[1]", "49.95"),
    ("NEW_ITEM-PRICEUNIT[1]", "1"),
    ("NEW_ITEM-CURRENCY[1]", "EUR"),
    ("NEW_ITEM-LEADTIME[1]", "5"),
    ("NEW_ITEM-VENDOR[1]", "100234"),
    ("NEW_ITEM-VENDORMAT[1]", "KP-LUX-01"),
    ("NEW_ITEM-EXT_QUOTE_ID[1]", "T-2024-000042"),
    ("NEW_ITEM-EXT_QUOTE_ITEM[1]", "1"),
    ("NEW_ITEM-EXT_PRODUCT_ID[1]", "GB-1001"),
    ("NEW_ITEM-EXT_CATEGORY_ID[1]", "XMAS"),
    ("NEW_ITEM-EXT_CATEGORY[1]", "Kerstpakketten"),
    ("NEW_ITEM-PARENT_ID[1]", ""),
    ("NEW_ITEM-ITEM_TYPE[1]", "R"),
    ("NEW_ITEM-GTIN[1]", "8712345678906"),
    ("NEW_ITEM-TAX[1]", "9.00"),
    ("NEW_ITEM-LONGTEXT_1:132[]", "Fijne feestdagen!\nTeam Intensive Care"),
    ("NEW_ITEM-DESCRIPTION[2]", "Boeket rozen 'Crème brûlée'"),
    ("NEW_ITEM-MATGROUP[2]", "4412"),
    ("NEW_ITEM-QUANTITY[2]", "2.500"),
    ("NEW_ITEM-UNIT[2]", "BH"),
    ("NEW_ITEM-PRICE[2]", "24.50"),
    ("NEW_ITEM-PRICEUNIT[2]", "1"),
    ("NEW_ITEM-CURRENCY[2]", "EUR"),
    ("NEW_ITEM-LEADTIME[2]", "1"),
    ("NEW_ITEM-VENDOR[2]", "100234"),
    ("NEW_ITEM-VENDORMAT[2]", "FL-2002"),
    ("NEW_ITEM-EXT_QUOTE_ID[2]", "T-2024-000042"),
    ("NEW_ITEM-EXT_QUOTE_ITEM[2]", "2"),
    ("NEW_ITEM-EXT_PRODUCT_ID[2]", "FL-2002"),
    ("NEW_ITEM-EXT_CATEGORY_ID[2]", ""),
    ("NEW_ITEM-EXT_CATEGORY[2]", "Bloemen"),
    ("NEW_ITEM-PARENT_ID[2]", ""),
    ("NEW_ITEM-ITEM_TYPE[2]", "R"),
    ("NEW_ITEM-GTIN[2]", ""),
    ("NEW_ITEM-TAX[2]", "9.00"),
    ("NEW_ITEM-LONGTEXT_2:132[]", "Twintig rozen met seizoensgroen, geleverd in vaas."),
    ("NEW_ITEM-DESCRIPTION[3]", "Wenskaart met logo, dubbel"),
    ("NEW_ITEM-MATGROUP[3]", "4413"),
    ("NEW_ITEM-QUANTITY[3]", "250.000"),
    ("NEW_ITEM-UNIT[3]", "PCE"),
    ("NEW_ITEM-PRICE[3]", "1.25"),
    ("NEW_ITEM-PRICEUNIT[3]", "10"),
    ("NEW_ITEM-CURRENCY[3]", "EUR"),
    ("NEW_ITEM-LEADTIME[3]", ""),
    ("NEW_ITEM-VENDOR[3]", "100234"),
    ("NEW_ITEM-VENDORMAT[3]", "WK-3003"),
    ("NEW_ITEM-EXT_QUOTE_ID[3]", "T-2024-000042"),
    ("NEW_ITEM-EXT_QUOTE_ITEM[3]", "3"),
    ("NEW_ITEM-EXT_PRODUCT_ID[3]", "WK-3003"),
    ("NEW_ITEM-EXT_CATEGORY_ID[3]", ""),
    ("NEW_ITEM-EXT_CATEGORY[3]", "Wenskaarten"),
    ("NEW_ITEM-PARENT_ID[3]", "1"),
    ("NEW_ITEM-ITEM_TYPE[3]", "R"),
    ("NEW_ITEM-GTIN[3]", ""),
    ("NEW_ITEM-TAX[3]", "21.00"),
]

PRICE_UNIT_WARNING = FieldWarning(
    "PRICE", 3, "0.125 per 1", "1.25 per 10", RULE_PRICE_UNIT_RAISED
)


def test_golden_oci_4_0():
    encoded = encode_cart(
        realistic_cart(),
        VENDOR_MAPPING,
        transfer_id="T-2024-000042",
        oci_version=OCIVersion.V4_0,
    )
    assert list(encoded.fields) == GOLDEN_OCI_4
    assert encoded.warnings == (PRICE_UNIT_WARNING,)


def test_golden_oci_5_0():
    encoded = encode_cart(
        realistic_cart(),
        VENDOR_MAPPING,
        transfer_id="T-2024-000042",
        oci_version=OCIVersion.V5_0,
    )
    assert list(encoded.fields) == GOLDEN_OCI_5
    assert encoded.warnings == (PRICE_UNIT_WARNING,)


def test_an_empty_cart_has_no_fields():
    encoded = encode_cart([], transfer_id="T-1")
    assert encoded.fields == ()
    assert encoded.warnings == ()


def test_indexes_count_from_one_without_gaps_whatever_the_line_numbers():
    items = [item(10), item(20), item(35)]
    fields = encode_cart(items, transfer_id="T-1").fields
    assert [name for name, _ in fields if "DESCRIPTION" in name] == [
        "NEW_ITEM-DESCRIPTION[1]",
        "NEW_ITEM-DESCRIPTION[2]",
        "NEW_ITEM-DESCRIPTION[3]",
    ]
    assert field_values(fields, "EXT_QUOTE_ITEM") == ["10", "20", "35"]


def test_without_a_transfer_id_the_quote_id_is_left_out():
    fields = encode_cart([item()]).fields
    assert field_values(fields, "EXT_QUOTE_ID") == []
    assert field_values(fields, "EXT_QUOTE_ITEM") == ["1"]


def test_a_field_empty_on_every_line_is_left_out_unless_asked():
    fields = encode_cart([item(1), item(2)]).fields
    assert field_values(fields, "MATGROUP") == []
    fields = encode_cart([item(1), item(2, nzi_code="4411")]).fields
    assert field_values(fields, "MATGROUP") == ["", "4411"]
    everything = OCIMapping.from_dict({"send_empty_fields": True})
    fields = encode_cart([item()], everything, oci_version=OCIVersion.V5_0).fields
    sent = {name.split("[")[0].removeprefix("NEW_ITEM-") for name, _ in fields}
    # Every field of the version but the long text, which has no lines when empty.
    assert sent == {field.name for field in fields_for_version(OCIVersion.V5_0)} - {
        "LONGTEXT"
    }


def test_fields_the_mapping_leaves_out_are_not_sent():
    mapping = OCIMapping.from_dict({"fields": {"EXT_PRODUCT_ID": None}})
    fields = encode_cart([item()], mapping).fields
    assert field_values(fields, "EXT_PRODUCT_ID") == []


def test_fallbacks_fixed_values_and_extra_sources():
    mapping = OCIMapping.from_dict(
        {
            "fields": {
                "CONTRACT": {"from": ["contract"], "fixed": "RC-2024"},
                "CUST_FIELD1": {"from": ["extra.cost_centre"]},
                "EXT_SCHEMA_TYPE": {"fixed": "NZI"},
            }
        }
    )
    items = [
        item(1, contract="C-9", extra={"cost_centre": "KP-4711"}),
        item(2, vendor_material_number="V-2"),
    ]
    fields = encode_cart(items, mapping).fields
    assert field_values(fields, "CONTRACT") == ["C-9", "RC-2024"]
    assert field_values(fields, "CUST_FIELD1") == ["KP-4711", ""]
    assert field_values(fields, "EXT_SCHEMA_TYPE") == ["NZI", "NZI"]
    assert field_values(fields, "VENDORMAT") == ["SKU-1", "V-2"]


def test_nzi_code_and_card_text_follow_the_mapping():
    mapping = OCIMapping.from_dict(
        {"nzi_field": "CUST_FIELD2", "card_text_field": "CUST_FIELD5"}
    )
    fields = encode_cart(
        [item(nzi_code="4411", card_text="Fijne dagen", long_text="Inhoud")], mapping
    ).fields
    assert field_values(fields, "CUST_FIELD2") == ["4411"]
    assert field_values(fields, "CUST_FIELD5") == ["Fijne dagen"]
    assert field_values(fields, "MATGROUP") == []
    assert dict(fields)["NEW_ITEM-LONGTEXT_1:132[]"] == "Inhoud"


def test_non_ascii_text_survives():
    text = "Crème brûlée, Citroën, Müller, Straße, 10 €"
    encoded = encode_cart([item(description=text[:40], long_text=text)])
    fields = dict(encoded.fields)
    assert fields["NEW_ITEM-DESCRIPTION[1]"] == text[:40]
    assert fields["NEW_ITEM-LONGTEXT_1:132[]"] == text
    assert encoded.warnings == ()


def test_a_long_description_is_shortened_at_a_word_and_reported():
    description = "Kerstpakket Luxe met wijn, kaas en bonbons voor het hele team"
    encoded = encode_cart([item(description=description)])
    assert dict(encoded.fields)["NEW_ITEM-DESCRIPTION[1]"] == (
        "Kerstpakket Luxe met wijn, kaas en"
    )
    assert encoded.warnings == (
        FieldWarning(
            "DESCRIPTION",
            1,
            description,
            "Kerstpakket Luxe met wijn, kaas en",
            RULE_SHORTENED_TEXT,
        ),
    )


def test_a_long_code_is_cut_and_reported():
    encoded = encode_cart([item(nzi_code="NZI-4411-0001")])
    assert field_values(encoded.fields, "MATGROUP") == ["NZI-4411-0"]
    assert encoded.warnings == (
        FieldWarning("MATGROUP", 1, "NZI-4411-0001", "NZI-4411-0", RULE_SHORTENED_CODE),
    )


def test_warnings_name_the_position_of_the_line():
    items = [item(7), item(9, description="x" * 41)]
    (warning,) = encode_cart(items).warnings
    assert (warning.field, warning.line) == ("DESCRIPTION", 2)


def test_quantities_stay_decimals():
    items = [item(1, quantity=Decimal("2.5")), item(2, quantity=Decimal("0.125"))]
    encoded = encode_cart(items)
    assert field_values(encoded.fields, "QUANTITY") == ["2.500", "0.125"]
    assert encoded.warnings == ()


def test_a_quantity_with_more_places_is_rounded_and_reported():
    encoded = encode_cart([item(quantity=Decimal("1.2345"))])
    assert field_values(encoded.fields, "QUANTITY") == ["1.235"]
    assert encoded.warnings == (
        FieldWarning("QUANTITY", 1, "1.2345", "1.235", RULE_ROUNDED_DECIMAL),
    )


def test_whole_number_quantities_round_with_a_warning_never_silently():
    mapping = OCIMapping.from_dict({"quantity_decimals": 0})
    encoded = encode_cart([item(quantity=Decimal("2.5"))], mapping)
    assert field_values(encoded.fields, "QUANTITY") == ["3"]
    assert [warning.rule for warning in encoded.warnings] == [RULE_ROUNDED_DECIMAL]


def test_price_precision_is_configurable():
    mapping = OCIMapping.from_dict({"price_decimals": 3})
    fields = encode_cart([item(unit_price=Decimal("0.125"))], mapping).fields
    assert field_values(fields, "PRICE") == ["0.125"]
    assert field_values(fields, "PRICEUNIT") == ["1"]


def test_price_per_price_unit_is_sent_as_given():
    fields = encode_cart([item(unit_price=Decimal("12.50"), price_unit=100)]).fields
    assert field_values(fields, "PRICE") == ["12.50"]
    assert field_values(fields, "PRICEUNIT") == ["100"]


def test_a_price_no_power_of_ten_makes_exact_is_rounded_at_the_largest_unit():
    encoded = encode_cart([item(unit_price=Decimal(1) / 3)])
    assert field_values(encoded.fields, "PRICE") == ["3333.33"]
    assert field_values(encoded.fields, "PRICEUNIT") == ["10000"]
    assert [warning.rule for warning in encoded.warnings] == [RULE_ROUNDED_DECIMAL]


def test_without_raising_the_price_unit_the_price_is_rounded_and_reported():
    mapping = OCIMapping.from_dict({"raise_price_unit": False})
    encoded = encode_cart([item(unit_price=Decimal("0.125"))], mapping)
    assert field_values(encoded.fields, "PRICE") == ["0.13"]
    assert field_values(encoded.fields, "PRICEUNIT") == ["1"]
    assert encoded.warnings == (
        FieldWarning("PRICE", 1, "0.125 per 1", "0.13 per 1", RULE_ROUNDED_DECIMAL),
    )


def test_units_are_mapped_with_the_connection_overrides():
    mapping = OCIMapping.from_dict(
        {"units": {"overrides": {"PCE": "EA", "doos": "CT"}}}
    )
    items = [item(1, unit="stuk"), item(2, unit="doos"), item(3, unit="kg"), item(4)]
    fields = encode_cart(items, mapping).fields
    assert field_values(fields, "UNIT") == ["EA", "CT", "KGM", "EA"]


def test_long_text_is_split_into_lines_of_132():
    long_text = " ".join(["Kerstpakket met wijn, kaas en bonbons."] * 10)
    fields = encode_cart([item(long_text=long_text)]).fields
    lines = [value for name, value in fields if name == "NEW_ITEM-LONGTEXT_1:132[]"]
    assert len(lines) == 3
    assert all(len(line) <= 132 for line in lines)
    assert "".join(lines) == long_text


def test_long_text_and_card_text_are_joined_by_a_line_break():
    fields = encode_cart(
        [item(long_text="Inhoud: wijn", card_text="Fijne dagen")]
    ).fields
    assert dict(fields)["NEW_ITEM-LONGTEXT_1:132[]"] == "Inhoud: wijn\nFijne dagen"


def test_control_characters_are_replaced_and_reported():
    encoded = encode_cart(
        [item(description="Kerst\tpakket\x00", long_text="Regel 1\r\nRegel 2\x07")]
    )
    fields = dict(encoded.fields)
    assert fields["NEW_ITEM-DESCRIPTION[1]"] == "Kerst pakket "
    assert fields["NEW_ITEM-LONGTEXT_1:132[]"] == "Regel 1\nRegel 2 "
    assert [(warning.field, warning.rule) for warning in encoded.warnings] == [
        ("DESCRIPTION", RULE_CONTROL_CHARACTERS),
        ("LONGTEXT", RULE_CONTROL_CHARACTERS),
    ]


def test_only_line_break_folding_is_not_reported():
    encoded = encode_cart([item(long_text="Regel 1\r\nRegel 2")])
    assert dict(encoded.fields)["NEW_ITEM-LONGTEXT_1:132[]"] == "Regel 1\nRegel 2"
    assert encoded.warnings == ()


def test_charset_replacements_are_made_before_lengths_are_checked():
    description = "Relatiegeschenken voor de afdeling, 10 €"
    assert len(description) == 40  # fits, until the euro sign becomes EUR
    encoded = encode_cart([item(description=description)], charset="ISO-8859-1")
    assert dict(encoded.fields)["NEW_ITEM-DESCRIPTION[1]"] == (
        "Relatiegeschenken voor de afdeling, 10"
    )
    assert [warning.rule for warning in encoded.warnings] == [
        RULE_CHARSET,
        RULE_SHORTENED_TEXT,
    ]
    assert encoded.warnings[0].shortened == "Relatiegeschenken voor de afdeling, 10 EUR"


def test_characters_beyond_the_bmp_count_twice():
    encoded = encode_cart([item(description="🌹" * 25)])
    assert dict(encoded.fields)["NEW_ITEM-DESCRIPTION[1]"] == "🌹" * 20
    assert [warning.rule for warning in encoded.warnings] == [RULE_SHORTENED_TEXT]


def test_service_lead_time_and_parent_fields():
    items = [item(1, is_service=True, lead_time_days=0), item(2, parent_line_number=1)]
    fields = encode_cart(items, oci_version=OCIVersion.V5_0).fields
    assert field_values(fields, "SERVICE") == ["X", ""]
    assert field_values(fields, "LEADTIME") == ["0", ""]
    assert field_values(fields, "PARENT_ID") == ["", "1"]
    fields = encode_cart(items, oci_version=OCIVersion.V4_0).fields
    assert field_values(fields, "PARENT_ID") == []


def problems_of(items, **options) -> list[tuple[str, str, int | None]]:
    with pytest.raises(CartEncodeError) as caught:
        encode_cart(items, **options)
    return [
        (problem.field, problem.code, problem.line) for problem in caught.value.problems
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"quantity": Decimal(0)}, ("QUANTITY", "not_positive")),
        ({"quantity": Decimal(-2)}, ("QUANTITY", "not_positive")),
        ({"quantity": Decimal("NaN")}, ("QUANTITY", "invalid_number")),
        ({"quantity": Decimal("Infinity")}, ("QUANTITY", "invalid_number")),
        ({"quantity": 1.5}, ("QUANTITY", "invalid_number")),
        ({"quantity": Decimal("0.0001")}, ("QUANTITY", "not_positive")),
        ({"quantity": Decimal("1E+12")}, ("QUANTITY", "number_too_long")),
        ({"unit_price": Decimal("-0.01")}, ("PRICE", "negative")),
        ({"unit_price": "12.50"}, ("PRICE", "invalid_number")),
        ({"price_unit": 0}, ("PRICEUNIT", "invalid_number")),
        ({"price_unit": 100_000}, ("PRICEUNIT", "invalid_number")),
        ({"lead_time_days": -1}, ("LEADTIME", "invalid_number")),
        ({"tax_rate": Decimal(-21)}, ("TAX", "negative")),
        ({"unit": "krat"}, ("UNIT", "unknown_unit")),
        ({"currency": ""}, ("CURRENCY", "missing_currency")),
        ({"parent_line_number": 99}, ("PARENT_ID", "unknown_parent")),
        ({"parent_line_number": 1}, ("PARENT_ID", "unknown_parent")),
    ],
)
def test_bad_item_values_are_refused(values, expected):
    items = [item(1, **values)]
    assert problems_of(items, oci_version=OCIVersion.V5_0) == [(*expected, 1)]


def test_fields_not_sent_are_not_checked():
    # OCI 4.0 has no TAX or PARENT_ID: their values do not matter there.
    items = [item(1, tax_rate=Decimal(-1), parent_line_number=7)]
    assert encode_cart(items, oci_version=OCIVersion.V4_0).fields
    assert problems_of(items, oci_version=OCIVersion.V5_0) == [
        ("TAX", "negative", 1),
        ("PARENT_ID", "unknown_parent", 1),
    ]


def test_bad_line_numbers_are_refused():
    assert problems_of([item(0)]) == [("line_number", "invalid_line_number", 1)]
    assert problems_of([item(3), item(3)]) == [
        ("line_number", "duplicate_line_number", 2)
    ]


def test_something_else_than_a_cart_item_is_refused():
    assert problems_of([{"sku": "x"}]) == [("item", "invalid_item", 1)]


@pytest.mark.parametrize(
    "transfer_id", ["0b9e6f0e-6d2c-4f8e-9a56-2f1c3d4e5f60", "T-1\nX"]
)
def test_a_transfer_id_that_would_not_survive_is_refused(transfer_id):
    assert problems_of([item()], transfer_id=transfer_id) == [
        ("EXT_QUOTE_ID", "invalid_transfer_id", None)
    ]


def test_every_problem_is_listed_in_one_error():
    items = [
        item(1, quantity=Decimal(0)),
        item(2, unit_price=Decimal(-1), unit="krat"),
        item(2),
    ]
    assert problems_of(items, transfer_id="x" * 40) == [
        ("EXT_QUOTE_ID", "invalid_transfer_id", None),
        ("line_number", "duplicate_line_number", 3),
        ("QUANTITY", "not_positive", 1),
        ("PRICE", "negative", 2),
        ("UNIT", "unknown_unit", 2),
    ]
