"""One cXML OrderRequest merging the carts of several punch-outs (Ariba, Coupa):
one order matched cart by cart, or nothing when any cart does not match."""

from dataclasses import replace
from decimal import Decimal

from saleor.order.models import Order

from saleor_oci_plugin.punchout.models import Transfer
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder
from saleor_oci_plugin.simulator.cxml import (
    build_order_request_from_messages,
)
from saleor_oci_plugin.simulator.cxml import read_order_message as buyer_reads
from tests.saleor.cxml_helpers import (
    BILL_TO,
    IDENTITY,
    SECRET,
    post_order,
    shop_cart,
)
from tests.saleor.invoices.conftest import (  # noqa: F401 (fixtures)
    SELLER,
    configure_plugin,
    staff,
    vat_21_percent,
)


def test_one_order_request_merging_two_carts_becomes_one_order(
    client, api_client, cxml_connection, gift_boxes
):
    _, _, first = shop_cart(client, api_client, gift_boxes, (3, 1))
    _, _, second = shop_cart(
        client, api_client, gift_boxes, (2, 5), buyer_cookie="second"
    )
    first_message, second_message = map(buyer_reads, (first, second))
    assert first_message.lines[0].transfer_id != second_message.lines[0].transfer_id

    status = post_order(
        client,
        build_order_request_from_messages(
            (first_message, second_message),
            order_number="4500099002",
            identity=IDENTITY,
            shared_secret=SECRET,
            bill_to=BILL_TO,
        ),
    )

    assert status.code == 200, status.text
    order = Order.objects.get()
    transfers = list(Transfer.objects.order_by("created_at"))
    placed = ReceivedPurchaseOrder.objects.get(status="placed")
    assert {ordered.transfer for ordered in placed.ordered_transfers.all()} == set(
        transfers
    )
    assert order.metadata["oci.transfer"] == ",".join(t.reference for t in transfers)
    assert [(line.product_sku, line.quantity) for line in order.lines.all()] == [
        (gift_boxes[0].sku, 3),
        (gift_boxes[1].sku, 1),
        (gift_boxes[0].sku, 2),
        (gift_boxes[1].sku, 5),
    ]
    assert [line.metadata["oci.po_line"] for line in order.lines.all()] == [
        "1",
        "2",
        "3",
        "4",
    ]

    # Neither cart can be ordered again, alone or merged.
    again = post_order(
        client,
        build_order_request_from_messages(
            (second_message,),
            order_number="4500099003",
            identity=IDENTITY,
            shared_secret=SECRET,
            bill_to=BILL_TO,
        ),
    )
    assert again.code == 409
    assert "already ordered" in again.text
    assert Order.objects.count() == 1


def test_a_merged_order_with_one_bad_cart_is_refused_whole(
    client, api_client, cxml_connection, gift_boxes
):
    _, _, first = shop_cart(client, api_client, gift_boxes, (3, 1))
    _, _, second = shop_cart(client, api_client, gift_boxes, (2, 5))
    first_message, second_message = map(buyer_reads, (first, second))
    # The second cart's quantity changed: this connection does not allow it.
    second_message = replace(
        second_message,
        lines=(
            second_message.lines[0],
            replace(second_message.lines[1], quantity=Decimal(7)),
        ),
    )
    status = post_order(
        client,
        build_order_request_from_messages(
            (first_message, second_message),
            order_number="4500099004",
            identity=IDENTITY,
            shared_secret=SECRET,
            bill_to=BILL_TO,
        ),
    )
    assert status.code == 406
    assert "line 4: quantity: 7 ordered, 5 in the cart" in status.text
    assert not Order.objects.exists()
    assert not ReceivedPurchaseOrder.objects.filter(status="placed").exists()
