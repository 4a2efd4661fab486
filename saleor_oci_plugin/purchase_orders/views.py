"""The XML order endpoints: cXML OrderRequest and Peppol UBL Order.

Both authenticate the sender themselves (Saleor serves plugin URLs without session
or CSRF middleware), read the body with the format's reader (safe_xml underneath),
and hand the purchase order to placing.place_purchase_order, the one code path.
"""

import hmac
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from saleor.plugins.manager import get_plugins_manager

from ..dataclasses import OCIConfiguration
from ..inbound import record_inbound
from ..machine_secrets import check_machine_secret, token_digest, token_digests
from ..punchout.models import Connection
from ..safe_xml import UnsafeXMLError
from . import cxml
from .dataclasses import OrderKind, PurchaseOrderError
from .models import ReceivedPurchaseOrder
from .placing import (
    cancel_purchase_order,
    place_purchase_order,
    update_purchase_order,
)
from .ubl_order import read_order as read_ubl_order

# Problems that mean "this cart was ordered already" rather than "bad order".
CONFLICT_CODES = frozenset(
    {"transfer_already_ordered", "order_not_cancellable", "order_not_editable"}
)


def cxml_order_request(request: HttpRequest, config: OCIConfiguration) -> HttpResponse:
    """cXML answers with HTTP 200 and the outcome in the Response's Status code;
    only a body that is not (safe) XML gets an HTTP 4xx."""
    if request.method != "POST":
        return _plain(request, 405, "POST a cXML OrderRequest here.")
    try:
        document = cxml.read_order_request(request.body)
    except UnsafeXMLError as error:
        return _plain(request, 400, f"Not a readable cXML document: {error}.")
    except cxml.CXMLOrderRequestError as error:
        connection = _cxml_connection(error.envelope) if error.envelope else None
        if connection is None:
            return _cxml(
                request,
                cxml.STATUS_UNAUTHORIZED,
                "Unknown sender or wrong shared secret.",
            )
        return _cxml(
            request, cxml.STATUS_BAD_REQUEST, _problems_text(error), connection
        )
    connection = _cxml_connection(document)
    if connection is None:
        return _cxml(
            request, cxml.STATUS_UNAUTHORIZED, "Unknown sender or wrong shared secret."
        )
    order = document.purchase_order
    if order.kind is OrderKind.DELETE:
        try:
            cancelled = cancel_purchase_order(
                connection, order.order_number, get_plugins_manager(allow_replica=False)
            )
        except PurchaseOrderError as error:
            return _cxml(
                request, _refusal_status(error), _problems_text(error), connection
            )
        return _cxml(
            request, cxml.STATUS_OK, f"Order {cancelled.number} cancelled.", connection
        )
    if order.kind is OrderKind.UPDATE:
        try:
            updated = update_purchase_order(
                connection, order, get_plugins_manager(allow_replica=False)
            )
        except PurchaseOrderError as error:
            return _cxml(
                request, _refusal_status(error), _problems_text(error), connection
            )
        return _cxml(
            request, cxml.STATUS_OK, f"Order {updated.number} updated.", connection
        )
    try:
        placement = place_purchase_order(
            connection,
            order,
            ReceivedPurchaseOrder.Source.CXML,
            get_plugins_manager(allow_replica=False),
        )
    except PurchaseOrderError as error:
        return _cxml(request, _refusal_status(error), _problems_text(error), connection)
    text = (
        f"Duplicate: purchase order {order.order_number} is already order "
        f"{placement.order.number}."
        if placement.duplicate
        else f"Placed as order {placement.order.number}."
    )
    return _cxml(request, cxml.STATUS_OK, text, connection)


def ubl_order(request: HttpRequest, config: OCIConfiguration) -> HttpResponse:
    """Peppol BIS Order 3 with ``Authorization: Bearer <the connection's token>``."""
    if request.method != "POST":
        return _plain(request, 405, "POST a UBL Order here.")
    connection = _token_connection(request)
    if connection is None:
        return _json(request, 401, {"error": "Missing or unknown bearer token."})
    try:
        order = read_ubl_order(request.body)
    except UnsafeXMLError as error:
        return _json(
            request,
            400,
            {"error": f"Not a readable UBL document: {error}."},
            connection,
        )
    except PurchaseOrderError as error:
        return _json(request, 400, _problems_json(error), connection)
    organisation = connection.organisation
    expected = (organisation.peppol_endpoint_scheme, organisation.peppol_endpoint_id)
    if order.buyer_endpoint != expected:
        return _json(
            request,
            403,
            {"error": "The buyer party's endpoint is not this connection's."},
            connection,
        )
    try:
        placement = place_purchase_order(
            connection,
            order,
            ReceivedPurchaseOrder.Source.UBL,
            get_plugins_manager(allow_replica=False),
        )
    except PurchaseOrderError as error:
        status = 409 if {p.code for p in error.problems} & CONFLICT_CODES else 422
        return _json(request, status, _problems_json(error), connection)
    return _json(
        request,
        200 if placement.duplicate else 201,
        {
            "status": "duplicate" if placement.duplicate else "placed",
            "order": placement.order.number,
            "orderId": str(placement.order.pk),
        },
        connection,
    )


def _refusal_status(error: PurchaseOrderError) -> int:
    """409 when the order's state is in the way, else 406 (a refused PO)."""
    if {problem.code for problem in error.problems} & CONFLICT_CODES:
        return cxml.STATUS_CONFLICT
    return cxml.STATUS_NOT_ACCEPTABLE


def hash_order_token(token: str) -> str:
    """The stored form of an order token: its keyed hash (machine_secrets)."""
    return token_digest(token)


def _token_connection(request: HttpRequest) -> Connection | None:
    """The connection whose order token the request bears.

    Looked up by the token's keyed hash; a row still holding the hash under a
    fallback key or the older plain SHA-256 is found too, and re-stored under the
    current key.
    """
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or "\x00" in token:
        return None
    digests = token_digests(token)
    connection = (
        Connection.objects.select_related(
            "organisation", "channel", "customer", "branch"
        )
        .filter(order_token_hash__in=digests, is_active=True)
        .exclude(order_token_hash="")
        .first()
    )
    if connection is None or not any(
        hmac.compare_digest(connection.order_token_hash, digest) for digest in digests
    ):
        return None
    if connection.order_token_hash != digests[0]:
        Connection.objects.filter(
            pk=connection.pk, order_token_hash=connection.order_token_hash
        ).update(order_token_hash=digests[0])
        connection.order_token_hash = digests[0]
    return connection


def _cxml_connection(envelope: cxml.CXMLEnvelope) -> Connection | None:
    """The connection named by a From credential whose Sender secret is right."""
    sender = envelope.sender
    if sender is None or not sender.shared_secret:
        return None
    identities = [
        identity
        for _domain, identity in envelope.from_credentials
        if identity and "\x00" not in identity
    ]
    for connection in Connection.objects.select_related(
        "organisation", "channel", "customer", "branch"
    ).filter(cxml_identity__in=identities, is_active=True):
        stored = connection.cxml_shared_secret
        check = check_machine_secret(sender.shared_secret, stored)
        if check.matches:
            if check.restore_as is not None:
                # An older password hash or a fallback key: store it keyed now.
                Connection.objects.filter(
                    pk=connection.pk, cxml_shared_secret=stored
                ).update(cxml_shared_secret=check.restore_as)
                connection.cxml_shared_secret = check.restore_as
            return connection
    return None


def _problems_text(error: PurchaseOrderError) -> str:
    return "; ".join(
        (f"line {problem.line}: " if problem.line else "")
        + f"{problem.field}: {problem.message}"
        for problem in error.problems
    )


def _problems_json(error: PurchaseOrderError) -> dict:
    return {
        "error": "The purchase order was refused.",
        "problems": [
            {
                "field": problem.field,
                "code": problem.code,
                "message": problem.message,
                "line": problem.line,
            }
            for problem in error.problems
        ],
    }


def _cxml(
    request: HttpRequest, status: int, text: str, connection: Connection | None = None
) -> HttpResponse:
    record_inbound(
        request, 200, f"cXML {status}: {text}", connection, accepted=status < 300
    )
    return HttpResponse(
        cxml.build_response("", status, text),
        content_type="text/xml; charset=utf-8",
    )


def _json(
    request: HttpRequest, status: int, body: dict, connection: Connection | None = None
) -> HttpResponse:
    record_inbound(request, status, json.dumps(body), connection)
    return JsonResponse(body, status=status)


def _plain(request: HttpRequest, status: int, text: str) -> HttpResponse:
    record_inbound(request, status, text)
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
