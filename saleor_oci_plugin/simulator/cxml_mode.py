"""The simulator's cXML mode: it behaves as SAP Ariba or Coupa punching out.

``POST /cxml/punchout``    send a PunchOutSetupRequest (cXML 1.2.014) to the shop's
                           ``.../cxml/setup``, then send the browser (303) to the
                           StartPage URL it answers with
``POST /cxml/return``      BrowserFormPost/URL: the shop's PunchOutOrderMessage
                           arrives in ``cxml-urlencoded`` or ``cxml-base64``
``GET /cxml/carts/<n>``    the message as received: cookie, lines, totals
``POST /cxml/carts/<n>/order``  approve: an OrderRequest naming the transfer goes to
                           the shop's ``.../orders/cxml``; its answer is shown

The carts stay in memory, like the OCI requisitions.
"""

import base64
import binascii
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from saleor_oci_plugin.webapp.html import escape

from .cxml import (
    BILL_TO,
    CartMessage,
    CXMLResponseError,
    SetupUser,
    build_order_request_from_messages,
    build_punchout_setup_request,
    read_order_message,
    read_response,
    read_setup_response,
)
from .requisitions import new_po_number, plain_number
from .settings import Settings
from .shop import ShopClient, ShopError, mask_shared_secret

FORM_FIELD_URLENCODED = "cxml-urlencoded"
FORM_FIELD_BASE64 = "cxml-base64"
SETUP_PATH = "/plugins/global/oci.punchout/cxml/setup"
RETURN_PATH = "/cxml/return"
MAX_CARTS = 200
SHIP_TO = {
    "company": "Ziekenhuis Oost",
    "name": "Magazijn Noord",
    "street": "Ziekenhuisweg 1",
    "city": "Utrecht",
    "postcode": "3584 CX",
    "country": "NL",
    "country_name": "Nederland",
}


class CXMLModeError(ValueError):
    """Something the cXML mode cannot do; the message says what to fix."""


@dataclass
class CXMLCart:
    """A PunchOutOrderMessage received, and what became of its order."""

    id: int
    message: CartMessage
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    po_number: str = field(default_factory=new_po_number)
    answers: list[str] = field(default_factory=list)
    placed: bool = False


class CXMLCartStore:
    def __init__(self) -> None:
        self._carts: dict[int, CXMLCart] = {}
        self._lock = threading.Lock()
        self._next = 1

    def receive(self, message: CartMessage) -> CXMLCart:
        with self._lock:
            cart = CXMLCart(self._next, message)
            self._carts[cart.id] = cart
            self._next += 1
            while len(self._carts) > MAX_CARTS:
                self._carts.pop(min(self._carts))
            return cart

    def get(self, cart_id: int) -> CXMLCart | None:
        return self._carts.get(cart_id)


def punch_out(client: ShopClient, settings: Settings, email: str) -> str:
    """Send the setup request; the StartPage URL the shop answers with."""
    if not settings.cxml_configured:
        raise CXMLModeError(
            "cXML punch-out needs --cxml-identity and --cxml-secret (the "
            "connection's cXML identity and shared secret)."
        )
    document = build_punchout_setup_request(
        identity=settings.cxml_identity,
        shared_secret=settings.cxml_secret,
        buyer_cookie=secrets.token_hex(12),
        browser_form_post=settings.own_base + RETURN_PATH,
        user=SetupUser(email=email) if email else None,
        ship_to=SHIP_TO,
    )
    try:
        answer = client.post(
            settings.shop_base + SETUP_PATH,
            document,
            {"Content-Type": "text/xml; charset=utf-8"},
        )
        status, start_page = read_setup_response(answer.body)
    except (ShopError, CXMLResponseError) as error:
        raise CXMLModeError(f"The shop gave no start page: {error}") from error
    if status.code != 200 or not start_page:
        raise CXMLModeError(
            f"The shop refused the PunchOutSetupRequest: cXML status {status.code} "
            f"{status.message or status.text}"
        )
    return start_page


def read_returned_cart(body: bytes) -> CartMessage:
    """The PunchOutOrderMessage in a posted return form."""
    fields = dict(
        parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)[:10]
    )
    try:
        if fields.get(FORM_FIELD_URLENCODED):
            document = fields[FORM_FIELD_URLENCODED].encode("utf-8")
        elif fields.get(FORM_FIELD_BASE64):
            document = base64.b64decode(fields[FORM_FIELD_BASE64], validate=True)
        else:
            raise CXMLModeError(
                "The post carries neither cxml-urlencoded nor cxml-base64."
            )
        return read_order_message(document)
    except (CXMLResponseError, ValueError, binascii.Error) as error:
        if isinstance(error, CXMLModeError):
            raise
        raise CXMLModeError(f"Not a PunchOutOrderMessage: {error}") from error


def send_order(client: ShopClient, settings: Settings, cart: CXMLCart) -> None:
    """Send the cart's OrderRequest; record the shop's answer on the cart."""
    document = build_order_request_from_messages(
        (cart.message,),
        order_number=cart.po_number,
        identity=settings.cxml_identity,
        shared_secret=settings.cxml_secret,
        bill_to=BILL_TO,
    )
    try:
        answer = client.post(
            settings.cxml_orders_url,
            document,
            {"Content-Type": "text/xml; charset=utf-8"},
        )
        status = read_response(answer.body)
    except (ShopError, CXMLResponseError) as error:
        cart.answers.append(f"Failed: {error}")
        return
    cart.placed = cart.placed or status.code == 200
    cart.answers.append(
        f"cXML status {status.code} {status.text}: {status.message}"
        + f"\n\n{mask_shared_secret(document).decode('utf-8')}"
    )


def cart_body(cart: CXMLCart, form_token: str) -> str:
    """The page body of a received cart."""
    message = cart.message
    rows = "".join(
        "<tr>"
        f"<td>{escape(line.line_number)}</td><td>{escape(line.sku)}</td>"
        f'<td class="text">{escape(line.description)}</td>'
        f'<td class="number">{plain_number(line.quantity)}</td>'
        f"<td>{escape(line.unit)}</td>"
        f'<td class="number">{escape(str(line.unit_price))} '
        f"{escape(line.currency)}</td>"
        "<td>"
        + ", ".join(
            f"{escape(domain)} {escape(code)}" for domain, code in line.classifications
        )
        + f"</td><td>{escape(line.cost_centre)}</td>"
        f'<td class="text">{escape(line.comments)}</td>'
        f'<td class="text">{escape(line.transfer_id)}</td></tr>'
        for line in message.lines
    )
    answers = "".join(
        f'<div class="box {"placed" if cart.placed else "refused"}"><pre>'
        f"{escape(answer)}</pre></div>"
        for answer in cart.answers
    )
    approve = (
        ""
        if cart.placed or not message.lines
        else f'<form method="post" action="/cxml/carts/{cart.id}/order">'
        f'<input type="hidden" name="token" value="{escape(form_token)}">'
        f"<button>Approve and send OrderRequest {escape(cart.po_number)}</button>"
        "</form>"
    )
    return (
        f"<p>PunchOutOrderMessage received {cart.received_at:%Y-%m-%d %H:%M:%S} "
        f"UTC; BuyerCookie <code>{escape(message.buyer_cookie)}</code>; "
        f"operationAllowed {escape(message.operation_allowed)}.</p>"
        + (
            "<table><tr><th>#</th><th>SKU</th><th>Description</th><th>Qty</th>"
            "<th>Unit</th><th>Unit price</th><th>Classification</th>"
            "<th>Cost centre</th><th>Comments</th><th>Transfer</th></tr>"
            f"{rows}</table>"
            if message.lines
            else "<p>The buyer cancelled: the message has no lines.</p>"
        )
        + f"<p>Total {escape(str(message.total))} {escape(message.currency)}"
        + (
            f", tax {escape(str(message.tax))} {escape(message.currency)}"
            if message.tax is not None
            else ""
        )
        + "</p>"
        + approve
        + answers
    )
