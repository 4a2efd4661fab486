"""Orders placed through the plugin's PO path, and a shop configured to invoice them."""

from decimal import Decimal

import pytest
from saleor.checkout.fetch import fetch_checkout_info
from saleor.checkout.tests.utils import add_variant_to_checkout
from saleor.plugins.manager import get_plugins_manager
from saleor.plugins.models import PluginConfiguration
from saleor.tax import TaxCalculationStrategy
from saleor.tax.models import TaxClassCountryRate

from saleor_oci_plugin import PLUGIN_ID
from saleor_oci_plugin.configuration import config_from_items
from saleor_oci_plugin.punchout import sessions, transfer
from saleor_oci_plugin.purchase_orders.dataclasses import (
    PostalAddress,
    PurchaseOrder,
    PurchaseOrderLine,
)
from saleor_oci_plugin.purchase_orders.placing import place_purchase_order
from tests.saleor.fixtures import HOOK_URL

# A Dutch gift shop; the identifiers are well-formed but fictional.
SELLER = {
    "seller_name": "Cadeauhuis De Vlinder B.V.",
    "seller_street": "Oudegracht 112",
    "seller_city": "Utrecht",
    "seller_postcode": "3511 AX",
    "seller_country": "NL",
    "seller_kvk_number": "30123456",
    "seller_vat_number": "NL009876543B01",
    "seller_iban": "NL91 ABNA 0417 1643 00",
    "seller_peppol_endpoint_id": "30123456",
    "invoice_number_prefix": "OCI-",
    "payment_terms_days": "30",
}
HOSPITAL_BILL_TO = PostalAddress(
    name="Crediteurenadministratie",
    company="Ziekenhuis Oost",
    street="Postbus 85500",
    city="Utrecht",
    postcode="3508 GA",
    country="NL",
)
HOSPITAL_DELIVERY = PostalAddress(
    name="Magazijn Noord",
    company="Ziekenhuis Oost",
    street="Ziekenhuisweg 1",
    city="Utrecht",
    postcode="3584 CX",
    country="NL",
)

# A buyer's own rule set, compiled to XSLT producing SVRL as the operator would
# point the configuration at it: buyer references must start with "ZO-".
BUYER_RULES = """<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl"
    xmlns:inv="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <xsl:template match="/">
    <svrl:schematron-output>
      <xsl:if test="not(starts-with(/inv:Invoice/cbc:BuyerReference, 'ZO-'))">
        <svrl:failed-assert id="ZO-01" flag="fatal" location="/Invoice">
          <svrl:text>Ziekenhuis Oost books only buyer references ZO-...</svrl:text>
        </svrl:failed-assert>
      </xsl:if>
    </svrl:schematron-output>
  </xsl:template>
</xsl:stylesheet>
"""


def configure_plugin(**values: str) -> None:
    """Save the plugin's configuration as the Dashboard would (active)."""
    PluginConfiguration.objects.update_or_create(
        identifier=PLUGIN_ID,
        channel=None,
        defaults={
            "active": True,
            "configuration": [
                {"name": name, "value": value} for name, value in values.items()
            ],
        },
    )


@pytest.fixture
def staff(staff_api_client, permission_group_manage_orders):
    """Staff allowed to manage orders in every channel."""
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    return staff_api_client


@pytest.fixture
def seller_configured():
    configure_plugin(**SELLER)
    return SELLER


@pytest.fixture(autouse=True)
def _invoice_files_in_a_temporary_folder(media_root):
    """Saleor's test settings store media in the working directory otherwise."""
    return media_root


@pytest.fixture
def vat_21_percent(channel_USD, default_tax_class):
    """Net prices with 21 % VAT (flat rate) in channel USD."""
    tax_configuration = channel_USD.tax_configuration
    tax_configuration.tax_calculation_strategy = TaxCalculationStrategy.FLAT_RATES
    tax_configuration.prices_entered_with_tax = False
    tax_configuration.save()
    tax_configuration.country_exceptions.all().delete()
    # The cart's tax country is the buyer account's address (PL in Saleor's
    # fixtures) or the channel's default: 21 % in either.
    for country in ("PL", channel_USD.default_country):
        TaxClassCountryRate.objects.update_or_create(
            tax_class=default_tax_class, country=country, defaults={"rate": 21}
        )


@pytest.fixture
def make_transfer(oci_connection, make_variants):
    """Transfer a new cart of two products (3 and 1 pieces) on oci_connection."""
    made = 0

    def make(quantities=(3, 1)):
        nonlocal made
        made += 1
        session, code = sessions.open_session(
            oci_connection, sessions.PunchInContext(hook_url=HOOK_URL), 60
        )
        checkout = sessions.exchange_code(code).checkout
        manager = get_plugins_manager(allow_replica=False)
        info = fetch_checkout_info(checkout, [], manager)
        first, second = make_variants(2, prefix=f"INV{made}")
        add_variant_to_checkout(info, first, quantities[0])
        add_variant_to_checkout(info, second, quantities[1])
        return transfer.transfer_checkout(
            checkout, manager, config_from_items([])
        ).transfer

    return make


@pytest.fixture
def place_order(oci_connection):
    """Place the PO answering a transfer, as the ERP would; return the order."""

    def place(cart, po_number="4500012345", **overrides):
        lines = tuple(
            PurchaseOrderLine(
                line_number=str(10 * number),
                sku=line["sku"],
                quantity=Decimal(line["quantity"]),
                unit=line["unit"],
                unit_price=Decimal(line["unit_price_net"]),
                cost_centre=f"KP-47{number}",
            )
            for number, line in enumerate(cart.snapshot, start=1)
        )
        purchase_order = PurchaseOrder(
            order_number=po_number,
            lines=lines,
            currency=cart.currency,
            transfer_id=cart.reference,
            **{
                "buyer_reference": "Afdeling Inkoop",
                "cost_centre": "KP-4711",
                "delivery_address": HOSPITAL_DELIVERY,
                "billing_address": HOSPITAL_BILL_TO,
                **overrides,
            },
        )
        manager = get_plugins_manager(allow_replica=False)
        return place_purchase_order(
            oci_connection, purchase_order, "graphql", manager
        ).order

    return place


@pytest.fixture
def oci_order(make_transfer, place_order):
    return place_order(make_transfer())
