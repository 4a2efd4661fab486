"""The punch-out half of the round trip, through HTTP as the ERP and storefront do it:

punch-in -> oci_code -> ociSessionTokenCreate -> checkoutLinesAdd with the buyer's
token -> ociGreetingCardSet -> ociCheckoutTransfer -> the form, parsed and decoded,
is the checkout -> checkoutComplete is refused; an ordinary checkout still completes.
"""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import graphene
import pytest
from django.utils import timezone
from lxml import html as lxml_html
from saleor.checkout.models import Checkout
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import Order

from saleor_oci_plugin import oci
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer

from .fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL

PUNCHIN_URL = "/plugins/global/oci.punchout/punchin"
STOREFRONT = "https://shop.example.com/punchout"

TOKEN_CREATE = """
mutation ($code: String!) {
  ociSessionTokenCreate(code: $code) { token checkout { id } errors { code } }
}
"""
LINES_ADD = """
mutation ($id: ID!, $lines: [CheckoutLineInput!]!) {
  checkoutLinesAdd(id: $id, lines: $lines) {
    checkout { lines { id quantity variant { sku } } }
    errors { field code message }
  }
}
"""
CARD_SET = """
mutation ($checkoutId: ID!, $text: String!, $lineId: ID) {
  ociGreetingCardSet(checkoutId: $checkoutId, text: $text, lineId: $lineId) {
    errors { field code message }
  }
}
"""
TRANSFER = """
mutation ($id: ID!) {
  ociCheckoutTransfer(id: $id) {
    transfer {
      id hookUrl target html
      fields { name value }
      warnings { field line rule }
    }
    errors { field code message }
  }
}
"""
COMPLETE = """
mutation ($id: ID!) {
  checkoutComplete(id: $id) {
    order { id number }
    errors { field code message }
  }
}
"""


def _punch_in(client, oci_connection, extra=None):
    """Punch in as the connection; ``extra``: further parameters (the orderer)."""
    oci_connection.storefront_url = STOREFRONT
    oci_connection.save(update_fields=["storefront_url"])
    response = client.get(
        PUNCHIN_URL,
        {
            "USERNAME": BUYER_LOGIN,
            "PASSWORD": BUYER_PASSWORD,
            "HOOK_URL": HOOK_URL,
            "~OKCODE": "ADDI",
            "~TARGET": "_top",
            "~CALLER": "CTLG",
            **(extra or {}),
        },
    )
    assert response.status_code == 303
    return parse_qs(urlsplit(response["Location"]).query)["oci_code"][0]


def _start_shopping(client, api_client, oci_connection):
    code = _punch_in(client, oci_connection)
    data = get_graphql_content(api_client.post_graphql(TOKEN_CREATE, {"code": code}))
    result = data["data"]["ociSessionTokenCreate"]
    api_client.token = result["token"]
    return result["checkout"]["id"]


def _add(api_client, checkout_id, lines):
    data = get_graphql_content(
        api_client.post_graphql(LINES_ADD, {"id": checkout_id, "lines": lines})
    )["data"]["checkoutLinesAdd"]
    assert data["errors"] == []
    return data["checkout"]["lines"]


def _make_ready_to_complete(checkout_id, address, checkout_delivery):
    """Everything an ordinary checkout needs, so only the punch-out rule can refuse."""
    checkout = Checkout.objects.get(pk=graphene.Node.from_global_id(checkout_id)[1])
    checkout.shipping_address = address
    checkout.billing_address = address.get_copy()
    checkout.assigned_delivery = checkout_delivery(checkout)
    # The fixture's delivery is not one Saleor would list again: keep it current.
    checkout.delivery_methods_stale_at = timezone.now() + timedelta(hours=1)
    checkout.save()
    checkout.channel.allow_unpaid_orders = True
    checkout.channel.save(update_fields=["allow_unpaid_orders"])


def _form_fields(page: str) -> list[tuple[str, str]]:
    document = lxml_html.fromstring(page)
    (form,) = document.forms
    return [(element.name, element.value) for element in form.inputs if element.name]


def test_punch_out_cart_goes_back_as_an_oci_form(
    client, api_client, oci_connection, product_list, address, checkout_delivery
):
    for number, product in enumerate(product_list[:2]):
        product.store_value_in_metadata({"nzi_code": f"NZI-{number + 1}"})
        product.save(update_fields=["metadata"])
    variants = [product.variants.get() for product in product_list[:2]]
    checkout_id = _start_shopping(client, api_client, oci_connection)

    lines = _add(
        api_client,
        checkout_id,
        [
            {
                "variantId": graphene.Node.to_global_id(
                    "ProductVariant", variants[0].pk
                ),
                "quantity": 3,
            },
            {
                "variantId": graphene.Node.to_global_id(
                    "ProductVariant", variants[1].pk
                ),
                "quantity": 1,
            },
        ],
    )
    card = get_graphql_content(
        api_client.post_graphql(
            CARD_SET,
            {
                "checkoutId": checkout_id,
                "text": "Beterschap! Team Noord",
                "lineId": lines[1]["id"],
            },
        )
    )["data"]["ociGreetingCardSet"]
    assert card["errors"] == []

    result = get_graphql_content(
        api_client.post_graphql(TRANSFER, {"id": checkout_id})
    )["data"]["ociCheckoutTransfer"]

    assert result["errors"] == []
    sent = result["transfer"]
    assert (sent["hookUrl"], sent["target"]) == (HOOK_URL, "_top")
    page_fields = _form_fields(sent["html"])
    assert ("~OKCODE", "ADDI") in page_fields
    assert ("~CALLER", "CTLG") in page_fields
    assert [(f["name"], f["value"]) for f in sent["fields"]] == [
        pair for pair in page_fields if pair[0].startswith("NEW_ITEM-")
    ]
    decoded = oci.decode_cart(page_fields)
    transfer = Transfer.objects.get()
    assert sent["id"] == transfer.reference
    assert [
        (
            item.vendormat,
            item.quantity,
            item.currency,
            item.matgroup,
            item.ext_quote_id,
        )
        for item in decoded.items
    ] == [
        (variants[0].sku, Decimal(3), "USD", "NZI-1", transfer.reference),
        (variants[1].sku, Decimal(1), "USD", "NZI-2", transfer.reference),
    ]
    listing_prices = [
        variant.channel_listings.get(channel=oci_connection.channel).price_amount
        for variant in variants
    ]
    assert [item.price / item.price_unit for item in decoded.items] == listing_prices
    assert "Beterschap! Team Noord" in decoded.items[1].long_text
    assert not decoded.items[0].long_text
    assert [line["sku"] for line in transfer.snapshot] == [v.sku for v in variants]
    assert transfer.session.status == PunchoutSession.Status.TRANSFERRED

    # The cart was sent back: completing it as an ordinary checkout is refused.
    _make_ready_to_complete(checkout_id, address, checkout_delivery)
    refused = get_graphql_content(
        api_client.post_graphql(COMPLETE, {"id": checkout_id})
    )["data"]["checkoutComplete"]
    assert refused["order"] is None
    assert refused["errors"][0]["code"] == "INVALID"
    assert "ociCheckoutTransfer" in refused["errors"][0]["message"]

    # A second transfer of the same cart is refused.
    again = get_graphql_content(api_client.post_graphql(TRANSFER, {"id": checkout_id}))[
        "data"
    ]["ociCheckoutTransfer"]
    assert [error["code"] for error in again["errors"]] == ["SESSION_CLOSED"]
    assert Transfer.objects.count() == 1


def test_open_punch_out_checkout_cannot_be_completed_either(
    client, api_client, oci_connection, product_list, address, checkout_delivery
):
    checkout_id = _start_shopping(client, api_client, oci_connection)
    variant = product_list[0].variants.get()
    _add(
        api_client,
        checkout_id,
        [
            {
                "variantId": graphene.Node.to_global_id("ProductVariant", variant.pk),
                "quantity": 1,
            }
        ],
    )
    _make_ready_to_complete(checkout_id, address, checkout_delivery)

    refused = get_graphql_content(
        api_client.post_graphql(COMPLETE, {"id": checkout_id})
    )["data"]["checkoutComplete"]

    assert refused["order"] is None
    assert refused["errors"][0]["code"] == "INVALID"
    assert not Order.objects.exists()


def test_ordinary_checkout_still_completes(api_client, checkout_ready_to_complete):
    channel = checkout_ready_to_complete.channel
    channel.allow_unpaid_orders = True
    channel.save(update_fields=["allow_unpaid_orders"])
    checkout_id = graphene.Node.to_global_id("Checkout", checkout_ready_to_complete.pk)

    result = get_graphql_content(
        api_client.post_graphql(COMPLETE, {"id": checkout_id})
    )["data"]["checkoutComplete"]

    assert result["errors"] == []
    assert result["order"]["number"]


@pytest.mark.parametrize("way", ["graphql", "cxml", "ubl"])
def test_whole_round_trip_to_a_saleor_order(
    client,
    api_client,
    app_api_client,
    permission_manage_orders,
    oci_connection,
    product_list,
    way,
):
    """Punch-in, shop, transfer; then the approved PO comes back one of three ways."""
    from django.contrib.auth.hashers import make_password

    from saleor_oci_plugin.purchase_orders.views import hash_order_token

    from .graphql.test_purchase_orders import PO_CREATE, _input
    from .purchase_orders.documents import (
        ARIBA_IDENTITY,
        PEPPOL_ID,
        PEPPOL_SCHEME,
        SHARED_SECRET,
        cxml_order_request,
        ubl_order,
    )

    checkout_id = _start_shopping(client, api_client, oci_connection)
    variants = [product.variants.get() for product in product_list[:2]]
    _add(
        api_client,
        checkout_id,
        [
            {
                "variantId": graphene.Node.to_global_id("ProductVariant", v.pk),
                "quantity": 2,
            }
            for v in variants
        ],
    )
    sent = get_graphql_content(api_client.post_graphql(TRANSFER, {"id": checkout_id}))[
        "data"
    ]["ociCheckoutTransfer"]
    assert sent["errors"] == []
    transfer = Transfer.objects.get(pk=sent["transfer"]["id"])

    if way == "graphql":
        app_api_client.app.permissions.add(permission_manage_orders)
        response = app_api_client.post_graphql(
            PO_CREATE, {"input": _input(oci_connection, transfer)}
        )
        assert (
            get_graphql_content(response)["data"]["ociPurchaseOrderCreate"]["errors"]
            == []
        )
    elif way == "cxml":
        oci_connection.cxml_identity = ARIBA_IDENTITY
        oci_connection.cxml_shared_secret = make_password(SHARED_SECRET)
        oci_connection.save()
        response = client.post(
            "/plugins/global/oci.punchout/orders/cxml",
            cxml_order_request(transfer),
            content_type="text/xml",
        )
        assert b'code="200"' in response.content
    else:
        oci_connection.order_token_hash = hash_order_token("round-trip-token")
        oci_connection.save()
        organisation = oci_connection.organisation
        organisation.peppol_endpoint_scheme = PEPPOL_SCHEME
        organisation.peppol_endpoint_id = PEPPOL_ID
        organisation.save()
        response = client.post(
            "/plugins/global/oci.punchout/orders/ubl",
            ubl_order(transfer),
            content_type="application/xml",
            HTTP_AUTHORIZATION="Bearer round-trip-token",
        )
        assert response.status_code == 201

    order = Order.objects.get()
    assert sorted(
        (line.product_sku, line.quantity) for line in order.lines.all()
    ) == sorted((variant.sku, 2) for variant in variants)
    assert sorted(line.unit_price_net_amount for line in order.lines.all()) == sorted(
        Decimal(line["unit_price_net"]) for line in transfer.snapshot
    )
    assert order.metadata["oci.transfer"] == transfer.reference
    assert order.user == oci_connection.customer


ORDER_FROM_CHECKOUT = """
mutation ($id: ID!) {
  orderCreateFromCheckout(id: $id) { order { id } errors { field code message } }
}
"""


def test_order_create_from_checkout_is_refused_with_its_own_code(
    client,
    api_client,
    app_api_client,
    permission_handle_checkouts,
    oci_connection,
    product_list,
    address,
    checkout_delivery,
):
    checkout_id = _start_shopping(client, api_client, oci_connection)
    variant = product_list[0].variants.get()
    _add(
        api_client,
        checkout_id,
        [
            {
                "variantId": graphene.Node.to_global_id("ProductVariant", variant.pk),
                "quantity": 1,
            }
        ],
    )
    _make_ready_to_complete(checkout_id, address, checkout_delivery)
    app_api_client.app.permissions.add(permission_handle_checkouts)

    result = get_graphql_content(
        app_api_client.post_graphql(ORDER_FROM_CHECKOUT, {"id": checkout_id})
    )["data"]["orderCreateFromCheckout"]

    assert result["order"] is None
    assert [(error["field"], error["code"]) for error in result["errors"]] == [
        ("id", "GRAPHQL_ERROR")
    ]
    assert "ociCheckoutTransfer" in result["errors"][0]["message"]
    assert not Order.objects.exists()
