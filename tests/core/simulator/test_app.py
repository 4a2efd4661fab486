"""The simulator's pages, through its WSGI callable (no server, no shop)."""

import json
from dataclasses import replace
from urllib.parse import urlencode

import pytest

from saleor_oci_plugin.oci import OCIMapping, encode_cart, render_return_form
from saleor_oci_plugin.simulator import Settings, SimulatorApp

from .helpers import (
    FORM_TYPE,
    browser_body,
    call,
    follow,
    post_cart,
    return_form_fields,
    table,
    texts,
)
from .items import CART, GIFT_BOX, STEMS

SETTINGS = Settings(
    shop_url="http://127.0.0.1:8000",
    login="inkoop@ziekenhuis-oost.nl",
    password="geheim & <veilig>",
    app_token="app-token",
    connection_id="T2NpQ29ubmVjdGlvbjox",
    cxml_identity="AN01000000123",
    cxml_secret="cxml-secret",
)


@pytest.fixture
def app() -> SimulatorApp:
    return SimulatorApp(SETTINGS)


def punchin_form(result):
    # The OCI punch-in form (the cXML mode's form posts to the simulator itself).
    (form,) = result.document.xpath("//form[@action != '/cxml/punchout']")
    return form, dict(
        (field.get("name"), field.get("value")) for field in form.xpath(".//input")
    )


# ------------------------------------------------------------------ start page
def test_start_page_posts_the_punchin_to_the_shop(app):
    result = call(app, "GET", "/")

    assert result.status == 200
    assert result.header("Content-Type") == "text/html; charset=utf-8"
    form, fields = punchin_form(result)
    assert form.get("method") == "post"
    assert (
        form.get("action")
        == "http://127.0.0.1:8000/plugins/global/oci.punchout/punchin"
    )
    assert form.get("accept-charset") == "UTF-8"
    assert fields == {
        "USERNAME": "inkoop@ziekenhuis-oost.nl",
        "PASSWORD": "geheim & <veilig>",
        "HOOK_URL": "http://127.0.0.1:8800/hook",
        "~OKCODE": "ADDI",
        "~CALLER": "CTLG",
        "OCI_VERSION": "4.0",
    }
    (target,) = form.xpath('.//select[@name="~TARGET"]')
    assert target.value == "_top"
    # New window or the frame on this page, chosen by the button (no script).
    targets = {button.get("formtarget") for button in form.xpath(".//button")}
    assert targets == {"_blank", "oci-shop"}
    assert result.document.xpath('//iframe[@name="oci-shop"]')
    assert not result.document.xpath("//script")
    assert "script-src" not in result.header("Content-Security-Policy")
    # The password is posted, not shown.
    assert "geheim" not in texts(result.document)


def test_start_page_asks_the_shop_for_iso_8859_1(app):
    result = call(app, "GET", "/", query="charset=ISO-8859-1")

    form, fields = punchin_form(result)
    assert form.get("accept-charset") == "ISO-8859-1"
    assert fields["HTTP_CONTENT_CHARSET"] == "ISO-8859-1"
    # The hook URL tells the receiver which charset it asked for.
    assert fields["HOOK_URL"] == "http://127.0.0.1:8800/hook?charset=ISO-8859-1"


def test_start_page_uses_the_given_hook_url_base_and_target():
    app = SimulatorApp(
        Settings(
            login="buyer", hook_url_base="http://127.0.0.1:9100/", target="srm-frame"
        )
    )

    form, fields = punchin_form(call(app, "GET", "/"))

    assert fields["HOOK_URL"] == "http://127.0.0.1:9100/hook"
    (target,) = form.xpath('.//select[@name="~TARGET"]')
    assert target.value == "srm-frame"


def test_start_page_warns_without_login():
    result = call(SimulatorApp(Settings()), "GET", "/")

    assert "shop will refuse the punch-in" in texts(result.document)


def test_start_page_refuses_an_unknown_charset(app):
    result = call(app, "GET", "/", query="charset=utf-7")

    assert result.status == 400
    assert "utf-7" in texts(result.document)


# ------------------------------------------------------------- the hook URL
@pytest.mark.parametrize(
    ("charset", "query"),
    [("UTF-8", ""), ("ISO-8859-1", "charset=ISO-8859-1")],
)
def test_transferred_cart_becomes_a_requisition(app, charset, query):
    page = post_cart(app, CART, charset=charset, query=query)

    assert page.status == 200
    lines = table(page.document, "Lines")
    assert [line["Description"] for line in lines] == [
        "Kerstpakket Zoë & Söhne <XL>",
        "Tulpen, per steel",
    ]
    assert [line["Product (SKU)"] for line in lines] == ["KP-2026-XL", "TUL-100"]
    assert [line["Quantity"] for line in lines] == ["3", "200"]
    assert [line["Unit"] for line in lines] == ["PCE", "PCE"]
    assert [(line["Price"], line["Per"]) for line in lines] == [
        ("24.95", "1"),
        ("1.25", "100"),
    ]
    assert [line["Line total"] for line in lines] == ["74.85", "2.50"]
    assert [line["Currency"] for line in lines] == ["EUR", "EUR"]
    assert [line["NZI code (MATGROUP)"] for line in lines] == ["4411", "4420"]
    # The card text travels in the long text, after the product's own.
    assert lines[0]["Long text and card text"] == (
        "Inhoud: wijn, kaas, chocolade.\nFröhliche Weihnachten,\nAfdeling Inkoop"
    )
    text = texts(page.document)
    assert "0f9c2d7e5b8a4c1d9e6f3a2b1c0d4e5f" in text
    assert f"Charset read{charset}" in text
    assert "Total (net): 77.35 EUR" in text
    assert "replaced" not in text


def test_nzi_code_and_card_text_in_the_fields_the_connection_chose():
    mapping = OCIMapping.from_dict(
        {"nzi_field": "CUST_FIELD1", "card_text_field": "CUST_FIELD5"}
    )
    app = SimulatorApp(
        replace(SETTINGS, nzi_field="CUST_FIELD1", card_text_field="CUST_FIELD5")
    )
    body = browser_body(return_form_fields([GIFT_BOX], mapping=mapping))

    page = follow(app, call(app, "POST", "/hook", body=body, content_type=FORM_TYPE))

    (line,) = table(page.document, "Lines")
    assert line["NZI code (CUST_FIELD1)"] == "4411"
    # CUST_FIELD5 holds 50 characters: the encoder shortened the card text.
    assert line["Card text (CUST_FIELD5)"].startswith("Fröhliche Weihnachten,")
    assert line["Long text"] == "Inhoud: wijn, kaas, chocolade."


def test_charset_from_the_content_type_wins(app):
    page = post_cart(
        app,
        [GIFT_BOX],
        charset="ISO-8859-1",
        content_type=f"{FORM_TYPE}; charset=ISO-8859-1",
    )

    (line,) = table(page.document, "Lines")
    assert line["Description"] == "Kerstpakket Zoë & Söhne <XL>"


def test_a_form_read_in_the_wrong_charset_is_reported_not_hidden(app):
    # ISO-8859-1 bytes, but nothing says so: read as UTF-8, the umlauts break.
    page = post_cart(app, [GIFT_BOX], charset="ISO-8859-1")

    assert "not valid UTF-8" in texts(page.document)
    (line,) = table(page.document, "Lines")
    assert "\ufffd" in line["Description"]


def test_values_are_escaped(app):
    item = replace(GIFT_BOX, description="<script>alert(1)</script>")

    page = post_cart(app, [item])

    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert not page.document.xpath("//script")


def test_an_empty_form_is_a_cancelled_requisition(app):
    form = render_return_form(
        encode_cart([]).fields, hook_url="http://127.0.0.1:8800/hook", okcode="ADDI"
    )
    assert b"NEW_ITEM" not in form.body

    page = follow(
        app,
        call(
            app,
            "POST",
            "/hook",
            body=browser_body([("~OKCODE", "ADDI")]),
            content_type=FORM_TYPE,
        ),
    )

    assert "without a cart" in texts(page.document)
    assert not page.document.xpath('//form[contains(@action, "approve")]')


def test_an_unreadable_form_is_kept_with_its_problems(app):
    body = browser_body(
        [("NEW_ITEM-DESCRIPTION[1]", "Rozen"), ("NEW_ITEM-QUANTITY[1]", "veel")]
    )

    page = follow(app, call(app, "POST", "/hook", body=body, content_type=FORM_TYPE))

    text = texts(page.document)
    assert "could not be read" in text
    assert "'veel' is not a number" in text
    assert not page.document.xpath('//form[contains(@action, "approve")]')


def test_hook_refuses_what_is_not_a_form(app):
    result = call(app, "POST", "/hook", body=b"{}", content_type="application/json")

    assert result.status == 400
    assert "application/x-www-form-urlencoded" in texts(result.document)


def test_hook_needs_a_content_length(app):
    result = call(app, "POST", "/hook", content_length="")

    assert result.status == 411


def test_get_on_the_hook_explains_itself(app):
    result = call(app, "GET", "/hook")

    assert result.status == 405
    assert "posts the cart here" in texts(result.document)


def test_unknown_pages_are_404(app):
    assert call(app, "GET", "/nothing").status == 404
    assert call(app, "GET", "/requisitions/7").status == 404


def test_head_has_no_body(app):
    result = call(app, "HEAD", "/")

    assert result.status == 200
    assert result.body == b""
    assert int(result.header("Content-Length")) > 0


def test_requisitions_are_listed_newest_first(app):
    post_cart(app, [GIFT_BOX])
    post_cart(app, CART)

    rows = table(call(app, "GET", "/requisitions").document, "Requisitions")

    assert [row["Requisition"] for row in rows] == ["#2", "#1"]
    assert [row["Lines"] for row in rows] == ["2", "1"]
    assert rows[0]["Total (net)"] == "77.35 EUR"
    assert rows[0]["Status"] == "awaiting approval"
    assert all(row["PO number"].startswith("45") for row in rows)


# ------------------------------------------------------------------- approval
def approve(app, requisition_id=1, channel="graphql", token=None, cost_centre=""):
    body = urlencode(
        {
            "token": app.form_token if token is None else token,
            "channel": channel,
            "cost_centre": cost_centre,
        }
    ).encode()
    return call(
        app,
        "POST",
        f"/requisitions/{requisition_id}/approve",
        body=body,
        content_type=FORM_TYPE,
    )


@pytest.mark.parametrize("channel", ["graphql", "cxml"])
def test_approve_against_an_unreachable_shop_shows_a_clear_error(closed_port, channel):
    shop_url = f"http://127.0.0.1:{closed_port}"
    app = SimulatorApp(replace(SETTINGS, shop_url=shop_url))
    page = post_cart(app, CART)
    po_number = table(call(app, "GET", "/requisitions").document, "Requisitions")[0][
        "PO number"
    ]

    result = follow(app, approve(app, channel=channel))

    assert result.status == 200
    (answer,) = result.document.xpath('//div[contains(@class, "failed")]')
    text = answer.text_content()
    assert "Not delivered" in text
    assert f"The shop at {shop_url}" in text
    assert "could not be reached" in text
    assert "Traceback" not in result.text
    assert po_number in texts(page.document)
    assert "last sending failed" in texts(result.document)


def test_approve_needs_the_pages_token(app):
    post_cart(app, [GIFT_BOX])

    result = approve(app, token="forged")

    assert result.status == 403
    assert not app.store.get(1).answers


def test_approve_needs_a_channel(app):
    post_cart(app, [GIFT_BOX])

    assert approve(app, channel="fax").status == 400


def test_channels_without_settings_are_disabled():
    app = SimulatorApp(Settings(login="buyer"))
    page = post_cart(app, [GIFT_BOX])

    buttons = page.document.xpath('//form[contains(@action, "approve")]//button')
    assert [button.get("disabled") is not None for button in buttons] == [True, True]
    assert "needs --app-token and --connection-id" in texts(page.document)


def test_approve_sends_the_po_and_shows_the_shops_answer(stub_shop):
    app = SimulatorApp(replace(SETTINGS, shop_url=stub_shop.url))
    post_cart(app, CART)
    duplicates = iter([False, True])

    def answer(request):
        payload = {
            "duplicate": next(duplicates),
            "order": {"id": "T3JkZXI6MQ==", "number": "1017"},
            "errors": [],
        }
        body = json.dumps({"data": {"ociPurchaseOrderCreate": payload}})
        return 200, "application/json", body.encode()

    stub_shop.answer = answer

    first = follow(app, approve(app, cost_centre="KP-4711"))
    second = follow(app, approve(app))

    assert "Placed as shop order 1017" in texts(first.document)
    assert "ordered: shop order 1017" in texts(first.document)
    assert "Duplicate: already shop order 1017" in texts(second.document)
    sent = [request.json["variables"]["input"] for request in stub_shop.requests]
    # The same ERP number both times: that is what makes the second a duplicate.
    assert sent[0]["orderNumber"] == sent[1]["orderNumber"]
    assert sent[0]["lines"][0]["costCentre"] == "KP-4711"
    assert "costCentre" not in sent[1]["lines"][0]


def test_a_requisition_that_cannot_be_ordered_says_why(app):
    other = replace(STEMS, currency="USD")
    post_cart(app, [GIFT_BOX, other])

    page = follow(app, approve(app))

    assert "several currencies: EUR, USD" in texts(page.document)
