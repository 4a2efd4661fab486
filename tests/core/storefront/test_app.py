"""The storefront's WSGI app in-process, against an in-process stand-in for Saleor."""

import json
from urllib.parse import quote

import pytest

from saleor_oci_plugin import oci
from saleor_oci_plugin.storefront.app import RETURN_FORM_POLICY

from .helpers import (
    BRANCH_NOORD,
    CHECKOUT_ID,
    LINE_ID,
    PRODUCT_ID,
    VARIANT_ID,
    Browser,
    make_jwt,
)


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


def test_product_list_is_the_buyers_catalogue_with_escaped_names(browser):
    base = browser.punch_in()

    response = browser.get(base)

    assert response.status == 200
    products_call = browser.saleor.calls[-1]
    assert products_call.operation == "Products"
    # The plugin's catalogue: only the buyer's assortment, at net prices.
    assert products_call.variables["checkoutId"] == CHECKOUT_ID
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


def test_card_with_the_logo_is_set_and_shown(browser):
    base = browser.punch_in()
    token = browser.form_token(base)

    browser.post(
        base + "cart/card",
        {"form_token": token, "line": LINE_ID, "text": "Hallo", "with_logo": "1"},
    )
    call = browser.saleor.calls[-1]
    page = browser.get(base + "cart")

    assert call.variables["withLogo"] is True
    assert "Card text: Hallo (with our logo)" in page.text
    assert 'name="with_logo" value="1" checked' in page.text


def test_card_preview_answers_the_printed_card_and_its_problems(browser):
    base = browser.punch_in()
    image = "data:image/png;base64,iVBORw0KGgo="
    browser.saleor.handlers["CardPreview"] = lambda variables, token: {
        "data": {
            "ociGreetingCardPreview": {
                "image": image,
                "problems": [
                    {"code": "CARD_TEXT_TOO_LONG", "message": "Too long: line 2."}
                ],
            }
        }
    }

    response = browser.get(base + "cart/card-preview", "text=Hallo%0Awereld&logo=1")

    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    assert json.loads(response.body) == {
        "image": image,
        "problems": ["Too long: line 2."],
    }
    call = browser.saleor.calls[-1]
    assert call.operation == "CardPreview"
    assert call.variables == {
        "checkoutId": CHECKOUT_ID,
        "text": "Hallo\nwereld",
        "withLogo": True,
    }


def test_card_preview_refused_by_saleor_says_why(browser):
    base = browser.punch_in()
    browser.saleor.handlers["CardPreview"] = lambda variables, token: {
        "errors": [{"message": "Punch-out checkout not found."}]
    }

    response = browser.get(base + "cart/card-preview", "text=x")

    assert response.status == 422
    assert json.loads(response.body)["problems"] == ["Punch-out checkout not found."]


def test_the_cart_page_allows_only_its_card_preview_script(browser):
    base = browser.punch_in()

    policy = browser.get(base + "cart").header("Content-Security-Policy")

    assert "script-src 'sha256-" in policy
    assert "connect-src 'self'" in policy
    assert "img-src" in policy
    assert "data:" in policy
    (script_src,) = [part.strip() for part in policy.split(";") if "script-src" in part]
    assert script_src.startswith("script-src 'sha256-")
    assert "unsafe" not in script_src


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


# --- branch and cost centre on the cart page -------------------------------------


def _ordering_form(response):
    (form,) = [f for f in response.document.forms if f.action.endswith("/ordering")]
    return form


def test_cart_shows_the_orderer_and_the_current_branch_and_cost_centre(browser):
    base = browser.punch_in()

    response = browser.get(base + "cart")

    assert response.status == 200
    text = response.document.text_content()
    assert "Ordering as Jan de Vries <jan@ziekenhuis.example>" in text
    assert "Ordering for Locatie Noord, cost centre KP-4711" in text
    form = _ordering_form(response)
    assert dict(form.form_values())["form_token"] == browser.form_token(base)
    options = form.xpath(".//option")
    labels = [(o.getparent().get("label"), o.text, o.get("selected")) for o in options]
    assert labels == [
        ("Locatie Noord", "Locatie Noord: KP-4711 Keuken (default)", "selected"),
        ("Locatie Noord", "Locatie Noord: KP-4712 Zalen", None),
        ("Locatie Noord", "Locatie Noord: no cost centre", None),
        ("Locatie <Zuid>", "Locatie <Zuid>: no cost centre", None),
    ]
    assert "Locatie &lt;Zuid&gt;" in response.text
    ordering_call = browser.saleor.calls[-1]
    assert ordering_call.operation == "Ordering"
    assert ordering_call.variables == {"checkoutId": CHECKOUT_ID}


def test_choosing_a_cost_centre_posts_ordering_set(browser):
    base = browser.punch_in()

    response = browser.post(
        base + "cart/ordering",
        {"form_token": browser.form_token(base), "choice": f"{BRANCH_NOORD} KP-4712"},
    )

    assert response.status == 303
    (call,) = [c for c in browser.saleor.calls if c.operation == "OrderingSet"]
    assert call.variables == {
        "id": CHECKOUT_ID,
        "branch": BRANCH_NOORD,
        "costCentre": "KP-4712",
    }


def test_refused_cost_centre_is_shown_beside_the_choice(browser):
    base = browser.punch_in()
    browser.saleor.answer(
        "OrderingSet",
        {
            "errors": [
                _problem("INVALID", "Cost centre 'X' is not one of the branch's.",
                         "costCentre")
            ]
        },
    )  # fmt: skip

    response = browser.post(
        base + "cart/ordering",
        {"form_token": browser.form_token(base), "choice": f"{BRANCH_NOORD} X"},
    )

    assert response.status == 422
    errors = _ordering_form(response).find_class("field-error")
    assert [e.text_content() for e in errors] == [
        "Cost centre 'X' is not one of the branch's."
    ]
    # Not repeated in the box above the cart.
    assert not response.document.xpath("//div[@role='alert']")


def test_empty_choice_is_refused_before_saleor(browser):
    base = browser.punch_in()
    response = browser.post(
        base + "cart/ordering", {"form_token": browser.form_token(base), "choice": ""}
    )
    assert response.status == 400
    assert "OrderingSet" not in browser.saleor.operations()


def test_ordering_form_needs_the_sessions_form_token(browser):
    base = browser.punch_in()
    response = browser.post(
        base + "cart/ordering", {"choice": f"{BRANCH_NOORD} KP-4712"}
    )
    assert response.status == 403


# --- product pictures from Saleor's media ----------------------------------------


def _products_with_pictures(variables, token):
    """The buyer's catalogue (ociCatalogue) with Saleor's thumbnails."""
    return {
        "data": {
            "ociCatalogue": {
                "edges": [
                    {
                        "node": {
                            "id": PRODUCT_ID,
                            "name": "Zorgpakket",
                            "product": {
                                "thumbnail": {
                                    "url": "https://media.example:8443/thumbnails/a.png",
                                    "alt": "Een <mand>",
                                }
                            },
                            "variants": [],
                        }
                    },
                    {
                        "node": {
                            "id": "UHJvZHVjdDoy",
                            "name": "Rozen",
                            "product": {
                                "thumbnail": {"url": "javascript:alert(1)", "alt": ""}
                            },
                            "variants": [],
                        }
                    },
                ]
            }
        }
    }


def test_listing_shows_saleors_thumbnails_and_allows_only_their_origin(browser):
    browser.saleor.handlers["Products"] = _products_with_pictures
    base = browser.punch_in()

    response = browser.get(base)

    images = response.document.xpath("//img")
    assert [(i.get("src"), i.get("alt")) for i in images] == [
        ("https://media.example:8443/thumbnails/a.png", "Een <mand>")
    ]
    policy = response.header("Content-Security-Policy")
    assert policy.endswith("; img-src https://media.example:8443")
    assert "default-src 'none'" in policy
    assert "javascript" not in response.text
    assert "thumbnail(size: 128)" in _query_of(browser, "Products")


def _query_of(browser, operation):
    from saleor_oci_plugin.storefront import shop

    return {"Products": shop.PRODUCTS, "Product": shop.PRODUCT}[operation]


def test_product_page_shows_the_product_and_variant_pictures(browser):
    product = {
        "id": PRODUCT_ID,
        "name": "Zorgpakket",
        "seoDescription": "",
        "thumbnail": {"url": "http://127.0.0.1:8000/thumbnail/UHJv/512/", "alt": ""},
        "variants": [
            {
                "id": VARIANT_ID,
                "name": "Groot",
                "sku": "GB-1",
                "media": [{"url": "https://cdn.example/v.webp", "alt": "groot"}],
                "pricing": None,
            }
        ],
    }
    browser.saleor.handlers["Product"] = lambda variables, token: {
        "data": {"product": product}
    }
    base = browser.punch_in()

    response = browser.get(base + "product/" + quote(PRODUCT_ID, safe=""))

    assert response.status == 200
    sources = [i.get("src") for i in response.document.xpath("//img")]
    assert sources == [
        "http://127.0.0.1:8000/thumbnail/UHJv/512/",
        "https://cdn.example/v.webp",
    ]
    assert response.header("Content-Security-Policy").endswith(
        "; img-src http://127.0.0.1:8000 https://cdn.example"
    )


def test_pages_without_pictures_allow_no_images(browser):
    base = browser.punch_in()
    response = browser.get(base)
    assert "img-src" not in response.header("Content-Security-Policy")
    # No empty picture column either.
    headings = [th.text for th in response.document.iter("th")]
    assert headings == ["Product", "Price (excl. VAT)"]


def test_listing_has_a_picture_column_when_one_has_a_picture(browser):
    browser.saleor.handlers["Products"] = _products_with_pictures
    base = browser.punch_in()
    headings = [th.text for th in browser.get(base).document.iter("th")]
    assert headings == ["Picture", "Product", "Price (excl. VAT)"]


def test_cart_still_shows_when_the_ordering_cannot_be_read(browser):
    browser.saleor.handlers["Ordering"] = lambda variables, token: {
        "data": {"ociSession": None},
        "errors": [{"message": "The shop could not read the session."}],
    }
    base = browser.punch_in()

    response = browser.get(base + "cart")

    assert response.status == 422
    assert "The shop could not read the session." in response.text
    assert "XMAS-1" in response.text  # the cart's line
    assert not [f for f in response.document.forms if f.action.endswith("/ordering")]


def test_line_outside_the_assortment_is_shown_refused_on_the_product_page(browser):
    base = browser.punch_in()
    browser.saleor.answer(
        "LinesAdd",
        {
            "errors": [
                _problem(
                    "NOT_IN_ASSORTMENT",
                    "Kerstpakket (SKU XMAS-1) is not in your assortment.",
                    "lines",
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
            "quantity": "1",
        },
    )

    assert response.status == 422
    assert "Kerstpakket (SKU XMAS-1) is not in your assortment." in response.text
    assert "LinesAdd" in browser.saleor.operations()


def test_cart_page_shows_what_is_left_of_the_budgets(browser):
    base = browser.punch_in()

    response = browser.get(base + "cart")

    assert "Budget: EUR 412.00 of EUR 1,000.00 left in December 2026" in response.text


def test_transfer_over_a_soft_budget_shows_the_warning_before_sending(browser):
    base = browser.punch_in()
    browser.saleor.answer(
        "Transfer",
        {
            "transfer": {
                "id": "abc",
                "html": RETURN_FORM_WITH_SCRIPT,
                "budgetWarnings": [
                    "Budget 'Kerst': EUR 20.00 of EUR 20.00 left in December "
                    "2026, this cart is <EUR 25.00>."
                ],
            },
            "errors": [],
        },
    )

    response = browser.post(base + "transfer", {"form_token": browser.form_token(base)})

    assert response.status == 200
    assert "Over budget" in response.text
    assert "this cart is &lt;EUR 25.00&gt;." in response.text
    assert "HTMLFormElement.prototype.submit" not in response.text
    assert "<noscript>" not in response.text
    assert '<button type="submit">' in response.text
    assert 'name="NEW_ITEM-DESCRIPTION[1]"' in response.text


RETURN_FORM_WITH_SCRIPT = oci.render_return_form(
    [("NEW_ITEM-DESCRIPTION[1]", "Gift box")], hook_url="https://srm.example/hook"
).body.decode()


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
