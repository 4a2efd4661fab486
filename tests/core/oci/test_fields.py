import pytest

from saleor_oci_plugin.oci.fields import (
    FIELDS,
    FIELDS_BY_NAME,
    LONGTEXT,
    FieldKind,
    OCIVersion,
    fields_for_version,
    form_field_name,
    parse_oci_version,
    split_field_name,
)

# DESIGN.md, section 5: maximum lengths of the outbound fields.
DESIGN_LENGTHS = {
    40: [
        "DESCRIPTION",
        "MATNR",
        "VENDORMAT",
        "MANUFACTMAT",
        "EXT_PRODUCT_ID",
        "EXT_CATEGORY",
    ],
    15: ["QUANTITY", "PRICE"],
    10: [
        "VENDOR",
        "MANUFACTCODE",
        "MATGROUP",
        "CONTRACT",
        "EXT_QUOTE_ITEM",
        "EXT_SCHEMA_TYPE",
        "CUST_FIELD1",
        "CUST_FIELD2",
        "CUST_FIELD3",
    ],
    60: ["EXT_CATEGORY_ID", "SLD_SYS_NAME"],
    255: ["ATTACHMENT", "ATTACHMENT_TITLE"],
    35: ["EXT_QUOTE_ID"],
    20: ["CUST_FIELD4"],
    50: ["CUST_FIELD5"],
    5: ["CURRENCY", "PRICEUNIT", "LEADTIME", "CONTRACT_ITEM"],
    3: ["UNIT"],
    1: ["SERVICE", "ATTACHMENT_PURPOSE"],
}


@pytest.mark.parametrize(
    ("name", "length"),
    [(name, length) for length, names in DESIGN_LENGTHS.items() for name in names],
)
def test_field_lengths_are_the_documented_ones(name, length):
    assert FIELDS_BY_NAME[name].max_length == length


def test_long_text_is_unlimited_and_comes_last():
    assert FIELDS[-1].name == LONGTEXT
    assert FIELDS_BY_NAME[LONGTEXT].max_length is None


def test_kinds():
    assert FIELDS_BY_NAME["DESCRIPTION"].kind is FieldKind.TEXT
    assert FIELDS_BY_NAME["MATGROUP"].kind is FieldKind.CODE
    assert FIELDS_BY_NAME["QUANTITY"].kind is FieldKind.DECIMAL
    assert FIELDS_BY_NAME["PRICE"].kind is FieldKind.DECIMAL
    assert FIELDS_BY_NAME["LEADTIME"].kind is FieldKind.INTEGER
    assert FIELDS_BY_NAME["SERVICE"].kind is FieldKind.FLAG


def test_oci_5_adds_hierarchy_gtin_and_tax():
    v4 = {field.name for field in fields_for_version(OCIVersion.V4_0)}
    v5 = {field.name for field in fields_for_version(OCIVersion.V5_0)}
    assert v5 - v4 == {"PARENT_ID", "ITEM_TYPE", "GTIN", "TAX"}
    assert v4 < v5


def test_fields_a_receiver_needs_are_always_sent():
    always = {field.name for field in FIELDS if field.always_sent}
    assert always == {
        "DESCRIPTION",
        "QUANTITY",
        "UNIT",
        "PRICE",
        "PRICEUNIT",
        "CURRENCY",
    }


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("4.0", OCIVersion.V4_0),
        ("4", OCIVersion.V4_0),
        ("3.5", OCIVersion.V4_0),
        ("5.0", OCIVersion.V5_0),
        (" 5.00 ", OCIVersion.V5_0),
        ("6.1", OCIVersion.V5_0),
        ("abc", None),
        ("", None),
        ("0.9", None),
        ("4.0beta", None),
    ],
)
def test_parse_oci_version(text, version):
    assert parse_oci_version(text) is version


def test_form_field_names():
    assert form_field_name("DESCRIPTION", 3) == "NEW_ITEM-DESCRIPTION[3]"
    assert form_field_name(LONGTEXT, 3) == "NEW_ITEM-LONGTEXT_3:132[]"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NEW_ITEM-DESCRIPTION[3]", ("DESCRIPTION", 3)),
        ("new_item-description[12]", ("DESCRIPTION", 12)),
        ("NEW_ITEM-LONGTEXT_3:132[]", (LONGTEXT, 3)),
        ("NEW_ITEM-LONGTEXT_3:132", (LONGTEXT, 3)),
        ("NEW_ITEM-LONGTEXT_3[]", (LONGTEXT, 3)),
        ("NEW_ITEM-LONGTEXT[3]", (LONGTEXT, 3)),
        ("new_item-longtext_7:132[]", (LONGTEXT, 7)),
        ("~OKCODE", ("~OKCODE", None)),
        ("NEW_ITEM-LONGTEXT", ("NEW_ITEM-LONGTEXT", None)),
        ("NEW_ITEM-DESCRIPTION", ("NEW_ITEM-DESCRIPTION", None)),
    ],
)
def test_split_field_name(name, expected):
    assert split_field_name(name) == expected
