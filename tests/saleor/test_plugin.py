"""The plugin as Saleor sees it: discovered, listed and configured through GraphQL."""

import importlib.metadata

from django.conf import settings
from saleor.graphql.tests.utils import get_graphql_content
from saleor.plugins.models import PluginConfiguration

from saleor_oci_plugin import PLUGIN_ID

PLUGINS_QUERY = """
query {
  plugins(first: 100) {
    edges {
      node {
        id
        name
        description
        globalConfiguration {
          active
          configuration { name value type label helpText }
        }
      }
    }
  }
}
"""


def test_entry_point_makes_saleor_install_the_plugin_by_itself():
    entry_points = importlib.metadata.entry_points(group="saleor.plugins")
    ours = [entry for entry in entry_points if entry.name == "saleor_oci_plugin"]
    assert [entry.value for entry in ours] == ["saleor_oci_plugin.plugin:OCIPlugin"]
    # Saleor's own settings (before its test settings empty PLUGINS) pick it up.
    assert "saleor_oci_plugin.plugin.OCIPlugin" in settings.EXTERNAL_PLUGINS
    assert "saleor_oci_plugin" in settings.INSTALLED_APPS


def test_plugins_query_lists_the_plugin_with_its_configuration(
    staff_api_client, permission_manage_plugins
):
    response = staff_api_client.post_graphql(
        PLUGINS_QUERY, permissions=[permission_manage_plugins]
    )
    content = get_graphql_content(response)
    nodes = {
        edge["node"]["id"]: edge["node"] for edge in content["data"]["plugins"]["edges"]
    }
    plugin = nodes[PLUGIN_ID]
    assert plugin["name"] == "OCI punch-out"
    assert "punch-out" in plugin["description"]
    assert plugin["globalConfiguration"]["active"] is True
    fields = {
        item["name"]: item for item in plugin["globalConfiguration"]["configuration"]
    }
    assert set(fields) == {
        "storefront_url",
        "dashboard_public_url",
        "dashboard_origin",
        "session_lifetime_minutes",
        "nzi_attribute_slug",
        "nzi_metadata_key",
        "seller_name",
        "seller_street",
        "seller_city",
        "seller_postcode",
        "seller_country",
        "seller_kvk_number",
        "seller_vat_number",
        "seller_iban",
        "seller_peppol_endpoint_id",
        "seller_peppol_endpoint_scheme",
        "invoice_number_prefix",
        "payment_terms_days",
        "invoice_extra_rule_sets",
        "seller_logo",
        "card_width_mm",
        "card_height_mm",
        "card_bleed_mm",
        "card_max_lines",
        "card_max_line_characters",
    }
    assert fields["session_lifetime_minutes"]["value"] == "120"
    assert fields["seller_logo"]["value"] == ""
    assert fields["seller_logo"]["label"] == "Invoices: seller logo"
    assert fields["card_width_mm"]["value"] == "148"
    assert fields["storefront_url"]["label"] == "Storefront URL for punch-out shoppers"


def test_plugins_query_without_permission_is_refused(staff_api_client):
    response = staff_api_client.post_graphql(PLUGINS_QUERY)
    content = response.json()
    assert content["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    assert not PluginConfiguration.objects.filter(identifier=PLUGIN_ID).exists()
