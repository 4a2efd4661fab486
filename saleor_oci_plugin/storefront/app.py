"""The storefront as a WSGI application: routing, forms, responses.

Routes (``<id>`` is the session id: the session travels in the path, never in a
cookie, and no response sets one):

``GET /punchout?oci_code=...``     exchange the punch-in's code, open a session
``GET /s/<id>/``                    the channel's products
``GET /s/<id>/product/<product>``   one product, its variants, "add to cart"
``GET /s/<id>/cart``                the cart: quantities, card texts, transfer
``POST /s/<id>/cart/add``           ``checkoutLinesAdd``
``POST /s/<id>/cart/update``        ``checkoutLinesUpdate``
``POST /s/<id>/cart/remove``        ``checkoutLinesDelete``
``POST /s/<id>/cart/card``          ``ociGreetingCardSet`` (whole cart or one line)
``GET /s/<id>/cart/card-preview``   ``ociGreetingCardPreview``: JSON, the printed card
``POST /s/<id>/cart/ordering``      ``ociCheckoutOrderingSet``: branch and cost centre
``POST /s/<id>/transfer``           ``ociCheckoutTransfer``: the OCI form is the page
``POST /s/<id>/cancel``             ``ociCheckoutCancel``: the empty OCI form

What Saleor refuses is shown on the page with its message; whatever else fails
becomes a page with a message, the traceback goes to the log only.
"""

import hmac
import json
import logging
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote

from saleor_oci_plugin.webapp.wsgi import PageApp, RequestError, read_body

from . import pages
from .graphql_client import GraphQLClient, SaleorUnavailable
from .portal_app import PortalRoutes
from .portal_sessions import PortalSessionTable
from .responses import COMMON_HEADERS, RETURN_FORM_POLICY, Response
from .sessions import SessionTable, ShopSession
from .settings import Settings
from .shop import INSPECT, Problem, Shop, ShopRefusal

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 64 * 1024
# As the card text's own limit in Saleor.
MAX_CARD_TEXT = 1000
_SESSION_ROUTE = re.compile(r"/s/([A-Za-z0-9_-]{16,64})(/.*)?")
_PRODUCT_ROUTE = re.compile(r"/product/(.+)")

__all__ = ["RETURN_FORM_POLICY", "Response", "StorefrontApp"]


class StorefrontApp(PageApp):
    """The storefront's routes; one per process, shared by the server's threads."""

    app_name = "storefront"
    common_headers = COMMON_HEADERS

    def __init__(
        self,
        settings: Settings,
        *,
        sessions: SessionTable | None = None,
        client: GraphQLClient | None = None,
        portal_sessions: PortalSessionTable | None = None,
    ) -> None:
        self.settings = settings
        # "is None": an empty table is falsy (it has a length).
        self.sessions = SessionTable() if sessions is None else sessions
        client = client or GraphQLClient(settings.graphql_url, settings.timeout)
        self.shop = Shop(client, self.sessions)
        self.portal = PortalRoutes(settings, client, portal_sessions)

    def message_response(self, title: str, message: str, status: int) -> Response:
        return Response.page(pages.message_page(title, message), status)

    def failure_response(self, error: Exception) -> Response | None:
        if isinstance(error, SaleorUnavailable):
            return Response.page(
                pages.message_page("The shop is not answering", str(error)),
                HTTPStatus.BAD_GATEWAY,
            )
        return None

    # ---------------------------------------------------------------- routing
    def route(self, environ: dict[str, Any]) -> Response:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO") or "/"
        if path == "/":
            _allow(method, "GET")
            return Response.page(
                pages.message_page(
                    "Punch-out shop",
                    "Open this shop from your procurement system: it signs you in. "
                    "Administrators of a business account sign in to the "
                    "organisation portal at /portal/.",
                )
            )
        if path == "/portal" or path.startswith("/portal/"):
            return self.portal.route(environ, method, path)
        if path == "/punchout":
            _allow(method, "GET")
            return self.punchout(environ)
        match = _SESSION_ROUTE.fullmatch(path)
        if match is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND, "Not found", f"This shop has no page {path}."
            )
        session = self.sessions.get(match.group(1))
        if session is None:
            return Response.page(pages.session_over_page(), HTTPStatus.NOT_FOUND)
        if session.closed:
            return Response.page(
                pages.message_page(
                    "Session closed",
                    "This cart was sent back to your procurement system (or the "
                    "punch-out was cancelled). Start again from there to shop more.",
                ),
                HTTPStatus.GONE,
            )
        rest = match.group(2) or "/"
        if session.operation == INSPECT:
            # The procurement system only shows its cart: nothing can change.
            if rest in READ_ONLY_REFUSED:
                return self.message_response(
                    "Read-only cart",
                    "Your procurement system opened this cart to show it "
                    "(inspect); it cannot be changed or sent back.",
                    HTTPStatus.FORBIDDEN,
                )
            if rest == "/":
                return self.cart(session)
        if rest == "/":
            _allow(method, "GET")
            return self.products(session)
        if product_match := _PRODUCT_ROUTE.fullmatch(rest):
            _allow(method, "GET")
            # Servers hand PATH_INFO over decoded (wsgiref does); a global id is
            # base64, which has no "%", so decoding once more is safe either way.
            return self.product(session, unquote(product_match.group(1)))
        if rest == "/cart":
            _allow(method, "GET")
            return self.cart(session)
        if rest == "/cart/card-preview":
            _allow(method, "GET")
            return self.card_preview(session, environ)
        actions: dict[str, Callable[[ShopSession, dict[str, str]], Response]] = {
            "/cart/add": self.add,
            "/cart/update": self.update,
            "/cart/remove": self.remove,
            "/cart/card": self.card,
            "/cart/ordering": self.choose_ordering,
            "/transfer": self.transfer,
            "/cancel": self.cancel,
        }
        action = actions.get(rest)
        if action is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND, "Not found", "This shop has no such page."
            )
        _allow(method, "POST")
        return action(session, _read_form(environ, session))

    # ------------------------------------------------------------------ pages
    def punchout(self, environ: dict[str, Any]) -> Response:
        query = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=20)
        code = (query.get("oci_code") or [""])[0].strip()
        if not code:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                "No punch-in code",
                "This address needs the oci_code your procurement system's punch-in "
                "sends; start again from there.",
            )
        try:
            session = self.shop.open_session(code)
        except ShopRefusal as refusal:
            return Response.page(
                pages.message_page(
                    "Punch-in not accepted",
                    "The shop did not accept this punch-in; start again from your "
                    "procurement system.",
                    refusal.problems,
                ),
                HTTPStatus.FORBIDDEN,
            )
        return Response.see_other(pages.session_path(session))

    def products(self, session: ShopSession) -> Response:
        try:
            products = self.shop.products(session, self.settings.products_per_page)
        except ShopRefusal as refusal:
            return _refused(session, "Products", refusal)
        return Response.page(
            pages.products_page(session, products, session.channel_slug),
            images=[product.image for product in products],
        )

    def product(
        self, session: ShopSession, product_id: str, problems: tuple[Problem, ...] = ()
    ) -> Response:
        try:
            product = self.shop.product(session, product_id)
        except ShopRefusal as refusal:
            return _refused(session, "Product", refusal)
        if product is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND,
                "Not found",
                "This product is not in your assortment.",
            )
        return Response.page(
            pages.product_page(session, product, problems),
            HTTPStatus.UNPROCESSABLE_ENTITY if problems else HTTPStatus.OK,
            images=[product.image, *(variant.image for variant in product.variants)],
        )

    def cart(
        self, session: ShopSession, problems: tuple[Problem, ...] = ()
    ) -> Response:
        ordering = None
        try:
            cart = self.shop.cart(session)
        except ShopRefusal as refusal:
            cart, problems = None, (*problems, *refusal.problems)
        if cart is not None:
            # The cart still shows when the branch and cost centre cannot be read.
            try:
                ordering = self.shop.ordering(session)
            except ShopRefusal as refusal:
                problems = (*problems, *refusal.problems)
        return Response.page(
            pages.cart_page(session, cart, problems, ordering),
            HTTPStatus.UNPROCESSABLE_ENTITY if problems else HTTPStatus.OK,
            card_previews=True,
        )

    def card_preview(self, session: ShopSession, environ: dict[str, Any]) -> Response:
        """The card as printed, for the cart page's script: ``{"image": data URL,
        "problems": [message, ...]}``."""
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), max_num_fields=5))
        text = query.get("text", "")[:MAX_CARD_TEXT]
        try:
            preview = self.shop.card_preview(session, text, query.get("logo") == "1")
        except ShopRefusal as refusal:
            return _json(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                {"problems": [problem.message for problem in refusal.problems]},
            )
        return _json(
            HTTPStatus.OK,
            {
                "image": preview.image,
                "problems": [problem.message for problem in preview.problems],
            },
        )

    # ---------------------------------------------------------------- actions
    def add(self, session: ShopSession, form: dict[str, str]) -> Response:
        quantity = _quantity(form)
        variant = form.get("variant", "")
        if not variant:
            raise RequestError(HTTPStatus.BAD_REQUEST, "Not added", "Choose a variant.")
        try:
            self.shop.add_line(session, variant, quantity)
        except ShopRefusal as refusal:
            if form.get("product"):
                return self.product(session, form["product"], refusal.problems)
            return self.cart(session, refusal.problems)
        return Response.see_other(pages.session_path(session, "cart"))

    def update(self, session: ShopSession, form: dict[str, str]) -> Response:
        quantity = _quantity(form)
        return self._cart_change(
            session, lambda: self.shop.update_line(session, _line(form), quantity)
        )

    def remove(self, session: ShopSession, form: dict[str, str]) -> Response:
        return self._cart_change(
            session, lambda: self.shop.delete_line(session, _line(form))
        )

    def card(self, session: ShopSession, form: dict[str, str]) -> Response:
        return self._cart_change(
            session,
            lambda: self.shop.set_card_text(
                session,
                form.get("text", ""),
                form.get("line") or None,
                with_logo=form.get("with_logo") == "1",
            ),
        )

    def choose_ordering(self, session: ShopSession, form: dict[str, str]) -> Response:
        branch_id, _separator, cost_centre = form.get("choice", "").partition(
            pages.CHOICE_SEPARATOR
        )
        if not branch_id:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                "Not changed",
                "Choose a branch and cost centre from the list.",
            )
        return self._cart_change(
            session, lambda: self.shop.set_ordering(session, branch_id, cost_centre)
        )

    def _cart_change(
        self, session: ShopSession, change: Callable[[], None]
    ) -> Response:
        try:
            change()
        except ShopRefusal as refusal:
            return self.cart(session, refusal.problems)
        return Response.see_other(pages.session_path(session, "cart"))

    def transfer(self, session: ShopSession, form: dict[str, str]) -> Response:
        try:
            page = self.shop.transfer(session)
        except ShopRefusal as refusal:
            return self.cart(session, refusal.problems)
        logger.info("session %s…: cart transferred", session.id[:6])
        return Response.return_form(page)

    def cancel(self, session: ShopSession, form: dict[str, str]) -> Response:
        try:
            page = self.shop.cancel(session)
        except ShopRefusal as refusal:
            return self.cart(session, refusal.problems)
        logger.info("session %s…: punch-out cancelled", session.id[:6])
        return Response.return_form(page)


READ_ONLY_REFUSED = frozenset(
    {"/cart/add", "/cart/update", "/cart/remove", "/cart/card", "/transfer"}
)


def _json(status: int, data: dict) -> Response:
    return Response(
        status,
        json.dumps(data).encode(),
        (("Content-Type", "application/json"),),
    )


def _allow(method: str, allowed: str) -> None:
    if method == allowed or (method == "HEAD" and allowed == "GET"):
        return
    raise RequestError(
        HTTPStatus.METHOD_NOT_ALLOWED, "Method not allowed", f"{method}: use {allowed}."
    )


def _refused(session: ShopSession, title: str, refusal: ShopRefusal) -> Response:
    return Response.page(
        pages.layout(title, pages.problems_box(refusal.problems), session),
        HTTPStatus.UNPROCESSABLE_ENTITY,
    )


def _read_form(environ: dict[str, Any], session: ShopSession) -> dict[str, str]:
    """The posted form, once its token shows it came from this session's page."""
    body = read_body(environ, MAX_FORM_BYTES, "The shop")
    try:
        form = dict(
            parse_qsl(
                body.decode("utf-8", errors="replace"),
                keep_blank_values=True,
                max_num_fields=20,
            )
        )
    except ValueError as error:  # more fields than any of our forms has
        raise RequestError(
            HTTPStatus.BAD_REQUEST, "Not done", "This is not one of the shop's forms."
        ) from error
    if not hmac.compare_digest(
        form.get("form_token", "").encode(), session.form_token.encode()
    ):
        raise RequestError(
            HTTPStatus.FORBIDDEN,
            "Not done",
            "This form did not come from this shop's own page; reload the page and "
            "try again.",
        )
    return form


def _quantity(form: dict[str, str]) -> int:
    text = form.get("quantity", "").strip()
    if not text.isdigit() or not 1 <= int(text) <= pages.MAX_QUANTITY:
        raise RequestError(
            HTTPStatus.BAD_REQUEST,
            "Quantity not accepted",
            f"A quantity is a whole number from 1 to {pages.MAX_QUANTITY}.",
        )
    return int(text)


def _line(form: dict[str, str]) -> str:
    line = form.get("line", "")
    if not line:
        raise RequestError(HTTPStatus.BAD_REQUEST, "No line", "Choose a cart line.")
    return line
