"""The simulator as a WSGI application: routing, request bodies, responses.

Routes:

``GET /``                              start page with the punch-in form
``POST /hook``                         HOOK_URL: the shop's return form posts here
``GET /requisitions``                  every requisition received, newest first
``GET /requisitions/<n>``              one requisition: lines, approval, answers
``POST /requisitions/<n>/approve``     send the purchase order (GraphQL or cXML)
``GET /invoices``                      the shop's invoices (GraphQL ``ociInvoices``)
``GET /invoices/xml?id=<id>``          an invoice's UBL document (its ``xml``)
``GET /invoices/html?id=<id>``         its rendering for people (its ``html``)
``POST /cxml/punchout``, ``POST /cxml/return``, ``GET /cxml/carts/<n>``,
``POST /cxml/carts/<n>/order``         the cXML mode (as Ariba or Coupa): see
                                       cxml_mode.py

Whatever fails becomes a page with a message; a traceback goes to the log only.
"""

import hmac
import logging
import re
import secrets
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from saleor_oci_plugin.oci import UnsupportedCharsetError, resolve_charset
from saleor_oci_plugin.webapp.wsgi import PageApp, RequestError, Response, read_body

from . import cxml_mode, pages
from .hook import HookFormError, read_posted_form
from .invoices import KEY_FIELDS, DocumentNotFound, fetch_document, fetch_invoices
from .requisitions import (
    NotOrderableError,
    Outcome,
    RequisitionStore,
    ShopAnswer,
    purchase_order_for,
)
from .settings import HOOK_PATH, Settings
from .shop import ShopClient, ShopError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_APPROVAL_BYTES = 64 * 1024
# The approve form's channel -> the ShopClient method that sends the PO that way.
CHANNELS = {"graphql": "send_by_graphql", "cxml": "send_by_cxml"}
_REQUISITION = re.compile(r"/requisitions/(\d{1,9})")
_APPROVE = re.compile(r"/requisitions/(\d{1,9})/approve")
_INVOICE_DOCUMENT = re.compile(r"/invoices/(xml|html)")
_CXML_CART = re.compile(r"/cxml/carts/(\d{1,9})")
_CXML_ORDER = re.compile(r"/cxml/carts/(\d{1,9})/order")

# No scripts at all; the shop may be framed and forms may post to it (and follow
# its redirect to the storefront, which browsers check against form-action too).
SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; frame-src http: https:; "
        "form-action http: https:; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
)
# The shop's documents are served as they are, each as a page of its own: in a
# sandbox (an origin of its own, no scripts, forms or plugins) that may load
# nothing but its inline style (SECURITY_HEADERS' policy applies as well).
DOCUMENT_TYPES = {
    "xml": "application/xml; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
DOCUMENT_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


class SimulatorApp(PageApp):
    """The simulator's routes; one per process, shared by the server's threads."""

    app_name = "simulator"
    common_headers = SECURITY_HEADERS

    def __init__(
        self,
        settings: Settings,
        *,
        store: RequisitionStore | None = None,
        client: ShopClient | None = None,
    ) -> None:
        self.settings = settings
        self.store = store or RequisitionStore()
        self.client = client or ShopClient(settings)
        self.cxml_carts = cxml_mode.CXMLCartStore()
        # Approvals carry this token: another site cannot make the browser approve.
        self.form_token = secrets.token_urlsafe(24)

    def message_response(self, title: str, message: str, status: int) -> Response:
        return Response.page(pages.message_page(title, message), status)

    # ---------------------------------------------------------------- routing
    def route(self, environ: dict[str, Any]) -> Response:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO") or "/"
        if path == "/":
            self._allow(method, "GET")
            return self.start(environ)
        if path == HOOK_PATH:
            self._allow(method, "POST")
            return self.hook(environ)
        if path == "/requisitions":
            self._allow(method, "GET")
            return Response.page(pages.requisitions_page(self.store.all()))
        if match := _REQUISITION.fullmatch(path):
            self._allow(method, "GET")
            return self.requisition(int(match.group(1)))
        if match := _APPROVE.fullmatch(path):
            self._allow(method, "POST")
            return self.approve(int(match.group(1)), environ)
        if path.startswith("/cxml/"):
            return self.cxml(method, path, environ)
        if path == "/invoices":
            self._allow(method, "GET")
            return Response.page(
                pages.invoices_page(fetch_invoices(self.client), self.settings)
            )
        if match := _INVOICE_DOCUMENT.fullmatch(path):
            self._allow(method, "GET")
            return self.invoice_document(match.group(1), environ)
        raise RequestError(
            HTTPStatus.NOT_FOUND, "Not found", f"The simulator has no page {path}."
        )

    @staticmethod
    def _allow(method: str, allowed: str) -> None:
        if method == allowed or (method == "HEAD" and allowed == "GET"):
            return
        what = (
            "The shop's return form posts the cart here (POST)."
            if allowed == "POST"
            else f"Use {allowed} here."
        )
        raise RequestError(
            HTTPStatus.METHOD_NOT_ALLOWED, "Method not allowed", f"{method}: {what}"
        )

    # ------------------------------------------------------------------ pages
    def start(self, environ: dict[str, Any]) -> Response:
        query = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=20)
        label = (query.get("charset") or [self.settings.charset])[0]
        try:
            charset = resolve_charset(label)
        except UnsupportedCharsetError as error:
            raise RequestError(
                HTTPStatus.BAD_REQUEST, "Unknown charset", str(error)
            ) from error
        return Response.page(pages.start_page(self.settings, charset, self.store.all()))

    def cxml(self, method: str, path: str, environ: dict[str, Any]) -> Response:
        """The cXML mode's routes (cxml_mode.py)."""
        try:
            if path == "/cxml/punchout":
                self._allow(method, "POST")
                form = dict(
                    parse_qsl(
                        read_body(environ, MAX_APPROVAL_BYTES, "The simulator").decode(
                            "utf-8", "replace"
                        ),
                        max_num_fields=5,
                    )
                )
                start_page = cxml_mode.punch_out(
                    self.client, self.settings, form.get("email", "").strip()
                )
                return Response.see_other(start_page)
            if path == cxml_mode.RETURN_PATH:
                self._allow(method, "POST")
                message = cxml_mode.read_returned_cart(
                    read_body(environ, MAX_BODY_BYTES, "The simulator")
                )
                cart = self.cxml_carts.receive(message)
                logger.info("cXML cart %s: %s lines", cart.id, len(message.lines))
                return Response.see_other(f"/cxml/carts/{cart.id}")
        except cxml_mode.CXMLModeError as error:
            raise RequestError(
                HTTPStatus.BAD_REQUEST, "cXML punch-out", str(error)
            ) from error
        if match := _CXML_ORDER.fullmatch(path):
            self._allow(method, "POST")
            body = read_body(environ, MAX_APPROVAL_BYTES, "The simulator")
            token = dict(parse_qsl(body.decode("utf-8", "replace"))).get("token", "")
            if not hmac.compare_digest(token, self.form_token):
                raise RequestError(
                    HTTPStatus.FORBIDDEN,
                    "Not approved",
                    "This approval did not come from the simulator's own page.",
                )
            cart = self._cxml_cart(int(match.group(1)))
            cxml_mode.send_order(self.client, self.settings, cart)
            return Response.see_other(f"/cxml/carts/{cart.id}")
        if match := _CXML_CART.fullmatch(path):
            self._allow(method, "GET")
            cart = self._cxml_cart(int(match.group(1)))
            return Response.page(
                pages.layout(
                    f"cXML cart #{cart.id}",
                    cxml_mode.cart_body(cart, self.form_token),
                )
            )
        raise RequestError(
            HTTPStatus.NOT_FOUND, "Not found", f"The simulator has no page {path}."
        )

    def _cxml_cart(self, cart_id: int) -> cxml_mode.CXMLCart:
        cart = self.cxml_carts.get(cart_id)
        if cart is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND, "Not found", f"There is no cXML cart #{cart_id}."
            )
        return cart

    def hook(self, environ: dict[str, Any]) -> Response:
        body = read_body(environ, MAX_BODY_BYTES, "The simulator")
        try:
            form = read_posted_form(
                body,
                environ.get("CONTENT_TYPE", ""),
                environ.get("QUERY_STRING", ""),
            )
        except HookFormError as error:
            raise RequestError(
                HTTPStatus.BAD_REQUEST, "Not an OCI form", f"The cart: {error}."
            ) from error
        requisition = self.store.receive(form)
        logger.info(
            "requisition %s: %s lines from transfer %s",
            requisition.id,
            len(requisition.items),
            requisition.transfer_id or "-",
        )
        return Response.see_other(f"/requisitions/{requisition.id}")

    def invoice_document(self, document: str, environ: dict[str, Any]) -> Response:
        """The shop's ``xml`` or ``html`` of the invoice named in the query."""
        query = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=5)
        key_field = next((name for name in KEY_FIELDS if query.get(name)), None)
        if key_field is None:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                "Which invoice?",
                "Open the invoice's documents from the invoices page.",
            )
        key = query[key_field][0]
        try:
            text = fetch_document(self.client, document, key_field, key)
        except DocumentNotFound as error:
            raise RequestError(HTTPStatus.NOT_FOUND, "Not found", str(error)) from error
        except ShopError as error:
            raise RequestError(
                HTTPStatus.BAD_GATEWAY, "No answer from the shop", str(error)
            ) from error
        return Response(
            HTTPStatus.OK,
            text.encode("utf-8"),
            (
                ("Content-Type", DOCUMENT_TYPES[document]),
                ("Content-Security-Policy", DOCUMENT_POLICY),
            ),
        )

    def requisition(self, requisition_id: int) -> Response:
        requisition = self.store.get(requisition_id)
        if requisition is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND,
                "Not found",
                f"There is no requisition #{requisition_id} (the simulator keeps "
                "them in memory until it stops).",
            )
        return Response.page(
            pages.requisition_page(requisition, self.settings, self.form_token)
        )

    def approve(self, requisition_id: int, environ: dict[str, Any]) -> Response:
        body = read_body(environ, MAX_APPROVAL_BYTES, "The simulator")
        form = dict(
            parse_qsl(
                body.decode("utf-8", errors="replace"),
                keep_blank_values=True,
                max_num_fields=20,
            )
        )
        if not hmac.compare_digest(form.get("token", ""), self.form_token):
            raise RequestError(
                HTTPStatus.FORBIDDEN,
                "Not approved",
                "This approval did not come from the simulator's own page; reload "
                "the requisition and approve again.",
            )
        method_name = CHANNELS.get(form.get("channel", ""))
        if method_name is None:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                "Not approved",
                "Choose GraphQL or cXML to send the purchase order.",
            )
        requisition = self.store.get(requisition_id)
        if requisition is None:
            return self.requisition(requisition_id)
        try:
            order = purchase_order_for(
                requisition,
                nzi_field=self.settings.nzi_field,
                cost_centre=form.get("cost_centre", ""),
            )
        except NotOrderableError as error:
            answer = ShopAnswer("none", Outcome.FAILED, error.problems)
        else:
            answer = getattr(self.client, method_name)(order)
        logger.info(
            "PO %s by %s: %s %s",
            requisition.po_number,
            answer.channel,
            answer.outcome.value,
            "; ".join(answer.messages),
        )
        self.store.add_answer(requisition_id, answer)
        return Response.see_other(f"/requisitions/{requisition_id}")
