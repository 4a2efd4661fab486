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
from django.utils import timezone
from saleor.account.models import User
from saleor.checkout.models import Checkout
from saleor.core.jwt import JWT_REFRESH_TYPE, create_access_token, create_token
from saleor.graphql.account.mutations.authentication.utils import (
    _get_new_csrf_token,
)

from ..error_codes import OciErrorCode
from .models import Connection, PunchoutSession

# The code only has to survive one redirect to the storefront.
CODE_LIFETIME = timedelta(seconds=60)


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
class SessionTokens:
    session: PunchoutSession
    checkout: Checkout
    token: str
    refresh_token: str
    csrf_token: str


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def open_session(
    connection: Connection, context: PunchInContext, lifetime_minutes: int
) -> tuple[PunchoutSession, str]:
    """Open a session and return it with its one-time code (stored only hashed)."""
    now = timezone.now()
    code = secrets.token_urlsafe(32)
    session = PunchoutSession.objects.create(
        connection=connection,
        hook_url=context.hook_url,
        target=context.target,
        okcode=context.okcode,
        caller=context.caller,
        oci_version=context.oci_version,
        charset=context.charset,
        code_hash=hash_code(code),
        code_expires_at=now + CODE_LIFETIME,
        expires_at=now + timedelta(minutes=lifetime_minutes),
    )
    return session, code


def exchange_code(code: str) -> SessionTokens:
    """Use a one-time code: bind a new checkout to its session and issue tokens.

    The refresh token expires with the session, so the storefront cannot keep the
    buyer signed in after it; an access token already issued stays valid for its
    own short lifetime (Saleor's JWT_TTL_ACCESS, 5 minutes by default), while the
    plugin's mutations refuse a closed or expired session at once.
    """
    now = timezone.now()
    with transaction.atomic():
        session = (
            PunchoutSession.objects.select_for_update()
            .select_related("connection__customer", "connection__channel")
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
        customer = connection.customer
        if not customer.is_active or customer.is_staff:
            # A staff account would hand staff rights to the procurement system.
            raise _code_error(
                "The shop account of this connection cannot be used for punch-out "
                "(deactivated or a staff account); ask the shop to check it.",
                OciErrorCode.INVALID,
            )
        session.checkout = _create_checkout(connection, customer)
        session.code_used_at = now
        session.save(update_fields=["checkout", "code_used_at"])

    csrf_token = _get_new_csrf_token()
    refresh_token = create_token(
        {"csrfToken": csrf_token},
        user=customer,
        exp_delta=session.expires_at - now,
        token_type=JWT_REFRESH_TYPE,
    )
    return SessionTokens(
        session=session,
        checkout=session.checkout,
        token=create_access_token(customer),
        refresh_token=refresh_token,
        csrf_token=csrf_token,
    )


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
