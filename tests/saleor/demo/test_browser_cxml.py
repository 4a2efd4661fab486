"""The simulator's cXML mode in a real browser (Debian's Chromium, Playwright).

As SAP Ariba or Coupa punch out: the simulator's start page -> "Punch out with
cXML" (the simulator sends a PunchOutSetupRequest, the shop answers with a start
page, the browser goes there) -> two products and a card text in the storefront ->
transfer: the storefront's form posts the PunchOutOrderMessage to the simulator's
BrowserFormPost URL, which shows it -> approve: an OrderRequest naming the transfer
becomes a Saleor order (checked in the database).

Screenshots (cxml-01 ... cxml-05) go to $OCI_SCREENSHOT_DIR, else a temporary folder.
"""

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from saleor_oci_plugin.demo import shop
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder

from .conftest import BrowserThread
from .test_browser import (
    CARD_SKU,
    CARD_TEXT,
    CART,
    PRODUCTS,
    Servers,
    _check_screenshot,
    _navigate,
    _table_rows,
    servers,  # noqa: F401 (fixture)
)

SCREENSHOTS = (
    "cxml-01-simulator-start",
    "cxml-02-shop-after-setup",
    "cxml-03-cart-with-card",
    "cxml-04-order-message",
    "cxml-05-order-placed",
)
PLACED = re.compile(r"cXML status 200 [^:]*: Placed as order (\S+?)\.")


def _shot(page: Any, folder: Path, name: str) -> None:
    assert name in SCREENSHOTS
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def start(page: Any, urls: Servers, folder: Path) -> None:
    page.goto(urls.simulator + "/")
    page.get_by_role("heading", name="cXML punch-out (as Ariba or Coupa)").wait_for()
    _shot(page, folder, "cxml-01-simulator-start")


def punch_out(page: Any, folder: Path) -> dict[str, str]:
    # The simulator posts the setup request, then sends the window (303) to the
    # start page: the storefront, which answers 303 to the product list.
    _navigate(page, page.get_by_role("button", name="Punch out with cXML"))
    page.get_by_role("heading", name="Products").wait_for()
    _shot(page, folder, "cxml-02-shop-after-setup")
    return {"url": page.url, "listed": page.locator("table").inner_text()}


def fill_cart(page: Any, folder: Path) -> str:
    for number, (sku, quantity) in enumerate(CART):
        if number:
            _navigate(page, page.get_by_role("link", name="Products"))
        name = PRODUCTS[sku].name
        _navigate(page, page.get_by_role("link", name=name))
        page.get_by_label("Quantity").fill(str(quantity))
        _navigate(page, page.get_by_role("button", name="Add to cart"))
        page.get_by_role("heading", name="Your cart").wait_for()
    line = page.locator("tr", has_text=CARD_SKU)
    line.get_by_label("Card text").fill(CARD_TEXT)
    _navigate(page, line.get_by_role("button", name="Set card text"))
    page.locator("tr", has_text=CARD_SKU).locator(".card").wait_for()
    _shot(page, folder, "cxml-03-cart-with-card")
    return str(page.locator("table").inner_text())


def transfer(page: Any, urls: Servers, folder: Path) -> dict[str, Any]:
    # The return form's script posts the message to BrowserFormPost/URL.
    with page.expect_navigation(url=f"{urls.simulator}/cxml/carts/*"):
        page.get_by_role("button", name="Transfer to my procurement system").click()
    page.get_by_role(
        "button", name=re.compile("Approve and send OrderRequest")
    ).wait_for()
    _shot(page, folder, "cxml-04-order-message")
    return {
        "url": page.url,
        "text": page.locator("main").inner_text()
        if page.locator("main").count()
        else page.inner_text("body"),
        "rows": _table_rows(page, "table"),
    }


def approve(page: Any, folder: Path) -> str:
    _navigate(page, page.get_by_role("button", name=re.compile("Approve and send")))
    answer = page.locator(".box.placed")
    answer.wait_for()
    _shot(page, folder, "cxml-05-order-placed")
    return str(answer.inner_text())


@pytest.mark.django_db(transaction=True)
def test_cxml_punch_out_in_chromium(
    chromium: BrowserThread,
    screenshot_dir: Path,
    servers: Servers,  # noqa: F811
    media_root: str,
) -> None:
    chromium.on_page(start, servers, screenshot_dir)

    opened = chromium.on_page(punch_out, screenshot_dir)
    assert opened["url"].startswith(servers.storefront + "/s/"), opened
    session = PunchoutSession.objects.get()
    assert (session.protocol, session.operation) == ("cxml", "create")
    assert session.hook_url == servers.simulator + "/cxml/return"

    cart = chromium.on_page(fill_cart, screenshot_dir)
    for sku, _quantity in CART:
        assert sku in cart

    received = chromium.on_page(transfer, servers, screenshot_dir)
    transfer_row = Transfer.objects.get()
    assert session.buyer_cookie in received["text"]
    rows = received["rows"]
    assert [(row["SKU"], Decimal(row["Qty"])) for row in rows] == [
        (sku, Decimal(quantity)) for sku, quantity in CART
    ]
    for row, (sku, _quantity) in zip(rows, CART, strict=True):
        assert row["Unit price"] == f"{PRODUCTS[sku].price:.2f} {shop.CURRENCY}"
        assert f"NZI {PRODUCTS[sku].nzi_code}" in row["Classification"]
        assert "UNSPSC " in row["Classification"]
        assert row["Transfer"] == transfer_row.reference
    cards = {row["SKU"]: row["Comments"] for row in rows}
    assert cards[CARD_SKU] == CARD_TEXT

    answer = chromium.on_page(approve, screenshot_dir)
    placed = PLACED.search(answer)
    assert placed is not None, answer
    record = ReceivedPurchaseOrder.objects.select_related("order").get(
        status=ReceivedPurchaseOrder.Status.PLACED
    )
    assert record.source == ReceivedPurchaseOrder.Source.CXML
    assert record.transfer == transfer_row
    assert str(record.order.number) == placed.group(1)
    assert sorted(
        (line.product_sku, line.quantity) for line in record.order.lines.all()
    ) == sorted(CART)

    for name in SCREENSHOTS:
        _check_screenshot(screenshot_dir / f"{name}.png")
