"""The Saleor plugin: its configuration, and hooks routed to the modules that work."""

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField
from saleor.plugins.models import PluginConfiguration

from . import PLUGIN_ID, configuration, webhooks
from .punchout import guard


class OCIPlugin(BasePlugin):
    PLUGIN_ID = PLUGIN_ID
    PLUGIN_NAME = "OCI punch-out"
    PLUGIN_DESCRIPTION = (
        "SAP OCI punch-out for business customers: buyers punch in from their "
        "procurement system, transfer their cart back as an OCI form, the approved "
        "purchase order returns as a Saleor order, and the invoice carries the PO "
        "number and cost centre as a UBL e-invoice."
    )
    # Each buyer connection names its own channel, so the plugin is configured once.
    CONFIGURATION_PER_CHANNEL = False
    # Without connections the plugin changes nothing: it can be active from the start.
    DEFAULT_ACTIVE = True

    DEFAULT_CONFIGURATION: ClassVar[list[dict]] = [
        {"name": configuration.STOREFRONT_URL, "value": ""},
        {
            "name": configuration.SESSION_LIFETIME_MINUTES,
            "value": str(configuration.DEFAULT_SESSION_LIFETIME_MINUTES),
        },
        {
            "name": configuration.NZI_ATTRIBUTE_SLUG,
            "value": configuration.DEFAULT_NZI_ATTRIBUTE_SLUG,
        },
        {
            "name": configuration.NZI_METADATA_KEY,
            "value": configuration.DEFAULT_NZI_METADATA_KEY,
        },
    ]
    CONFIG_STRUCTURE: ClassVar[dict[str, dict]] = {
        configuration.STOREFRONT_URL: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Storefront page that punched-in buyers are sent to, with a one-time "
                "code in the oci_code query parameter. A connection may override it."
            ),
            "label": "Storefront URL for punch-out shoppers",
        },
        configuration.SESSION_LIFETIME_MINUTES: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Minutes a punch-out session stays open after punch-in "
                f"(1 to {configuration.MAX_SESSION_LIFETIME_MINUTES}). "
                "A connection may set a shorter one."
            ),
            "label": "Punch-out session lifetime (minutes)",
        },
        configuration.NZI_ATTRIBUTE_SLUG: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Slug of the product attribute holding a product's NZI code "
                "(booking code sent with each cart line). Empty: no attribute."
            ),
            "label": "NZI code attribute",
        },
        configuration.NZI_METADATA_KEY: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Metadata key of a variant or product holding its NZI code, used "
                "when the attribute has none. Empty: no metadata key."
            ),
            "label": "NZI code metadata key",
        },
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = configuration.config_from_items(self.configuration)

    @classmethod
    def validate_plugin_configuration(
        cls, plugin_configuration: PluginConfiguration, **kwargs: Any
    ) -> None:
        configuration.validate_configuration(plugin_configuration.configuration)

    def preprocess_order_creation(
        self, checkout_info: Any, lines: Any, previous_value: Any
    ) -> Any:
        guard.refuse_punchout_checkout_completion(checkout_info.checkout)
        return previous_value

    def webhook(
        self, request: HttpRequest, path: str, previous_value: Any
    ) -> HttpResponse:
        return webhooks.dispatch(request, path, self.config)
