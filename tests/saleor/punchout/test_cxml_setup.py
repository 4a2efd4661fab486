"""cXML PunchOutSetupRequest at .../cxml/setup through HTTP: every refusal is a cXML
Status with a clear text and no session; edit re-opens the cart with the
request's quantities and supersedes the old transfer; inspect cannot change it."""

from decimal import Decimal

import pytest
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer
from saleor_oci_plugin.simulator.cxml import (
    SetupLine,
    SetupUser,
    build_order_request_from_messages,
    read_setup_response,
)
from saleor_oci_plugin.simulator.cxml import read_order_message as buyer_reads
from tests.core.punchout.dtd import dtd_errors
from tests.saleor.cxml_helpers import (
    BILL_TO,
    CANCEL,
    CARD_SET,
    IDENTITY,
    SECRET,
    SETUP_URL,
    TRANSFER,
    post_order,
    post_setup,
    posted_message,
    setup_request,
    shop_cart,
    start_session,
    transfer_cart,
)
from tests.saleor.invoices.conftest import (  # noqa: F401 (fixtures)
    SELLER,
    configure_plugin,
    staff,
    vat_21_percent,
)


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
