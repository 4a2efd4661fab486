"""cXML punch-out: ``PunchOutSetupRequest`` at /plugins/global/oci.punchout/cxml/setup.

The same session, code exchange and storefront as an OCI punch-in
(:mod:`.views`), in cXML's words. Order of checks, as for OCI and for cXML orders,
so that nothing is revealed before the sender is known: the body must be safe XML
and cXML; the From credential with the Sender's shared secret must name an active
connection that speaks cXML (and, where the connection lists them, in one of its
credential domains); then ``BrowserFormPost/URL`` must pass the connection's
allow-list; then the person (extrinsics ``UniqueName``, ``UserEmail``,
``FirstName``, ``LastName``, else the ``Contact``'s e-mail) is found with the rules
of an OCI punch-in (:mod:`.identity`). Only then is a session opened.

Answers are cXML with HTTP 200 (as cXML wants): a ``PunchOutSetupResponse`` whose
``StartPage/URL`` is the storefront with a one-time ``oci_code``, or a ``Status``
with a 4xx code and a text saying what to fix. Every answer is recorded
(:func:`~saleor_oci_plugin.inbound.record_inbound`), never with the secret.
"""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from saleor.checkout.models import CheckoutLine
from saleor.product.models import ProductVariant

from ..dataclasses import OCIConfiguration
from ..inbound import record_inbound
from ..purchase_orders import cxml
from ..purchase_orders.dataclasses import PostalAddress, PurchaseOrderError
from ..purchase_orders.views import _cxml_connection
from ..safe_xml import UnsafeXMLError
from . import codec_settings, cxml_documents, identity, sessions
from .models import Connection, PunchoutSession

UNKNOWN_SENDER = "Unknown sender or wrong shared secret."
STATUS_FORBIDDEN = 403
STATUS_SERVICE_UNAVAILABLE = 503


def punchout_setup(request: HttpRequest, config: OCIConfiguration) -> HttpResponse:
    if request.method != "POST":
        return _answer(
            request,
            cxml.build_response("", 405, "POST a cXML PunchOutSetupRequest here."),
            405,
            "POST a cXML PunchOutSetupRequest here.",
        )
    try:
        setup = cxml_documents.read_setup_request(request.body)
    except UnsafeXMLError as error:
        return _status(
            request, cxml.STATUS_BAD_REQUEST, f"Not a readable cXML document: {error}."
        )
    except cxml_documents.CXMLSetupRequestError as error:
        connection = _cxml_connection(error.envelope) if error.envelope else None
        if connection is None:
            make_password("")  # as long as a secret check, to hide which failed
            return _status(request, cxml.STATUS_UNAUTHORIZED, UNKNOWN_SENDER)
        return _status(
            request, cxml.STATUS_BAD_REQUEST, _problems_text(error), connection
        )
    connection = _cxml_connection(setup.envelope)
    if connection is None or not _domain_allowed(connection, setup.envelope):
        return _status(request, cxml.STATUS_UNAUTHORIZED, UNKNOWN_SENDER)
    if connection.protocol == Connection.Protocol.OCI:
        return _status(
            request,
            STATUS_FORBIDDEN,
            "This connection is not set up for cXML punch-out; ask the shop to "
            "enable it.",
            connection,
        )
    if setup.browser_form_post:
        refusal = codec_settings.hook_url_policy(connection).refusal(
            setup.browser_form_post
        )
        if refusal is not None:
            return _status(
                request,
                STATUS_FORBIDDEN,
                f"BrowserFormPost/URL is not allowed for this connection: {refusal}",
                connection,
            )
    storefront_url = connection.storefront_url or config.storefront_url
    if not storefront_url:
        return _status(
            request,
            STATUS_SERVICE_UNAVAILABLE,
            "Punch-out is not set up: the shop has not configured a storefront yet.",
            connection,
        )
    try:
        member = identity.find_orderer(
            connection,
            identity.Identity(
                user_id=setup.user_id,
                email=setup.user_email,
                first_name=setup.first_name,
                last_name=setup.last_name,
            ),
        )
    except identity.IdentityRefused as refusal:
        return _status(
            request,
            refusal.status,
            refusal.message,
            connection,
            detail=refusal.detail,
        )
    session, code = sessions.open_session(
        connection,
        sessions.PunchInContext(hook_url=setup.browser_form_post),
        connection.session_lifetime_minutes or config.session_lifetime_minutes,
        member=member,
        cxml=sessions.CXMLContext(
            operation=setup.operation,
            buyer_cookie=setup.buyer_cookie,
            data=_context(setup),
        ),
    )
    separator = "&" if "?" in storefront_url else "?"
    start_page = f"{storefront_url}{separator}{urlencode({'oci_code': code})}"
    return _answer(
        request,
        cxml_documents.build_setup_response(start_page),
        cxml.STATUS_OK,
        f"{setup.operation} session {session.pk} opened",
        connection,
    )


def fill_checkout(session: PunchoutSession) -> None:
    """Put an edit's or inspect's ItemOut lines into the session's new checkout,
    at their current quantities; Saleor prices them now (the checkout's prices are
    computed afresh), so the cart is repriced. SKUs the channel no longer sells
    are left out and listed in the session's context (``unavailable``)."""
    items = (session.cxml_context or {}).get("items") or []
    checkout = session.checkout
    if not items or checkout is None:
        return
    quantities: dict[str, int] = {}
    for item in items:
        quantity = int(Decimal(item["quantity"]))
        if quantity > 0:
            quantities[item["sku"]] = quantities.get(item["sku"], 0) + quantity
    variants = {
        variant.sku: variant
        for variant in ProductVariant.objects.filter(
            sku__in=quantities,
            channel_listings__channel_id=checkout.channel_id,
            channel_listings__price_amount__isnull=False,
        )
    }
    CheckoutLine.objects.bulk_create(
        CheckoutLine(
            checkout=checkout,
            variant=variants[sku],
            quantity=quantity,
            currency=checkout.currency,
        )
        for sku, quantity in quantities.items()
        if sku in variants
    )
    unavailable = sorted(set(quantities) - set(variants))
    if unavailable:
        session.cxml_context = {**session.cxml_context, "unavailable": unavailable}
        session.save(update_fields=["cxml_context"])


def _context(setup: cxml_documents.SetupRequest) -> dict:
    """What the session keeps of the request, as JSON: the credentials to answer
    with (the request's To is the shop, its From the buyer), ShipTo for the order,
    and the ItemOut lines of an edit or inspect."""
    envelope = setup.envelope
    return {
        "payload_id": envelope.payload_id,
        "from": [list(pair) for pair in envelope.from_credentials],
        "to": [list(pair) for pair in envelope.to_credentials],
        "ship_to": _address_json(setup.ship_to),
        "items": [
            {
                "sku": item.sku,
                "quantity": str(item.quantity),
                "transfer_id": item.transfer_id,
            }
            for item in setup.items
        ],
    }


def _address_json(address: PostalAddress | None) -> dict | None:
    if address is None:
        return None
    return {
        name: getattr(address, name)
        for name in PostalAddress.__dataclass_fields__
        if getattr(address, name)
    }


def ship_to_of(session: PunchoutSession | None) -> PostalAddress | None:
    """The ShipTo a cXML setup request named for the session's cart, else None."""
    data = (session.cxml_context or {}).get("ship_to") if session else None
    return PostalAddress(**data) if data else None


def _domain_allowed(connection: Connection, envelope: cxml.CXMLEnvelope) -> bool:
    """Whether a From credential with the connection's identity is in one of its
    domains (any domain when the connection lists none; case ignored)."""
    domains = {domain.lower() for domain in connection.cxml_domains or ()}
    if not domains:
        return True
    return any(
        identity_ == connection.cxml_identity and domain.lower() in domains
        for domain, identity_ in envelope.from_credentials
    )


def _problems_text(error: PurchaseOrderError) -> str:
    return "; ".join(
        f"{problem.field}: {problem.message}" for problem in error.problems
    )


def _status(
    request: HttpRequest,
    code: int,
    text: str,
    connection: Connection | None = None,
    *,
    detail: str = "",
) -> HttpResponse:
    return _answer(
        request,
        cxml.build_response("", code, text),
        code,
        "; ".join(part for part in (text, detail) if part),
        connection,
    )


def _answer(
    request: HttpRequest,
    body: bytes,
    code: int,
    detail: str,
    connection: Connection | None = None,
) -> HttpResponse:
    record_inbound(
        request,
        200,
        f"cXML setup {code}: {detail}",
        connection,
        accepted=code < 300,
    )
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
