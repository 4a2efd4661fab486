"""The Dashboard configuration, saved through Saleor's own pluginUpdate mutation."""

import pytest
from graphene.utils.str_converters import to_camel_case
from saleor.graphql.tests.utils import get_graphql_content
from saleor.plugins.models import PluginConfiguration

from saleor_oci_plugin import PLUGIN_ID
from saleor_oci_plugin.configuration import config_from_items

PLUGIN_UPDATE = """
mutation ($id: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: $id, input: $input) {
    plugin { globalConfiguration { configuration { name value } } }
    errors { field code message }
  }
}
"""


def _update(client, permission, configuration):
    # Saleor stores a plugin's first configuration with active=False unless the
    # input says otherwise, as the Dashboard does.
    response = client.post_graphql(
        PLUGIN_UPDATE,
        {"id": PLUGIN_ID, "input": {"active": True, "configuration": configuration}},
        permissions=[permission],
    )
    return get_graphql_content(response)["data"]["pluginUpdate"]


def test_valid_configuration_is_saved_and_read_back(
    staff_api_client, permission_manage_plugins
):
    result = _update(
        staff_api_client,
        permission_manage_plugins,
        [
            {"name": "storefront_url", "value": "https://shop.example.com/punchout"},
            {"name": "session_lifetime_minutes", "value": "45"},
        ],
    )

    assert result["errors"] == []
    stored = PluginConfiguration.objects.get(identifier=PLUGIN_ID)
    assert stored.active
    config = config_from_items(stored.configuration)
    assert config.storefront_url == "https://shop.example.com/punchout"
    assert config.session_lifetime_minutes == 45


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("storefront_url", "javascript:alert(1)"),
        ("storefront_url", "shop.example.com/punchout"),
        ("session_lifetime_minutes", "0"),
        ("session_lifetime_minutes", "ten"),
        ("session_lifetime_minutes", str(24 * 60 + 1)),
    ],
)
def test_invalid_value_is_refused_with_a_field_error_and_nothing_saved(
    staff_api_client, permission_manage_plugins, field, value
):
    result = _update(
        staff_api_client, permission_manage_plugins, [{"name": field, "value": value}]
    )

    assert result["plugin"] is None
    # Saleor reports configuration fields in camelCase, like every input field.
    assert [(error["field"], error["code"]) for error in result["errors"]] == [
        (to_camel_case(field), "INVALID")
    ]
    assert result["errors"][0]["message"]
    # Saleor creates the configuration row before validating; the value is not saved.
    stored = PluginConfiguration.objects.filter(identifier=PLUGIN_ID).first()
    stored_items = stored.configuration if stored else []
    stored_values = {item["name"]: item["value"] for item in stored_items}
    assert stored_values.get(field) != value


def test_value_written_around_validation_falls_back_to_the_default():
    config = config_from_items([{"name": "session_lifetime_minutes", "value": "-5"}])
    assert config.session_lifetime_minutes == 120


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("dashboard_public_url", "api.shop.example.com", "absolute http(s) URL"),
        ("dashboard_public_url", "https://x.example.com/?a=1", "without query"),
        ("dashboard_origin", "https://dash.example.com/app", "no path"),
        ("dashboard_origin", "dash.example.com", "scheme, host and port"),
    ],
)
def test_console_fields_are_checked(name, value, message):
    from django.core.exceptions import ValidationError

    from saleor_oci_plugin.configuration import validate_configuration

    with pytest.raises(ValidationError) as refused:
        validate_configuration([{"name": name, "value": value}])

    assert message in refused.value.message_dict[name][0]


def test_console_fields_are_read_normalised():
    config = config_from_items(
        [
            {"name": "dashboard_public_url", "value": " https://api.example.com/ "},
            {"name": "dashboard_origin", "value": "https://Dash.example.com:8443/"},
        ]
    )

    assert config.dashboard.public_url == "https://api.example.com"
    assert config.dashboard.dashboard_origin == "https://dash.example.com:8443"


def test_card_format_is_saved_and_read_back(
    staff_api_client, permission_manage_plugins
):
    result = _update(
        staff_api_client,
        permission_manage_plugins,
        [
            {"name": "card_width_mm", "value": "210"},
            {"name": "card_height_mm", "value": "99"},
            {"name": "card_bleed_mm", "value": "2,5"},
            {"name": "card_max_lines", "value": "10"},
        ],
    )

    assert result["errors"] == []
    stored = PluginConfiguration.objects.get(identifier=PLUGIN_ID).configuration
    cards = config_from_items(stored).cards
    assert (cards.width_mm, cards.height_mm, cards.bleed_mm) == (210, 99, 2.5)
    assert (cards.max_lines, cards.max_line_characters) == (10, 60)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("card_width_mm", "20"),
        ("card_bleed_mm", "11"),
        ("card_max_lines", "2.5"),
        ("card_max_line_characters", "many"),
    ],
)
def test_card_format_out_of_bounds_is_refused(
    staff_api_client, permission_manage_plugins, name, value
):
    result = _update(
        staff_api_client, permission_manage_plugins, [{"name": name, "value": value}]
    )

    assert [(error["field"], error["code"]) for error in result["errors"]] == [
        (to_camel_case(name), "INVALID")
    ]
