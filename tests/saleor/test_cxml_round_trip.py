"""cXML punch-out through HTTP, as Ariba or Coupa and the storefront do it:

PunchOutSetupRequest -> StartPage with oci_code -> ociSessionTokenCreate ->
checkoutLinesAdd, a card text -> ociCheckoutTransfer -> the PunchOutOrderMessage in
the form, parsed back, is the cart -> an OrderRequest built from it is one order
matched to that transfer -> its invoice. The setup request's refusals, edit and
inspect are in punchout/test_cxml_setup.py; cancel and cxml-base64 in
punchout/test_cxml_transfer.py; merged purchase orders in
purchase_orders/test_merged_orders.py (the shared steps: cxml_helpers.py).
"""

from decimal import Decimal

import graphene
from saleor.core import JobStatus
from saleor.graphql.tests.utils import get_graphql_content
from saleor.invoice.models import Invoice
from saleor.order.models import Order

from saleor_oci_plugin.buyers.models import Member
from saleor_oci_plugin.punchout.cxml_documents import read_order_message
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder
from saleor_oci_plugin.simulator.cxml import (
    build_order_request_from_messages,
)
from saleor_oci_plugin.simulator.cxml import read_order_message as buyer_reads
from tests.core.punchout.dtd import dtd_errors
from tests.saleor.cxml_helpers import (
    BILL_TO,
    IDENTITY,
    INVOICE_REQUEST,
    RETURN_URL,
    SECRET,
    UNSPSC_DEFAULT,
    UNSPSC_OWN,
    USER,
    post_order,
    shop_cart,
)
from tests.saleor.invoices.conftest import (  # noqa: F401 (fixtures)
    SELLER,
    configure_plugin,
    staff,
    vat_21_percent,
)


def test_setup_request_to_order_message_to_order_and_invoice(
    client,
    api_client,
    cxml_connection,
    gift_boxes,
    vat_21_percent,  # noqa: F811
    staff,  # noqa: F811
    media_root,
):
    configure_plugin(**SELLER)
    gift_boxes[0].store_value_in_metadata(
        {"manufacturer_part_id": "MPN-77", "lead_time_days": "3"}
    )
    gift_boxes[0].save(update_fields=["metadata"])
    product = gift_boxes[1].product
    product.store_value_in_metadata({"manufacturer_name": "Bloemist Oost"})
    product.save(update_fields=["metadata"])
    sent, action, document = shop_cart(
        client, api_client, gift_boxes, card="Veel beterschap! Team Noord"
    )

    session = PunchoutSession.objects.get()
    assert (session.protocol, session.operation) == ("cxml", "create")
    assert session.buyer_cookie == "ariba-cookie-8d1f"
    member = Member.objects.get(user__email=USER.email)
    assert session.member == member  # created from the extrinsics
    assert member.external_id == "JJANSEN"
    assert (member.user.first_name, member.user.last_name) == ("Jan", "Jansen")

    # The form posts the message to BrowserFormPost/URL, and it is valid cXML.
    transfer = Transfer.objects.get()
    assert sent["id"] == transfer.reference
    assert action == RETURN_URL == sent["hookUrl"]
    assert [field["name"] for field in sent["fields"]] == ["cxml-urlencoded"]
    assert dtd_errors(document) == []
    message = read_order_message(document)

    # ... and it is the cart.
    prices = [
        variant.channel_listings.get(channel=cxml_connection.channel).price_amount
        for variant in gift_boxes
    ]
    assert message.buyer_cookie == "ariba-cookie-8d1f"
    assert message.operation_allowed == "edit"
    assert message.from_credentials == (("NetworkID", "saleor-shop"),)
    assert message.to_credentials == (("NetworkID", IDENTITY),)
    assert [
        (
            line.sku,
            line.quantity,
            line.unit_price,
            line.currency,
            line.unit,
            line.classifications,
            line.transfer_id,
            line.cost_centre,
            line.comments,
        )
        for line in message.lines
    ] == [
        (
            gift_boxes[0].sku,
            Decimal(3),
            prices[0],
            "USD",
            "EA",
            (("UNSPSC", UNSPSC_OWN), ("NZI", "NZI000")),
            transfer.reference,
            "KP-4711",
            "",
        ),
        (
            gift_boxes[1].sku,
            Decimal(1),
            prices[1],
            "USD",
            "EA",
            (("UNSPSC", UNSPSC_DEFAULT), ("NZI", "NZI001")),
            transfer.reference,
            "KP-4711",
            "Veel beterschap! Team Noord",
        ),
    ]
    assert [
        (line.manufacturer_part_id, line.manufacturer_name, line.lead_time_days)
        for line in message.lines
    ] == [("MPN-77", "", 3), ("", "Bloemist Oost", None)]
    net = prices[0] * 3 + prices[1]
    assert message.total == net
    assert message.tax == (net * Decimal("0.21")).quantize(Decimal("0.01"))
    assert [line["sku"] for line in transfer.snapshot] == [v.sku for v in gift_boxes]

    # The approved requisition comes back as an OrderRequest naming the transfer.
    status = post_order(
        client,
        build_order_request_from_messages(
            (buyer_reads(document),),
            order_number="4500099001",
            identity=IDENTITY,
            shared_secret=SECRET,
            bill_to=BILL_TO,
        ),
    )
    assert status.code == 200, status.text
    order = Order.objects.get()
    placed = ReceivedPurchaseOrder.objects.get(status="placed")
    assert placed.transfer == transfer
    assert [ordered.transfer for ordered in placed.ordered_transfers.all()] == [
        transfer
    ]
    assert order.metadata["oci.transfer"] == transfer.reference
    assert order.metadata["oci.cost_centre"] == "KP-4711"
    assert order.user == member.user
    assert sorted((line.product_sku, line.quantity) for line in order.lines.all()) == [
        (gift_boxes[0].sku, 3),
        (gift_boxes[1].sku, 1),
    ]
    assert order.total_net_amount == net
    # The ShipTo of the setup request, since the PO has none.
    assert (order.shipping_address.city, order.shipping_address.street_address_1) == (
        "Utrecht",
        "Ziekenhuisweg 1",
    )
    cards = [line.metadata.get("oci.greeting_card") for line in order.lines.all()]
    assert "Veel beterschap! Team Noord" in cards

    invoice = get_graphql_content(
        staff.post_graphql(
            INVOICE_REQUEST,
            {"orderId": graphene.Node.to_global_id("Order", order.pk)},
        )
    )["data"]["invoiceRequest"]
    assert invoice["errors"] == []
    assert invoice["invoice"]["status"] == JobStatus.SUCCESS.upper()
    assert b"4500099001" in Invoice.objects.get(order=order).invoice_file.read()
