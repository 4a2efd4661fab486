import json

import pytest

from saleor_oci_plugin.oci.fields import FIELDS, LONGTEXT
from saleor_oci_plugin.oci.mapping import (
    DEFAULT_MAPPING,
    FieldRule,
    OCIMapping,
    default_rules,
)
from saleor_oci_plugin.oci.problems import MappingError
from saleor_oci_plugin.oci.units import UnitTable


def problem_codes(error: MappingError) -> list[tuple[str, str]]:
    return sorted((problem.field, problem.code) for problem in error.problems)


def test_default_mapping_covers_every_field():
    assert set(DEFAULT_MAPPING.rules) == {field.name for field in FIELDS}


def test_default_mapping_puts_the_transfer_reference_in_ext_quote_fields():
    assert DEFAULT_MAPPING.rules["EXT_QUOTE_ID"] == FieldRule(sources=("transfer_id",))
    assert DEFAULT_MAPPING.rules["EXT_QUOTE_ITEM"] == FieldRule(
        sources=("line_number",)
    )


def test_default_nzi_field_is_matgroup_and_card_text_joins_the_long_text():
    rules = DEFAULT_MAPPING.rules
    assert rules["MATGROUP"] == FieldRule(sources=("nzi_code",))
    assert rules[LONGTEXT] == FieldRule(sources=("long_text", "card_text"), join="\n")


def test_nzi_code_can_move_to_another_field():
    rules = default_rules(nzi_field="CUST_FIELD1")
    assert rules["CUST_FIELD1"] == FieldRule(sources=("nzi_code",))
    assert rules["MATGROUP"] == FieldRule()
    rules = default_rules(nzi_field="EXT_CATEGORY_ID")
    assert rules["EXT_CATEGORY_ID"] == FieldRule(sources=("nzi_code",))


def test_card_text_can_move_to_its_own_field():
    rules = default_rules(card_text_field="CUST_FIELD5")
    assert rules["CUST_FIELD5"] == FieldRule(sources=("card_text",))
    assert rules[LONGTEXT] == FieldRule(sources=("long_text",))


def test_from_dict_applies_field_rules_after_the_placements():
    mapping = OCIMapping.from_dict(
        {
            "nzi_field": "CUST_FIELD2",
            "fields": {
                "VENDOR": {"fixed": "100234"},
                "EXT_SCHEMA_TYPE": {"fixed": "NZI"},
                "MATNR": None,
                "DESCRIPTION": {"from": ["description", "sku"]},
                "CUST_FIELD3": {"from": "extra.cost_centre"},
            },
            "units": {"overrides": {"doos": "CT"}},
            "price_decimals": 3,
            "send_empty_fields": True,
        }
    )
    assert mapping.rules["CUST_FIELD2"] == FieldRule(sources=("nzi_code",))
    assert mapping.rules["VENDOR"] == FieldRule(fixed="100234")
    assert mapping.rules["MATNR"] is None
    assert mapping.rules["DESCRIPTION"] == FieldRule(sources=("description", "sku"))
    assert mapping.rules["CUST_FIELD3"] == FieldRule(sources=("extra.cost_centre",))
    assert mapping.units == UnitTable(overrides={"doos": "CT"})
    assert mapping.price_decimals == 3
    assert mapping.send_empty_fields is True


def test_empty_settings_are_the_default_mapping():
    assert OCIMapping.from_dict({}) == DEFAULT_MAPPING
    assert OCIMapping.from_dict(None) == DEFAULT_MAPPING


def test_to_dict_is_json_and_reads_back_equal():
    mapping = OCIMapping.from_dict(
        {
            "nzi_field": "CUST_FIELD1",
            "card_text_field": "CUST_FIELD5",
            "fields": {"VENDOR": {"fixed": "100234"}, "LEADTIME": None},
            "units": {"overrides": {"PCE": "EA"}, "default_unit": "EA"},
            "quantity_decimals": 2,
            "raise_price_unit": False,
        }
    )
    data = json.loads(json.dumps(mapping.to_dict()))
    assert OCIMapping.from_dict(data) == mapping
    assert data["fields"]["LEADTIME"] is None
    assert data["fields"]["CUST_FIELD1"] == {"from": ["nzi_code"]}
    assert OCIMapping.from_dict(data) != DEFAULT_MAPPING


def test_bad_settings_are_all_reported_at_once():
    with pytest.raises(MappingError) as caught:
        OCIMapping.from_dict(
            {
                "nzi_field": "NZI",
                "fields": {
                    "BOGUS": {"fixed": "x"},
                    "DESCRIPTION": None,
                    "VENDOR": {"fixed": "12345678901"},
                    "MATNR": {"from": ["no_such_property"]},
                    "QUANTITY": {"from": ["sku"]},
                    "CUST_FIELD1": "sku",
                    "CUST_FIELD2": {"from": 5},
                },
                "units": {"overrides": {"doos": "carton"}},
                "price_decimals": 9,
            }
        )
    assert problem_codes(caught.value) == [
        ("fields.BOGUS", "unknown_field"),
        ("fields.CUST_FIELD1", "invalid_rule"),
        ("fields.CUST_FIELD2.from", "invalid_rule"),
        ("fields.DESCRIPTION", "required_field"),
        ("fields.MATNR", "unknown_source"),
        ("fields.QUANTITY", "fixed_meaning"),
        ("fields.VENDOR", "fixed_too_long"),
        ("nzi_field", "unknown_field"),
        ("price_decimals", "invalid_decimal_places"),
        ("units.doos", "invalid_unit_code"),
    ]


def test_numeric_fields_can_only_be_left_out():
    mapping = OCIMapping.from_dict({"fields": {"LEADTIME": None, "TAX": None}})
    assert mapping.rules["LEADTIME"] is None
    with pytest.raises(MappingError) as caught:
        OCIMapping.from_dict({"fields": {"PRICE": None}})
    assert problem_codes(caught.value) == [("fields.PRICE", "required_field")]


def test_an_incomplete_rule_table_is_refused():
    rules = default_rules()
    del rules["VENDOR"]
    with pytest.raises(MappingError) as caught:
        OCIMapping(rules=rules)
    assert problem_codes(caught.value) == [("fields.VENDOR", "missing_rule")]


def test_wrongly_shaped_settings_are_refused():
    with pytest.raises(MappingError) as caught:
        OCIMapping.from_dict({"fields": ["VENDOR"], "units": "PCE"})
    assert problem_codes(caught.value) == [
        ("fields", "invalid_rule"),
        ("units", "invalid_units"),
    ]
