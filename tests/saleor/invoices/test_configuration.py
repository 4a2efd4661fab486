"""The invoicing fields of the Dashboard configuration, saved through pluginUpdate."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from graphene.utils.str_converters import to_camel_case
from saleor.graphql.tests.utils import get_graphql_content
from saleor.plugins.models import PluginConfiguration

from saleor_oci_plugin import PLUGIN_ID
from saleor_oci_plugin.configuration import config_from_items, iban_is_valid

from .conftest import SELLER

PLUGIN_UPDATE = """
mutation ($id: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: $id, input: $input) {
    plugin { globalConfiguration { configuration { name value } } }
    errors { field code message }
  }
}
"""


def _update(client, permission, values):
    response = client.post_graphql(
        PLUGIN_UPDATE,
        {
            "id": PLUGIN_ID,
            "input": {
                "active": True,
                "configuration": [
                    {"name": name, "value": value} for name, value in values.items()
                ],
            },
        },
        permissions=[permission],
    )
    return get_graphql_content(response)["data"]["pluginUpdate"]


def test_seller_data_is_saved_and_read_in_its_compact_form(
    staff_api_client, permission_manage_plugins, tmp_path
):
    rules = tmp_path / "rules.xslt"
    rules.write_text("<xsl:stylesheet/>")
    values = {
        **SELLER,
        "seller_kvk_number": " 3012 3456 ",
        "seller_vat_number": "nl009876543b01",
        "payment_terms_days": "14",
        "invoice_extra_rule_sets": f"{rules}\n\n",
    }

    result = _update(staff_api_client, permission_manage_plugins, values)

    assert result["errors"] == []
    stored = PluginConfiguration.objects.get(identifier=PLUGIN_ID)
    invoicing = config_from_items(stored.configuration).invoicing
    assert invoicing.seller_name == "Cadeauhuis De Vlinder B.V."
    assert invoicing.seller_kvk_number == "30123456"
    assert invoicing.seller_vat_number == "NL009876543B01"
    assert invoicing.seller_iban == "NL91ABNA0417164300"
    assert invoicing.payment_terms_days == 14
    assert invoicing.extra_rule_sets == (str(rules),)


def test_a_seller_logo_in_media_storage_is_saved(
    staff_api_client, permission_manage_plugins
):
    name = default_storage.save("logos/shop.png", ContentFile(b"\x89PNG stand-in"))

    result = _update(
        staff_api_client, permission_manage_plugins, {"seller_logo": f" {name} "}
    )

    assert result["errors"] == []
    stored = PluginConfiguration.objects.get(identifier=PLUGIN_ID)
    assert config_from_items(stored.configuration).invoicing.seller_logo == name


def test_unset_invoicing_fields_have_their_defaults():
    invoicing = config_from_items([]).invoicing
    assert invoicing.seller_country == "NL"
    assert invoicing.seller_peppol_endpoint_scheme == "0106"
    assert invoicing.number_prefix == "OCI-"
    assert invoicing.payment_terms_days == 30
    assert invoicing.extra_rule_sets == ()
    assert invoicing.seller_iban == ""
    assert invoicing.seller_logo == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("seller_iban", "NL91 ABNA 0417 1643 01", "check digits"),
        ("seller_iban", "NL91ABNA041716430", "check digits"),
        ("seller_kvk_number", "1234567", "8 digits"),
        ("seller_vat_number", "NL12345678B01", "Dutch VAT number"),
        ("seller_vat_number", "009876543B01", "country code"),
        ("seller_country", "Netherlands", "alpha-2"),
        ("seller_country", "XX", "alpha-2"),
        ("seller_peppol_endpoint_scheme", "106", "4-digit"),
        ("seller_peppol_endpoint_id", "NL009876543B01", "8-digit KvK"),
        ("invoice_number_prefix", "OCI/2026/", "at most 20"),
        ("payment_terms_days", "thirty", "whole number of days"),
        ("payment_terms_days", "366", "whole number of days"),
        ("invoice_extra_rule_sets", "rules/buyer.xslt", "absolute path"),
        ("invoice_extra_rule_sets", "/nonexistent/buyer.xslt", "/nonexistent"),
        ("seller_logo", "logos/missing.png", "no file 'logos/missing.png'"),
        ("seller_logo", "logos/shop.svg", "PNG or JPEG"),
        ("seller_logo", "../../etc/passwd.png", "no file"),
    ],
)
def test_invalid_invoicing_value_is_refused_with_a_field_error(
    staff_api_client, permission_manage_plugins, field, value, message
):
    result = _update(staff_api_client, permission_manage_plugins, {field: value})

    assert result["plugin"] is None
    assert [(error["field"], error["code"]) for error in result["errors"]] == [
        (to_camel_case(field), "INVALID")
    ]
    assert message in result["errors"][0]["message"]


@pytest.mark.parametrize(
    "iban",
    [
        "NL91ABNA0417164300",
        "nl91 abna 0417 1643 00",
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "BE68539007547034",
    ],
)
def test_real_ibans_pass_the_mod_97_check(iban):
    assert iban_is_valid(iban)


@pytest.mark.parametrize(
    "iban", ["", "NL91", "NL00ABNA0417164300", "DE89370400440532013001", "NL91-ABNA"]
)
def test_wrong_ibans_fail_it(iban):
    assert not iban_is_valid(iban)
