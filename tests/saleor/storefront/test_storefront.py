"""The storefront against a real Saleor served over HTTP (pytest-django's live server).

Punch-in POST to Saleor -> redirect into the storefront (run in-process here) ->
product list -> two products added -> a card text -> transfer: the page is the OCI
form, whose fields decode to the two lines and the card text.
"""

import urllib.error
import urllib.request
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.db import connections
from lxml import html as lxml_html

from saleor_oci_plugin import oci
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer
from saleor_oci_plugin.storefront import Settings, StorefrontApp

from ..fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL

PUNCHIN_PATH = "/plugins/global/oci.punchout/punchin"
# The storefront runs in-process; this is only the address Saleor redirects to.
STOREFRONT_URL = "http://127.0.0.1:3999"
CARD_TEXT = "Beterschap! Team Noord, groeten uit Zürich"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _punch_in(saleor_url: str) -> str:
    """POST the punch-in form as the ERP's browser does; the redirect's Location."""
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _NoRedirects()
    )
    body = urlencode(
        {
            "USERNAME": BUYER_LOGIN,
            "PASSWORD": BUYER_PASSWORD,
            "HOOK_URL": HOOK_URL,
            "~OKCODE": "ADDI",
            "~TARGET": "_top",
            "~CALLER": "CTLG",
        }
    ).encode()
    request = urllib.request.Request(saleor_url + PUNCHIN_PATH, data=body)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=60)
    assert redirect.value.code == 303
    return redirect.value.headers["Location"]


class Browser:
    """Calls the storefront's WSGI app in-process and follows its redirects."""

    def __init__(self, app: StorefrontApp) -> None:
        self.app = app

    def request(
        self, method: str, url: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        body = urlencode(form or {}).encode()
        environ: dict[str, Any] = {}
        setup_testing_defaults(environ)
        environ.update(
            REQUEST_METHOD=method,
            PATH_INFO=unquote(parts.path),  # as wsgiref does
            QUERY_STRING=parts.query,
            CONTENT_TYPE="application/x-www-form-urlencoded",
            CONTENT_LENGTH=str(len(body)),
        )
        environ["wsgi.input"] = BytesIO(body)
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            seen["status"] = int(status.split()[0])
            seen["headers"] = headers

        content = b"".join(self.app(environ, start_response))
        names = [name.lower() for name, _ in seen["headers"]]
        assert "set-cookie" not in names  # the session travels in the path only
        return seen["status"], dict(seen["headers"]), content

    def follow(self, method: str, url: str, form: dict[str, str] | None = None):
        status, headers, content = self.request(method, url, form)
        if status == 303:
            status, headers, content = self.request("GET", headers["Location"])
        assert status == 200, content.decode("utf-8", errors="replace")
        return headers, content

    def submit(self, form: lxml_html.FormElement, **values: str):
        fields = dict(form.form_values())
        fields.update(values)
        return self.follow("POST", form.action, fields)


@pytest.fixture
def replica_in_server_threads(monkeypatch):
    """Let the live server's request threads read the test database as the replica.

    Saleor's tests make the replica a view of the default connection in the main
    thread only (``prepare_test_db_connections``); the live server answers each
    request in a new thread, whose replica connection would open the non-test
    database. Pointing the replica's settings at the test database gives those
    threads a real second connection to it: with ``transaction=True`` every write
    is committed, so it sees what the test wrote.
    """
    test_name = connections[settings.DATABASE_CONNECTION_DEFAULT_NAME].settings_dict[
        "NAME"
    ]
    monkeypatch.setitem(
        connections.settings[settings.DATABASE_CONNECTION_REPLICA_NAME],
        "NAME",
        test_name,
    )


def _page(content: bytes) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(content)


@pytest.mark.django_db(transaction=True)
def test_storefront_round_trip_against_live_saleor(
    live_server, replica_in_server_threads, oci_connection, product_list
):
    oci_connection.storefront_url = STOREFRONT_URL + "/punchout"
    oci_connection.save(update_fields=["storefront_url"])
    browser = Browser(StorefrontApp(Settings(saleor_url=live_server.url, timeout=60)))

    location = _punch_in(live_server.url)
    assert location.startswith(STOREFRONT_URL + "/punchout?oci_code=")
    _headers, listing = browser.follow("GET", location)

    names = {product.name for product in product_list}
    links = {
        link.text_content(): link.get("href")
        for link in _page(listing).iter("a")
        if "/product/" in (link.get("href") or "")
    }
    assert names <= set(links)
    chosen = product_list[:2]
    for quantity, product in zip((3, 1), chosen, strict=True):
        _headers, product_page = browser.follow("GET", links[product.name])
        (add_form,) = _page(product_page).forms
        browser.submit(add_form, quantity=str(quantity))

    _headers, cart = browser.follow(
        "GET", links[chosen[0].name].rsplit("/product/")[0] + "/cart"
    )
    cart_page = _page(cart)
    line_card_forms = [
        form
        for form in cart_page.forms
        if form.action.endswith("/cart/card") and "line" in dict(form.form_values())
    ]
    assert len(line_card_forms) == 2
    _headers, cart = browser.submit(line_card_forms[1], text=CARD_TEXT)
    assert CARD_TEXT in cart.decode("utf-8")
    _check_card_preview(browser, links[chosen[0].name].rsplit("/product/")[0])
    (transfer_form,) = [
        form for form in _page(cart).forms if form.action.endswith("/transfer")
    ]

    headers, form_page = browser.submit(transfer_form)

    assert "charset=UTF-8" in headers["Content-Type"]
    (oci_form,) = _page(form_page).forms
    assert oci_form.action == HOOK_URL
    assert oci_form.get("target") == "_top"
    fields = [
        (element.name, element.value) for element in oci_form.inputs if element.name
    ]
    assert ("~OKCODE", "ADDI") in fields
    decoded = oci.decode_cart(fields)
    variants = [product.variants.first() for product in chosen]
    assert [(item.vendormat, item.quantity) for item in decoded.items] == [
        (variants[0].sku, Decimal(3)),
        (variants[1].sku, Decimal(1)),
    ]
    assert CARD_TEXT in decoded.items[1].long_text
    assert not decoded.items[0].long_text
    transfer = Transfer.objects.get()
    assert {item.ext_quote_id for item in decoded.items} == {transfer.reference}
    assert transfer.session.status == PunchoutSession.Status.TRANSFERRED

    # The session is closed for the storefront too.
    status, _headers, _content = browser.request("GET", links[chosen[0].name])
    assert status == 410


def _check_card_preview(browser: Browser, session_url: str) -> None:
    """The cart page's script asks for this as the buyer types: the printed card
    (Saleor rasterises the print PDF) and what would refuse the text."""
    import base64
    import json

    from PIL import Image

    status, headers, content = browser.request(
        "GET", f"{session_url}/cart/card-preview?" + urlencode({"text": CARD_TEXT})
    )
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    answer = json.loads(content)
    assert answer["problems"] == []
    prefix = "data:image/png;base64,"
    assert answer["image"].startswith(prefix)
    image = Image.open(BytesIO(base64.b64decode(answer["image"][len(prefix) :])))
    # A6 landscape at 96 dpi, cut at the trim.
    assert image.size == (559, 396)

    status, _headers, content = browser.request(
        "GET", f"{session_url}/cart/card-preview?" + urlencode({"text": "x" * 61})
    )
    assert status == 200
    assert "at most 60 characters" in json.loads(content)["problems"][0]


@pytest.mark.django_db(transaction=True)
def test_cart_chooses_branch_and_cost_centre_against_live_saleor(
    live_server, replica_in_server_threads, oci_connection, oci_branch, product_list
):
    from saleor_oci_plugin.buyers.members import set_cost_centres

    set_cost_centres(oci_branch, [("KP-4711", "Keuken"), ("KP-4712", "Zalen")], None)
    oci_connection.storefront_url = STOREFRONT_URL + "/punchout"
    oci_connection.save(update_fields=["storefront_url"])
    browser = Browser(StorefrontApp(Settings(saleor_url=live_server.url, timeout=60)))
    _headers, listing = browser.follow("GET", _punch_in(live_server.url))
    cart_url = next(
        link.get("href")
        for link in _page(listing).iter("a")
        if link.text_content() == "Cart"
    )

    _headers, cart = browser.follow("GET", cart_url)
    text = _page(cart).text_content()
    assert "Ordering for Locatie Noord, cost centre KP-4711" in text
    (form,) = [f for f in _page(cart).forms if f.action.endswith("/cart/ordering")]
    choices = {option.text: option.get("value") for option in form.xpath(".//option")}
    assert set(choices) == {
        "Locatie Noord: KP-4711 Keuken (default)",
        "Locatie Noord: KP-4712 Zalen",
        "Locatie Noord: no cost centre",
    }

    chosen = choices["Locatie Noord: KP-4712 Zalen"]
    _headers, cart = browser.submit(form, choice=chosen)

    assert "cost centre KP-4712" in _page(cart).text_content()
    session = PunchoutSession.objects.get()
    assert session.cost_centre == "KP-4712"
    assert session.branch_id == oci_branch.pk

    # A cost centre the branch does not have: refused beside the choice.
    branch_id = choices["Locatie Noord: KP-4712 Zalen"].split(" ")[0]
    status, _headers, refused = browser.request(
        "POST",
        form.action,
        {**dict(form.form_values()), "choice": f"{branch_id} KP-0000"},
    )
    assert status == 422
    (form,) = [f for f in _page(refused).forms if f.action.endswith("/cart/ordering")]
    (error,) = form.find_class("field-error")
    assert "KP-0000" in error.text_content()
    session.refresh_from_db()
    assert session.cost_centre == "KP-4712"


@pytest.mark.django_db(transaction=True)
def test_product_pages_show_saleors_thumbnails(
    live_server, replica_in_server_threads, oci_connection, product_with_image
):
    oci_connection.storefront_url = STOREFRONT_URL + "/punchout"
    oci_connection.save(update_fields=["storefront_url"])
    browser = Browser(StorefrontApp(Settings(saleor_url=live_server.url, timeout=60)))

    headers, listing = browser.follow("GET", _punch_in(live_server.url))

    images = _page(listing).xpath("//img")
    assert len(images) == 1
    source = images[0].get("src")
    # Saleor's thumbnail URL, absolute with its Site's domain (example.com here).
    parts = urlsplit(source)
    assert parts.path.startswith("/thumbnail/"), source
    assert parts.path.endswith("/128/"), source
    assert headers["Content-Security-Policy"].endswith(
        f"img-src {parts.scheme}://{parts.netloc}"
    )
