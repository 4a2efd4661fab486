"""Shared pieces of the cXML punch-out tests (saleor tier): a connection that
speaks cXML, two products (one with its own UNSPSC code), and the steps of a
punch-out through HTTP as Ariba or Coupa and the storefront take them."""

import base64
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
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.simulator.cxml import (
    SetupUser,
    build_punchout_setup_request,
    read_response,
    read_setup_response,
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
