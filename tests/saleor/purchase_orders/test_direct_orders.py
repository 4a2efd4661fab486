"""Direct purchase orders (no transferred cart) through ociPurchaseOrderCreate."""

from decimal import Decimal

import graphene
import pytest
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import Order
from saleor.product.models import ProductChannelListing
from saleor.tax import TaxCalculationStrategy
from saleor.tax.models import TaxClassCountryRate

from saleor_oci_plugin.buyers.addresses import set_owner_addresses
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder

PO_CREATE = """
mutation ($input: OciPurchaseOrderInput!) {
  ociPurchaseOrderCreate(input: $input) {
    duplicate
    order {
      id externalReference
      lines { productSku quantity taxRate
              unitPrice { net { amount } gross { amount } } }
      total { net { amount } gross { amount } }
      metadata { key value }
    }
    errors { field code message line }
  }
}
"""


@pytest.fixture
def integrator(app_api_client, permission_manage_orders):
    """The ERP integrator's App, allowed to manage orders."""
    app_api_client.app.permissions.add(permission_manage_orders)
    return app_api_client


@pytest.fixture
def direct_connection(oci_connection):
    oci_connection.allow_direct_orders = True
    oci_connection.save(update_fields=["allow_direct_orders"])
    return oci_connection


@pytest.fixture
def flat_rates(channel_USD, default_tax_class):
    """Flat-rate taxes in channel USD: 21 % for the products' tax class in NL (the
    country the POs deliver to), 9 % in the channel's own country (US), which must
    not be used for them. Prices are entered net."""
    configuration = channel_USD.tax_configuration
    configuration.tax_calculation_strategy = TaxCalculationStrategy.FLAT_RATES
    configuration.charge_taxes = True
    configuration.prices_entered_with_tax = False
    configuration.save()
    TaxClassCountryRate.objects.bulk_create(
        [
            TaxClassCountryRate(country="NL", rate=21, tax_class=default_tax_class),
            TaxClassCountryRate(country="US", rate=9, tax_class=default_tax_class),
        ]
    )
    return configuration


@pytest.fixture
def offered(make_variants):
    """Two variants offered in the channel: DIR-0000 at 12.50, DIR-0001 at 13.50."""
    return make_variants(2, prefix="DIR")


def _input(connection, lines, **overrides):
    data = {
        "connection": graphene.Node.to_global_id("OciConnection", connection.pk),
        "orderNumber": "4500077777",
        "currency": "USD",
        "deliveryAddress": {
            "name": "Magazijn Noord",
            "company": "Ziekenhuis Oost",
            "street": "Ziekenhuisweg 1",
            "city": "Utrecht",
            "postcode": "3584 CX",
            "country": "NL",
        },
        "lines": [
            {"lineNumber": str(10 * number), **line}
            for number, line in enumerate(lines, start=1)
        ],
    }
    data.update(overrides)
    return data


def _create(client, variables):
    response = client.post_graphql(PO_CREATE, {"input": variables})
    return get_graphql_content(response)["data"]["ociPurchaseOrderCreate"]


def _codes(result):
    return [
        (error["field"], error["code"], error["line"]) for error in result["errors"]
    ]


def _assert_refused(result):
    assert result["order"] is None
    assert not Order.objects.exists()
    assert ReceivedPurchaseOrder.objects.get().status == "refused"


def test_direct_po_becomes_an_order_at_the_channel_price_with_its_vat(
    integrator, direct_connection, flat_rates, offered
):
    variables = _input(
        direct_connection,
        [
            {"sku": "DIR-0000", "quantity": "3"},
            {"sku": "DIR-0001", "quantity": "1", "unitPrice": "13.50"},
        ],
    )

    result = _create(integrator, variables)

    assert result["errors"] == []
    assert result["duplicate"] is False
    order = result["order"]
    assert [
        (
            line["productSku"],
            line["quantity"],
            line["taxRate"],
            line["unitPrice"]["net"]["amount"],
            line["unitPrice"]["gross"]["amount"],
        )
        for line in order["lines"]
    ] == [("DIR-0000", 3, 0.21, 12.5, 15.13), ("DIR-0001", 1, 0.21, 13.5, 16.34)]
    # 51.00 net; VAT 21 % of it, 10.71 (not 9 %: the order ships to NL, not the US).
    assert order["total"]["net"]["amount"] == 51.0
    assert order["total"]["gross"]["amount"] == 61.71
    metadata = {item["key"]: item["value"] for item in order["metadata"]}
    assert metadata["oci.po_number"] == "4500077777"
    assert "oci.transfer" not in metadata
    saleor_order = Order.objects.get()
    assert saleor_order.checkout_token == ""
    assert saleor_order.origin == "checkout"
    record = ReceivedPurchaseOrder.objects.get()
    assert (record.status, record.transfer, record.order) == (
        "placed",
        None,
        saleor_order,
    )


def test_prices_entered_with_tax_are_ordered_at_their_net_price(
    integrator, direct_connection, flat_rates, offered
):
    flat_rates.prices_entered_with_tax = True
    flat_rates.save(update_fields=["prices_entered_with_tax"])
    variables = _input(direct_connection, [{"sku": "DIR-0000", "quantity": "1"}])

    result = _create(integrator, variables)

    assert result["errors"] == []
    line = result["order"]["lines"][0]
    # The one price rule (punchout/offer.py): 12.50 entered including the
    # channel's own country's 9 % is 11.47 net, as VALIDATE and a transfer say;
    # the order then carries the delivery country's 21 % on that net price.
    assert line["unitPrice"]["net"]["amount"] == 11.47
    assert line["unitPrice"]["gross"]["amount"] == 13.88
    assert line["taxRate"] == 0.21


def test_price_within_tolerance_is_accepted_at_the_pos_price(
    integrator, direct_connection, flat_rates, offered
):
    direct_connection.price_tolerance_percent = Decimal("1.00")
    direct_connection.save(update_fields=["price_tolerance_percent"])
    variables = _input(
        direct_connection,
        [{"sku": "DIR-0000", "quantity": "1", "unitPrice": "12.40"}],
    )

    result = _create(integrator, variables)

    assert result["errors"] == []
    assert result["order"]["lines"][0]["unitPrice"]["net"]["amount"] == 12.4


def test_price_outside_tolerance_is_refused_per_line(
    integrator, direct_connection, flat_rates, offered
):
    direct_connection.price_tolerance_percent = Decimal("1.00")
    direct_connection.save(update_fields=["price_tolerance_percent"])
    variables = _input(
        direct_connection,
        [
            {"sku": "DIR-0000", "quantity": "1", "unitPrice": "12.50"},
            {"sku": "DIR-0001", "quantity": "1", "unitPrice": "13.30"},
        ],
    )

    result = _create(integrator, variables)

    assert _codes(result) == [("unitPrice", "PRICE_OUTSIDE_TOLERANCE", "20")]
    assert "the shop's current price is 13.5;" in result["errors"][0]["message"]
    _assert_refused(result)


def test_unknown_or_hidden_sku_and_fractional_quantity_are_all_reported(
    integrator, direct_connection, flat_rates, offered
):
    hidden = offered[1]
    ProductChannelListing.objects.filter(product=hidden.product).update(
        is_published=False
    )
    variables = _input(
        direct_connection,
        [
            {"sku": "DIR-0000", "quantity": "1.5"},
            {"sku": "NO-SUCH-SKU", "quantity": "1"},
            {"sku": hidden.sku, "quantity": "1"},
        ],
    )

    result = _create(integrator, variables)

    assert _codes(result) == [
        ("quantity", "INVALID_QUANTITY", "10"),
        ("sku", "UNKNOWN_SKU", "20"),
        ("sku", "UNKNOWN_SKU", "30"),
    ]
    _assert_refused(result)


def test_direct_po_is_refused_when_the_connection_does_not_allow_it(
    integrator, oci_connection, flat_rates, offered
):
    variables = _input(oci_connection, [{"sku": "DIR-0000", "quantity": "1"}])

    result = _create(integrator, variables)

    assert _codes(result) == [("transferId", "DIRECT_ORDER", None)]
    assert "does not accept direct orders" in result["errors"][0]["message"]
    _assert_refused(result)


def test_direct_po_is_refused_where_a_tax_app_computes_taxes(
    integrator, direct_connection, offered
):
    # Saleor's channel fixture computes taxes with a tax app: no flat rate to use.
    variables = _input(direct_connection, [{"sku": "DIR-0000", "quantity": "1"}])

    result = _create(integrator, variables)

    assert _codes(result) == [("transferId", "DIRECT_ORDER", None)]
    assert "tax app" in result["errors"][0]["message"]
    _assert_refused(result)


def test_same_direct_po_twice_gives_one_order_and_says_duplicate(
    integrator, direct_connection, flat_rates, offered
):
    variables = _input(direct_connection, [{"sku": "DIR-0000", "quantity": "3"}])
    first = _create(integrator, variables)

    second = _create(integrator, variables)

    assert second["errors"] == []
    assert second["duplicate"] is True
    assert second["order"]["id"] == first["order"]["id"]
    assert Order.objects.count() == 1


def test_a_po_without_addresses_uses_the_organisations_then_the_branchs(
    integrator, direct_connection, flat_rates, offered
):
    organisation = direct_connection.organisation
    set_owner_addresses(
        organisation,
        {
            "delivery_address": {
                "company_name": "Ziekenhuis Oost",
                "street_address_1": "Ziekenhuisweg 1",
                "postal_code": "3584 CX",
                "city": "Utrecht",
                "country": "NL",
            },
            "invoice_address": {
                "company_name": "Ziekenhuis Oost",
                "street_address_1": "Postbus 85500",
                "postal_code": "3508 GA",
                "city": "Utrecht",
                "country": "NL",
            },
        },
    )
    lines = [{"sku": "DIR-0000", "quantity": "2"}]

    first = _create(integrator, _input(direct_connection, lines, deliveryAddress=None))

    assert first["errors"] == []
    order = Order.objects.get()
    # Copies: the order never shares the organisation's own rows.
    assert order.shipping_address.street_address_1 == "Ziekenhuisweg 1"
    assert order.shipping_address_id != organisation.delivery_address_id
    assert order.billing_address.street_address_1 == "Postbus 85500"
    assert order.billing_address_id != organisation.invoice_address_id
    # VAT of the country the organisation's delivery address is in (NL, 21 %).
    assert first["order"]["lines"][0]["taxRate"] == 0.21

    branch = direct_connection.branch
    set_owner_addresses(
        branch,
        {
            "delivery_address": {
                "street_address_1": "Noorderlaan 5",
                "postal_code": "3584 CX",
                "city": "Utrecht",
                "country": "NL",
            }
        },
    )
    _create(
        integrator,
        _input(
            direct_connection, lines, deliveryAddress=None, orderNumber="4500077778"
        ),
    )

    second = Order.objects.exclude(pk=order.pk).get()
    assert second.shipping_address.street_address_1 == "Noorderlaan 5"
    assert second.billing_address.street_address_1 == "Postbus 85500"


def test_direct_po_outside_the_assortment_is_refused_per_line(
    integrator, direct_connection, flat_rates, offered, oci_organisation
):
    from saleor_oci_plugin.buyers.models import Assortment

    Assortment.objects.create(organisation=oci_organisation).products.add(
        offered[0].product_id
    )
    variables = _input(
        direct_connection,
        [
            {"sku": "DIR-0000", "quantity": "1"},
            {"sku": "DIR-0001", "quantity": "1"},
            {"sku": "NOPE", "quantity": "1"},
        ],
    )

    result = _create(integrator, variables)

    assert _codes(result) == [
        ("sku", "NOT_IN_ASSORTMENT", "20"),
        ("sku", "UNKNOWN_SKU", "30"),
    ]
    _assert_refused(result)
