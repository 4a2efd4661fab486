"""The HTTP client against a stand-in shop on 127.0.0.1."""

import json
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from saleor_oci_plugin.purchase_orders.cxml import build_response, read_order_request
from saleor_oci_plugin.simulator import Settings
from saleor_oci_plugin.simulator.requisitions import OrderLine, Outcome, PurchaseOrder
from saleor_oci_plugin.simulator.shop import (
    PURCHASE_ORDER_MUTATION,
    ShopClient,
    graphql_input,
)

ORDER = PurchaseOrder(
    order_number="4512345678",
    transfer_id="0f9c2d7e5b8a4c1d9e6f3a2b1c0d4e5f",
    currency="EUR",
    order_date=date(2026, 11, 28),
    lines=(
        OrderLine(
            "10",
            "KP-2026-XL",
            Decimal("3.000"),
            unit="PCE",
            unit_price=Decimal("24.95"),
            description="Kerstpakket",
            nzi_code="4411",
        ),
        OrderLine("20", "TUL-100", Decimal(200), unit_price=Decimal("0.0125")),
    ),
)


def client_for(url: str, **changes) -> ShopClient:
    settings = Settings(
        shop_url=url,
        app_token="app-token-1",
        connection_id="T2NpQ29ubmVjdGlvbjox",
        cxml_identity="AN01000000123",
        cxml_secret="s3cr3t",
        timeout=5,
    )
    return ShopClient(replace(settings, **changes))


def placed(number: str = "1017", duplicate: bool = False) -> dict:
    return {
        "data": {
            "ociPurchaseOrderCreate": {
                "duplicate": duplicate,
                "order": {"id": "T3JkZXI6MQ==", "number": number},
                "errors": [],
            }
        }
    }


# ------------------------------------------------------------------- GraphQL
def test_graphql_po_is_sent_with_the_app_token(stub_shop):
    stub_shop.answer_json(placed())

    answer = client_for(stub_shop.url).send_by_graphql(ORDER)

    assert (answer.outcome, answer.order_number) == (Outcome.PLACED, "1017")
    assert answer.messages == ("Placed as order 1017.",)
    (request,) = stub_shop.requests
    assert request.path == "/graphql/"
    assert request.headers["Authorization"] == "Bearer app-token-1"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json["query"] == PURCHASE_ORDER_MUTATION
    assert request.json["variables"]["input"] == {
        "connection": "T2NpQ29ubmVjdGlvbjox",
        "orderNumber": "4512345678",
        "orderDate": "2026-11-28",
        "transferId": "0f9c2d7e5b8a4c1d9e6f3a2b1c0d4e5f",
        "currency": "EUR",
        "lines": [
            {
                "lineNumber": "10",
                "sku": "KP-2026-XL",
                "quantity": "3",
                "unit": "PCE",
                "unitPrice": "24.95",
                "nziCode": "4411",
                "description": "Kerstpakket",
            },
            {
                "lineNumber": "20",
                "sku": "TUL-100",
                "quantity": "200",
                "unitPrice": "0.0125",
            },
        ],
    }
    # The token is not part of what the page shows as sent.
    assert "app-token-1" not in answer.sent
    assert json.loads(answer.sent) == request.json["variables"]


def test_graphql_duplicate(stub_shop):
    stub_shop.answer_json(placed(duplicate=True))

    answer = client_for(stub_shop.url).send_by_graphql(ORDER)

    assert (answer.outcome, answer.order_number) == (Outcome.DUPLICATE, "1017")
    assert "already order 1017" in answer.messages[0]


def test_graphql_field_errors_are_listed(stub_shop):
    stub_shop.answer_json(
        {
            "data": {
                "ociPurchaseOrderCreate": {
                    "duplicate": None,
                    "order": None,
                    "errors": [
                        {
                            "field": "unitPrice",
                            "code": "PRICE_OUTSIDE_TOLERANCE",
                            "message": "0.02 per unit, the cart offered 0.0125",
                            "line": "20",
                        },
                        {
                            "field": "connection",
                            "code": "NOT_FOUND",
                            "message": "No active connection has this id.",
                            "line": None,
                        },
                    ],
                }
            }
        }
    )

    answer = client_for(stub_shop.url).send_by_graphql(ORDER)

    assert answer.outcome is Outcome.REFUSED
    assert answer.messages == (
        "unitPrice (line 20): [PRICE_OUTSIDE_TOLERANCE] 0.02 per unit, the cart "
        "offered 0.0125",
        "connection: [NOT_FOUND] No active connection has this id.",
    )


def test_graphql_request_errors_are_shown(stub_shop):
    stub_shop.answer_json(
        {
            "data": {"ociPurchaseOrderCreate": None},
            "errors": [
                {"message": "You need one of the following permissions: MANAGE_ORDERS"}
            ],
        }
    )

    answer = client_for(stub_shop.url).send_by_graphql(ORDER)

    assert answer.outcome is Outcome.REFUSED
    assert answer.messages == (
        "You need one of the following permissions: MANAGE_ORDERS",
    )


def test_an_answer_that_is_not_graphql_is_a_failure(stub_shop):
    stub_shop.answer = lambda request: (502, "text/html", b"<h1>Bad Gateway</h1>")

    answer = client_for(stub_shop.url).send_by_graphql(ORDER)

    assert answer.outcome is Outcome.FAILED
    assert "answered HTTP 502 without a GraphQL result" in answer.messages[0]
    assert "Bad Gateway" in answer.messages[0]


def test_a_redirect_is_not_followed(stub_shop):
    # A POST that follows a redirect arrives without its body: say so instead.
    stub_shop.answer = lambda request: (
        301,
        "Location: https://shop.example.invalid/graphql/",
        b"",
    )

    answer = client_for(stub_shop.url).send_by_graphql(ORDER)

    assert answer.outcome is Outcome.FAILED
    assert answer.messages == (
        f"{stub_shop.url}/graphql/ answered HTTP 301, a redirect to "
        "https://shop.example.invalid/graphql/; start the simulator with --shop-url "
        "set to the shop's own address.",
    )
    assert len(stub_shop.requests) == 1


def test_graphql_needs_its_settings(stub_shop):
    answer = client_for(stub_shop.url, app_token="").send_by_graphql(ORDER)

    assert answer.outcome is Outcome.FAILED
    assert "--app-token" in answer.messages[0]
    assert stub_shop.requests == []


def test_a_shop_that_does_not_answer_in_time(stub_shop):
    def slow(request):
        time.sleep(1.5)
        return 200, "application/json", b"{}"

    stub_shop.answer = slow

    answer = client_for(stub_shop.url, timeout=0.3).send_by_graphql(ORDER)

    assert answer.outcome is Outcome.FAILED
    assert answer.messages == (
        f"The shop at {stub_shop.url}/graphql/ did not answer within 0.3 seconds.",
    )


def test_graphql_input_leaves_out_empty_values():
    order = replace(ORDER, transfer_id="", lines=(OrderLine("10", "A", Decimal(1)),))

    data = graphql_input(order, "id")

    assert "transferId" not in data
    assert data["lines"] == [{"lineNumber": "10", "sku": "A", "quantity": "1"}]


# ---------------------------------------------------------------------- cXML
def cxml_answer(code: int, text: str, message: str):
    body = build_response("", code, text, message=message)
    return lambda request: (200, "text/xml; charset=utf-8", body)


def test_cxml_po_is_posted_to_the_shops_endpoint(stub_shop):
    stub_shop.answer = cxml_answer(200, "OK", "Placed as order 1017.")

    answer = client_for(stub_shop.url).send_by_cxml(ORDER)

    assert (answer.outcome, answer.order_number) == (Outcome.PLACED, "1017")
    (request,) = stub_shop.requests
    assert request.path == "/plugins/global/oci.punchout/orders/cxml"
    assert request.headers["Content-Type"] == "text/xml; charset=utf-8"
    document = read_order_request(request.body)
    assert document.sender.shared_secret == "s3cr3t"
    assert document.purchase_order.order_number == "4512345678"
    # The page shows the document, but not the secret.
    assert "s3cr3t" not in answer.sent
    assert "<SharedSecret>********</SharedSecret>" in answer.sent


def test_cxml_duplicate(stub_shop):
    stub_shop.answer = cxml_answer(
        200, "OK", "Duplicate: purchase order 4512345678 is already order 1017."
    )

    answer = client_for(stub_shop.url).send_by_cxml(ORDER)

    assert (answer.outcome, answer.order_number) == (Outcome.DUPLICATE, "1017")


@pytest.mark.parametrize(
    ("code", "text"), [(401, "Unauthorized"), (406, "Not Acceptable")]
)
def test_cxml_refusal(stub_shop, code, text):
    stub_shop.answer = cxml_answer(code, text, "line 20: sku: TUL-100 was not sold.")

    answer = client_for(stub_shop.url).send_by_cxml(ORDER)

    assert answer.outcome is Outcome.REFUSED
    assert answer.messages == (
        f"cXML status {code} {text}: line 20: sku: TUL-100 was not sold.",
    )


def test_cxml_http_error_with_plain_text(stub_shop):
    stub_shop.answer = lambda request: (
        400,
        "text/plain; charset=utf-8",
        b"Not a readable cXML document: not well-formed XML.",
    )

    answer = client_for(stub_shop.url).send_by_cxml(ORDER)

    assert answer.outcome is Outcome.REFUSED
    assert answer.messages[0] == (
        "HTTP 400: Not a readable cXML document: not well-formed XML."
    )


def test_cxml_needs_its_settings(stub_shop):
    answer = client_for(stub_shop.url, cxml_secret="").send_by_cxml(ORDER)

    assert answer.outcome is Outcome.FAILED
    assert "--cxml-secret" in answer.messages[0]
    assert stub_shop.requests == []


def test_unreachable_shop(closed_port):
    url = f"http://127.0.0.1:{closed_port}"

    answer = client_for(url).send_by_cxml(ORDER)

    assert answer.outcome is Outcome.FAILED
    assert answer.messages[0].startswith(
        f"The shop at {url}/plugins/global/oci.punchout/orders/cxml could not be "
        "reached:"
    )
    assert answer.sent  # what would have been sent is still shown
