"""The whole OCI round trip in a real browser: Debian's Chromium driven by Playwright.

Saleor (pytest-django's live server) with the demo's gift shop, the punch-out
storefront and the procurement-system simulator run as HTTP servers on 127.0.0.1;
the browser walks what a buyer and a purchaser do:

simulator start page -> punch-in with the shop opened inside the page's iframe (as
SAP SRM frames catalogues), ``~TARGET=_top`` -> two products added and a greeting
card set in the storefront, inside the frame -> transfer: the cart comes back to
the simulator as a requisition (lines, prices, NZI codes, card text) -> approve:
the PO goes back to the shop -> a Saleor order placed from that PO (checked in the
database) -> the invoice (``invoiceRequest`` by staff, over HTTP) on the
simulator's invoices page.

A screenshot of each step goes to $OCI_SCREENSHOT_DIR, else a temporary folder.
"""

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote
from wsgiref.simple_server import WSGIServer

import graphene
import pytest
from saleor.core.jwt import create_access_token
from saleor.invoice.models import Invoice
from saleor.order.models import Order
from saleor.product.models import Product

from saleor_oci_plugin.buyers.models import Assortment, Budget
from saleor_oci_plugin.demo import shop
from saleor_oci_plugin.demo.round_trip import INVOICE_REQUEST
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder
from saleor_oci_plugin.purchase_orders.placing import external_reference
from saleor_oci_plugin.simulator import Settings as SimulatorSettings
from saleor_oci_plugin.simulator import SimulatorApp
from saleor_oci_plugin.simulator.cli import make_simulator_server
from saleor_oci_plugin.simulator.pages import SHOP_FRAME
from saleor_oci_plugin.storefront import Settings as StorefrontSettings
from saleor_oci_plugin.storefront.cli import make_storefront_server
from saleor_oci_plugin.storefront.graphql_client import GraphQLClient

from .conftest import BrowserThread

# What the buyer puts in the cart (SKU, quantity): one product at 21 % VAT, one
# at 9 %; the card goes on the flowers.
CART = (("GB-ZORG-01", 3), ("BL-ROOS-02", 2))
CARD_SKU = "BL-ROOS-02"
CARD_TEXT = "Beterschap en veel sterkte! Team Inkoop, Zürich"
COST_CENTRE = "KP-4711"
# The OCI return form posts the cart to the whole window, leaving the frame.
RETURN_TARGET = "_top"
PRODUCTS = {product.sku: product for product in shop.PRODUCTS}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A blank page of the viewport's size is a few kB as PNG; a page with text,
# tables and a frame is tens of kB.
MIN_SCREENSHOT_BYTES = 20_000
MIN_SCREENSHOT_WIDTH = 1000
# One per step, in the order taken.
SCREENSHOTS = (
    "01-simulator-start",
    "02-shop-in-frame",
    "03-cart-two-products",
    "03a-budget-line",
    "03b-refused-line",
    "04-card-text",
    "04a-card-preview",
    "05-requisition",
    "06-approved",
    "07-invoices",
)
# The budget and assortment steps of the second test.
BUDGET_SCREENSHOTS = (
    "08-transfer-refused-line",
    "09-budget-exceeded",
    "10-soft-budget-warning",
    "10a-portal-budgets",
)
PORTAL_ADMIN = ("budget.beheer@ziekenhuis-oost.example", "Budget-2026!")
# The shop's answer as the requisition page shows it: "<time> UTC, <channel>: ...".
PLACED = re.compile(r"UTC, (GraphQL|cXML): Placed as shop order (\S+)")
SOURCES = {
    "GraphQL": ReceivedPurchaseOrder.Source.GRAPHQL,
    "cXML": ReceivedPurchaseOrder.Source.CXML,
}


@dataclass(frozen=True)
class Requisition:
    """What the simulator's requisition page shows."""

    url: str
    po_number: str
    transfer_id: str
    target: str
    rows: list[dict[str, str]]


@dataclass(frozen=True)
class Servers:
    saleor: str
    storefront: str
    simulator: str
    demo: shop.DemoShop


@pytest.fixture
def servers(
    live_server: Any,
    replica_in_server_threads: None,
    serve: Callable[[WSGIServer], None],
) -> Servers:
    """The demo shop in Saleor, with the storefront and the simulator serving it."""
    storefront_server, storefront_app = make_storefront_server(
        StorefrontSettings(saleor_url=live_server.url, port=0, timeout=60)
    )
    # Bound first: the connection's HOOK_URL allow-list needs the simulator's port.
    simulator_server, bound = make_simulator_server(SimulatorSettings(port=0))
    simulator_url = bound.settings.own_base
    # As scripts/demo sets it up (oci_demo setup --env-file), for these addresses.
    demo = shop.ensure_demo_shop(
        hook_url_allowlist=[simulator_url],
        storefront_url=storefront_app.settings.punchout_url,
    )
    password, cxml_secret = shop.known_secrets(
        demo.connection, password=None, cxml_secret=None
    )
    app_token = shop.issue_run_app_token(demo.app)
    simulator_server.set_app(
        SimulatorApp(
            replace(
                bound.settings,
                shop_url=live_server.url,
                login=demo.connection.login_name,
                password=password,
                target=RETURN_TARGET,
                app_token=app_token,
                connection_id=graphene.Node.to_global_id(
                    "OciConnection", demo.connection.pk
                ),
                cxml_identity=demo.connection.cxml_identity,
                cxml_secret=cxml_secret,
                timeout=60,
            )
        )
    )
    serve(storefront_server)
    serve(simulator_server)
    return Servers(
        saleor=live_server.url,
        storefront=storefront_app.settings.own_base,
        simulator=simulator_url,
        demo=demo,
    )


# --- the browser's steps (each runs on the browser's thread) -------------------


def _shot(page: Any, folder: Path, name: str) -> None:
    assert name in SCREENSHOTS or name in BUDGET_SCREENSHOTS
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def open_start_page(page: Any, servers: Servers, folder: Path) -> None:
    page.goto(servers.simulator + "/")
    page.get_by_role("heading", name="Procurement system (OCI simulator)").wait_for()
    _shot(page, folder, "01-simulator-start")


def _shop_frame(page: Any) -> Any:
    """The start page's frame the shop opens in (it stays while its page changes)."""
    frame = page.frame(name=SHOP_FRAME)
    assert frame is not None, "the simulator's start page has no shop frame"
    return frame


def _navigate(frame: Any, target: Any) -> None:
    """Click ``target`` and wait until ``frame`` has loaded the page it leads to.

    Waiting for an element instead could find it on the page being left.
    """
    with frame.expect_navigation():
        target.click()


def punch_in_into_frame(page: Any, servers: Servers, folder: Path) -> dict[str, str]:
    page.get_by_label("~TARGET").select_option(RETURN_TARGET)
    shop_frame = _shop_frame(page)
    # Saleor's punch-in answers 303 to the storefront, which answers 303 to the
    # session's product list: one navigation of the frame.
    _navigate(
        shop_frame,
        page.get_by_role("button", name="Open the shop in the frame below"),
    )
    shop_frame.get_by_role("heading", name="Products").wait_for()
    listed = shop_frame.locator("table").inner_text()
    _shot(page, folder, "02-shop-in-frame")
    return {"top": page.url, "frame": shop_frame.url, "listed": listed}


def fill_cart(page: Any, folder: Path) -> str:
    shop_frame = _shop_frame(page)
    for number, (sku, quantity) in enumerate(CART):
        if number:  # the first product is chosen from the list punch-in opened
            _navigate(shop_frame, shop_frame.get_by_role("link", name="Products"))
        name = PRODUCTS[sku].name
        _navigate(shop_frame, shop_frame.get_by_role("link", name=name))
        shop_frame.get_by_role("heading", name=name).wait_for()
        shop_frame.get_by_label("Quantity").fill(str(quantity))
        _navigate(shop_frame, shop_frame.get_by_role("button", name="Add to cart"))
        shop_frame.get_by_role("heading", name="Your cart").wait_for()
    cart = shop_frame.locator("table").inner_text()
    shop_frame.locator("tr", has_text=CART[-1][0]).scroll_into_view_if_needed()
    _shot(page, folder, "03-cart-two-products")
    return cart


def show_budget_line(page: Any, folder: Path) -> str:
    shop_frame = _shop_frame(page)
    line = shop_frame.locator(".budget")
    line.scroll_into_view_if_needed()
    _shot(page, folder, "03a-budget-line")
    return str(line.inner_text())


def add_outside_assortment(page: Any, product_id: str, folder: Path) -> str:
    """Open a product outside the buyer's assortment by its address and try to
    add it: the storefront shows the shop's per-line refusal."""
    shop_frame = _shop_frame(page)
    base = re.sub(r"(/s/[^/]+/).*", r"\1", shop_frame.url)
    with shop_frame.expect_navigation():
        shop_frame.goto(base + "product/" + quote(product_id, safe=""))
    _navigate(shop_frame, shop_frame.get_by_role("button", name="Add to cart"))
    problems = shop_frame.get_by_role("alert")
    problems.scroll_into_view_if_needed()
    _shot(page, folder, "03b-refused-line")
    text = str(problems.inner_text())
    # Back to the cart for the next steps.
    _navigate(shop_frame, shop_frame.get_by_role("link", name="Cart"))
    return text


def preview_card(page: Any, folder: Path) -> dict[str, Any]:
    """Type the card text and tick the logo: the printed card's preview appears
    beside it (the storefront's script asks Saleor as the buyer types)."""
    shop_frame = _shop_frame(page)
    line = shop_frame.locator("tr", has_text=CARD_SKU)
    line.get_by_label("Card text").press_sequentially(CARD_TEXT[:12])
    line.get_by_label("Card text").fill(CARD_TEXT)
    line.get_by_label("Print our company logo").check()
    preview = line.locator("img.card-preview")
    preview.wait_for(state="visible")
    # The answer to the last text typed, with the logo.
    shop_frame.wait_for_function(
        "image => image.complete && image.naturalWidth > 0",
        arg=preview.element_handle(),
    )
    page.wait_for_timeout(800)
    preview.scroll_into_view_if_needed()
    _shot(page, folder, "04a-card-preview")
    preview.screenshot(path=str(folder / "04b-card-preview-image.png"))
    return {
        "src": preview.get_attribute("src")[:30],
        "size": preview.evaluate("image => [image.naturalWidth, image.naturalHeight]"),
        "problems": line.locator(".card-problems").inner_text(),
    }


def set_card_text(page: Any, folder: Path) -> str:
    shop_frame = _shop_frame(page)
    line = shop_frame.locator("tr", has_text=CARD_SKU)
    _navigate(shop_frame, line.get_by_role("button", name="Set card text"))
    shown = shop_frame.locator("tr", has_text=CARD_SKU).locator(".card")
    shown.scroll_into_view_if_needed()
    _shot(page, folder, "04-card-text")
    return str(shown.inner_text())


def transfer(page: Any, servers: Servers, folder: Path) -> Requisition:
    shop_frame = _shop_frame(page)
    # The return form's script posts the cart to HOOK_URL in ~TARGET: the window.
    with page.expect_navigation(url=f"{servers.simulator}/requisitions/*"):
        shop_frame.get_by_role(
            "button", name="Transfer to my procurement system"
        ).click()
    page.get_by_role("heading", name="Lines").wait_for()
    _shot(page, folder, "05-requisition")
    return Requisition(
        url=page.url,
        po_number=_summary(page, "ERP purchase order number"),
        transfer_id=_summary(page, "Transfer id (EXT_QUOTE_ID)"),
        target=_summary(page, "~OKCODE / ~TARGET / ~CALLER"),
        rows=_table_rows(page, "h2:text-is('Lines') + table"),
    )


def approve(page: Any, requisition: Requisition, folder: Path) -> str:
    page.get_by_label("Cost centre (kostenplaats), optional").fill(COST_CENTRE)
    # The first button of the approve form: what Enter in the form would send.
    button = page.locator("form[action$='/approve'] button:not([disabled])").first
    with page.expect_navigation(url=requisition.url):
        button.click()
    answer = page.locator(".box.placed")
    answer.wait_for()
    _shot(page, folder, "06-approved")
    return answer.inner_text()


def show_invoices(page: Any, servers: Servers, folder: Path) -> list[dict[str, str]]:
    page.goto(servers.simulator + "/invoices")
    page.get_by_role("heading", name="Invoices").wait_for()
    rows = _table_rows(page, "table")
    _shot(page, folder, "07-invoices")
    return rows


def _summary(page: Any, heading: str) -> str:
    return str(page.locator(f"th:text-is('{heading}') + td").inner_text()).strip()


def _table_rows(page: Any, selector: str) -> list[dict[str, str]]:
    """The table's rows as {column heading: cell text}."""
    table: list[list[str]] = page.locator(selector).first.evaluate(
        "table => [...table.rows].map("
        "row => [...row.cells].map(cell => cell.innerText.trim()))"
    )
    head, *rows = table
    return [dict(zip(head, row, strict=True)) for row in rows]


# --- the test ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_round_trip_in_chromium(
    chromium: BrowserThread,
    screenshot_dir: Path,
    servers: Servers,
    media_root: str,
    staff_user: Any,
    permission_group_manage_orders: Any,
) -> None:
    # The organisation buys from an assortment of the cart's two products, with
    # a hard monthly budget of EUR 1,000.
    organisation = servers.demo.connection.organisation
    assortment = Assortment.objects.create(organisation=organisation)
    assortment.products.set(
        Product.objects.filter(variants__sku__in=[sku for sku, _ in CART])
    )
    Budget.objects.create(
        organisation=organisation,
        name="Gifts",
        amount=Decimal(1000),
        currency=shop.CURRENCY,
    )
    (outside_sku,) = [sku for sku in PRODUCTS if sku not in dict(CART)][:1]
    outside = Product.objects.get(variants__sku=outside_sku)

    chromium.on_page(open_start_page, servers, screenshot_dir)

    # Punch-in: the shop answers inside the frame; the simulator stays on top.
    opened = chromium.on_page(punch_in_into_frame, servers, screenshot_dir)
    assert opened["top"] == servers.simulator + "/"
    assert opened["frame"].startswith(servers.storefront + "/s/"), opened
    for sku, _quantity in CART:
        assert PRODUCTS[sku].name in opened["listed"]
    assert outside.name not in opened["listed"]

    cart = chromium.on_page(fill_cart, screenshot_dir)
    for sku, _quantity in CART:
        assert sku in cart

    budget_line = chromium.on_page(show_budget_line, screenshot_dir)
    assert re.search(r"EUR 1,000\.00 of EUR 1,000\.00 left in \w+ \d{4}", budget_line)
    refused = chromium.on_page(
        add_outside_assortment,
        graphene.Node.to_global_id("Product", outside.pk),
        screenshot_dir,
    )
    assert f"(SKU {outside_sku}) is not in your assortment." in refused

    # The organisation's logo goes on its cards.
    from saleor_oci_plugin.cards.layout import WITH_LOGO_NOTE

    from ..cards.helpers import give_logo

    give_logo(organisation)
    preview = chromium.on_page(preview_card, screenshot_dir)
    assert preview["src"].startswith("data:image/png;base64,")
    # A6 landscape at 96 dpi, cut at the trim.
    assert preview["size"] == [559, 396]
    assert preview["problems"] == ""
    card = chromium.on_page(set_card_text, screenshot_dir)
    assert CARD_TEXT in card
    assert "(with our logo)" in card

    # The cart comes back to the simulator's window as a requisition.
    requisition = chromium.on_page(transfer, servers, screenshot_dir)
    assert requisition.target == f"ADDI / {RETURN_TARGET} / CTLG"
    assert requisition.po_number.startswith("45"), requisition
    lines = [
        (
            row["Product (SKU)"],
            Decimal(row["Quantity"]),
            Decimal(row["Price"]) / Decimal(row["Per"] or 1),
            row["Currency"],
            row["NZI code (MATGROUP)"],
        )
        for row in requisition.rows
    ]
    assert lines == [
        (
            sku,
            Decimal(quantity),
            PRODUCTS[sku].price,
            shop.CURRENCY,
            PRODUCTS[sku].nzi_code,
        )
        for sku, quantity in CART
    ]
    card_texts = {
        row["Product (SKU)"]: row["Long text and card text"] for row in requisition.rows
    }
    assert CARD_TEXT in card_texts[CARD_SKU]
    assert WITH_LOGO_NOTE in card_texts[CARD_SKU]
    assert CARD_TEXT not in card_texts[CART[0][0]]

    # Approve: the PO goes back to the shop, which answers with its order number.
    answer = chromium.on_page(approve, requisition, screenshot_dir)
    placed = PLACED.search(answer)
    assert placed is not None, answer

    # The Saleor order, placed from exactly that PO.
    connection = servers.demo.connection
    received = ReceivedPurchaseOrder.objects.select_related("order", "transfer").get(
        connection=connection, order_number=requisition.po_number
    )
    assert received.status == ReceivedPurchaseOrder.Status.PLACED, received.errors
    assert received.source == SOURCES[placed.group(1)]
    assert received.data["cost_centre"] == COST_CENTRE
    order = received.order
    assert isinstance(order, Order)
    assert placed.group(2) == str(order.number)
    assert order.external_reference == external_reference(
        connection, requisition.po_number
    )
    assert received.transfer is not None
    assert received.transfer.reference == requisition.transfer_id
    assert order.channel.slug == shop.CHANNEL_SLUG
    assert order.user_id == connection.customer_id
    assert sorted((line.product_sku, line.quantity) for line in order.lines.all()) == (
        sorted(CART)
    )
    # Its card, rendered print-ready by the Celery task after the order committed.
    _check_card_pdf(order, screenshot_dir)

    # The invoice: staff ask Saleor for it, as the Dashboard's button does.
    staff_token = _staff_token(staff_user, permission_group_manage_orders)
    result = GraphQLClient(servers.saleor + "/graphql/", 60).execute(
        INVOICE_REQUEST,
        {"orderId": graphene.Node.to_global_id("Order", order.pk)},
        token=staff_token,
    )
    assert not result.errors, result.errors
    issued = (result.data or {})["invoiceRequest"]
    assert issued["errors"] == [], issued
    assert issued["invoice"]["status"] == "SUCCESS", issued["invoice"]["message"]
    invoice_number = issued["invoice"]["number"]
    assert Invoice.objects.get(order=order).number == invoice_number

    invoices = chromium.on_page(show_invoices, servers, screenshot_dir)
    (shown,) = [row for row in invoices if row.get("Number") == invoice_number]
    assert shown["PO number"] == requisition.po_number
    assert shown["Validation"].startswith("valid"), shown

    for name in SCREENSHOTS:
        _check_screenshot(screenshot_dir / f"{name}.png")


def _check_card_pdf(order: Order, folder: Path) -> None:
    from saleor.core import private_storage

    from saleor_oci_plugin.cards.models import GreetingCard
    from saleor_oci_plugin.printing import raster

    (card,) = GreetingCard.objects.filter(order=order)
    assert card.with_logo
    assert card.order_line is not None
    assert card.order_line.product_sku == CARD_SKU
    with private_storage.open(card.pdf_name, "rb") as stored:
        pdf = stored.read()
    assert raster.pdf_text(pdf)[0].split() == CARD_TEXT.split()
    assert b"/Subtype /Image" in pdf
    # The print PDF's page with its bleed, to look at.
    (folder / "08-card-pdf-page.png").write_bytes(raster.page_png(pdf, dpi=150))


def _staff_token(staff_user: Any, manage_orders_group: Any) -> str:
    manage_orders_group.user_set.add(staff_user)
    return str(create_access_token(staff_user))


def _check_screenshot(path: Path) -> None:
    """A PNG of the page's width with more in it than a blank page."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width >= MIN_SCREENSHOT_WIDTH, (path, width, height)
    assert len(data) >= MIN_SCREENSHOT_BYTES, (path, len(data))


# --- budgets and the assortment at transfer -----------------------------------


def transfer_refused(page: Any, folder: Path, name: str) -> str:
    """Press transfer; the shop refuses: the cart again, its problems on top."""
    shop_frame = _shop_frame(page)
    _navigate(
        shop_frame,
        shop_frame.get_by_role("button", name="Transfer to my procurement system"),
    )
    problems = shop_frame.get_by_role("alert")
    problems.wait_for()
    _shot(page, folder, name)
    return str(problems.inner_text())


def remove_line(page: Any, sku: str) -> str:
    shop_frame = _shop_frame(page)
    line = shop_frame.locator("tr", has_text=sku)
    _navigate(shop_frame, line.get_by_role("button", name="Remove"))
    shop_frame.get_by_role("heading", name="Your cart").wait_for()
    return str(shop_frame.locator("table").inner_text())


def transfer_over_soft_budget(page: Any, folder: Path) -> str:
    """The cart goes with a soft budget's warning: the OCI form is held for the
    buyer to read it, in the frame."""
    shop_frame = _shop_frame(page)
    _navigate(
        shop_frame,
        shop_frame.get_by_role("button", name="Transfer to my procurement system"),
    )
    warning = shop_frame.locator(".budget-warning")
    warning.wait_for()
    _shot(page, folder, "10-soft-budget-warning")
    return str(warning.inner_text())


def portal_budgets(page: Any, storefront: str, folder: Path) -> list[dict[str, str]]:
    page.goto(storefront + "/portal/")
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_label("E-mail").fill(PORTAL_ADMIN[0])
    page.get_by_label("Password").fill(PORTAL_ADMIN[1])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Budgets").click()
    page.get_by_role("heading", name="Budgets").wait_for()
    _shot(page, folder, "10a-portal-budgets")
    return _table_rows(page, "table")


@pytest.mark.django_db(transaction=True)
def test_budgets_and_a_line_outside_the_assortment_at_transfer_in_chromium(
    chromium: BrowserThread, screenshot_dir: Path, servers: Servers
) -> None:
    from django.utils import timezone
    from saleor.account.models import User

    from saleor_oci_plugin.buyers.models import Member, MemberRole

    organisation = servers.demo.connection.organisation
    budget = Budget.objects.create(
        organisation=organisation,
        name="Gifts",
        amount=Decimal(50),
        currency=shop.CURRENCY,
    )
    admin = User(email=PORTAL_ADMIN[0], first_name="Bea", last_name="Beheer")
    admin.set_password(PORTAL_ADMIN[1])
    admin.save()
    Member.objects.create(organisation=organisation, user=admin, role=MemberRole.ADMIN)
    month = timezone.localdate().strftime("%B %Y")

    chromium.on_page(open_start_page, servers, screenshot_dir)
    chromium.on_page(punch_in_into_frame, servers, screenshot_dir)
    chromium.on_page(fill_cart, screenshot_dir)
    budget_line = chromium.on_page(show_budget_line, screenshot_dir)
    assert f"EUR 50.00 of EUR 50.00 left in {month}" in budget_line

    # The shop narrows the organisation's assortment while the cart is open:
    # the flowers already in it are refused at transfer, on their line.
    (kept_sku, _), (outside_sku, _) = CART
    Assortment.objects.create(organisation=organisation).products.set(
        Product.objects.filter(variants__sku=kept_sku)
    )
    refused = chromium.on_page(
        transfer_refused, screenshot_dir, "08-transfer-refused-line"
    )
    assert "NOT_IN_ASSORTMENT" in refused
    assert f"{PRODUCTS[outside_sku].name} (SKU {outside_sku}) is not in" in refused

    # Without it the cart (3 x 24.95) is over the hard budget: refused, naming
    # the budget and what is left.
    assert outside_sku not in chromium.on_page(remove_line, outside_sku)
    exceeded = chromium.on_page(transfer_refused, screenshot_dir, "09-budget-exceeded")
    assert "BUDGET_EXCEEDED" in exceeded
    assert (
        f"Budget 'Gifts': EUR 50.00 of EUR 50.00 left in {month}, this cart is "
        "EUR 74.85." in exceeded
    )

    # A soft budget lets it through, with the warning on the held form.
    budget.hard = False
    budget.save(update_fields=["hard"])
    warning = chromium.on_page(transfer_over_soft_budget, screenshot_dir)
    assert "Over budget" in warning
    assert "this cart is EUR 74.85" in warning

    # The organisation's administrator sees the hold in the portal.
    rows = chromium.on_page(portal_budgets, servers.storefront, screenshot_dir)
    assert [
        (row["Budget"], row["Amount"], row["Held"], row["Left"], row["Kind"])
        for row in rows
    ] == [("Gifts", "EUR 50.00", "EUR 74.85", "EUR -24.85", "soft")]

    for name in BUDGET_SCREENSHOTS:
        _check_screenshot(screenshot_dir / f"{name}.png")
