"""The punch-in URL, /plugins/global/oci.punchout/punchin (GET and POST).

Order of checks, chosen so that nothing is revealed before the buyer is known: the
request must parse as OCI; the login must name an active, unlocked connection with
the right password; only then is HOOK_URL checked against the connection's allow-list.
Every answer is recorded (inbound.record_inbound) without the password.
"""

import time
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.hashers import check_password, make_password
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from .. import oci
from ..dataclasses import OCIConfiguration
from ..inbound import record_inbound
from . import background, codec_settings, identity, sessions
from .models import Connection
from .pages import refusal_page

# Consecutive wrong passwords before a login is locked, and for how long.
MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
# How long a punch-in waits while MAX_FAILED_LOGINS checks of its login are in
# flight (the people of one organisation punching in at the same moment share
# the login), polling from the first to the last interval, before it answers 429.
CLAIM_WAIT_SECONDS = 20.0
CLAIM_POLL_SECONDS = (0.05, 0.5)
WRONG_CREDENTIALS = "Unknown login name or wrong password."
CHANNEL_INACTIVE_TITLE = "Shop closed"
CHANNEL_INACTIVE_MESSAGE = (
    "The shop does not take orders through this connection at the moment (its "
    "sales channel is inactive). Please try again later or contact the shop."
)


def punchin(request: HttpRequest, config: OCIConfiguration) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return _refuse(request, 405, "Method not allowed", ["Use GET or POST."])
    try:
        username = _username(request)
    except oci.PunchInError as error:
        return _refuse_malformed(request, error)
    # PostgreSQL cannot compare text with NUL in it; no login name contains one.
    connection = (
        None
        if "\x00" in username
        else Connection.objects.select_related("channel", "customer")
        # Ignoring case, as the names are unique: procurement systems are known
        # to upper-case the user name they send.
        .filter(login_name__iexact=username, is_active=True)
        .first()
    )
    if connection is None:
        make_password(username)  # as long as a real password check, to hide which
        return _refuse(
            request,
            401,
            "Login failed",
            [WRONG_CREDENTIALS],
            detail=f"unknown login {username!r}",
        )
    now = timezone.now()
    if connection.locked_until and connection.locked_until > now:
        return _refuse_locked(request, connection, connection.locked_until - now)
    try:
        punch_in = _parse(request, codec_settings.login_parameters(connection))
    except oci.PunchInError as error:
        return _refuse_malformed(request, error, connection)
    # Counted before the (deliberately slow) password hash, so that a flood of
    # requests with this login costs at most MAX_FAILED_LOGINS hashes per lock.
    locked_until = _wait_for_login_attempt(connection)
    now = timezone.now()
    if locked_until is not None:
        remaining = locked_until - now if locked_until > now else timedelta(0)
        return _refuse_locked(request, connection, remaining)
    if not check_password(punch_in.password, connection.password):
        _lock_after_failed_logins(connection, now)
        return _refuse(
            request,
            401,
            "Login failed",
            [WRONG_CREDENTIALS],
            connection=connection,
            detail="wrong password",
        )
    _reset_failed_logins(connection)

    if not connection.channel.is_active:
        # Saleor's checkoutComplete refuses an inactive channel, and so does every
        # step of punch-out: say so once, plainly, instead of an empty shop.
        return _refuse(
            request,
            503,
            CHANNEL_INACTIVE_TITLE,
            [CHANNEL_INACTIVE_MESSAGE],
            connection=connection,
            detail=f"channel {connection.channel.slug} is inactive",
        )

    refusal = codec_settings.hook_url_policy(connection).refusal(punch_in.hook_url)
    if refusal is not None and punch_in.function.returns_to_hook_url:
        return _refuse(
            request, 403, "HOOK_URL not allowed", [str(refusal)], connection=connection
        )

    if punch_in.function.is_background or punch_in.function is oci.OCIFunction.DETAIL:
        response = background.answer(punch_in, connection, config)
        record_inbound(
            request, response.status_code, punch_in.function.value, connection
        )
        return response
    return _open_session(request, config, connection, punch_in)


def _parse(request: HttpRequest, login: oci.LoginParameters) -> oci.PunchIn:
    """Parse the query (GET) or body (POST) as the codec's raw OCI input.

    A multipart body (a form with enctype="multipart/form-data") is decoded by
    Django first; an url-encoded one, as OCI systems send, is read byte-exact.
    """
    if request.method == "POST" and request.content_type == "multipart/form-data":
        return oci.parse_punchin_parameters(
            [(name, str(value)) for name, value in request.POST.items()],
            charset=request.encoding,
            login_parameters=login,
        )
    raw = (
        request.META.get("QUERY_STRING", "")
        if request.method == "GET"
        else request.body
    )
    return oci.parse_punchin(
        raw,
        declared_charset=(request.content_params or {}).get("charset"),
        login_parameters=login,
    )


def _username(request: HttpRequest) -> str:
    """Read the login name under any name an active connection accepts for it.

    Which connection (and so which parameter names) applies is only known from the
    login name itself, so the first reading accepts every connection's names.
    """
    names = {"USERNAME"}
    for aliases in Connection.objects.filter(is_active=True).values_list(
        "parameter_aliases", flat=True
    ):
        names.update((aliases or {}).get("USERNAME", ()))
    login = oci.LoginParameters.from_dict(
        {"username": {"aliases": sorted(names), "required": True}}
    )
    return _parse(request, login).username


def _open_session(
    request: HttpRequest,
    config: OCIConfiguration,
    connection: Connection,
    punch_in: oci.PunchIn,
) -> HttpResponse:
    storefront_url = connection.storefront_url or config.storefront_url
    if not storefront_url:
        return _refuse(
            request,
            503,
            "Punch-out is not set up",
            ["The shop has not configured a storefront for punch-out yet."],
            connection=connection,
            detail="no storefront URL configured",
        )
    try:
        member = identity.find_orderer(
            connection, identity.Identity.from_login(punch_in.login)
        )
    except identity.IdentityRefused as refusal:
        return _refuse(
            request,
            refusal.status,
            "Orderer not accepted",
            [refusal.message],
            connection=connection,
            detail=refusal.detail,
        )
    session, code = sessions.open_session(
        connection,
        sessions.PunchInContext(
            hook_url=punch_in.hook_url,
            target=punch_in.target or "",
            okcode=punch_in.okcode or "",
            caller=punch_in.caller or "",
            oci_version=punch_in.oci_version.value,
            charset=punch_in.charset.name,
        ),
        connection.session_lifetime_minutes or config.session_lifetime_minutes,
        member=member,
    )
    separator = "&" if "?" in storefront_url else "?"
    record_inbound(request, 303, f"session {session.pk} opened", connection)
    response = HttpResponseRedirect(
        f"{storefront_url}{separator}{urlencode({'oci_code': code})}"
    )
    response.status_code = 303  # after a POST, the storefront is fetched with GET
    return response


def _wait_for_login_attempt(connection: Connection) -> datetime | None:
    """Claim one login attempt; None when claimed, else until when to come back.

    While the login is not locked but MAX_FAILED_LOGINS checks of it are in flight,
    wait for one of them to end (a right password sets the count back to 0, the
    last wrong one locks the login) for up to CLAIM_WAIT_SECONDS: so that many
    people of one organisation punching in at once are let in one after another
    instead of being refused, and still no more than MAX_FAILED_LOGINS wrong
    passwords are hashed per lock.
    """
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    pause = CLAIM_POLL_SECONDS[0]
    while True:
        now = timezone.now()
        if _claim_login_attempt(connection, now):
            return None
        locked_until = (
            Connection.objects.filter(pk=connection.pk)
            .values_list("locked_until", flat=True)
            .first()
        )
        if locked_until is not None and locked_until > now:
            return locked_until
        left = deadline - time.monotonic()
        if left <= 0:
            return now
        _pause(min(pause, left))
        pause = min(pause * 2, CLAIM_POLL_SECONDS[1])


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _claim_login_attempt(connection: Connection, now: datetime) -> bool:
    """Count one login attempt before its password is hashed; False when locked.

    ``failed_logins`` counts the attempts since the last success, the one in hand
    included: at most MAX_FAILED_LOGINS of them are hashed, concurrent ones too,
    before the login is locked; a right password sets it back to 0.
    """
    claimed = (
        Connection.objects.filter(pk=connection.pk, failed_logins__lt=MAX_FAILED_LOGINS)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(failed_logins=F("failed_logins") + 1)
    )
    return bool(claimed)


def _lock_after_failed_logins(connection: Connection, now) -> None:
    Connection.objects.filter(
        pk=connection.pk, failed_logins__gte=MAX_FAILED_LOGINS
    ).update(failed_logins=0, locked_until=now + LOCK_DURATION)


def _reset_failed_logins(connection: Connection) -> None:
    Connection.objects.filter(pk=connection.pk).update(failed_logins=0)


def _refuse_locked(
    request: HttpRequest, connection: Connection, remaining: timedelta
) -> HttpResponse:
    return _refuse(
        request,
        429,
        "Login locked",
        ["Too many failed logins for this login name; try again later."],
        connection=connection,
        Retry_After=str(int(remaining.total_seconds()) + 1),
    )


def _refuse_malformed(
    request: HttpRequest, error: oci.PunchInError, connection: Connection | None = None
) -> HttpResponse:
    reasons = [f"{problem.field}: {problem.message}" for problem in error.problems]
    return _refuse(
        request, 400, "Invalid punch-in request", reasons, connection=connection
    )


def _refuse(
    request: HttpRequest,
    status: int,
    title: str,
    reasons: list[str],
    *,
    connection: Connection | None = None,
    detail: str = "",
    **headers: str,
) -> HttpResponse:
    record_inbound(request, status, "; ".join([title, *reasons, detail]), connection)
    return refusal_page(status, title, reasons, **headers)
