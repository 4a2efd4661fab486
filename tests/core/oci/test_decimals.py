from decimal import Decimal

import pytest

from saleor_oci_plugin.oci.decimals import format_decimal, parse_decimal, round_decimal


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("12.5", 2, "12.50"),
        ("2.345", 2, "2.35"),  # half up, not half even
        ("2.5", 0, "3"),
        ("0.0004", 3, "0.000"),
        ("-0", 2, "0.00"),
        ("1E+3", 3, "1000.000"),
        ("1.5", 3, "1.500"),
    ],
)
def test_format_decimal(value, places, expected):
    assert format_decimal(Decimal(value), places) == expected


def test_round_decimal_is_half_up():
    assert round_decimal(Decimal("0.125"), 2) == Decimal("0.13")
    assert round_decimal(Decimal("0.135"), 2) == Decimal("0.14")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", "12.50"),
        ("12,50", "12.50"),
        (" 3 ", "3"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1'234.56", "1234.56"),
        (".5", "0.5"),
        ("-2", "-2"),
    ],
)
def test_parse_decimal_reads_what_systems_send(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "NaN", "Infinity", "1e5", "--1"])
def test_parse_decimal_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="not a decimal number"):
        parse_decimal(text)
