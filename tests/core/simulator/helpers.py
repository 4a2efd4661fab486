"""Calling the simulator's WSGI app in-process, and posting carts as a browser does."""

from collections.abc import Sequence
from urllib.parse import urlencode

import lxml.html

from saleor_oci_plugin.oci import (
    DEFAULT_MAPPING,
    CartItem,
    OCIMapping,
    encode_cart,
    render_return_form,
)
from saleor_oci_plugin.simulator import SimulatorApp
from tests.core.webapp_helpers import WSGIResult, call_wsgi

FORM_TYPE = "application/x-www-form-urlencoded"
TRANSFER_ID = "0f9c2d7e5b8a4c1d9e6f3a2b1c0d4e5f"


# The simulator's tests call the app by this name.
call = call_wsgi


def follow(app: SimulatorApp, result: WSGIResult) -> WSGIResult:
    assert result.status == 303, result.text
    return call(app, "GET", result.header("Location"))


def return_form_fields(
    items: Sequence[CartItem],
    *,
    charset: str = "UTF-8",
    transfer_id: str = TRANSFER_ID,
    mapping: OCIMapping = DEFAULT_MAPPING,
) -> list[tuple[str, str]]:
    """The fields of the shop's return form, read from its HTML as a browser would."""
    encoded = encode_cart(items, mapping, transfer_id=transfer_id, charset=charset)
    form = render_return_form(
        encoded.fields,
        hook_url="http://127.0.0.1:8800/hook",
        target="_top",
        okcode="ADDI",
        caller="CTLG",
        charset=charset,
    )
    page_charset = form.content_type.split("charset=", 1)[1]
    parser = lxml.html.HTMLParser(encoding=page_charset)
    document = lxml.html.document_fromstring(form.body, parser=parser)
    (html_form,) = document.xpath("//form")
    assert html_form.get("accept-charset") == page_charset
    return [
        (field.get("name"), field.get("value", ""))
        for field in html_form.xpath(".//input")
    ]


def browser_body(fields: Sequence[tuple[str, str]], charset: str = "UTF-8") -> bytes:
    """The urlencoded body a browser posts for a form with accept-charset=charset."""
    return urlencode(list(fields), encoding=charset).encode("ascii")


def post_cart(
    app: SimulatorApp,
    items: Sequence[CartItem],
    *,
    charset: str = "UTF-8",
    query: str = "",
    content_type: str = FORM_TYPE,
) -> WSGIResult:
    """Post the cart to /hook as the buyer's browser does and open the requisition."""
    body = browser_body(return_form_fields(items, charset=charset), charset)
    result = call(
        app, "POST", "/hook", body=body, content_type=content_type, query=query
    )
    return follow(app, result)


def table(document: lxml.html.HtmlElement, heading: str) -> list[dict[str, str]]:
    """The rows of the table after the heading ``heading``, keyed by column title."""
    (element,) = document.xpath(
        f'//*[self::h1 or self::h2][.="{heading}"]/following-sibling::table[1]'
    )
    header, *rows = element.xpath("./tr")
    titles = [cell.text_content() for cell in header.xpath("./th")]
    return [
        dict(
            zip(
                titles, (cell.text_content() for cell in row.xpath("./td")), strict=True
            )
        )
        for row in rows
    ]


def texts(document: lxml.html.HtmlElement) -> str:
    return document.text_content()
