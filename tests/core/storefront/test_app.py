"""The storefront's WSGI app in-process, against an in-process stand-in for Saleor."""

from urllib.parse import quote

import pytest

from saleor_oci_plugin.storefront.app import RETURN_FORM_POLICY

from .helpers import LINE_ID, PRODUCT_ID, VARIANT_ID, Browser, make_jwt


@pytest.fixture
def browser() -> Browser:
    return Browser()


def _problem(code: str, message: str, field: str | None = None) -> dict:
    return {"field": field, "code": code, "message": message}


def test_punch_in_opens_a_session_in_the_path_and_sets_no_cookie(browser):
    base = browser.punch_in("code-123")

    assert base.startswith("/s/")
    assert base.endswith("/")
    session = browser.sessions.get(base.split("/")[2])
    assert session is not None
    assert session.refresh_token == "refresh-1"
    assert browser.saleor.calls[0].variables == {"code": "code-123"}
    assert browser.saleor.calls[0].token is None
    assert all(
        name.lower() != "set-cookie"
        for response in browser.responses
        for name, _ in response.headers
    )


def test_two_punch_ins_get_two_sessions(browser):
    assert browser.punch_in("first") != browser.punch_in("second")
    assert len(browser.sessions) == 2


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("CODE_USED", "This punch-in code was already used."),
        ("CODE_EXPIRED", "This punch-in code has expired."),
        ("CODE_INVALID", "Unknown punch-in code."),
    ],
)
def test_refused_code_shows_the_plugins_message(browser, code, message):
    browser.saleor.answer(
        "OciSessionTokenCreate", {"errors": [_problem(code, message, "code")]}
    )

    response = browser.get("/punchout", "oci_code=used")

    assert response.status == 403
    assert message in response.text
    assert code in response.text
    assert len(browser.sessions) == 0


def test_punchout_without_a_code_says_so(browser):
    response = browser.get("/punchout")
    assert response.status == 400
    assert "oci_code" in response.text
    assert browser.saleor.calls == []


def test_product_list_is_the_checkout_channels_with_escaped_names(browser):
    base = browser.punch_in()

    response = browser.get(base)

    assert response.status == 200
    products_call = browser.saleor.calls[-1]
    assert products_call.operation == "Products"
    assert products_call.variables["channel"] == "oci-demo"
    assert products_call.token == browser.sessions.get(base.split("/")[2]).token
    assert "Kerstpakket &lt;Groot&gt; &amp; «Luxe»" in response.text
    assert "<Groot>" not in response.text
    assert "EUR 42.50" in response.text
    (link,) = [
        a.get("href")
        for a in response.document.iter("a")
        if "/product/" in a.get("href", "")
    ]
    assert link == base + "product/" + quote(PRODUCT_ID, safe="")
    assert response.header("Content-Type") == "text/html; charset=utf-8"


def test_channel_is_asked_once_per_session(browser):
    base = browser.punch_in()
    browser.get(base)
    browser.get(base)
    assert browser.saleor.operations().count("CheckoutChannel") == 1


def test_product_page_routes_a_base64_id_with_slash_and_plus(browser):
    base = browser.punch_in()

    # wsgiref hands the path over decoded, as here.
    response = browser.get(base + "product/" + PRODUCT_ID)

    assert response.status == 200
    assert browser.saleor.calls[-1].variables["id"] == PRODUCT_ID
    assert "Een mand vol &lt;b&gt;lekkers&lt;/b&gt;" in response.text
    (form,) = response.document.forms
    assert form.action == base + "cart/add"
    assert dict(form.form_values())["variant"] == VARIANT_ID
    assert dict(form.form_values())["form_token"] == browser.form_token(base)


def test_product_id_still_quoted_in_the_path_is_decoded(browser):
    base = browser.punch_in()
    response = browser.get(base + "product/" + quote(PRODUCT_ID, safe=""))
    assert response.status == 200
    assert browser.saleor.calls[-1].variables["id"] == PRODUCT_ID


def test_unknown_product_is_not_found(browser):
    base = browser.punch_in()
    assert browser.get(base + "product/UHJvZHVjdDo5OTk=").status == 404


def test_add_to_cart_posts_lines_add_and_redirects_to_the_cart(browser):
    base = browser.punch_in()

    response = browser.post(
        base + "cart/add",
        {
            "form_token": browser.form_token(base),
            "variant": VARIANT_ID,
            "product": PRODUCT_ID,
            "quantity": "3",
        },
    )

    assert (response.status, response.header("Location")) == (303, base + "cart")
    call = browser.saleor.calls[-1]
    assert call.operation == "LinesAdd"
    assert call.variables["lines"] == [{"variantId": VARIANT_ID, "quantity": 3}]


def test_post_without_the_sessions_form_token_is_refused(browser):
    base = browser.punch_in()
    before = len(browser.saleor.calls)

    for token in ("", "forged"):
        response = browser.post(
            base + "transfer", {"form_token": token} if token else {}
        )
        assert response.status == 403

    assert len(browser.saleor.calls) == before


def test_form_token_of_another_session_is_refused(browser):
    first, second = browser.punch_in("a"), browser.punch_in("b")
    response = browser.post(
        second + "cart/remove", {"form_token": browser.form_token(first), "line": "x"}
    )
    assert response.status == 403


def test_insufficient_stock_is_shown_on_the_product_page(browser):
    base = browser.punch_in()
    browser.saleor.answer(
        "LinesAdd",
        {
            "errors": [
                _problem(
                    "INSUFFICIENT_STOCK",
                    "Could not add items <XMAS-1>. Only 2 remaining in stock.",
                    "quantity",
                )
            ]
        },
    )

    response = browser.post(
        base + "cart/add",
        {
            "form_token": browser.form_token(base),
            "variant": VARIANT_ID,
            "product": PRODUCT_ID,
            "quantity": "9",
        },
    )

    assert response.status == 422
    assert "INSUFFICIENT_STOCK" in response.text
    assert "Could not add items &lt;XMAS-1&gt;. Only 2 remaining" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "10000", ""])
def test_bad_quantity_is_refused_before_saleor(browser, quantity):
    base = browser.punch_in()
    before = len(browser.saleor.calls)
    response = browser.post(
        base + "cart/update",
        {"form_token": browser.form_token(base), "line": LINE_ID, "quantity": quantity},
    )
    assert response.status == 400
    assert len(browser.saleor.calls) == before


def test_cart_page_lists_lines_with_update_remove_card_and_transfer_forms(browser):
    base = browser.punch_in()

    response = browser.get(base + "cart")

    assert response.status == 200
    assert "XMAS-1" in response.text
    assert "EUR 85.00" in response.text
    actions = [form.action for form in response.document.forms]
    for action in ("cart/update", "cart/remove", "cart/card", "transfer", "cancel"):
        assert base + action in actions
    token = browser.form_token(base)
    assert all(
        dict(form.form_values()).get("form_token") == token
        for form in response.document.forms
    )


def test_update_and_remove_send_the_line(browser):
    base = browser.punch_in()
    token = browser.form_token(base)

    browser.post(
        base + "cart/update", {"form_token": token, "line": LINE_ID, "quantity": "5"}
    )
    update = browser.saleor.calls[-1]
    browser.post(base + "cart/remove", {"form_token": token, "line": LINE_ID})
    remove = browser.saleor.calls[-1]

    assert update.variables["lines"] == [{"lineId": LINE_ID, "quantity": 5}]
    assert remove.variables["linesIds"] == [LINE_ID]


def test_card_text_for_a_line_and_for_the_cart_is_set_and_shown(browser):
    base = browser.punch_in()
    token = browser.form_token(base)

    line = browser.post(
        base + "cart/card",
        {"form_token": token, "line": LINE_ID, "text": "Beterschap! <Team> Noord"},
    )
    line_call = browser.saleor.calls[-1]
    whole = browser.post(
        base + "cart/card", {"form_token": token, "text": "Fijne dagen"}
    )
    whole_call = browser.saleor.calls[-1]
    page = browser.get(base + "cart")

    assert (line.status, whole.status) == (303, 303)
    assert line_call.variables["lineId"] == LINE_ID
    assert line_call.variables["text"] == "Beterschap! <Team> Noord"
    assert whole_call.variables["lineId"] is None
    assert "Card text: Beterschap! &lt;Team&gt; Noord" in page.text
    assert "Card text: Fijne dagen" in page.text


def test_transfer_serves_the_oci_form_as_the_page_and_closes_the_session(browser):
    base = browser.punch_in()

    response = browser.post(base + "transfer", {"form_token": browser.form_token(base)})

    assert response.status == 200
    assert b'name="NEW_ITEM-DESCRIPTION[1]"' in response.body
    assert response.header("Content-Security-Policy") == RETURN_FORM_POLICY
    assert "sha256-" in RETURN_FORM_POLICY
    assert response.header("Content-Type") == "text/html; charset=UTF-8"
    closed = browser.get(base + "cart")
    assert closed.status == 410
    assert "sent back to your procurement system" in closed.text


def test_transfer_in_a_latin_1_session_is_served_in_latin_1(browser):
    page = (
        '<!DOCTYPE html><html><head><meta charset="ISO-8859-1"></head><body>'
        '<form id="oci-return"><input name="NEW_ITEM-DESCRIPTION[1]" value="Blumen für'
        ' Kühe"></form></body></html>'
    )
    browser.saleor.answer(
        "Transfer", {"transfer": {"id": "x", "html": page}, "errors": []}
    )
    base = browser.punch_in()

    response = browser.post(base + "transfer", {"form_token": browser.form_token(base)})

    assert response.header("Content-Type") == "text/html; charset=ISO-8859-1"
    assert "für Kühe".encode("latin-1") in response.body


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("EMPTY_CART", "The cart is empty: add something before transferring it."),
        ("SESSION_EXPIRED", "This punch-out session has expired."),
    ],
)
def test_transfer_refusal_is_shown_on_the_cart_page(browser, code, message):
    browser.saleor.answer(
        "Transfer", {"transfer": None, "errors": [_problem(code, message, "id")]}
    )
    base = browser.punch_in()

    response = browser.post(base + "transfer", {"form_token": browser.form_token(base)})

    assert response.status == 422
    assert code in response.text
    assert message in response.text
    assert browser.get(base + "cart").status == 200  # still open: buyer can fix it


def test_cancel_serves_the_empty_form(browser):
    base = browser.punch_in()
    response = browser.post(base + "cancel", {"form_token": browser.form_token(base)})
    assert response.status == 200
    assert browser.saleor.calls[-1].operation == "Cancel"
    assert browser.get(base).status == 410


def test_unknown_session_and_unknown_page(browser):
    assert browser.get("/s/" + "x" * 32 + "/").status == 404
    assert "procurement system" in browser.get("/s/" + "x" * 32 + "/cart").text
    assert browser.get("/nothing").status == 404
    base = browser.punch_in()
    assert browser.get(base + "nothing").status == 404


def test_wrong_methods_are_refused(browser):
    base = browser.punch_in()
    assert browser.post("/punchout", {}).status == 405
    assert browser.get(base + "transfer").status == 405
    assert (
        browser.post(base + "cart", {"form_token": browser.form_token(base)}).status
        == 405
    )


def test_top_level_graphql_error_is_a_page_not_a_traceback(browser):
    base = browser.punch_in()
    browser.saleor.handlers["Products"] = lambda variables, token: {
        "data": None,
        "errors": [{"message": "Variable '$channel' got invalid value <x>."}],
    }
    response = browser.get(base)
    assert response.status == 422
    assert "Variable &#x27;$channel&#x27; got invalid value &lt;x&gt;." in response.text


def test_unexpected_failure_is_a_page_without_details(browser, caplog):
    base = browser.punch_in()

    def broken(variables, token):
        raise RuntimeError("secret detail")

    browser.saleor.handlers["Checkout"] = broken
    response = browser.get(base + "cart")
    assert response.status == 500
    assert "secret detail" not in response.text
    assert "secret detail" in caplog.text


def test_every_response_has_no_cookie_and_no_referrer(browser):
    base = browser.punch_in()
    token = browser.form_token(base)
    browser.get(base)
    browser.get(base + "product/" + PRODUCT_ID)
    browser.get(base + "cart")
    browser.post(
        base + "cart/add", {"form_token": token, "variant": VARIANT_ID, "quantity": "1"}
    )
    browser.post(base + "cart/card", {"form_token": token, "text": "x"})
    browser.post(base + "transfer", {"form_token": token})
    browser.get("/nothing")

    assert len(browser.responses) == 8
    for response in browser.responses:
        names = {name.lower() for name, _ in response.headers}
        assert "set-cookie" not in names
        assert response.header("Referrer-Policy") == "no-referrer"


def _inspect_session(browser) -> str:
    browser.saleor.answer(
        "OciSessionTokenCreate",
        {
            "token": make_jwt(4_000_000_000),
            "refreshToken": "refresh-1",
            "session": {
                "expiresAt": "2096-01-01T12:00:00+00:00",
                "operation": "inspect",
            },
            "checkout": {"id": "Q2hlY2tvdXQ6MQ=="},
            "errors": [],
        },
    )
    return browser.punch_in("inspect-code")


def test_an_inspect_session_shows_the_cart_read_only(browser):
    base = _inspect_session(browser)
    assert browser.sessions.get(base.split("/")[2]).operation == "inspect"

    page = browser.get(base)  # the start page is the cart itself
    assert page.status == 200
    assert "read-only" in page.text
    assert "XMAS-1" in page.text
    for action in ("cart/update", "cart/remove", "cart/card", "transfer", "cart/add"):
        assert f"{base}{action}" not in page.text
    assert f"{base}cancel" in page.text

    calls = len(browser.saleor.calls)
    for action in ("cart/add", "cart/update", "transfer", "cart/card"):
        refused = browser.post(base + action, {"form_token": browser.form_token(base)})
        assert refused.status == 403
        assert "cannot be changed" in refused.text
    assert len(browser.saleor.calls) == calls  # nothing reached Saleor


def test_closing_an_inspect_without_a_return_url_ends_the_session(browser):
    base = _inspect_session(browser)
    browser.saleor.answer("Cancel", {"form": {"html": ""}, "errors": []})
    closed = browser.post(base + "cancel", {"form_token": browser.form_token(base)})
    assert closed.status == 200
    assert "You can close this window" in closed.text
    assert browser.get(base).status == 410
