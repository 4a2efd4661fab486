"""A punch-out cart with greeting cards, transferred and ordered through HTTP as
the storefront and the ERP do it (the round-trip tests' helpers)."""

import io
import types

import graphene
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.punchout.models import Transfer

from ..purchase_orders.documents import (
    ARIBA_IDENTITY,
    SHARED_SECRET,
    cxml_order_request,
)
from ..test_round_trip import TRANSFER, _add, _start_shopping

CXML_ORDERS_URL = "/plugins/global/oci.punchout/orders/cxml"

CARD_SET = """
mutation ($checkoutId: ID!, $text: String!, $lineId: ID, $withLogo: Boolean) {
  ociGreetingCardSet(
    checkoutId: $checkoutId, text: $text, lineId: $lineId, withLogo: $withLogo
  ) {
    errors { field code message }
  }
}
"""


def logo_png(width: int = 2400, height: int = 800) -> bytes:
    """A wide logo, far larger than 300 dpi needs on a card."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, height, height), fill=(30, 90, 160, 255))
    draw.rectangle((height + 50, height // 3, width, 2 * height // 3), fill="red")
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def give_logo(organisation) -> str:
    organisation.logo = default_storage.save(
        "oci-logos/ziekenhuis-oost.png", ContentFile(logo_png())
    )
    organisation.save(update_fields=["logo"])
    return organisation.logo


def set_card(api_client, checkout_id, text, line_id=None, with_logo=False) -> list:
    return get_graphql_content(
        api_client.post_graphql(
            CARD_SET,
            {
                "checkoutId": checkout_id,
                "text": text,
                "lineId": line_id,
                "withLogo": with_logo,
            },
        )
    )["data"]["ociGreetingCardSet"]["errors"]


def shop_with_cards(client, api_client, oci_connection, variants, cards) -> Transfer:
    """Punch in, add one of each variant, set ``cards`` ({line index or None:
    (text, with_logo)}), transfer; the transfer."""
    checkout_id = _start_shopping(client, api_client, oci_connection)
    lines = _add(
        api_client,
        checkout_id,
        [
            {
                "variantId": graphene.Node.to_global_id("ProductVariant", v.pk),
                "quantity": 1,
            }
            for v in variants
        ],
    )
    for index, (text, with_logo) in cards.items():
        line_id = None if index is None else lines[index]["id"]
        assert set_card(api_client, checkout_id, text, line_id, with_logo) == []
    sent = get_graphql_content(api_client.post_graphql(TRANSFER, {"id": checkout_id}))[
        "data"
    ]["ociCheckoutTransfer"]
    assert sent["errors"] == []
    return Transfer.objects.get(pk=sent["transfer"]["id"])


def allow_cxml_orders(oci_connection) -> None:
    oci_connection.cxml_identity = ARIBA_IDENTITY
    oci_connection.cxml_shared_secret = make_password(SHARED_SECRET)
    oci_connection.save()


def send_cxml_order(
    client, transfer, *, kind="new", lines=None, order_number="4500012345"
):
    """Send the PO for the transfer (or only its ``lines``, by index)."""
    if lines is not None:
        transfer = types.SimpleNamespace(
            reference=transfer.reference,
            currency=transfer.currency,
            snapshot=[transfer.snapshot[index] for index in lines],
        )
    response = client.post(
        CXML_ORDERS_URL,
        cxml_order_request(transfer, order_number, kind=kind),
        content_type="text/xml",
    )
    assert b'code="200"' in response.content, response.content
    return response
