"""The whole OCI round trip without a person, through HTTP as the ERP and the
storefront would do it, in this process with Django's test ``Client``:

punch-in POST naming the orderer -> the 303's ``oci_code`` ->
``ociSessionTokenCreate`` -> ``ociCheckoutOrderingSet`` (the orderer's cost centre)
-> ``checkoutLinesAdd`` -> ``ociGreetingCardSet`` -> ``ociCheckoutTransfer`` -> the
returned form read with lxml and decoded with the OCI codec, as the ERP reads what
arrives at its HOOK_URL -> the approved purchase order as a cXML OrderRequest
(written by the simulator's cXML writer) -> the Saleor order -> Saleor's
``invoiceRequest`` with the demo App's token -> the invoice's e-mail, as the
issued document records it.

Each step that goes wrong raises ``RoundTripFailed`` naming the step. The invoice
is the exception: its issuing is reported in the result (``invoice_status``,
``invoice_message``), because an order without an invoice is still a completed
purchase-order round trip; so is its e-mail (``invoice_sent_to``,
``invoice_delivery_error``, ``invoice_mail``). Without a Celery broker, Saleor runs
the e-mail task in this process when the invoice's transaction commits, so the
mail has gone (or failed) by the time ``invoiceRequest`` answers.
"""

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import graphene
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from lxml import etree
from lxml import html as lxml_html
from saleor.app.models import App, AppToken

from .. import oci
from ..invoices.models import IssuedDocument
from ..purchase_orders.placing import external_reference
from ..simulator.cxml import CXMLResponseError, build_order_request, read_response
from ..simulator.requisitions import (
    NotOrderableError,
    PurchaseOrder,
    Requisition,
    line_total,
    new_po_number,
    purchase_order_for,
    sku_of,
)
from ..simulator.settings import CXML_ORDERS_PATH, GRAPHQL_PATH, HOOK_PATH, PUNCHIN_PATH
from .shop import CHANNEL_SLUG, DemoShop

# What the headless buyer puts in the cart: SKU and quantity; both VAT rates occur.
CART = (("GB-ZORG-01", 3), ("BL-ROOS-02", 2), ("KP-KLAS-01", 1))
CARD_SKU = "BL-ROOS-02"
CARD_TEXT = "Beterschap en veel sterkte! Team Inkoop, Ziekenhuis Oost"
TEMPORARY_APP_TOKEN_NAME = "oci-demo headless run"
# The person SAP SRM names at punch-in (its system fields); created as an orderer
# of the connection's branch the first time.
ORDERER = {
    "USER_ID": "JDEVRIES",
    "USER_EMAIL": "j.devries@ziekenhuis-oost.example",
    "FIRST_NAME": "Jan",
    "LAST_NAME": "de Vries",
}
# Django's test Client sends this host name.
TEST_CLIENT_HOST = "testserver"

TOKEN_CREATE = """
mutation ($code: String!) {
  ociSessionTokenCreate(code: $code) {
    token checkout { id }
    session {
      member { email firstName lastName }
      costCentre
      branch { id }
      orderingBranches { branch { id } costCentres { code isDefault } }
    }
    errors { field code message }
  }
}
"""
ORDERING_SET = """
mutation ($id: ID!, $costCentre: String!) {
  ociCheckoutOrderingSet(id: $id, costCentre: $costCentre) {
    session { costCentre } errors { field code message }
  }
}
"""
VARIANTS = """
query ($channel: String!, $skus: [String!]) {
  productVariants(first: 20, channel: $channel, filter: {sku: $skus}) {
    edges { node { id sku } }
  }
}
"""
LINES_ADD = """
mutation ($id: ID!, $lines: [CheckoutLineInput!]!) {
  checkoutLinesAdd(id: $id, lines: $lines) {
    checkout { lines { id quantity variant { sku } } }
    errors { field code message }
  }
}
"""
CARD_SET = """
mutation ($checkoutId: ID!, $text: String!, $lineId: ID) {
  ociGreetingCardSet(checkoutId: $checkoutId, text: $text, lineId: $lineId) {
    errors { field code message }
  }
}
"""
TRANSFER = """
mutation ($id: ID!) {
  ociCheckoutTransfer(id: $id) {
    transfer { id hookUrl target html warnings { field line rule } }
    errors { field code message }
  }
}
"""
ORDER = """
query ($reference: String!) {
  order(externalReference: $reference) {
    id number status externalReference userEmail
    costCentre: metafield(key: "oci.cost_centre")
    total { gross { amount currency } }
  }
}
"""
INVOICE_REQUEST = """
mutation ($orderId: ID!) {
  invoiceRequest(orderId: $orderId) {
    invoice { id number status message }
    errors { field code message }
  }
}
"""


class RoundTripFailed(Exception):
    """A step of the round trip went wrong; ``step`` names it."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


@dataclass(frozen=True)
class CartLine:
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal | None
    nzi_code: str


@dataclass
class RoundTripResult:
    login: str
    hook_url: str
    transfer_id: str = ""
    currency: str = ""
    lines: list[CartLine] = field(default_factory=list)
    cart_net_total: Decimal = Decimal(0)
    # The orderer the punch-in named, and the cost centre chosen in the session.
    orderer: str = ""
    cost_centre: str = ""
    transfer_warnings: int = 0
    po_number: str = ""
    po_answer: str = ""
    order_number: str = ""
    order_reference: str = ""
    order_status: str = ""
    order_total_gross: str = ""
    order_user_email: str = ""
    order_cost_centre: str = ""
    invoice_number: str = ""
    # SUCCESS, FAILED, PENDING, or NOT REQUESTED when Saleor refused the request.
    invoice_status: str = ""
    invoice_message: str = ""
    validation: str = ""
    # Whether the plugin issued a document for the invoice (else none is e-mailed).
    invoice_document: bool = False
    # The document's e-mail (invoices.delivery): the address it went to, or why it
    # did not go; both empty while it waits for a Celery worker.
    invoice_sent_to: str = ""
    invoice_delivery_error: str = ""
    # Where the mail went: the file the file backend wrote (else its folder), or
    # which backend took it.
    invoice_mail: str = ""


def run_round_trip(
    shop: DemoShop,
    *,
    password: str,
    cxml_secret: str,
    hook_url: str = "",
    po_number: str = "",
) -> RoundTripResult:
    """Run the round trip against the current database; see the module docstring.

    ``hook_url`` defaults to the simulator's hook under the connection's first
    allow-list entry; ``po_number`` to a new ERP number ("45" and eight digits).
    """
    connection = shop.connection
    if not hook_url:
        if not connection.hook_url_allowlist:
            raise RoundTripFailed(
                "punch-in", "the demo connection has no HOOK_URL allow-list entry"
            )
        hook_url = connection.hook_url_allowlist[0].rstrip("/") + HOOK_PATH
    result = RoundTripResult(login=connection.login_name, hook_url=hook_url)
    allowed_hosts = [*settings.ALLOWED_HOSTS, TEST_CLIENT_HOST]
    with (
        override_settings(ALLOWED_HOSTS=allowed_hosts),
        _temporary_app_token(shop.app) as app_token,
    ):
        http = _Http(Client(raise_request_exception=False))
        code = _punch_in(http, connection.login_name, password, hook_url)
        token, checkout_id = _session_token(http, code, result)
        line_ids = _fill_cart(http, token, checkout_id)
        _set_card(http, token, checkout_id, line_ids[CARD_SKU])
        form_html = _transfer(http, token, checkout_id, result)
        cart = _decode(form_html, hook_url, result)
        _send_purchase_order(
            http,
            shop,
            cart,
            cxml_secret=cxml_secret,
            po_number=po_number or new_po_number(),
            result=result,
        )
        order_id = _find_order(http, app_token, shop, result)
        _request_invoice(http, app_token, order_id, result)
    return result


# --- the steps -----------------------------------------------------------------


def _punch_in(http: "_Http", login: str, password: str, hook_url: str) -> str:
    step = "punch-in"
    response = http.client.post(
        PUNCHIN_PATH,
        {
            "USERNAME": login,
            "PASSWORD": password,
            "HOOK_URL": hook_url,
            "~OKCODE": "ADDI",
            "~TARGET": "_top",
            "~CALLER": "CTLG",
            "OCI_VERSION": "4.0",
            **ORDERER,
        },
    )
    if response.status_code == 401:
        raise RoundTripFailed(
            step,
            f"login {login!r} refused (401): the connection's password is not the "
            "one given; pass the password given to setup (--password).",
        )
    if response.status_code != 303:
        raise RoundTripFailed(
            step,
            f"expected a 303 redirect, got HTTP {response.status_code}: "
            f"{_excerpt(response.content)}",
        )
    location = response["Location"]
    codes = parse_qs(urlsplit(location).query).get("oci_code")
    if not codes:
        raise RoundTripFailed(step, f"no oci_code in the redirect to {location}")
    return codes[0]


def _session_token(
    http: "_Http", code: str, result: RoundTripResult
) -> tuple[str, str]:
    """The session's tokens; the orderer then books the cart on another of the
    branch's cost centres than the default, where it has one."""
    step = "session token"
    data = http.graphql(step, TOKEN_CREATE, {"code": code})["ociSessionTokenCreate"]
    _no_errors(step, data)
    if not data.get("token") or not data.get("checkout"):
        raise RoundTripFailed(step, "no token or checkout in the answer")
    token, checkout_id = data["token"], data["checkout"]["id"]
    session = data["session"]
    member = session["member"]
    if member is None:
        raise RoundTripFailed(step, "the punch-in's orderer was not recognised")
    result.orderer = (
        f"{member['firstName']} {member['lastName']} <{member['email']}>".strip()
    )
    result.cost_centre = session["costCentre"]
    branch_id = (session["branch"] or {}).get("id")
    others = [
        centre["code"]
        for choice in session["orderingBranches"]
        if choice["branch"]["id"] == branch_id
        for centre in choice["costCentres"]
        if not centre["isDefault"]
    ]
    if others:
        step = "cost centre"
        chosen = http.graphql(
            step,
            ORDERING_SET,
            {"id": checkout_id, "costCentre": others[0]},
            token=token,
        )["ociCheckoutOrderingSet"]
        _no_errors(step, chosen)
        result.cost_centre = chosen["session"]["costCentre"]
    return token, checkout_id


def _fill_cart(http: "_Http", token: str, checkout_id: str) -> dict[str, str]:
    """Add the demo cart's lines; the checkout line ids by SKU."""
    step = "cart"
    skus = [sku for sku, _ in CART]
    edges = http.graphql(
        step, VARIANTS, {"channel": CHANNEL_SLUG, "skus": skus}, token=token
    )["productVariants"]["edges"]
    variant_ids = {edge["node"]["sku"]: edge["node"]["id"] for edge in edges}
    missing = [sku for sku in skus if sku not in variant_ids]
    if missing:
        raise RoundTripFailed(
            step,
            f"channel {CHANNEL_SLUG!r} does not sell {', '.join(missing)}; "
            "run `oci_demo setup`",
        )
    data = http.graphql(
        step,
        LINES_ADD,
        {
            "id": checkout_id,
            "lines": [
                {"variantId": variant_ids[sku], "quantity": quantity}
                for sku, quantity in CART
            ],
        },
        token=token,
    )["checkoutLinesAdd"]
    _no_errors(step, data)
    return {line["variant"]["sku"]: line["id"] for line in data["checkout"]["lines"]}


def _set_card(http: "_Http", token: str, checkout_id: str, line_id: str) -> None:
    step = "greeting card"
    data = http.graphql(
        step,
        CARD_SET,
        {"checkoutId": checkout_id, "text": CARD_TEXT, "lineId": line_id},
        token=token,
    )["ociGreetingCardSet"]
    _no_errors(step, data)


def _transfer(
    http: "_Http", token: str, checkout_id: str, result: RoundTripResult
) -> str:
    step = "transfer"
    data = http.graphql(step, TRANSFER, {"id": checkout_id}, token=token)[
        "ociCheckoutTransfer"
    ]
    _no_errors(step, data)
    sent = data["transfer"]
    if sent is None or not sent.get("html"):
        raise RoundTripFailed(step, "no transfer or form in the answer")
    result.transfer_id = sent["id"]
    result.transfer_warnings = len(sent.get("warnings") or [])
    return str(sent["html"])


def _decode(form_html: str, hook_url: str, result: RoundTripResult) -> oci.DecodedCart:
    """Read the form as the ERP's HOOK_URL receives it, and decode it."""
    step = "decode"
    try:
        forms = lxml_html.fromstring(form_html).forms
    except (etree.ParserError, ValueError) as error:
        raise RoundTripFailed(step, f"the form is not readable HTML: {error}") from None
    if len(forms) != 1:
        raise RoundTripFailed(step, f"expected one form, found {len(forms)}")
    form = forms[0]
    if form.action != hook_url:
        raise RoundTripFailed(
            step, f"the form posts to {form.action!r}, not to HOOK_URL {hook_url!r}"
        )
    fields = [(element.name, element.value or "") for element in form.inputs]
    try:
        cart = oci.decode_cart((name, value) for name, value in fields if name)
    except oci.CartDecodeError as error:
        raise RoundTripFailed(step, f"the codec refuses the form: {error}") from None
    if len(cart.items) != len(CART):
        raise RoundTripFailed(
            step, f"expected {len(CART)} items in the form, found {len(cart.items)}"
        )
    quote_ids = {item.ext_quote_id for item in cart.items}
    if quote_ids != {result.transfer_id}:
        raise RoundTripFailed(
            step,
            f"the items name transfers {sorted(quote_ids)}, not {result.transfer_id}",
        )
    currencies = {item.currency for item in cart.items}
    result.currency = ", ".join(sorted(currencies))
    for item in cart.items:
        result.lines.append(
            CartLine(
                sku=sku_of(item),
                description=item.description,
                quantity=item.quantity or Decimal(0),
                unit_price=(item.price / item.price_unit) if item.price else None,
                nzi_code=item.matgroup,
            )
        )
        result.cart_net_total += line_total(item) or Decimal(0)
    return cart


def approved_purchase_order(
    cart: oci.DecodedCart, *, po_number: str, nzi_field: str, cost_centre_field: str
) -> PurchaseOrder:
    """The purchase order the ERP makes of the transferred cart once approved,
    booked on the cost centre the cart came with (raises NotOrderableError)."""
    requisition = Requisition(
        id=1,
        po_number=po_number,
        received_at=datetime.now(UTC),
        charset="UTF-8",
        fields=(),
        items=cart.items,
        okcode=cart.okcode,
        target=cart.target,
        caller=cart.caller,
    )
    cost_centre = next(
        (
            value
            for item in cart.items
            if (value := getattr(item, cost_centre_field.lower(), ""))
        ),
        "",
    )
    return purchase_order_for(requisition, nzi_field=nzi_field, cost_centre=cost_centre)


def _send_purchase_order(
    http: "_Http",
    shop: DemoShop,
    cart: oci.DecodedCart,
    *,
    cxml_secret: str,
    po_number: str,
    result: RoundTripResult,
) -> None:
    """Approve the cart as the ERP does and send the PO as a cXML OrderRequest."""
    step = "purchase order"
    connection = shop.connection
    try:
        order = approved_purchase_order(
            cart,
            po_number=po_number,
            nzi_field=connection.nzi_field,
            cost_centre_field=connection.cost_centre_field,
        )
    except NotOrderableError as error:
        raise RoundTripFailed(step, str(error)) from None
    document = build_order_request(
        order, identity=connection.cxml_identity, shared_secret=cxml_secret
    )
    response = http.client.post(
        CXML_ORDERS_PATH, document, content_type="text/xml; charset=utf-8"
    )
    result.po_number = po_number
    try:
        status = read_response(response.content)
    except CXMLResponseError as error:
        raise RoundTripFailed(
            step,
            f"HTTP {response.status_code}, not a cXML Response ({error}): "
            f"{_excerpt(response.content)}",
        ) from None
    result.po_answer = f"Status {status.code} {status.message or status.text}".strip()
    if status.code != 200:
        hint = (
            " (the cXML shared secret is not the one given to setup: pass it with "
            "--cxml-secret)"
            if status.code == 401
            else ""
        )
        raise RoundTripFailed(step, f"the shop answered {result.po_answer}{hint}")


def _find_order(
    http: "_Http", app_token: str, shop: DemoShop, result: RoundTripResult
) -> str:
    """The Saleor order the PO became, read as the ERP's App sees it."""
    step = "Saleor order"
    reference = external_reference(shop.connection, result.po_number)
    order = http.graphql(step, ORDER, {"reference": reference}, token=app_token)[
        "order"
    ]
    if order is None:
        raise RoundTripFailed(step, f"no order with external reference {reference}")
    result.order_number = str(order["number"])
    result.order_reference = order["externalReference"]
    result.order_status = str(order["status"]).lower()
    result.order_user_email = order["userEmail"] or ""
    result.order_cost_centre = order["costCentre"] or ""
    gross = order["total"]["gross"]
    result.order_total_gross = f"{gross['currency']} {Decimal(str(gross['amount']))}"
    return str(order["id"])


def _request_invoice(
    http: "_Http", app_token: str, order_id: str, result: RoundTripResult
) -> None:
    """Ask Saleor for the invoice; its outcome is reported, never raised."""
    step = "invoice"
    mail_files_before = _mail_files()
    data = http.graphql(step, INVOICE_REQUEST, {"orderId": order_id}, token=app_token)[
        "invoiceRequest"
    ]
    invoice = data.get("invoice")
    if data.get("errors") or invoice is None:
        result.invoice_status = "NOT REQUESTED"
        result.invoice_message = _messages(data.get("errors") or []) or "no invoice"
        return
    result.invoice_status = str(invoice["status"])
    result.invoice_number = invoice.get("number") or ""
    result.invoice_message = invoice.get("message") or ""
    document = _issued_document(invoice["id"])
    if document is None:
        return
    result.invoice_document = True
    result.validation = _validation(document)
    result.invoice_sent_to = document.sent_to
    result.invoice_delivery_error = document.delivery_error
    if document.sent_at is not None:
        result.invoice_mail = _mail_destination(
            document.number, _mail_files() - mail_files_before
        )


def _issued_document(invoice_id: str) -> IssuedDocument | None:
    """The plugin's document behind Saleor's invoice, if the plugin issued one."""
    _, pk = graphene.Node.from_global_id(invoice_id)
    return IssuedDocument.objects.filter(invoice_id=pk).first()


def _validation(document: IssuedDocument) -> str:
    """What the plugin's validation said of the issued document."""
    record = document.validation_result or {}
    failures = record.get("failures") or []
    rule_sets = ", ".join(["UBL 2.1 XSD", *record.get("rule_sets", [])])
    verdict = "valid" if record.get("valid") else "NOT valid"
    return f"{verdict} ({rule_sets}); {len(failures)} warning(s)"


# --- where the invoice's mail went ---------------------------------------------

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def _mail_folder() -> str:
    """The file backend's folder, as that backend resolves it."""
    return os.path.abspath(getattr(settings, "EMAIL_FILE_PATH", None) or "")


def _mail_files() -> set[str]:
    """The mail files in the file backend's folder now (none for other backends)."""
    if settings.EMAIL_BACKEND != FILE_BACKEND:
        return set()
    folder = _mail_folder()
    try:
        return {
            entry.path
            for entry in os.scandir(folder)
            if entry.name.endswith(".log") and entry.is_file()
        }
    except OSError:  # no folder yet (the backend makes it for the first mail)
        return set()


def _mail_destination(number: str, new_files: set[str]) -> str:
    """Where the mail of document ``number`` went, as far as this process sees it.

    The file backend writes one file per connection, and delivery opens one per
    mail: the new file that attaches ``<number>.xml`` is this mail's.
    """
    backend = settings.EMAIL_BACKEND
    if backend == FILE_BACKEND:
        attachment = f"{number}.xml".encode()
        for path in sorted(new_files, key=_modified, reverse=True):
            try:
                with open(path, "rb") as mail_file:
                    if attachment in mail_file.read():
                        return path
            except OSError:
                continue
        return f"a file in {_mail_folder()}{os.sep}"
    if backend == CONSOLE_BACKEND:
        return "printed above by Django's console e-mail backend"
    if backend == SMTP_BACKEND:
        return f"to the SMTP server {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return f"through {backend}"


def _modified(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


# --- HTTP ----------------------------------------------------------------------


class _Http:
    """The test Client, with GraphQL calls that fail as a named step."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def graphql(
        self, step: str, query: str, variables: dict[str, Any], *, token: str = ""
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(
            GRAPHQL_PATH,
            json.dumps({"query": query, "variables": variables}),
            content_type="application/json",
            headers=headers,
        )
        if response.status_code != 200:
            raise RoundTripFailed(
                step, f"HTTP {response.status_code}: {_excerpt(response.content)}"
            )
        content = response.json()
        if content.get("errors"):
            raise RoundTripFailed(step, _messages(content["errors"]))
        return content["data"]


@contextmanager
def _temporary_app_token(app: App) -> Iterator[str]:
    """A token of the demo App for this run only: the App's own token was shown
    once at setup and is stored hashed."""
    token, raw_token = AppToken.objects.create(app=app, name=TEMPORARY_APP_TOKEN_NAME)
    try:
        yield raw_token
    finally:
        token.delete()


def _no_errors(step: str, data: dict[str, Any]) -> None:
    if data.get("errors"):
        raise RoundTripFailed(step, _messages(data["errors"]))


def _messages(errors: Sequence[dict[str, Any]]) -> str:
    return "; ".join(
        " ".join(
            part
            for part in (
                f"[{error['code']}]" if error.get("code") else "",
                f"{error['field']}:" if error.get("field") else "",
                str(error.get("message") or ""),
            )
            if part
        )
        for error in errors
    )


def _excerpt(body: bytes, limit: int = 300) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[:limit] + "..."
