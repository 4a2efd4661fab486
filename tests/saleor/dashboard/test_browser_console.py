"""The Dashboard console in a real browser: Debian's Chromium driven by Playwright.

Saleor (pytest-django's live server) serves the console's pages; a small host page
on another origin (127.0.0.1, a port of its own, configured as the plugin's
Dashboard origin) plays Saleor's Dashboard as ``@saleor/app-sdk`` 1.15.0 defines
its App Bridge: it loads an extension's URL (from the installed App's extensions)
in an iframe with ``?id=<App ID>&theme=...&saleorApiUrl=...``, answers the page's
``notifyReady`` action with a ``response`` event and the ``handshake`` event
``{token, version: 1, saleorVersion, dashboardVersion}``, and later sends ``theme``
and ``tokenRefresh`` events. The tokens are Saleor's own: the staff member reads
``appExtensions { accessToken }`` through Saleor's GraphQL API.

Walked through: the organisations view -> a new organisation -> a new connection
(its password shown once) -> a new cXML shared secret (shown once) -> purchase
orders, a refused PO first and its problem per line -> an order's popup with its
PO number and invoice -> a token refresh after the old token was revoked, then a
new branch -> the organisation's invoice address (a wrong Dutch postcode first) ->
a member invited (a set-password page on a host Saleor does not allow first),
deactivated, reactivated and made an administrator -> a branch's delivery
address. And a staff member without the permission: "Not allowed".

A screenshot of each view, light and dark, goes to $OCI_SCREENSHOT_DIR, else a
temporary folder.
"""

import json
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import graphene
import pytest
import saleor.core.auth_backend
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.utils.crypto import get_random_string
from saleor.account.models import User
from saleor.core.db import connection as db_connection
from saleor.core.jwt import create_access_token_for_app
from saleor.plugins.manager import get_plugins_manager
from saleor.plugins.models import PluginConfiguration

from saleor_oci_plugin import PLUGIN_ID
from saleor_oci_plugin.buyers.logos import LOGO_PREFIX, logo_url
from saleor_oci_plugin.buyers.models import (
    Branch,
    BuyerOrganisation,
    Member,
    MemberRole,
)
from saleor_oci_plugin.configuration import DASHBOARD_ORIGIN, DASHBOARD_PUBLIC_URL
from saleor_oci_plugin.dashboard import install
from saleor_oci_plugin.invoices.models import IssuedDocument
from saleor_oci_plugin.invoices.ubl import embedded_pdf
from saleor_oci_plugin.machine_secrets import check_machine_secret
from saleor_oci_plugin.models import InboundMessage
from saleor_oci_plugin.punchout.models import Connection
from saleor_oci_plugin.purchase_orders.dataclasses import (
    PurchaseOrder,
    PurchaseOrderError,
    PurchaseOrderLine,
)
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder
from saleor_oci_plugin.purchase_orders.placing import place_purchase_order

# Fixtures: the browser, the servers' threads, an order placed through the
# plugin's PO path and invoiced with Saleor's invoiceRequest.
from ..demo.conftest import BrowserThread, chromium, chromium_path, screenshot_dir
from ..demo.test_browser import _check_screenshot
from ..fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL
from ..invoices.conftest import (
    _invoice_files_in_a_temporary_folder,
    make_transfer,
    oci_order,
    place_order,
    seller_configured,
    staff,
)
from ..invoices.test_graphql import invoiced_order
from ..logo_helpers import SVG, image_bytes
from ..storefront.test_storefront import PUNCHIN_PATH, replica_in_server_threads

__all__ = [  # the fixtures above, used as test arguments
    "_invoice_files_in_a_temporary_folder",
    "chromium",
    "chromium_path",
    "invoiced_order",
    "make_transfer",
    "oci_order",
    "place_order",
    "replica_in_server_threads",
    "screenshot_dir",
    "seller_configured",
    "staff",
]

ORGANISATION = "Revalidatiecentrum De Linde"
KVK = "87654321"
CONNECTION_NAME = "Coupa production"
LOGIN = "delinde-coupa"
ALLOWED_HOOK = "https://delinde.coupahost.example"
BRANCH = "Locatie Zuid"
REFUSED_PO = "4500077777"
# The cXML shared secret, rotated: its value is shown once, only its hash is kept.
SECRET = "code.secret"
# The organisation's invoice address: a postcode that is not Dutch first.
STREET = "Stadsplateau 1"
WRONG_POSTCODE = "35210"
POSTCODE = "3521 AZ"
# A member invited, then deactivated; the set-password page's host is one of
# Saleor's ALLOWED_CLIENT_HOSTS (its test settings'), the other is not.
MEMBER_EMAIL = "i.koopman@delinde.example"
PORTAL = "https://www.example.com/portal/set-password"
FOREIGN_PORTAL = "https://phishing.example/set-password"
# The branch's delivery address.
BRANCH_STREET = "Ziekenhuisweg 1"
BRANCH_POSTCODE = "3584 CX"
# What the host page says it is (the handshake's optional versions).
SALEOR_VERSION = "3.23.0"
DASHBOARD_VERSION = "3.23.0"
EXTENSIONS = """{ appExtensions(first: 20) { edges { node {
  id identifier url accessToken } } } }"""
FRAME_HEIGHT = 1100
# What the pages logged (console messages, uncaught errors): printed on failure.
BROWSER_LOG: list[str] = []


HOST_PAGE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard (test host)</title>
<style>
  body { margin: 0; font: 14px sans-serif; background: #fff; color: #1f2021; }
  body.dark { background: #0f1114; color: #eceef1; }
  header { padding: 8px 16px; border-bottom: 1px solid #e2e3e6; }
  iframe { display: block; border: 0; width: 1200px; height: {height}px; }
</style></head>
<body>
<header>Saleor Dashboard (test host)</header>
<div id="holder"></div>
<script>
  // The Dashboard's side of the App Bridge (@saleor/app-sdk 1.15.0).
  window.host = { actions: [], frame: null, origin: null, token: null };
  window.addEventListener("message", function (event) {
    if (!host.frame || event.source !== host.frame.contentWindow) return;
    if (event.origin !== host.origin) return;
    var action = event.data || {};
    host.actions.push(action);
    if (action.type === "notifyReady") {
      post({ type: "response",
        payload: { actionId: action.payload.actionId, ok: true } });
      post({ type: "handshake", payload: { token: host.token, version: 1,
        saleorVersion: "{saleor}", dashboardVersion: "{dashboard}" } });
    }
  });
  function post(message) { host.frame.contentWindow.postMessage(message, host.origin); }
  host.open = function (url, token, theme) {
    var holder = document.getElementById("holder");
    holder.textContent = "";
    host.token = token;
    host.origin = new URL(url).origin;
    document.body.className = theme;
    var frame = document.createElement("iframe");
    frame.id = "extension";
    frame.src = url;
    host.frame = frame;
    holder.appendChild(frame);
  };
  host.theme = function (theme) {
    document.body.className = theme;
    post({ type: "theme", payload: { theme: theme } });
  };
  host.refresh = function (token) {
    host.token = token;
    post({ type: "tokenRefresh", payload: { token: token } });
  };
</script>
</body></html>
"""
HOST_PAGE = (
    HOST_PAGE_TEMPLATE.replace("{height}", str(FRAME_HEIGHT))
    .replace("{saleor}", SALEOR_VERSION)
    .replace("{dashboard}", DASHBOARD_VERSION)
)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _host_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [HOST_PAGE.encode()]


@pytest.fixture
def host() -> Iterator[str]:
    """The host page, served from a thread on 127.0.0.1; its origin."""
    server: WSGIServer = make_server(
        "127.0.0.1", 0, _host_app, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def configure_console(public_url: str, dashboard_origin: str) -> None:
    """Add the console's two fields to the plugin's saved configuration."""
    configuration, _created = PluginConfiguration.objects.get_or_create(
        identifier=PLUGIN_ID, channel=None, defaults={"active": True}
    )
    values = [
        item
        for item in configuration.configuration or []
        if item["name"] not in (DASHBOARD_PUBLIC_URL, DASHBOARD_ORIGIN)
    ]
    values += [
        {"name": DASHBOARD_PUBLIC_URL, "value": public_url},
        {"name": DASHBOARD_ORIGIN, "value": dashboard_origin},
    ]
    configuration.configuration = values
    configuration.active = True
    configuration.save()


@pytest.fixture(autouse=True)
def _print_browser_log() -> Iterator[None]:
    """On failure: what the pages logged."""
    BROWSER_LOG.clear()
    yield
    print("browser log:", *BROWSER_LOG, sep="\n  ")


@pytest.fixture
def permissions_read_on_the_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let Saleor's auth backend read a third-party token's permissions.

    ``load_user_from_request`` looks an extension token's permissions (and their
    content types) up without ``using()``, on the writer. Saleor's production
    settings at most log that; its test settings (``restrict_writer_middleware``)
    refuse it, which the main thread never notices (there the replica is the
    writer) but the live server's threads do (``replica_in_server_threads``).
    Only reads made from the auth backend are let through; every other writer
    access is still refused.
    """
    strict = db_connection.restrict_writer
    auth_backend = str(Path(saleor.core.auth_backend.__file__))

    def restrict_writer(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.startswith("SELECT ") and any(
            frame.filename == auth_backend for frame in traceback.extract_stack()
        ):
            return execute(sql, params, many, context)
        return strict(execute, sql, params, many, context)

    monkeypatch.setattr(db_connection, "restrict_writer", restrict_writer)


@dataclass
class Console:
    saleor: str
    host: str
    app_id: str
    # Extension identifier -> its URL (from the installed App's extensions).
    urls: dict[str, str]
    api: Any

    def tokens(self) -> dict[str, str | None]:
        """Saleor's ``appExtension.accessToken`` of each extension, read now."""
        content = self.api.post_graphql(EXTENSIONS).json()
        assert "errors" not in content, content
        return {
            edge["node"]["identifier"]: edge["node"]["accessToken"]
            for edge in content["data"]["appExtensions"]["edges"]
        }


@pytest.fixture
def console(
    live_server: Any,
    replica_in_server_threads: None,
    permissions_read_on_the_writer: None,
    host: str,
    staff: Any,
    permission_manage_plugins: Any,
    permission_manage_users: Any,
    seller_configured: dict[str, str],
) -> Console:
    """The console installed for the live server, the host page its Dashboard.

    After ``seller_configured``, which saves the plugin's whole configuration.
    """
    staff.user.user_permissions.add(permission_manage_plugins, permission_manage_users)
    configure_console(live_server.url, host)
    app = install.install(live_server.url).app
    content = staff.post_graphql(EXTENSIONS).json()
    assert "errors" not in content, content
    urls = {
        edge["node"]["identifier"]: edge["node"]["url"]
        for edge in content["data"]["appExtensions"]["edges"]
    }
    return Console(
        saleor=live_server.url,
        host=host,
        app_id=graphene.Node.to_global_id("App", app.pk),
        urls=urls,
        api=staff,
    )


# --- the browser's steps (each runs on the browser's thread) -------------------


def _frame(page: Any) -> Any:
    return page.frame_locator("iframe#extension")


def open_extension(
    page: Any,
    console: Console,
    url: str,
    token: str | None,
    theme: str,
    params: dict[str, str] | None = None,
) -> None:
    query = "&".join(
        f"{key}={value}"
        for key, value in {
            "id": console.app_id,
            "theme": theme,
            "saleorApiUrl": f"{console.saleor}/graphql/",
            **(params or {}),
        }.items()
    )
    if page.url != console.host + "/":
        page.on("console", lambda message: BROWSER_LOG.append(message.text))
        page.on("pageerror", lambda error: BROWSER_LOG.append(str(error)))
        page.goto(console.host + "/")
    page.evaluate(
        "([url, token, theme]) => host.open(url, token, theme)",
        [f"{url}?{query}", token, theme],
    )


def step[T](
    browser: BrowserThread, folder: Path, action: Callable[..., T], *args: Any
) -> T:
    """``action(page, *args)`` on the browser's thread; the page saved if it fails."""

    def guarded(page: Any) -> T:
        try:
            return action(page, *args)
        except Exception:
            page.screenshot(path=str(folder / "last-failure.png"), full_page=True)
            raise

    return browser.on_page(guarded)


def shoot(page: Any, folder: Path, name: str) -> Path:
    """The extension's frame, as the Dashboard shows it, in both themes."""
    paths = []
    for theme in ("light", "dark"):
        page.evaluate("theme => host.theme(theme)", theme)
        _frame(page).locator(f'html[data-theme="{theme}"]').wait_for(state="attached")
        path = folder / f"console-{name}-{theme}.png"
        page.locator("iframe#extension").screenshot(path=str(path))
        paths.append(path)
    page.evaluate("theme => host.theme(theme)", "light")
    return paths[0]


def create_organisation(page: Any, folder: Path) -> dict[str, Any]:
    frame = _frame(page)
    frame.get_by_role("heading", name="Punch-out organisations").wait_for()
    frame.locator("form#organisation-create").wait_for()
    shoot(page, folder, "01-organisations")
    form = frame.locator("form#organisation-create")
    form.get_by_label("Name", exact=True).fill(ORGANISATION)
    form.get_by_label("KvK number").fill("1234")
    form.get_by_role("button", name="Create organisation").click()
    # Saleor's error is shown next to the field it is about.
    error = form.locator('[data-field="legalId"] .error')
    error.wait_for()
    field_error = error.inner_text()
    shoot(page, folder, "02-organisation-field-error")
    form.get_by_label("KvK number").fill(KVK)
    form.get_by_role("button", name="Create organisation").click()
    row = frame.locator("tr", has_text=ORGANISATION)
    row.wait_for()
    listed = row.inner_text()
    shoot(page, folder, "03-organisation-created")
    return {"field_error": field_error, "listed": listed}


def create_connection(page: Any, folder: Path, channel: str, email: str) -> str:
    frame = _frame(page)
    frame.locator("tr", has_text=ORGANISATION).click()
    frame.get_by_role("heading", name=ORGANISATION).wait_for()
    form = frame.locator("form#connection-create")
    form.get_by_label("Name", exact=True).fill(CONNECTION_NAME)
    form.get_by_label("Login name").fill(LOGIN)
    form.get_by_label("Channel slug").fill(channel)
    form.get_by_label("Customer account e-mail").fill(email)
    form.get_by_label("Allowed HOOK_URLs").fill(ALLOWED_HOOK)
    shoot(page, folder, "04-organisation")
    form.get_by_role("button", name="Create connection").click()
    frame.get_by_role("heading", name=CONNECTION_NAME).wait_for()
    password = frame.locator("#connection-result .secret").inner_text()
    shoot(page, folder, "05-connection-created")
    return str(password)


def rotate_cxml_secret(page: Any, folder: Path) -> dict[str, str]:
    frame = _frame(page)
    frame.get_by_role("button", name="New cXML shared secret").click()
    shown = frame.locator("#connection-result .secret-once", has_text="cXML")
    shown.wait_for()
    secret = shown.locator(".secret").inner_text()
    summary = frame.locator("#connection-summary").inner_text()
    shoot(page, folder, "06-cxml-secret-rotated")
    return {"secret": str(secret), "summary": str(summary)}


def read_purchase_orders(page: Any, folder: Path) -> dict[str, str]:
    frame = _frame(page)
    frame.get_by_role("heading", name="Refused").wait_for()
    refused = frame.locator("h2:text-is('Refused') + table")
    refused.wait_for()
    listing = refused.inner_text()
    placed = frame.locator("h2:text-is('Placed and others') + table").inner_text()
    shoot(page, folder, "07-purchase-orders")
    refused.locator("tr", has_text=REFUSED_PO).click()
    frame.get_by_role("heading", name=f"Purchase order {REFUSED_PO}").wait_for()
    problems = frame.locator("h2:text-is('Problems per line') + table").inner_text()
    shoot(page, folder, "08-refused-purchase-order")
    return {"refused": listing, "placed": placed, "problems": problems}


def read_order_popup(page: Any, folder: Path) -> dict[str, Any]:
    frame = _frame(page)
    frame.locator("#po-number").wait_for()
    invoices = frame.locator("h2:text-is('Invoices and credit notes') + table")
    invoices.wait_for()
    shown: dict[str, Any] = {
        "po_number": frame.locator("#po-number").inner_text(),
        "invoices": invoices.inner_text(),
    }
    shoot(page, folder, "09-order-popup")
    # The PDF copy, read out of the UBL the popup already has.
    with page.expect_download() as download:
        invoices.get_by_role("button", name="PDF").first.click()
    shown["pdf_name"] = download.value.suggested_filename
    shown["pdf"] = Path(download.value.path()).read_bytes()
    return shown


def refresh_and_add_branch(page: Any, folder: Path, token: str) -> str:
    frame = _frame(page)
    page.evaluate("token => host.refresh(token)", token)
    form = frame.locator("form#branch-create")
    form.get_by_label("Branch name").fill(BRANCH)
    form.get_by_label("Code", exact=True).fill("ZUID")
    form.get_by_role("button", name="Add branch").click()
    row = frame.locator("tr", has_text=BRANCH)
    row.wait_for()
    shoot(page, folder, "10-branch-after-token-refresh")
    return str(row.inner_text())


def set_invoice_address(page: Any, folder: Path) -> dict[str, str]:
    """The organisation's invoice address: a wrong Dutch postcode, then the right."""
    frame = _frame(page)
    form = frame.locator("form#organisation-addresses")
    invoice = form.locator('fieldset[data-address="invoiceAddress"]')
    invoice.get_by_label("Company", exact=True).fill(ORGANISATION)
    invoice.get_by_label("Street and number", exact=True).fill(STREET)
    invoice.get_by_label("Postcode", exact=True).fill(WRONG_POSTCODE)
    invoice.get_by_label("City", exact=True).fill("Utrecht")
    invoice.get_by_label("Country", exact=True).fill("nl")
    form.get_by_role("button", name="Save addresses").click()
    error = form.locator('[data-field="invoiceAddress.postalCode"] .error')
    error.wait_for()
    error.scroll_into_view_if_needed()
    shown = {
        "error": str(error.inner_text()),
        "errors": str(form.locator(".error").count()),
        "banner": str(form.locator(".form-banner").inner_text()),
    }
    shoot(page, folder, "15-address-postcode-error")
    invoice.get_by_label("Postcode", exact=True).fill(POSTCODE)
    form.get_by_role("button", name="Save addresses").click()
    notice = frame.locator("#organisation-notice")
    notice.wait_for()
    shown["notice"] = str(notice.inner_text())
    # The page again, prefilled from Saleor's answer.
    saved = frame.locator(
        'form#organisation-addresses fieldset[data-address="invoiceAddress"]'
    )
    shown["postcode"] = str(saved.get_by_label("Postcode", exact=True).input_value())
    shown["country"] = str(saved.get_by_label("Country", exact=True).input_value())
    shown["delivery"] = str(
        frame.locator('fieldset[data-address="deliveryAddress"]')
        .first.get_by_label("City", exact=True)
        .input_value()
    )
    shoot(page, folder, "16-address-saved")
    return shown


def upload_logo(page: Any, folder: Path) -> dict[str, str]:
    """The organisation's logo: an SVG refused under the field, then a PNG."""
    frame = _frame(page)
    form = frame.locator("form#organisation-logo-form")
    chooser = form.locator('input[type="file"]')
    chooser.set_input_files(
        {"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": SVG}
    )
    form.get_by_role("button", name="Upload logo").click()
    error = form.locator('[data-field="image"] .error')
    error.wait_for()
    shown = {"error": str(error.inner_text())}
    chooser.set_input_files(
        {
            "name": "logo.png",
            "mimeType": "image/png",
            "buffer": image_bytes("PNG", (120, 48), "RGBA"),
        }
    )
    form.get_by_role("button", name="Upload logo").click()
    # The page again, from Saleor's answer: the logo, and the notice beside it.
    logo = frame.locator("img#organisation-logo")
    logo.wait_for(state="attached")
    shown["notice"] = str(frame.locator("#organisation-notice").inner_text())
    logo.scroll_into_view_if_needed()
    shown["src"] = str(logo.get_attribute("src"))
    shoot(page, folder, "16b-logo-saved")
    return shown


def remove_logo(page: Any) -> str:
    frame = _frame(page)
    frame.locator("button#organisation-logo-remove").click()
    frame.locator("#organisation-no-logo").wait_for()
    return str(frame.locator("#organisation-notice").inner_text())


def invite_and_deactivate_member(page: Any, folder: Path) -> dict[str, str]:
    """A member invited (a set-password page on a foreign host first), then
    deactivated."""
    frame = _frame(page)
    form = frame.locator("form#member-invite")
    form.get_by_label("E-mail", exact=True).fill(MEMBER_EMAIL)
    form.get_by_label("First name", exact=True).fill("Ingrid")
    form.get_by_label("Last name", exact=True).fill("Koopman")
    form.get_by_label("Role", exact=True).select_option("ORDERER")
    page_field = form.get_by_label("Set-password page", exact=True)
    shown = {"prefilled": str(page_field.input_value())}
    page_field.fill(FOREIGN_PORTAL)
    form.get_by_role("button", name="Invite").click()
    error = form.locator('[data-field="redirectUrl"] .error')
    error.wait_for()
    error.scroll_into_view_if_needed()
    shown["error"] = str(error.inner_text())
    shoot(page, folder, "17-member-invite-error")
    form.get_by_label("Set-password page", exact=True).fill(PORTAL)
    form.get_by_role("button", name="Invite").click()
    row = frame.locator("tr", has_text=MEMBER_EMAIL)
    row.wait_for()
    shown["invited"] = str(frame.locator("#organisation-notice").inner_text())
    shown["row"] = str(row.inner_text())
    shown["role"] = str(row.get_by_label(f"Role of {MEMBER_EMAIL}").input_value())
    row.get_by_role("button", name="Deactivate").click()
    frame.locator("tr", has_text=MEMBER_EMAIL).get_by_role(
        "button", name="Reactivate"
    ).wait_for()
    row = frame.locator("tr", has_text=MEMBER_EMAIL)
    shown["deactivated"] = str(frame.locator("#organisation-notice").inner_text())
    shown["row_after"] = str(row.inner_text())
    row.scroll_into_view_if_needed()
    shoot(page, folder, "18-member-deactivated")
    return shown


def reactivate_as_admin(page: Any, folder: Path) -> dict[str, str]:
    """The deactivated member reactivated, then made an administrator."""
    frame = _frame(page)
    row = frame.locator("tr", has_text=MEMBER_EMAIL)
    row.get_by_role("button", name="Reactivate").click()
    frame.locator("#organisation-notice", has_text="reactivated").wait_for()
    row = frame.locator("tr", has_text=MEMBER_EMAIL)
    row.get_by_label(f"Role of {MEMBER_EMAIL}").select_option("ADMIN")
    notice = frame.locator("#organisation-notice", has_text="administrator")
    notice.wait_for()
    row = frame.locator("tr", has_text=MEMBER_EMAIL)
    shown = {
        "notice": str(notice.inner_text()),
        "role": str(row.get_by_label(f"Role of {MEMBER_EMAIL}").input_value()),
    }
    shoot(page, folder, "19-member-admin")
    # The only active administrator: deactivating them is refused, under the button.
    row.get_by_role("button", name="Deactivate").click()
    error = row.locator(".member-action .error")
    error.wait_for()
    shown["refused"] = str(error.inner_text())
    shown["refused_under"] = str(
        error.evaluate("e => e.parentElement.querySelector('button').textContent")
    )
    shoot(page, folder, "20-member-last-admin-refused")
    return shown


def set_branch_delivery_address(page: Any, folder: Path) -> dict[str, str]:
    """The branch's delivery address, from its collapsed addresses section."""
    frame = _frame(page)
    section = frame.locator("details.branch-addresses", has_text=BRANCH)
    section.locator("summary").click()
    delivery = section.locator('fieldset[data-address="deliveryAddress"]')
    delivery.get_by_label("Street and number", exact=True).fill(BRANCH_STREET)
    delivery.get_by_label("Postcode", exact=True).fill(BRANCH_POSTCODE)
    delivery.get_by_label("City", exact=True).fill("Utrecht")
    delivery.get_by_label("Country", exact=True).fill("NL")
    section.get_by_role("button", name="Save addresses").click()
    notice = frame.locator(
        "details.branch-addresses #organisation-notice", has_text=BRANCH
    )
    notice.wait_for()
    shown = {"notice": str(notice.inner_text())}
    # The page again, the branch's addresses open with what was saved.
    section = frame.locator("details.branch-addresses[open]", has_text=BRANCH)
    delivery = section.locator('fieldset[data-address="deliveryAddress"]')
    shown["postcode"] = str(delivery.get_by_label("Postcode", exact=True).input_value())
    shoot(page, folder, "21-branch-address-saved")
    return shown


def clear_branch_delivery_address(page: Any) -> str:
    """Every part of the branch's delivery address emptied: none."""
    frame = _frame(page)
    section = frame.locator("details.branch-addresses[open]", has_text=BRANCH)
    delivery = section.locator('fieldset[data-address="deliveryAddress"]')
    for label in ("Street and number", "Postcode", "City", "Country"):
        delivery.get_by_label(label, exact=True).fill("")
    notice = frame.locator("details.branch-addresses #organisation-notice")
    before = notice.element_handle()
    section.get_by_role("button", name="Save addresses").click()
    # Saved: the page is drawn again (the notice a new one).
    before.wait_for_element_state("hidden")
    notice.wait_for()
    return str(notice.inner_text())


def read_other_views(
    page: Any, console: Console, folder: Path, tokens: dict[str, str]
) -> dict[str, str]:
    """Inbound messages, invoice runs (a run without its period first), the App's
    home page."""
    frame = _frame(page)
    shown: dict[str, str] = {}
    open_extension(
        page,
        console,
        console.urls["inbound-messages"],
        tokens["inbound-messages"],
        "light",
    )
    frame.locator("form#message-filters").wait_for()
    frame.locator("td", has_text="accepted").wait_for()
    frame.get_by_label("Outcome").select_option("refused")
    frame.locator("td", has_text="accepted").wait_for(state="detached")
    shown["messages"] = frame.locator("#app table").inner_text()
    shoot(page, folder, "11-inbound-messages")
    open_extension(
        page, console, console.urls["invoice-runs"], tokens["invoice-runs"], "light"
    )
    form = frame.locator("form#invoice-run")
    form.wait_for()
    form.get_by_role("button", name="Start run").click()
    error = form.locator('[data-field="periodStart"] .error')
    error.wait_for()
    shown["run_error"] = error.inner_text()
    shown["run_banner"] = form.locator(".form-banner").inner_text()
    shoot(page, folder, "12-invoice-runs")
    return shown


def read_not_allowed(page: Any, folder: Path, name: str) -> str:
    frame = _frame(page)
    frame.get_by_role("heading", name="Not allowed").wait_for()
    text = frame.locator("#not-allowed").inner_text()
    shoot(page, folder, name)
    return str(text)


def actions_received(page: Any) -> list[dict[str, Any]]:
    return list(page.evaluate("() => host.actions"))


# --- the test --------------------------------------------------------------------


def refuse_a_purchase_order(connection: Connection, transfer: Any) -> None:
    """A PO whose first line's price does not match the transfer's: refused."""
    lines = tuple(
        PurchaseOrderLine(
            line_number=str(10 * number),
            sku=line["sku"],
            quantity=Decimal(line["quantity"]),
            unit=line["unit"],
            unit_price=Decimal(line["unit_price_net"])
            + (Decimal("5.00") if number == 1 else 0),
        )
        for number, line in enumerate(transfer.snapshot, start=1)
    )
    order = PurchaseOrder(
        order_number=REFUSED_PO,
        lines=lines,
        currency=transfer.currency,
        transfer_id=transfer.reference,
    )
    with pytest.raises(PurchaseOrderError):
        place_purchase_order(
            connection, order, "graphql", get_plugins_manager(allow_replica=False)
        )


@pytest.mark.django_db(transaction=True)
def test_console_in_the_dashboard(
    chromium: BrowserThread,
    screenshot_dir: Path,
    console: Console,
    invoiced_order: Any,
    oci_connection: Connection,
    make_transfer: Any,
    channel_USD: Any,
    customer_user: User,
):
    order, invoice = invoiced_order
    refuse_a_purchase_order(oci_connection, make_transfer())
    tokens = console.tokens()
    assert all(tokens.values()), tokens

    # Organisations: create one (a field error first), then a connection.
    step(
        chromium,
        screenshot_dir,
        open_extension,
        console,
        console.urls["organisations"],
        tokens["organisations"],
        "light",
    )
    organisation = step(chromium, screenshot_dir, create_organisation, screenshot_dir)
    assert "eight digits" in organisation["field_error"]
    assert ORGANISATION in organisation["listed"]
    assert KVK in organisation["listed"]
    created = BuyerOrganisation.objects.get(name=ORGANISATION)
    assert created.legal_id == KVK

    password = step(
        chromium,
        screenshot_dir,
        create_connection,
        screenshot_dir,
        channel_USD.slug,
        customer_user.email,
    )
    connection = Connection.objects.get(login_name=LOGIN)
    assert connection.organisation == created
    assert connection.channel == channel_USD
    assert connection.customer == customer_user
    assert connection.hook_url_allowlist == [ALLOWED_HOOK]
    assert check_password(password, connection.password)

    rotated = step(chromium, screenshot_dir, rotate_cxml_secret, screenshot_dir)
    secret = rotated["secret"]
    assert "cXML secret set" in rotated["summary"]
    connection.refresh_from_db()
    assert connection.cxml_shared_secret
    assert connection.cxml_shared_secret != secret
    assert check_machine_secret(secret, connection.cxml_shared_secret).matches

    # The page's actions: notifyReady once, with an action ID.
    actions = step(chromium, screenshot_dir, actions_received)
    assert [action["type"] for action in actions] == ["notifyReady"]
    assert actions[0]["payload"]["actionId"]

    # Purchase orders: the refused one first.
    step(
        chromium,
        screenshot_dir,
        open_extension,
        console,
        console.urls["purchase-orders"],
        tokens["purchase-orders"],
        "dark",
    )
    orders = step(chromium, screenshot_dir, read_purchase_orders, screenshot_dir)
    assert REFUSED_PO in orders["refused"]
    assert "refused" in orders["refused"]
    assert order.external_reference.rsplit(":", 1)[-1] in orders["placed"]
    assert REFUSED_PO not in orders["placed"]
    # Line 10, its price 5.00 above the cart's, with no tolerance.
    assert "price_outside_tolerance" in orders["problems"]
    assert "more than the 0% allowed" in orders["problems"]
    refused = ReceivedPurchaseOrder.objects.get(order_number=REFUSED_PO)
    assert refused.status == ReceivedPurchaseOrder.Status.REFUSED

    # Inbound messages (a punch-in with a wrong password, one with the right one)
    # and invoice runs.
    oci_connection.storefront_url = "https://shop.example/punchout"
    oci_connection.save(update_fields=["storefront_url"])
    for password in ("wrong-password", BUYER_PASSWORD):
        Client().post(
            PUNCHIN_PATH,
            {"USERNAME": BUYER_LOGIN, "PASSWORD": password, "HOOK_URL": HOOK_URL},
        )
    outcomes = set(InboundMessage.objects.values_list("outcome", flat=True))
    assert outcomes == {"accepted", "refused"}
    other = step(
        chromium,
        screenshot_dir,
        read_other_views,
        console,
        screenshot_dir,
        tokens,
    )
    assert PUNCHIN_PATH in other["messages"]
    assert "refused" in other["messages"]
    assert "accepted" not in other["messages"]
    assert "Choose" in other["run_error"], other
    assert other["run_banner"] == ""

    # The order's popup: its PO number and its invoice.
    step(
        chromium,
        screenshot_dir,
        open_extension,
        console,
        console.urls["order"],
        tokens["order"],
        "light",
        {"orderId": graphene.Node.to_global_id("Order", order.pk)},
    )
    popup = step(chromium, screenshot_dir, read_order_popup, screenshot_dir)
    assert popup["po_number"] == order.external_reference
    assert invoice["number"] in popup["invoices"]
    assert popup["pdf_name"] == f"{invoice['number']}.pdf"
    assert popup["pdf"] == embedded_pdf(
        IssuedDocument.objects.get(number=invoice["number"]).xml.encode()
    )

    # A token refresh: the first token is revoked (as Saleor does when the staff
    # member's tokens are deactivated), the page gets a new one and still works.
    step(
        chromium,
        screenshot_dir,
        open_extension,
        console,
        console.urls["organisations"],
        tokens["organisations"],
        "light",
    )
    step(
        chromium,
        screenshot_dir,
        lambda page: _frame(page).locator("tr", has_text=ORGANISATION).click(),
    )
    step(
        chromium,
        screenshot_dir,
        lambda page: _frame(page).get_by_role("heading", name=ORGANISATION).wait_for(),
    )
    user = console.api.user
    user.jwt_token_key = get_random_string(length=12)
    user.save(update_fields=["jwt_token_key"])
    console.api.token = None  # its own JWT was revoked too
    refreshed = console.tokens()["organisations"]
    assert refreshed
    assert refreshed != tokens["organisations"]
    old = Client().post(
        "/graphql/",
        data=json.dumps(
            {"query": "{ ociOrganisationsPaged(first: 1) { totalCount } }"}
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['organisations']}",
    )
    assert old.json().get("errors"), "the first token should no longer work"
    row = step(
        chromium, screenshot_dir, refresh_and_add_branch, screenshot_dir, refreshed
    )
    assert "ZUID" in row
    assert Branch.objects.filter(
        organisation=created, name=BRANCH, code="ZUID"
    ).exists()

    # Addresses: the organisation's invoice address, refused, then saved.
    address = step(chromium, screenshot_dir, set_invoice_address, screenshot_dir)
    assert "not valid for an address in NL" in address["error"], address
    assert address["errors"] == "1", address
    assert address["banner"] == ""
    assert "saved" in address["notice"]
    assert address["postcode"] == POSTCODE
    assert address["country"] == "NL"
    assert address["delivery"] == ""
    created.refresh_from_db()
    assert created.invoice_address is not None
    assert created.invoice_address.postal_code == POSTCODE
    assert created.invoice_address.street_address_1 == STREET
    assert created.invoice_address.company_name == ORGANISATION
    assert created.invoice_address.country.code == "NL"
    assert created.delivery_address is None

    # The logo: an SVG refused beside the file field, then a PNG stored; removed.
    logo = step(chromium, screenshot_dir, upload_logo, screenshot_dir)
    assert "SVG logos are not allowed" in logo["error"], logo
    assert "Logo of " + ORGANISATION + " saved" in logo["notice"], logo
    created.refresh_from_db()
    assert created.logo.startswith(LOGO_PREFIX)
    assert logo["src"] == logo_url(created.logo)
    assert step(chromium, screenshot_dir, remove_logo).endswith("removed.")
    created.refresh_from_db()
    assert created.logo == ""

    # Members: invited (the set-password page's host checked), then deactivated.
    member = step(
        chromium, screenshot_dir, invite_and_deactivate_member, screenshot_dir
    )
    assert member["prefilled"] == ""
    assert "ALLOWED_CLIENT_HOSTS" in member["error"], member
    assert "Invited " + MEMBER_EMAIL in member["invited"], member
    assert "Ingrid Koopman" in member["row"]
    assert member["role"] == "ORDERER"
    assert "deactivated" in member["deactivated"], member
    invited = Member.objects.get(user__email=MEMBER_EMAIL)
    assert invited.organisation == created
    assert invited.role == MemberRole.ORDERER
    assert invited.user.first_name == "Ingrid"
    assert invited.is_active is False

    # Reactivated, then made an administrator with the role's select.
    admin = step(chromium, screenshot_dir, reactivate_as_admin, screenshot_dir)
    assert "is now an administrator" in admin["notice"], admin
    assert admin["role"] == "ADMIN"
    assert "no active administrator left" in admin["refused"], admin
    assert admin["refused_under"] == "Deactivate"
    invited.refresh_from_db()
    assert invited.is_active is True
    assert invited.role == MemberRole.ADMIN

    # The branch's delivery address; its invoice address stays empty (none).
    branch_address = step(
        chromium, screenshot_dir, set_branch_delivery_address, screenshot_dir
    )
    assert "Addresses of " + BRANCH + " saved" in branch_address["notice"]
    assert branch_address["postcode"] == BRANCH_POSTCODE
    branch = Branch.objects.get(organisation=created, name=BRANCH)
    assert branch.delivery_address is not None
    assert branch.delivery_address.street_address_1 == BRANCH_STREET
    assert branch.delivery_address.postal_code == BRANCH_POSTCODE
    assert branch.invoice_address is None
    # ... and removed again: every part left empty sends null.
    cleared = step(chromium, screenshot_dir, clear_branch_delivery_address)
    assert "saved" in cleared
    branch.refresh_from_db()
    assert branch.delivery_address is None

    for path in sorted(screenshot_dir.glob("console-*.png")):
        _check_screenshot(path)


@pytest.mark.django_db(transaction=True)
def test_console_says_not_allowed_without_the_permission(
    chromium: BrowserThread,
    screenshot_dir: Path,
    console: Console,
    staff_users: list[User],
    permission_manage_orders: Any,
):
    orders_only = staff_users[1]
    orders_only.user_permissions.set([permission_manage_orders])
    app = install.install(console.saleor).app
    console.api.user = orders_only
    console.api.token = None
    tokens = console.tokens()
    # Saleor issues no extension token to a staff member lacking its permissions.
    assert tokens["organisations"] is None
    assert tokens["purchase-orders"]

    step(
        chromium,
        screenshot_dir,
        open_extension,
        console,
        console.urls["organisations"],
        None,
        "light",
    )
    no_token = step(
        chromium, screenshot_dir, read_not_allowed, screenshot_dir, "13-not-allowed"
    )
    assert "no token" in no_token

    # The App's own token for this staff member carries only Manage orders: the
    # organisations page's calls are refused by Saleor.
    app_token = create_access_token_for_app(app, orders_only)
    step(
        chromium,
        screenshot_dir,
        open_extension,
        console,
        console.urls["organisations"],
        app_token,
        "light",
    )
    denied = step(
        chromium,
        screenshot_dir,
        read_not_allowed,
        screenshot_dir,
        "14-not-allowed-by-saleor",
    )
    # Saleor's reason, and what to ask for.
    assert "MANAGE_PLUGINS" in denied
    assert "Manage plugins" in denied
    assert not BuyerOrganisation.objects.exists()
