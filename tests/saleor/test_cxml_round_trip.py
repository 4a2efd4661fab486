"""cXML punch-out through HTTP, as Ariba or Coupa and the storefront do it:

PunchOutSetupRequest -> StartPage with oci_code -> ociSessionTokenCreate ->
checkoutLinesAdd, a card text -> ociCheckoutTransfer -> the PunchOutOrderMessage in
the form, parsed back, is the cart -> an OrderRequest built from it is one order
matched to that transfer -> its invoice. And: one OrderRequest merging two carts
becomes one order recording both; edit and inspect; every refusal of a setup
request is a cXML Status with a clear text and no session.
"""

import base64
from dataclasses import replace
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import graphene
import pytest
from django.contrib.auth.hashers import make_password
from lxml import html as lxml_html
from saleor.attribute import AttributeInputType, AttributeType
from saleor.attribute.models import (
    AssignedProductAttributeValue,
    Attribute,
    AttributeValue,
)
from saleor.core import JobStatus
from saleor.graphql.tests.utils import get_graphql_content
from saleor.invoice.models import Invoice
from saleor.order.models import Order

from saleor_oci_plugin.buyers.models import Member
from saleor_oci_plugin.punchout.cxml_documents import read_order_message
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder
from saleor_oci_plugin.simulator.cxml import (
    SetupLine,
    SetupUser,
    build_order_request_from_messages,
    build_punchout_setup_request,
    read_response,
    read_setup_response,
)
from saleor_oci_plugin.simulator.cxml import read_order_message as buyer_reads
from tests.core.punchout.dtd import dtd_errors
from tests.saleor.invoices.conftest import (  # noqa: F401 (fixtures)
    SELLER,
    configure_plugin,
    staff,
    vat_21_percent,
)

SETUP_URL = "/plugins/global/oci.punchout/cxml/setup"
ORDERS_URL = "/plugins/global/oci.punchout/orders/cxml"
STOREFRONT = "https://shop.example.com/punchout"
IDENTITY = "AN01000000001"
SECRET = "cxml-s3cret"
RETURN_URL = "https://buyer.example/punchout/return"
UNSPSC_DEFAULT = "14111500"
UNSPSC_OWN = "10161600"
SHIP_TO = {
    "company": "Ziekenhuis Oost",
    "name": "Magazijn Noord",
    "street": "Ziekenhuisweg 1",
    "city": "Utrecht",
    "postcode": "3584 CX",
    "country": "NL",
    "country_name": "Nederland",
}
BILL_TO = {
    "company": "Ziekenhuis Oost",
    "name": "Crediteurenadministratie",
    "street": "Postbus 85500",
    "city": "Utrecht",
    "postcode": "3508 GA",
    "country": "NL",
    "country_name": "Nederland",
}
USER = SetupUser(
    email="j.jansen@ziekenhuis-oost.example",
    unique_name="JJANSEN",
    first_name="Jan",
    last_name="Jansen",
)

TOKEN_CREATE = """
mutation ($code: String!) {
  ociSessionTokenCreate(code: $code) {
    token checkout { id lines { quantity variant { sku } } }
    session { protocol operation costCentre }
    errors { code message }
  }
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
    transfer { id hookUrl target html fields { name value } }
    errors { field code message }
  }
}
"""
CANCEL = """
mutation ($id: ID!) {
  ociCheckoutCancel(id: $id) {
    form { hookUrl html fields { name value } }
    errors { field code message }
  }
}
"""
INVOICE_REQUEST = """
mutation ($orderId: ID!) {
  invoiceRequest(orderId: $orderId) {
    invoice { number status }
    errors { field code message }
  }
}
"""


@pytest.fixture
def cxml_connection(oci_connection):
    oci_connection.protocol = "both"
    oci_connection.cxml_identity = IDENTITY
    oci_connection.cxml_shared_secret = make_password(SECRET)
    oci_connection.cxml_domains = ["NetworkID"]
    oci_connection.storefront_url = STOREFRONT
    oci_connection.hook_url_allowlist = [
        "https://srm.hospital.example",
        "https://buyer.example",
    ]
    oci_connection.unspsc_default = UNSPSC_DEFAULT
    oci_connection.unit_map = {"PCE": "EA"}
    oci_connection.save()
    return oci_connection


@pytest.fixture
def gift_boxes(make_variants, product_type):
    """Two products; the first with its own UNSPSC code (product attribute)."""
    variants = make_variants(2, prefix="CX")
    attribute = Attribute.objects.create(
        slug="unspsc",
        name="UNSPSC",
        type=AttributeType.PRODUCT_TYPE,
        input_type=AttributeInputType.DROPDOWN,
    )
    product_type.product_attributes.add(attribute)
    value = AttributeValue.objects.create(
        attribute=attribute, name=UNSPSC_OWN, slug=UNSPSC_OWN
    )
    AssignedProductAttributeValue.objects.create(
        value=value, product=variants[0].product
    )
    return variants


def setup_request(**overrides) -> bytes:
    values = {
        "identity": IDENTITY,
        "shared_secret": SECRET,
        "buyer_cookie": "ariba-cookie-8d1f",
        "browser_form_post": RETURN_URL,
        "user": USER,
        "ship_to": SHIP_TO,
    }
    values.update(overrides)
    return build_punchout_setup_request(**values)


def post_setup(client, body: bytes):
    response = client.post(SETUP_URL, body, content_type="text/xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return read_setup_response(response.content)


def start_session(client, api_client, **overrides):
    """Setup request -> start page -> code exchange; returns the token answer."""
    status, start_page = post_setup(client, setup_request(**overrides))
    assert (status.code, status.text) == (200, "OK")
    assert start_page.startswith(STOREFRONT + "?oci_code=")
    code = parse_qs(urlsplit(start_page).query)["oci_code"][0]
    result = get_graphql_content(api_client.post_graphql(TOKEN_CREATE, {"code": code}))[
        "data"
    ]["ociSessionTokenCreate"]
    assert result["errors"] == []
    api_client.token = result["token"]
    return result


def add_lines(api_client, checkout_id, quantities):
    data = get_graphql_content(
        api_client.post_graphql(
            LINES_ADD,
            {
                "id": checkout_id,
                "lines": [
                    {
                        "variantId": graphene.Node.to_global_id(
                            "ProductVariant", variant.pk
                        ),
                        "quantity": quantity,
                    }
                    for variant, quantity in quantities
                ],
            },
        )
    )["data"]["checkoutLinesAdd"]
    assert data["errors"] == []
    return data["checkout"]["lines"]


def transfer_cart(api_client, checkout_id):
    result = get_graphql_content(
        api_client.post_graphql(TRANSFER, {"id": checkout_id})
    )["data"]["ociCheckoutTransfer"]
    assert result["errors"] == []
    return result["transfer"]


def posted_message(page: str, field: str = "cxml-urlencoded"):
    """The form the browser posts: its action and the message in ``field``."""
    (form,) = lxml_html.fromstring(page).forms
    values = {element.name: element.value for element in form.inputs if element.name}
    body = values[field]
    document = base64.b64decode(body) if field == "cxml-base64" else body.encode()
    return form.action, document


def shop_cart(client, api_client, gift_boxes, quantities=(3, 1), card=None, **setup):
    session = start_session(client, api_client, **setup)
    checkout_id = session["checkout"]["id"]
    lines = add_lines(api_client, checkout_id, zip(gift_boxes, quantities, strict=True))
    if card:
        result = get_graphql_content(
            api_client.post_graphql(
                CARD_SET,
                {"checkoutId": checkout_id, "text": card, "lineId": lines[1]["id"]},
            )
        )["data"]["ociGreetingCardSet"]
        assert result["errors"] == []
    sent = transfer_cart(api_client, checkout_id)
    action, document = posted_message(sent["html"])
    return sent, action, document


def post_order(client, body: bytes):
    response = client.post(ORDERS_URL, body, content_type="text/xml")
    assert response.status_code == 200
    return read_response(response.content)


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


def test_edit_reopens_the_cart_with_the_requests_quantities_and_supersedes_it(
    client, api_client, cxml_connection, gift_boxes
):
    _, _, document = shop_cart(client, api_client, gift_boxes, (3, 1))
    old = buyer_reads(document)
    old_transfer = Transfer.objects.get()

    session = start_session(
        client,
        api_client,
        operation="edit",
        buyer_cookie="edit-cookie",
        # The buyer changed a quantity in the requisition before editing.
        lines=(
            SetupLine(old.lines[0].sku, Decimal(4), old.lines[0].transfer_id),
            SetupLine(old.lines[1].sku, Decimal(1), old.lines[1].transfer_id),
        ),
    )
    assert session["session"]["operation"] == "edit"
    assert session["session"]["protocol"] == "cxml"
    assert [
        (line["variant"]["sku"], line["quantity"])
        for line in session["checkout"]["lines"]
    ] == [(gift_boxes[0].sku, 4), (gift_boxes[1].sku, 1)]

    sent = transfer_cart(api_client, session["checkout"]["id"])
    _, edited = posted_message(sent["html"])
    message = buyer_reads(edited)
    assert message.buyer_cookie == "edit-cookie"
    assert [(line.sku, line.quantity) for line in message.lines] == [
        (gift_boxes[0].sku, Decimal(4)),
        (gift_boxes[1].sku, Decimal(1)),
    ]
    old_transfer.refresh_from_db()
    assert old_transfer.superseded_by_id.hex == sent["id"]

    # A PO still naming the old cart is refused; the new one is placed.
    refused = post_order(
        client,
        build_order_request_from_messages(
            (old,),
            order_number="4500099005",
            identity=IDENTITY,
            shared_secret=SECRET,
            bill_to=BILL_TO,
        ),
    )
    assert refused.code == 406
    assert "edited and sent again" in refused.text
    placed = post_order(
        client,
        build_order_request_from_messages(
            (message,),
            order_number="4500099006",
            identity=IDENTITY,
            shared_secret=SECRET,
            bill_to=BILL_TO,
        ),
    )
    assert placed.code == 200, placed.text


def test_inspect_shows_the_cart_but_cannot_change_or_send_it(
    client, api_client, cxml_connection, gift_boxes
):
    session = start_session(
        client,
        api_client,
        operation="inspect",
        browser_form_post="",
        lines=(SetupLine(gift_boxes[0].sku, Decimal(2)),),
    )
    assert session["session"]["operation"] == "inspect"
    checkout_id = session["checkout"]["id"]
    assert [
        (line["variant"]["sku"], line["quantity"])
        for line in session["checkout"]["lines"]
    ] == [(gift_boxes[0].sku, 2)]

    result = get_graphql_content(
        api_client.post_graphql(TRANSFER, {"id": checkout_id})
    )["data"]["ociCheckoutTransfer"]
    assert [error["code"] for error in result["errors"]] == ["READ_ONLY_SESSION"]
    assert "inspect" in result["errors"][0]["message"]
    card = get_graphql_content(
        api_client.post_graphql(CARD_SET, {"checkoutId": checkout_id, "text": "x"})
    )["data"]["ociGreetingCardSet"]
    assert [error["code"] for error in card["errors"]] == ["READ_ONLY_SESSION"]
    assert not Transfer.objects.exists()
    # Closing it is allowed and sends nothing anywhere.
    closed = get_graphql_content(api_client.post_graphql(CANCEL, {"id": checkout_id}))[
        "data"
    ]["ociCheckoutCancel"]
    assert closed["errors"] == []
    assert closed["form"]["html"] == ""


def test_cancel_returns_an_empty_message_with_the_cookie(
    client, api_client, cxml_connection, gift_boxes
):
    cxml_connection.cxml_form_field = "cxml-base64"
    cxml_connection.save(update_fields=["cxml_form_field"])
    session = start_session(client, api_client, buyer_cookie="cancel-me")
    form = get_graphql_content(
        api_client.post_graphql(CANCEL, {"id": session["checkout"]["id"]})
    )["data"]["ociCheckoutCancel"]["form"]
    action, document = posted_message(form["html"], "cxml-base64")
    assert action == RETURN_URL
    assert dtd_errors(document) == []
    message = read_order_message(document)
    assert (message.buyer_cookie, message.lines, message.total) == (
        "cancel-me",
        (),
        Decimal(0),
    )


def test_the_base64_field_carries_the_same_message(
    client, api_client, cxml_connection, gift_boxes
):
    cxml_connection.cxml_form_field = "both"
    cxml_connection.save(update_fields=["cxml_form_field"])
    sent, _, plain = shop_cart(client, api_client, gift_boxes)
    _, decoded = posted_message(sent["html"], "cxml-base64")
    assert decoded == plain


HOSTILE = (
    b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<cXML>&x;</cXML>"
)


@pytest.mark.parametrize(
    ("body", "code", "text"),
    [
        pytest.param(
            lambda: setup_request(shared_secret="wrong"),
            401,
            "Unknown sender or wrong shared secret.",
            id="wrong secret",
        ),
        pytest.param(
            lambda: setup_request(identity="AN09999999999"),
            401,
            "Unknown sender or wrong shared secret.",
            id="unknown sender",
        ),
        pytest.param(
            lambda: setup_request(domain="DUNS"),
            401,
            "Unknown sender or wrong shared secret.",
            id="domain not allowed",
        ),
        pytest.param(
            lambda: setup_request(browser_form_post="https://evil.example/steal"),
            403,
            "BrowserFormPost/URL is not allowed",
            id="foreign form-post URL",
        ),
        pytest.param(
            lambda: setup_request(
                user=SetupUser(unique_name="NOBODY", email="staff@example.com")
            ),
            403,
            "cannot shop for this organisation",
            id="identity of someone else",
        ),
        pytest.param(
            lambda: setup_request(user=SetupUser(unique_name="NEWBIE")),
            400,
            "sent no e-mail address",
            id="unknown identity without e-mail",
        ),
        pytest.param(
            lambda: setup_request(operation="order"),
            400,
            "'order' is not one of create, edit, inspect",
            id="unknown operation",
        ),
        pytest.param(
            lambda: b"<cXML><Header>",
            400,
            "Not a readable cXML document: not well-formed XML",
            id="malformed",
        ),
        pytest.param(
            lambda: HOSTILE,
            400,
            "a document type declaration (DOCTYPE) is not accepted",
            id="hostile XML (XXE)",
        ),
    ],
)
def test_a_refused_setup_request_gets_a_cxml_status_and_no_session(
    client, cxml_connection, staff_user, body, code, text
):
    staff_user.email = "staff@example.com"
    staff_user.save(update_fields=["email"])
    response = client.post(SETUP_URL, body(), content_type="text/xml")
    assert response.status_code == 200
    status, start_page = read_setup_response(response.content)
    assert status.code == code
    assert text in status.text
    assert start_page == ""
    assert dtd_errors(response.content) == []
    assert not PunchoutSession.objects.exists()


def test_an_unknown_orderer_is_refused_where_the_connection_creates_none(
    client, cxml_connection
):
    cxml_connection.create_unknown_orderers = False
    cxml_connection.save(update_fields=["create_unknown_orderers"])
    status, _ = post_setup(client, setup_request())
    assert status.code == 403
    assert "invite you" in status.text
    assert not PunchoutSession.objects.exists()


def test_an_oci_only_connection_refuses_cxml_punch_out(client, cxml_connection):
    cxml_connection.protocol = "oci"
    cxml_connection.save(update_fields=["protocol"])
    status, _ = post_setup(client, setup_request())
    assert status.code == 403
    assert "not set up for cXML punch-out" in status.text
    assert not PunchoutSession.objects.exists()
