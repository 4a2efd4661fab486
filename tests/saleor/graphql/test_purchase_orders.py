"""ociPurchaseOrderCreate, as an ERP integrator calls it with an App token."""

import json
import threading
from decimal import Decimal

import graphene
import pytest
from django.db import connections
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import Order
from saleor.tests.utils import prepare_test_db_connections

from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder
from saleor_oci_plugin.purchase_orders.placing import external_reference

PO_CREATE = """
mutation ($input: OciPurchaseOrderInput!) {
  ociPurchaseOrderCreate(input: $input) {
    duplicate
    order {
      id number externalReference status userEmail
      channel { slug }
      lines { productSku quantity unitPrice { net { amount } gross { amount } }
              metadata { key value } }
      shippingAddress { companyName city postalCode country { code } }
      metadata { key value }
    }
    errors { field code message line }
  }
}
"""


def _input(oci_connection, transfer, **overrides):
    lines = [
        {
            "lineNumber": str(10 * (number + 1)),
            "sku": line["sku"],
            "quantity": line["quantity"],
            "unitPrice": line["unit_price_net"],
            "costCentre": f"KP-{number}",
        }
        for number, line in enumerate(transfer.snapshot)
    ]
    data = {
        "connection": graphene.Node.to_global_id("OciConnection", oci_connection.pk),
        "orderNumber": "4500012345",
        "transferId": transfer.reference,
        "currency": transfer.currency,
        "buyerReference": "Afdeling Inkoop",
        "costCentre": "KP-4711",
        "deliveryAddress": {
            "name": "Magazijn Noord",
            "company": "Ziekenhuis Oost",
            "street": "Ziekenhuisweg 1",
            "city": "Utrecht",
            "postcode": "3584 CX",
            "country": "NL",
        },
        "lines": lines,
    }
    data.update(overrides)
    return data


def _create(client, variables):
    response = client.post_graphql(PO_CREATE, {"input": variables})
    return get_graphql_content(response)["data"]["ociPurchaseOrderCreate"]


def test_po_for_a_transferred_cart_becomes_a_saleor_order(
    integrator, oci_connection, oci_transfer
):
    result = _create(integrator, _input(oci_connection, oci_transfer))

    assert result["errors"] == []
    assert result["duplicate"] is False
    order = result["order"]
    assert order["externalReference"] == external_reference(
        oci_connection, "4500012345"
    )
    assert order["channel"]["slug"] == oci_connection.channel.slug
    assert order["userEmail"] == oci_connection.customer.email
    assert [(line["productSku"], line["quantity"]) for line in order["lines"]] == [
        (line["sku"], int(Decimal(line["quantity"]))) for line in oci_transfer.snapshot
    ]
    assert [line["unitPrice"]["net"]["amount"] for line in order["lines"]] == [
        float(line["unit_price_net"]) for line in oci_transfer.snapshot
    ]
    assert order["shippingAddress"]["city"] == "Utrecht"
    metadata = {item["key"]: item["value"] for item in order["metadata"]}
    assert metadata["oci.po_number"] == "4500012345"
    assert metadata["oci.cost_centre"] == "KP-4711"
    assert metadata["oci.transfer"] == oci_transfer.reference
    line_metadata = {
        item["key"]: item["value"] for item in order["lines"][0]["metadata"]
    }
    assert line_metadata["oci.po_line"] == "10"
    assert line_metadata["oci.nzi_code"] == oci_transfer.snapshot[0]["nzi_code"]
    assert line_metadata["oci.cost_centre"] == "KP-0"
    saleor_order = Order.objects.get()
    assert saleor_order.events.filter(type="placed").exists()


def test_same_po_twice_gives_one_order_and_says_duplicate(
    integrator, oci_connection, oci_transfer
):
    variables = _input(oci_connection, oci_transfer)
    first = _create(integrator, variables)

    second = _create(integrator, variables)

    assert second["errors"] == []
    assert second["duplicate"] is True
    assert second["order"]["id"] == first["order"]["id"]
    assert Order.objects.count() == 1


def _codes(result):
    return [
        (error["field"], error["code"], error["line"]) for error in result["errors"]
    ]


def _assert_refused(result):
    assert result["order"] is None
    assert not Order.objects.exists()
    assert ReceivedPurchaseOrder.objects.get().status == "refused"


def test_price_outside_tolerance_is_refused_per_line(
    integrator, oci_connection, oci_transfer
):
    variables = _input(oci_connection, oci_transfer)
    variables["lines"][1]["unitPrice"] = str(
        Decimal(oci_transfer.snapshot[1]["unit_price_net"]) * Decimal("0.9")
    )

    result = _create(integrator, variables)

    assert _codes(result) == [("unitPrice", "PRICE_OUTSIDE_TOLERANCE", "20")]
    _assert_refused(result)


def test_price_within_tolerance_is_accepted_at_the_pos_price(
    integrator, oci_connection, oci_transfer
):
    oci_connection.price_tolerance_percent = Decimal("1.00")
    oci_connection.save(update_fields=["price_tolerance_percent"])
    variables = _input(oci_connection, oci_transfer)
    offered = Decimal(oci_transfer.snapshot[0]["unit_price_net"])
    variables["lines"][0]["unitPrice"] = str(offered * Decimal("0.995"))

    result = _create(integrator, variables)

    assert result["errors"] == []
    assert Decimal(str(result["order"]["lines"][0]["unitPrice"]["net"]["amount"])) == (
        offered * Decimal("0.995")
    ).quantize(Decimal("0.01"))


def test_unknown_sku_and_changed_quantity_are_all_reported(
    integrator, oci_connection, oci_transfer
):
    variables = _input(oci_connection, oci_transfer)
    variables["lines"][0]["quantity"] = "5"
    variables["lines"][1]["sku"] = "NOT-IN-CART"

    result = _create(integrator, variables)

    assert _codes(result) == [
        ("quantity", "QUANTITY_CHANGED", "10"),
        ("sku", "UNKNOWN_SKU", "20"),
        ("lines", "LINE_MISSING", None),
    ]
    _assert_refused(result)


@pytest.mark.parametrize("transfer_id", ["0" * 32, "not-a-transfer"])
def test_unknown_transfer_is_refused(
    integrator, oci_connection, oci_transfer, transfer_id
):
    variables = _input(oci_connection, oci_transfer, transferId=transfer_id)

    result = _create(integrator, variables)

    assert _codes(result) == [("transferId", "UNKNOWN_TRANSFER", None)]
    _assert_refused(result)


def test_another_connections_transfer_is_refused_like_an_unknown_one(
    integrator, oci_connection, oci_transfer, channel_USD
):
    other = type(oci_connection).objects.create(
        organisation=oci_connection.organisation,
        name="Other",
        login_name="other-login",
        password="x",
        channel=channel_USD,
        customer=oci_connection.customer,
    )
    variables = _input(other, oci_transfer)

    result = _create(integrator, variables)

    assert _codes(result) == [("transferId", "UNKNOWN_TRANSFER", None)]
    assert not Order.objects.exists()


def test_a_transfer_ordered_once_cannot_be_ordered_again_under_another_number(
    integrator, oci_connection, oci_transfer
):
    _create(integrator, _input(oci_connection, oci_transfer))

    result = _create(
        integrator,
        _input(oci_connection, oci_transfer, orderNumber="4500099999"),
    )

    assert _codes(result) == [("transferId", "TRANSFER_ALREADY_ORDERED", None)]
    assert Order.objects.count() == 1


def test_po_without_transfer_is_refused_unless_direct_orders_are_allowed(
    integrator, oci_connection, oci_transfer
):
    variables = _input(oci_connection, oci_transfer, transferId=None)

    result = _create(integrator, variables)

    assert _codes(result) == [("transferId", "DIRECT_ORDER", None)]
    _assert_refused(result)


def test_without_manage_orders_nothing_happens(
    app_api_client, oci_connection, oci_transfer
):
    response = app_api_client.post_graphql(
        PO_CREATE, {"input": _input(oci_connection, oci_transfer)}
    )

    content = response.json()
    assert content["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    assert not Order.objects.exists()
    assert not ReceivedPurchaseOrder.objects.exists()


def test_unknown_connection_is_refused(integrator, oci_connection, oci_transfer):
    variables = _input(
        oci_connection,
        oci_transfer,
        connection=graphene.Node.to_global_id("OciConnection", 0),
    )

    result = _create(integrator, variables)

    assert _codes(result) == [("connection", "NOT_FOUND", None)]


@pytest.mark.django_db(transaction=True)
def test_twenty_copies_at_once_make_one_order(integrator, oci_connection, oci_transfer):
    variables = _input(oci_connection, oci_transfer)
    barrier = threading.Barrier(20)
    results = []

    def send():
        # Saleor's tests make the replica a view of the default connection in the
        # main thread only (prepare_test_db_connections); threads have their own.
        prepare_test_db_connections()
        try:
            barrier.wait()
            response = integrator.post_graphql(PO_CREATE, {"input": variables})
            results.append(
                get_graphql_content(response)["data"]["ociPurchaseOrderCreate"]
            )
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 20
    assert all(result["errors"] == [] for result in results)
    assert sorted(result["duplicate"] for result in results) == [False] + [True] * 19
    assert len({result["order"]["id"] for result in results}) == 1
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_numbers_for_one_cart_at_once_make_one_order_and_nine_refusals(
    integrator, oci_connection, oci_transfer
):
    # POs of different numbers no longer wait for each other (only copies of one
    # number do); the cart's row lock keeps them from ordering it twice.
    barrier = threading.Barrier(10)
    results = []

    def send(number):
        prepare_test_db_connections()
        try:
            variables = _input(oci_connection, oci_transfer, orderNumber=number)
            barrier.wait()
            response = integrator.post_graphql(PO_CREATE, {"input": variables})
            results.append(
                get_graphql_content(response)["data"]["ociPurchaseOrderCreate"]
            )
        finally:
            connections["default"].close()

    threads = [
        threading.Thread(target=send, args=(f"45000200{index:02d}",))
        for index in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 10
    placed = [result for result in results if result["order"] is not None]
    assert len(placed) == 1
    assert placed[0]["errors"] == []
    assert (
        sorted(_codes(result) for result in results if result["order"] is None)
        == [[("transferId", "TRANSFER_ALREADY_ORDERED", None)]] * 9
    )
    assert Order.objects.count() == 1


RECEIVED = """
query { ociPurchaseOrders(limit: 10) { orderNumber source status orderId errors } }
"""


def test_staff_reads_refused_and_placed_purchase_orders(
    integrator, oci_connection, oci_transfer, staff_api_client, permission_manage_orders
):
    _create(integrator, _input(oci_connection, oci_transfer, transferId="0" * 32))
    placed = _create(integrator, _input(oci_connection, oci_transfer))

    response = staff_api_client.post_graphql(
        RECEIVED, permissions=[permission_manage_orders]
    )

    records = get_graphql_content(response)["data"]["ociPurchaseOrders"]
    assert [(r["status"], r["source"], r["orderId"]) for r in records] == [
        ("placed", "graphql", placed["order"]["id"]),
        ("refused", "graphql", None),
    ]
    # JSONString values travel as JSON text.
    assert json.loads(records[1]["errors"])[0]["code"] == "unknown_transfer"
