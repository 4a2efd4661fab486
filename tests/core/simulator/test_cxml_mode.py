"""The simulator's cXML mode in-process, against a stand-in shop on 127.0.0.1 that
answers with the plugin's own cXML writers (setup response, order message, Status)."""

import base64
from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlencode

from saleor_oci_plugin.punchout.cxml_documents import (
    MessageLine,
    OrderMessage,
    build_order_message,
    build_setup_response,
    read_setup_request,
)
from saleor_oci_plugin.purchase_orders.cxml import build_response, read_order_request
from saleor_oci_plugin.simulator import Settings, SimulatorApp
from tests.core.punchout.dtd import dtd_errors

from .helpers import FORM_TYPE, call, follow

SETTINGS = Settings(
    shop_url="http://127.0.0.1:1",
    login="buyer",
    cxml_identity="AN01000000001",
    cxml_secret="cxml-secret-1234",
    hook_url_base="http://127.0.0.1:8800",
)
TRANSFER = "ab" * 16


def shop_message() -> bytes:
    return build_order_message(
        OrderMessage(
            buyer_cookie="cookie-9",
            currency="EUR",
            total=Decimal("62.50"),
            tax=Decimal("13.13"),
            lines=(
                MessageLine(
                    line_number=1,
                    quantity=Decimal(5),
                    sku="GB-1",
                    transfer_id=TRANSFER,
                    unit_price=Decimal("12.50"),
                    currency="EUR",
                    description="Geschenkdoos <Luxe>",
                    unit="EA",
                    classifications=(("UNSPSC", "10161600"), ("NZI", "4711")),
                    cost_centre="KP-1",
                    comments="Beterschap!",
                ),
            ),
        )
    )


def test_punch_out_sends_a_setup_request_and_opens_the_start_page(stub_shop):
    stub_shop.answer = lambda request: (
        200,
        "text/xml",
        build_setup_response("http://shop.example/punchout?oci_code=xyz"),
    )
    app = SimulatorApp(replace(SETTINGS, shop_url=stub_shop.url))

    result = call(
        app,
        "POST",
        "/cxml/punchout",
        body=urlencode({"email": "j@zo.example"}).encode(),
        content_type=FORM_TYPE,
    )

    assert result.status == 303
    assert result.header("Location") == "http://shop.example/punchout?oci_code=xyz"
    (sent,) = stub_shop.requests
    assert sent.path == "/plugins/global/oci.punchout/cxml/setup"
    assert dtd_errors(sent.body) == []
    request = read_setup_request(sent.body)
    assert request.browser_form_post == "http://127.0.0.1:8800/cxml/return"
    assert request.user_email == "j@zo.example"
    assert request.envelope.sender.shared_secret == "cxml-secret-1234"


def test_a_refused_setup_request_shows_the_shops_text(stub_shop):
    stub_shop.answer = lambda request: (
        200,
        "text/xml",
        build_response("", 401, "Unknown sender or wrong shared secret."),
    )
    app = SimulatorApp(replace(SETTINGS, shop_url=stub_shop.url))
    result = call(app, "POST", "/cxml/punchout", body=b"", content_type=FORM_TYPE)
    assert result.status == 400
    assert "401 Unknown sender or wrong shared secret." in result.text


def test_the_returned_message_is_shown_and_ordered_naming_the_transfer(stub_shop):
    stub_shop.answer = lambda request: (
        200,
        "text/xml",
        build_response("", 200, "Placed as order 17."),
    )
    app = SimulatorApp(replace(SETTINGS, shop_url=stub_shop.url))
    field = base64.b64encode(shop_message()).decode()

    page = follow(
        app,
        call(
            app,
            "POST",
            "/cxml/return",
            body=urlencode({"cxml-base64": field}).encode(),
            content_type=FORM_TYPE,
        ),
    )
    assert page.status == 200
    for text in ("cookie-9", "GB-1", "Geschenkdoos &lt;Luxe&gt;", "UNSPSC 10161600"):
        assert text in page.text

    ordered = follow(
        app,
        call(
            app,
            "POST",
            "/cxml/carts/1/order",
            body=urlencode({"token": app.form_token}).encode(),
            content_type=FORM_TYPE,
        ),
    )
    assert "Placed as order 17." in ordered.text
    assert "cxml-secret-1234" not in ordered.text  # the secret is masked
    (sent,) = stub_shop.requests
    assert sent.path == "/plugins/global/oci.punchout/orders/cxml"
    assert dtd_errors(sent.body) == []
    order = read_order_request(sent.body).purchase_order
    assert [(line.sku, line.quantity, line.transfer_id) for line in order.lines] == [
        ("GB-1", Decimal(5), TRANSFER)
    ]
    assert order.transfer_id == TRANSFER


def test_a_return_without_a_message_is_refused_clearly():
    app = SimulatorApp(SETTINGS)
    result = call(app, "POST", "/cxml/return", body=b"x=1", content_type=FORM_TYPE)
    assert result.status == 400
    assert "neither cxml-urlencoded nor cxml-base64" in result.text


def test_ordering_needs_the_pages_token():
    app = SimulatorApp(SETTINGS)
    call(
        app,
        "POST",
        "/cxml/return",
        body=urlencode({"cxml-urlencoded": shop_message().decode()}).encode(),
        content_type=FORM_TYPE,
    )
    result = call(
        app,
        "POST",
        "/cxml/carts/1/order",
        body=b"token=forged",
        content_type=FORM_TYPE,
    )
    assert result.status == 403
    assert app.cxml_carts.get(1).answers == []
