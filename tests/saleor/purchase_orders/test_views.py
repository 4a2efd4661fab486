"""The XML order endpoints, as Ariba and Peppol access points call them."""

import hashlib
import secrets
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from lxml import etree
from saleor.order.models import Order

from saleor_oci_plugin.machine_secrets import hash_machine_secret
from saleor_oci_plugin.models import InboundMessage
from saleor_oci_plugin.punchout.models import Connection
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder
from saleor_oci_plugin.purchase_orders.views import hash_order_token

from .documents import (
    ARIBA_IDENTITY,
    PEPPOL_ID,
    PEPPOL_SCHEME,
    SHARED_SECRET,
    cxml_order_request,
    ubl_order,
)

CXML_URL = "/plugins/global/oci.punchout/orders/cxml"
UBL_URL = "/plugins/global/oci.punchout/orders/ubl"

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<cXML><Header>&xxe;</Header></cXML>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>"""


@pytest.fixture
def cxml_connection(oci_connection):
    oci_connection.cxml_identity = ARIBA_IDENTITY
    oci_connection.cxml_shared_secret = hash_machine_secret(SHARED_SECRET)
    oci_connection.save(update_fields=["cxml_identity", "cxml_shared_secret"])
    return oci_connection


@pytest.fixture
def order_token(oci_connection):
    token = secrets.token_urlsafe(32)
    oci_connection.order_token_hash = hash_order_token(token)
    oci_connection.save(update_fields=["order_token_hash"])
    organisation = oci_connection.organisation
    organisation.peppol_endpoint_scheme = PEPPOL_SCHEME
    organisation.peppol_endpoint_id = PEPPOL_ID
    organisation.save(update_fields=["peppol_endpoint_scheme", "peppol_endpoint_id"])
    return token


def _post_cxml(client, body):
    response = client.post(CXML_URL, body, content_type="text/xml")
    return response


def _status(response):
    status = etree.fromstring(
        response.content, etree.XMLParser(resolve_entities=False, no_network=True)
    ).find("Response/Status")
    return int(status.get("code")), status.get("text"), status.text or ""


def test_cxml_order_request_becomes_an_order(client, cxml_connection, oci_transfer):
    response = _post_cxml(client, cxml_order_request(oci_transfer))

    assert response.status_code == 200
    code, _text, message = _status(response)
    order = Order.objects.get()
    assert (code, message) == (200, f"Placed as order {order.number}.")
    assert order.external_reference == f"oci:{cxml_connection.pk}:4500012345"
    assert order.shipping_address.city == "Utrecht"
    assert [line.product_sku for line in order.lines.order_by("product_sku")] == sorted(
        line["sku"] for line in oci_transfer.snapshot
    )
    assert {line.metadata["oci.cost_centre"] for line in order.lines.all()} == {
        "KP-1",
        "KP-2",
    }
    assert ReceivedPurchaseOrder.objects.get().source == "cxml"
    assert InboundMessage.objects.get().outcome == "accepted"


def test_cxml_same_order_twice_is_one_order(client, cxml_connection, oci_transfer):
    _post_cxml(client, cxml_order_request(oci_transfer))

    code, _text, message = _status(_post_cxml(client, cxml_order_request(oci_transfer)))

    assert code == 200
    assert message.startswith("Duplicate")
    assert Order.objects.count() == 1


def test_cxml_wrong_shared_secret_is_401(client, cxml_connection, oci_transfer):
    response = _post_cxml(client, cxml_order_request(oci_transfer, secret="guess"))

    assert response.status_code == 200  # cXML clients read the Status
    assert _status(response)[0] == 401
    assert not Order.objects.exists()
    assert InboundMessage.objects.get().outcome == "refused"


def test_a_wrong_cxml_secret_costs_no_password_hash(
    client, cxml_connection, oci_transfer, counted_password_hashes
):
    # The secret is a keyed hash (HMAC-SHA256): microseconds, not a password hash.
    for guess in ("guess", SHARED_SECRET + "x", SHARED_SECRET[:-1]):
        response = _post_cxml(client, cxml_order_request(oci_transfer, secret=guess))
        assert _status(response)[0] == 401

    assert counted_password_hashes() == 0
    assert not Order.objects.exists()


def test_an_older_password_hashed_cxml_secret_works_and_is_stored_keyed(
    client, cxml_connection, oci_transfer
):
    cxml_connection.cxml_shared_secret = make_password(SHARED_SECRET)
    cxml_connection.save(update_fields=["cxml_shared_secret"])

    response = _post_cxml(client, cxml_order_request(oci_transfer))

    assert _status(response)[0] == 200
    assert Connection.objects.get().cxml_shared_secret == hash_machine_secret(
        SHARED_SECRET
    )


def test_cxml_price_outside_tolerance_is_406_per_line(
    client, cxml_connection, oci_transfer
):
    body = cxml_order_request(oci_transfer, price_factor=Decimal("1.2"))

    code, _text, message = _status(_post_cxml(client, body))

    assert code == 406
    assert "line 1: unit_price" in message
    assert "line 2: unit_price" in message
    assert not Order.objects.exists()
    assert ReceivedPurchaseOrder.objects.get().status == "refused"


def test_cxml_cart_ordered_under_another_number_is_409(
    client, cxml_connection, oci_transfer
):
    _post_cxml(client, cxml_order_request(oci_transfer))

    code, _text, _message = _status(
        _post_cxml(client, cxml_order_request(oci_transfer, order_number="4500099999"))
    )

    assert code == 409
    assert Order.objects.count() == 1


def test_cxml_delete_cancels_the_placed_order(client, cxml_connection, oci_transfer):
    _post_cxml(client, cxml_order_request(oci_transfer))

    code, _text, message = _status(
        _post_cxml(client, cxml_order_request(oci_transfer, kind="delete"))
    )

    order = Order.objects.get()
    assert (code, message) == (200, f"Order {order.number} cancelled.")
    assert order.status == "canceled"
    assert order.events.filter(type="canceled").exists()


def test_cxml_delete_of_a_fulfilled_order_is_409(client, cxml_connection, oci_transfer):
    _post_cxml(client, cxml_order_request(oci_transfer))
    order = Order.objects.get()
    order.fulfillments.create(fulfillment_order=1, status="fulfilled")

    code, _text, message = _status(
        _post_cxml(client, cxml_order_request(oci_transfer, kind="delete"))
    )

    assert code == 409
    assert "cannot be cancelled" in message
    order.refresh_from_db()
    assert order.status != "canceled"


def test_cxml_delete_of_an_unknown_order_is_406(client, cxml_connection, oci_transfer):
    code, _text, _message = _status(
        _post_cxml(client, cxml_order_request(oci_transfer, kind="delete"))
    )

    assert code == 406
    assert not Order.objects.exists()


def test_cxml_update_of_a_confirmed_order_is_409(client, cxml_connection, oci_transfer):
    _post_cxml(client, cxml_order_request(oci_transfer))

    code, _text, message = _status(
        _post_cxml(client, cxml_order_request(oci_transfer, kind="update"))
    )

    assert code == 409
    assert "unconfirmed orders only" in message
    assert Order.objects.get().status != "canceled"


def test_cxml_update_changes_an_unconfirmed_order(
    client, cxml_connection, oci_transfer
):
    channel = cxml_connection.channel
    channel.automatically_confirm_all_new_orders = False
    channel.save(update_fields=["automatically_confirm_all_new_orders"])
    cxml_connection.allow_quantity_changes = True
    cxml_connection.save(update_fields=["allow_quantity_changes"])
    _post_cxml(client, cxml_order_request(oci_transfer))
    order = Order.objects.get()
    assert order.status == "unconfirmed"
    changed = cxml_order_request(oci_transfer, kind="update").replace(
        f'quantity="{oci_transfer.snapshot[0]["quantity"]}"'.encode(), b'quantity="5"'
    )

    code, _text, message = _status(_post_cxml(client, changed))

    assert (code, message) == (200, f"Order {order.number} updated.")
    order.refresh_from_db()
    first_sku = oci_transfer.snapshot[0]["sku"]
    assert order.lines.get(product_sku=first_sku).quantity == 5
    unit = Decimal(oci_transfer.snapshot[0]["unit_price_net"])
    other = oci_transfer.snapshot[1]
    assert order.subtotal_net_amount == (
        unit * 5 + Decimal(other["unit_price_net"]) * Decimal(other["quantity"])
    ).quantize(Decimal("0.01"))
    assert (
        order.lines.get(product_sku=first_sku).allocations.get().quantity_allocated == 5
    )


@pytest.mark.parametrize(
    "body",
    [b"this is not xml", XXE, BILLION_LAUGHS, b"<cXML>" + b" " * (6 * 1024 * 1024)],
    ids=["not-xml", "xxe", "billion-laughs", "oversized"],
)
@pytest.mark.parametrize("url", [CXML_URL, UBL_URL])
def test_hostile_or_broken_bodies_are_4xx(
    client, cxml_connection, order_token, url, body
):
    response = client.post(
        url, body, content_type="text/xml", HTTP_AUTHORIZATION=f"Bearer {order_token}"
    )

    assert response.status_code == 400
    assert b"/etc/passwd" not in response.content
    assert b"root:" not in response.content
    assert not Order.objects.exists()


def _post_ubl(client, body, token):
    return client.post(
        UBL_URL,
        body,
        content_type="application/xml",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_ubl_order_becomes_an_order(client, order_token, oci_transfer, oci_connection):
    response = _post_ubl(client, ubl_order(oci_transfer), order_token)

    assert response.status_code == 201
    order = Order.objects.get()
    assert response.json() == {
        "status": "placed",
        "order": order.number,
        "orderId": str(order.pk),
    }
    assert order.metadata["oci.buyer_reference"] == "Afdeling Inkoop"
    assert order.external_reference == f"oci:{oci_connection.pk}:PO-2026-004712"


def test_ubl_same_order_twice_is_one_order(client, order_token, oci_transfer):
    _post_ubl(client, ubl_order(oci_transfer), order_token)

    response = _post_ubl(client, ubl_order(oci_transfer), order_token)

    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    assert Order.objects.count() == 1


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_ubl_without_the_connections_token_is_401(
    client, order_token, oci_transfer, token
):
    response = _post_ubl(client, ubl_order(oci_transfer), token)

    assert response.status_code == 401
    assert not Order.objects.exists()


def test_an_older_sha256_order_token_works_and_is_stored_keyed(
    client, order_token, oci_transfer, oci_connection
):
    oci_connection.order_token_hash = hashlib.sha256(order_token.encode()).hexdigest()
    oci_connection.save(update_fields=["order_token_hash"])

    response = _post_ubl(client, ubl_order(oci_transfer), order_token)

    assert response.status_code == 201
    assert Connection.objects.get().order_token_hash == hash_order_token(order_token)
    assert hash_order_token(order_token) != oci_connection.order_token_hash


def test_ubl_revoked_token_is_401(client, order_token, oci_transfer, oci_connection):
    oci_connection.order_token_hash = ""
    oci_connection.save(update_fields=["order_token_hash"])

    response = _post_ubl(client, ubl_order(oci_transfer), order_token)

    assert response.status_code == 401


def test_ubl_from_another_buyer_endpoint_is_403(client, order_token, oci_transfer):
    body = ubl_order(oci_transfer, endpoint=(PEPPOL_SCHEME, "99999999"))

    response = _post_ubl(client, body, order_token)

    assert response.status_code == 403
    assert not Order.objects.exists()
