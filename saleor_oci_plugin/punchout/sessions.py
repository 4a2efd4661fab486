"""Punch-out sessions: opened at punch-in, exchanged once for Saleor tokens.

The one-time code is the only thing that travels through the browser; everything
the procurement system sent (HOOK_URL, target, ...) stays in the session row, and the
session's checkout is bound to it here, not in a token claim (Saleor's tokenRefresh
drops custom claims).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from saleor.account.models import User
from saleor.checkout.models import Checkout
from saleor.core.auth import get_token_from_request
from saleor.core.jwt import (
    JWT_REFRESH_TYPE,
    create_access_token,
    create_token,
    jwt_decode_with_exception_handler,
)
from saleor.graphql.account.mutations.authentication.utils import (
    _get_new_csrf_token,
)

from ..buyers.models import Member
from ..error_codes import OciErrorCode
from . import ordering
from .models import Connection, PunchoutSession

# The code only has to survive one redirect to the storefront.
CODE_LIFETIME = timedelta(seconds=60)
# The audience of tokens issued at punch-in, followed by the session id. Saleor
# writes its own custom audiences (tokenCreate's) as "custom:<audience>" too.
PUNCHOUT_AUDIENCE_PREFIX = "custom:oci-punchout:"


@dataclass(frozen=True)
class PunchInContext:
    """What the procurement system asked for, kept for the return form."""

    hook_url: str
    target: str = ""
    okcode: str = ""
    caller: str = ""
    oci_version: str = ""
    charset: str = ""


@dataclass(frozen=True)
class CXMLContext:
    """What a cXML PunchOutSetupRequest asked for (see punchout/cxml_setup.py):
    the operation, the BuyerCookie to echo, and the rest as JSON (credentials to
    answer with, ShipTo, the ItemOut lines of an edit or inspect)."""

    operation: str
    buyer_cookie: str
    data: dict


@dataclass(frozen=True)
class SessionTokens:
    session: PunchoutSession
    checkout: Checkout
    token: str
    refresh_token: str
    csrf_token: str


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def open_session(
    connection: Connection,
    context: PunchInContext,
    lifetime_minutes: int,
    *,
    member: Member | None = None,
    cxml: CXMLContext | None = None,
) -> tuple[PunchoutSession, str]:
    """Open a session and return it with its one-time code (stored only hashed).

    ``member``: the orderer the punch-in named; None, the connection's customer.
    ``cxml``: a cXML setup request's context (None: an OCI punch-in).
    """
    now = timezone.now()
    code = secrets.token_urlsafe(32)
    branch, cost_centre = ordering.default_choice(connection, member)
    session = PunchoutSession.objects.create(
        connection=connection,
        member=member,
        branch=branch,
        cost_centre=cost_centre,
        hook_url=context.hook_url,
        target=context.target,
        okcode=context.okcode,
        caller=context.caller,
        oci_version=context.oci_version,
        charset=context.charset,
        code_hash=hash_code(code),
        code_expires_at=now + CODE_LIFETIME,
        expires_at=now + timedelta(minutes=lifetime_minutes),
        **(
            {
                "protocol": PunchoutSession.Protocol.CXML,
                "operation": cxml.operation,
                "buyer_cookie": cxml.buyer_cookie,
                "cxml_context": cxml.data,
            }
            if cxml is not None
            else {}
        ),
    )
    return session, code


def exchange_code(code: str) -> SessionTokens:
    """Use a one-time code: bind a new checkout to its session and issue tokens.

    The shopper is the session's member (the orderer the punch-in named), else the
    connection's customer. The refresh token expires with the session, so the
    storefront cannot keep the buyer signed in after it; an access token already
    issued stays valid for its own short lifetime (Saleor's JWT_TTL_ACCESS, 5
    minutes by default), while the plugin's mutations refuse a closed or expired
    session at once. Both tokens carry the session in their audience, which
    Saleor's tokenRefresh keeps (it drops every other custom claim): that is how
    the plugin knows a token came from a punch-in (``punchout_session_of``).
    """
    now = timezone.now()
    with transaction.atomic():
        session = (
            PunchoutSession.objects.select_for_update(of=("self",))
            .select_related(
                "connection__customer", "connection__channel", "member__user"
            )
            .filter(code_hash=hash_code(code))
            .first()
        )
        if session is None:
            raise _code_error(
                "This punch-out code is not valid.", OciErrorCode.CODE_INVALID
            )
        if session.code_used_at is not None:
            raise _code_error(
                "This punch-out code was already used; punch in again from your "
                "procurement system.",
                OciErrorCode.CODE_USED,
            )
        if session.code_expires_at <= now:
            raise _code_error(
                "This punch-out code has expired; punch in again from your "
                "procurement system.",
                OciErrorCode.CODE_EXPIRED,
            )
        ensure_session_open(session, now)
        connection = session.connection
        shopper = shopper_of(session)
        if not shopper.is_active or shopper.is_staff:
            # A staff account would hand staff rights to the procurement system.
            raise _code_error(
                "The shop account of this punch-out cannot be used (deactivated or "
                "a staff account); ask the shop to check it.",
                OciErrorCode.INVALID,
            )
        if session.member is not None and not session.member.is_active:
            raise _code_error(
                "Your account at this shop is deactivated. Ask your organisation's "
                "administrator.",
                OciErrorCode.INVALID,
            )
        session.checkout = _create_checkout(connection, shopper)
        if session.protocol == PunchoutSession.Protocol.CXML:
            # An edit or inspect opens with the cart the buyer holds.
            from .cxml_setup import fill_checkout

            fill_checkout(session)
        session.code_used_at = now
        session.save(update_fields=["checkout", "code_used_at"])

    audience = {"aud": f"{PUNCHOUT_AUDIENCE_PREFIX}{session.pk}"}
    csrf_token = _get_new_csrf_token()
    refresh_token = create_token(
        {"csrfToken": csrf_token, **audience},
        user=shopper,
        exp_delta=session.expires_at - now,
        token_type=JWT_REFRESH_TYPE,
    )
    return SessionTokens(
        session=session,
        checkout=session.checkout,
        token=create_access_token(shopper, additional_payload=audience),
        refresh_token=refresh_token,
        csrf_token=csrf_token,
    )


def shopper_of(session: PunchoutSession) -> User:
    """The Saleor account that shops in the session: its member's, else the
    connection's customer."""
    if session.member is not None:
        return session.member.user
    return session.connection.customer


def punchout_session_of(request: HttpRequest) -> str | None:
    """The punch-out session a request's token was issued for, else None.

    Such a token proves only the shared credentials of a procurement system and an
    identity it asserted, so it must never manage an organisation.
    """
    token = get_token_from_request(request)
    payload = jwt_decode_with_exception_handler(token) if token else None
    audiences = (payload or {}).get("aud") or ()
    for audience in [audiences] if isinstance(audiences, str) else audiences:
        if isinstance(audience, str) and audience.startswith(PUNCHOUT_AUDIENCE_PREFIX):
            return audience.removeprefix(PUNCHOUT_AUDIENCE_PREFIX)
    return None


def ensure_session_open(session: PunchoutSession, now: datetime | None = None) -> None:
    """Raise a ValidationError unless the session can still be shopped in."""
    if session.status != PunchoutSession.Status.OPEN:
        raise ValidationError(
            f"This punch-out session is {session.status}; punch in again from your "
            "procurement system.",
            code=OciErrorCode.SESSION_CLOSED.value,
        )
    if session.expires_at <= (now or timezone.now()):
        raise ValidationError(
            "This punch-out session has expired; punch in again from your "
            "procurement system.",
            code=OciErrorCode.SESSION_EXPIRED.value,
        )


def ensure_session_editable(session: PunchoutSession) -> None:
    """Raise a ValidationError when the session only shows a cart (cXML inspect)."""
    if session.operation == PunchoutSession.Operation.INSPECT:
        raise ValidationError(
            "This punch-out only shows the cart your procurement system holds "
            "(inspect); it cannot be changed or sent back. Close it to return.",
            code=OciErrorCode.READ_ONLY_SESSION.value,
        )


def _create_checkout(connection: Connection, customer: User) -> Checkout:
    channel = connection.channel
    return Checkout.objects.create(
        user=customer,
        email=customer.email,
        channel=channel,
        currency=channel.currency_code,
        country=channel.default_country,
        billing_address=_copy(customer.default_billing_address),
        shipping_address=_copy(customer.default_shipping_address),
    )


def _copy(address):
    # A checkout owns its addresses: Saleor edits them in place.
    return address.get_copy() if address is not None else None


def _code_error(message: str, code: OciErrorCode) -> ValidationError:
    return ValidationError({"code": ValidationError(message, code=code.value)})
