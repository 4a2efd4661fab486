"""cXML punch-out documents: reading PunchOutSetupRequest, writing the setup
response and the PunchOutOrderMessage, each written document checked against the
cXML 1.2.014 DTD (tests/core/punchout/cxml-1.2.014-punchout.dtd, see its header
for where the declarations come from)."""

import base64
from decimal import Decimal

import pytest
from lxml import etree

from saleor_oci_plugin.punchout.cxml_documents import (
    CXMLSetupRequestError,
    MessageLine,
    OrderMessage,
    build_order_message,
    build_setup_response,
    form_fields,
    read_order_message,
    read_setup_request,
)
from saleor_oci_plugin.purchase_orders.cxml import build_response
from saleor_oci_plugin.safe_xml import UnsafeXMLError
from saleor_oci_plugin.simulator.cxml import (
    SetupLine,
    SetupUser,
    build_punchout_setup_request,
    read_setup_response,
)
from tests.core.punchout.dtd import dtd_errors

SHIP_TO = {
    "company": "Ziekenhuis Oost",
    "name": "Afdeling Inkoop",
    "street": "Ziekenhuisweg 1",
    "city": "Utrecht",
    "postcode": "3511 AA",
    "country": "NL",
    "country_name": "Nederland",
}


def setup_request(**overrides) -> bytes:
    values = {
        "identity": "AN01000000001",
        "shared_secret": "s3cret",
        "buyer_cookie": "cookie-1234",
        "browser_form_post": "https://buyer.example/punchout/return",
        "user": SetupUser(
            email="j.jansen@ziekenhuis.example",
            unique_name="JJANSEN",
            first_name="Jan",
            last_name="Jansen",
        ),
        "ship_to": SHIP_TO,
    }
    values.update(overrides)
    return build_punchout_setup_request(**values)


def test_the_simulators_setup_request_conforms_to_the_dtd():
    assert dtd_errors(setup_request()) == []
    edit = setup_request(
        operation="edit", lines=(SetupLine("GB-1", Decimal(3), "ab" * 16),)
    )
    assert dtd_errors(edit) == []


def test_reads_a_create_request_with_the_user_and_ship_to():
    request = read_setup_request(setup_request())
    assert request.operation == "create"
    assert request.buyer_cookie == "cookie-1234"
    assert request.browser_form_post == "https://buyer.example/punchout/return"
    assert request.envelope.from_credentials == (("NetworkID", "AN01000000001"),)
    assert request.envelope.sender.shared_secret == "s3cret"
    assert (request.user_email, request.user_id) == (
        "j.jansen@ziekenhuis.example",
        "JJANSEN",
    )
    assert (request.first_name, request.last_name) == ("Jan", "Jansen")
    assert request.contacts[0].role == "endUser"
    assert request.ship_to.city == "Utrecht"
    assert request.ship_to.country == "NL"
    assert request.ship_to.company == "Ziekenhuis Oost"
    assert request.items == ()


def test_the_contacts_email_stands_in_for_a_missing_user_email_extrinsic():
    body = setup_request(user=SetupUser(email="a@b.example")).replace(
        b'<Extrinsic name="UserEmail">a@b.example</Extrinsic>', b""
    )
    request = read_setup_request(body)
    assert request.extrinsics == {}
    assert request.user_email == "a@b.example"


def test_reads_the_item_out_lines_of_an_edit():
    request = read_setup_request(
        setup_request(
            operation="edit",
            lines=(
                SetupLine("GB-1", Decimal(3), "a" * 32),
                SetupLine("FL-2", Decimal("1"), "a" * 32),
            ),
        )
    )
    assert request.operation == "edit"
    assert [(item.sku, item.quantity, item.transfer_id) for item in request.items] == [
        ("GB-1", Decimal(3), "a" * 32),
        ("FL-2", Decimal(1), "a" * 32),
    ]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (
            (b'operation="create"', b'operation="order"'),
            "@operation",
            "unknown_operation",
        ),
        ((b'operation="create"', b""), "@operation", "unknown_operation"),
        (
            (b"<BuyerCookie>cookie-1234</BuyerCookie>", b""),
            "BuyerCookie",
            "missing_buyer_cookie",
        ),
        (
            (b"<URL>https://buyer.example/punchout/return</URL>", b"<URL></URL>"),
            "BrowserFormPost/URL",
            "missing_browser_form_post",
        ),
        (
            (b"PunchOutSetupRequest", b"ProfileRequest"),
            "cXML/Request",
            "not_a_setup_request",
        ),
    ],
)
def test_refuses_a_request_it_cannot_answer_with_every_problem(change, field, code):
    body = setup_request().replace(*change)
    with pytest.raises(CXMLSetupRequestError) as caught:
        read_setup_request(body)
    assert [(p.field.endswith(field), p.code) for p in caught.value.problems] == [
        (True, code)
    ]
    # The envelope is still read, so that the sender can be authenticated.
    assert caught.value.envelope.sender.shared_secret == "s3cret"


def test_an_inspect_needs_no_browser_form_post():
    request = read_setup_request(
        setup_request(operation="inspect", browser_form_post="")
    )
    assert request.operation == "inspect"
    assert request.browser_form_post == ""


def test_an_edit_line_without_a_sku_or_quantity_is_refused():
    body = setup_request(operation="edit", lines=(SetupLine("GB-1", Decimal(1)),))
    body = body.replace(b'quantity="1"', b'quantity="-2"').replace(b">GB-1<", b"><")
    with pytest.raises(CXMLSetupRequestError) as caught:
        read_setup_request(body)
    assert {p.code for p in caught.value.problems} == {"not_positive", "missing_sku"}


@pytest.mark.parametrize(
    "body",
    [
        b"<cXML><unclosed></cXML>",
        b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<cXML>&x;</cXML>",
        b'<!DOCTYPE cXML [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<cXML>&b;</cXML>",
        b"",
    ],
)
def test_hostile_or_malformed_xml_is_refused_before_anything_is_read(body):
    with pytest.raises(UnsafeXMLError):
        read_setup_request(body)


def test_a_document_that_is_not_cxml_is_refused():
    with pytest.raises(CXMLSetupRequestError) as caught:
        read_setup_request(b"<Order/>")
    assert caught.value.envelope is None


def test_the_setup_response_names_the_start_page_and_conforms_to_the_dtd():
    body = build_setup_response("https://shop.example/punchout?oci_code=a&b=c")
    assert dtd_errors(body) == []
    status, url = read_setup_response(body)
    assert (status.code, url) == (200, "https://shop.example/punchout?oci_code=a&b=c")


def test_a_status_response_conforms_to_the_dtd():
    assert dtd_errors(build_response("", 401, "Unknown sender.")) == []


def line(number: int = 1, **overrides) -> MessageLine:
    values = {
        "line_number": number,
        "quantity": Decimal(2),
        "sku": f"GB-{number}",
        "transfer_id": "f" * 32,
        "unit_price": Decimal("24.95"),
        "currency": "EUR",
        "description": "Geschenkdoos <Luxe> & \u20ac",
        "unit": "EA",
        "classifications": (("UNSPSC", "10161600"), ("NZI", "4711")),
        "manufacturer_part_id": "MPN-9",
        "manufacturer_name": "Bloemen BV",
        "lead_time_days": 2,
        "tax": Decimal("10.48"),
        "cost_centre": "KP-100",
        "comments": "Veel beterschap!\nTeam 3",
    }
    values.update(overrides)
    return MessageLine(**values)


def message(**overrides) -> OrderMessage:
    values = {
        "buyer_cookie": "cookie-1234",
        "currency": "EUR",
        "total": Decimal("49.90"),
        "tax": Decimal("10.48"),
        "from_credentials": (("NetworkID", "saleor-shop"),),
        "to_credentials": (("NetworkID", "AN01000000001"),),
        "lines": (line(),),
        "payload_id": "1@shop.example",
    }
    values.update(overrides)
    return OrderMessage(**values)


def test_the_order_message_conforms_to_the_dtd_and_reads_back_as_written():
    sent = message(lines=(line(1), line(2, lead_time_days=None, cost_centre="")))
    body = build_order_message(sent)
    assert dtd_errors(body) == []
    assert read_order_message(body) == sent


def test_a_cancelled_punch_out_is_an_empty_message_with_the_cookie():
    body = build_order_message(message(lines=(), total=Decimal(0), tax=None))
    assert dtd_errors(body) == []
    back = read_order_message(body)
    assert (back.buyer_cookie, back.lines, back.total) == (
        "cookie-1234",
        (),
        Decimal(0),
    )


def test_the_order_message_carries_no_shipping_and_the_header_in_dtd_order():
    root = etree.fromstring(build_order_message(message()))
    header = root.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader")
    assert [child.tag for child in header] == ["Total", "Tax"]
    assert header.get("operationAllowed") == "edit"
    assert root.find(".//Shipping") is None
    assert root.find(".//SharedSecret") is None  # the browser carries it


def test_the_dtd_check_catches_a_wrong_order_and_a_missing_attribute():
    body = build_order_message(message())
    root = etree.fromstring(body)
    detail = root.find(".//ItemDetail")
    detail.append(detail.find("UnitPrice"))  # UnitPrice moved to the end
    del root.find(".//PunchOutOrderMessageHeader").attrib["operationAllowed"]
    broken = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    errors = dtd_errors(broken)
    assert any("ItemDetail" in error for error in errors)
    assert any("operationAllowed" in error for error in errors)


def test_a_line_without_a_classification_cannot_be_written():
    with pytest.raises(ValueError, match="Classification"):
        build_order_message(message(lines=(line(classifications=()),)))


def test_the_form_fields_carry_the_document_url_encoded_or_base64():
    body = build_order_message(message())
    assert form_fields(body, "cxml-urlencoded") == (
        ("cxml-urlencoded", body.decode("utf-8")),
    )
    ((name, value),) = form_fields(body, "cxml-base64")
    assert (name, base64.b64decode(value)) == ("cxml-base64", body)
    assert [name for name, _ in form_fields(body, "both")] == [
        "cxml-urlencoded",
        "cxml-base64",
    ]
