"""The PunchOutOrderMessage form of a cXML session: cancel, and cxml-base64."""

from decimal import Decimal

from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.punchout.cxml_documents import read_order_message
from tests.core.punchout.dtd import dtd_errors
from tests.saleor.cxml_helpers import (
    CANCEL,
    RETURN_URL,
    posted_message,
    shop_cart,
    start_session,
)
from tests.saleor.invoices.conftest import (  # noqa: F401 (fixtures)
    SELLER,
    configure_plugin,
    staff,
    vat_21_percent,
)


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
