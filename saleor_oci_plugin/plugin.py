"""The Saleor plugin: its configuration, and hooks routed to the modules that work."""

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField
from saleor.plugins.models import PluginConfiguration

from . import PLUGIN_ID, configuration


# The hooks import the modules that do the work when first called: the plugin class
# is loaded at every process's start-up, whose cost the plugin keeps small.
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
        {"name": configuration.SELLER_NAME, "value": ""},
        {"name": configuration.SELLER_STREET, "value": ""},
        {"name": configuration.SELLER_CITY, "value": ""},
        {"name": configuration.SELLER_POSTCODE, "value": ""},
        {
            "name": configuration.SELLER_COUNTRY,
            "value": configuration.DEFAULT_SELLER_COUNTRY,
        },
        {"name": configuration.SELLER_KVK_NUMBER, "value": ""},
        {"name": configuration.SELLER_VAT_NUMBER, "value": ""},
        {"name": configuration.SELLER_IBAN, "value": ""},
        {"name": configuration.SELLER_PEPPOL_ENDPOINT_ID, "value": ""},
        {
            "name": configuration.SELLER_PEPPOL_ENDPOINT_SCHEME,
            "value": configuration.DEFAULT_PEPPOL_ENDPOINT_SCHEME,
        },
        {
            "name": configuration.INVOICE_NUMBER_PREFIX,
            "value": configuration.DEFAULT_INVOICE_NUMBER_PREFIX,
        },
        {
            "name": configuration.PAYMENT_TERMS_DAYS,
            "value": str(configuration.DEFAULT_PAYMENT_TERMS_DAYS),
        },
        {"name": configuration.INVOICE_RULE_SETS, "value": ""},
        {"name": configuration.SELLER_LOGO, "value": ""},
        {"name": configuration.DASHBOARD_PUBLIC_URL, "value": ""},
        {"name": configuration.DASHBOARD_ORIGIN, "value": ""},
        {"name": configuration.CARD_WIDTH_MM, "value": "148"},
        {"name": configuration.CARD_HEIGHT_MM, "value": "105"},
        {"name": configuration.CARD_BLEED_MM, "value": "3"},
        {"name": configuration.CARD_MAX_LINES, "value": "8"},
        {"name": configuration.CARD_MAX_LINE_CHARACTERS, "value": "60"},
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
        # Invoicing: the seller on every UBL invoice of an order placed via OCI.
        configuration.SELLER_NAME: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "The shop's registered legal name, as on its invoices.",
            "label": "Invoices: seller legal name",
        },
        configuration.SELLER_STREET: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "Street and house number of the seller's address.",
            "label": "Invoices: seller street",
        },
        configuration.SELLER_CITY: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "City of the seller's address.",
            "label": "Invoices: seller city",
        },
        configuration.SELLER_POSTCODE: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "Postcode of the seller's address.",
            "label": "Invoices: seller postcode",
        },
        configuration.SELLER_COUNTRY: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "ISO 3166-1 alpha-2 country code of the seller (NL).",
            "label": "Invoices: seller country",
        },
        configuration.SELLER_KVK_NUMBER: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Chamber of Commerce (KvK) number, 8 digits; Dutch sellers need it "
                "on every invoice (BR-NL-1)."
            ),
            "label": "Invoices: seller KvK number",
        },
        configuration.SELLER_VAT_NUMBER: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "VAT identification number with its country code, e.g. NL001234567B01."
            ),
            "label": "Invoices: seller VAT number",
        },
        configuration.SELLER_IBAN: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "The account buyers pay to (SEPA credit transfer).",
            "label": "Invoices: seller IBAN",
        },
        configuration.SELLER_PEPPOL_ENDPOINT_ID: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "The seller's Peppol electronic address (with scheme 0106: the "
                "KvK number). Needed for Peppol BIS invoices."
            ),
            "label": "Invoices: seller Peppol endpoint",
        },
        configuration.SELLER_PEPPOL_ENDPOINT_SCHEME: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "Peppol EAS code of the endpoint, 4 digits (0106 = KvK).",
            "label": "Invoices: seller Peppol endpoint scheme",
        },
        configuration.INVOICE_NUMBER_PREFIX: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Invoice numbers are <prefix><year>-<sequence>, without gaps per "
                "prefix and year. Up to 20 letters, digits, '.', '_' or '-'."
            ),
            "label": "Invoices: number prefix",
        },
        configuration.PAYMENT_TERMS_DAYS: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Days from the invoice date to the due date "
                f"(0 to {configuration.MAX_PAYMENT_TERMS_DAYS})."
            ),
            "label": "Invoices: payment terms (days)",
        },
        configuration.INVOICE_RULE_SETS: {
            "type": ConfigurationTypeField.MULTILINE,
            "help_text": (
                "Extra validation after EN 16931: absolute paths on the server of "
                "compiled rule sets (XSLT producing SVRL), one per line, e.g. a "
                "buyer's or Peppol's own rules. An invoice failing any is not issued."
            ),
            "label": "Invoices: extra rule sets",
        },
        configuration.SELLER_LOGO: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "The seller's logo on the PDF copy of every invoice and credit "
                "note: the name of a PNG or JPEG file in the shop's media storage "
                "(default_storage), e.g. logos/shop.png. Empty: no logo."
            ),
            "label": "Invoices: seller logo",
        },
        configuration.DASHBOARD_PUBLIC_URL: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Console: the address at which this Saleor is reachable from the "
                "operators' browsers and from Saleor itself, e.g. "
                "https://api.shop.example.com. The console's extension URLs and "
                "its manifest (<this>/plugins/global/oci.punchout/dashboard/"
                "manifest) are built from it."
            ),
            "label": "Console: public URL of this Saleor",
        },
        configuration.DASHBOARD_ORIGIN: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Console: the Dashboard's origin, e.g. https://dashboard.shop."
                "example.com. Only this origin may show the console's pages in a "
                "frame (Content-Security-Policy frame-ancestors) and hand them a "
                "token."
            ),
            "label": "Console: Saleor Dashboard origin",
        },
        configuration.CARD_WIDTH_MM: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "Trimmed width of a printed greeting card in mm (A6: 148).",
            "label": "Cards: width (mm)",
        },
        configuration.CARD_HEIGHT_MM: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "Trimmed height of a printed greeting card in mm (A6: 105).",
            "label": "Cards: height (mm)",
        },
        configuration.CARD_BLEED_MM: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Printed beyond the trim on every side, in mm (0 to 10); the card "
                "PDF's page is the card plus this bleed."
            ),
            "label": "Cards: bleed (mm)",
        },
        configuration.CARD_MAX_LINES: {
            "type": ConfigurationTypeField.STRING,
            "help_text": (
                "Most lines a card text may take when printed (wrapped); a longer "
                "text is refused when the buyer sets it."
            ),
            "label": "Cards: most lines",
        },
        configuration.CARD_MAX_LINE_CHARACTERS: {
            "type": ConfigurationTypeField.STRING,
            "help_text": "Most characters in one line of a card text as typed.",
            "label": "Cards: most characters per line",
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
        from .punchout import guard

        guard.refuse_punchout_checkout_completion(checkout_info.checkout)
        return previous_value

    def is_event_active(self, event: str, channel: str | None = None) -> bool:
        if event == "invoice_request":
            from .invoices import issuing

            return issuing.handles_invoice_requests()
        return super().is_event_active(event, channel)

    def invoice_request(
        self, order: Any, invoice: Any, number: Any, previous_value: Any
    ) -> Any:
        from .invoices import issuing

        return issuing.request_invoice(
            order, invoice, number, previous_value, self.config.invoicing
        )

    def order_cancelled(
        self, order: Any, webhooks: Any = None, previous_value: Any = None
    ) -> Any:
        from .buyers import budgets
        from .cards import records as card_records
        from .invoices import credit_notes

        # However cancelled (PO intake, Dashboard, orderCancel): it counts against
        # budgets no more.
        budgets.release_order(order)
        card_records.void_cards(order)
        credit_notes.credit_cancelled_order(order, self.config.invoicing)
        return previous_value

    def webhook(
        self, request: HttpRequest, path: str, previous_value: Any
    ) -> HttpResponse:
        # Imported on the first request, not at start-up: the punch-in and order
        # endpoints are not needed before one arrives.
        from . import webhooks as routes

        return routes.dispatch(request, path, self.config)
