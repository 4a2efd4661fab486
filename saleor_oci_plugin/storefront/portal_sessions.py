"""The organisation portal's sessions: a cookie holding a random id, tokens here.

Unlike a punch-out session (whose id travels in the URL because procurement
systems frame the shop), an administrator opens the portal in a browser window of
their own, so a first-party cookie works: ``HttpOnly`` (no script reads it),
``SameSite=Strict`` (no other site's page sends it along), ``Secure`` when the
portal is reached over https, ``Path=/portal``. It holds only a random id; Saleor's
access and refresh tokens stay in this table on the storefront's server.
Every form of a session carries the session's CSRF token, checked on POST.
"""

import secrets
import threading
import time
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

from .sessions import REFRESH_MARGIN_SECONDS, Clock, ExpiringTable, token_expiry

COOKIE_NAME = "oci_portal"
COOKIE_PATH = "/portal"
# A signed-in administrator is signed out after this long, whatever they do.
PORTAL_SESSION_SECONDS = 8 * 3600.0
MAX_PORTAL_SESSIONS = 10_000


@dataclass(slots=True)
class PortalSession:
    """One signed-in person: Saleor's tokens and the session's CSRF token."""

    id: str
    email: str
    token: str
    refresh_token: str
    token_expires_at: float
    expires_at: float
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    refresh_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def token_needs_refresh(self, now: float) -> bool:
        return now >= self.token_expires_at - REFRESH_MARGIN_SECONDS


class PortalSessionTable(ExpiringTable[PortalSession]):
    """Portal sessions by id, in memory."""

    def __init__(
        self, clock: Clock = time.time, max_sessions: int = MAX_PORTAL_SESSIONS
    ) -> None:
        super().__init__(clock, max_sessions)

    def open(self, *, email: str, token: str, refresh_token: str) -> PortalSession:
        now = self.clock()
        session = PortalSession(
            id=secrets.token_urlsafe(32),
            email=email,
            token=token,
            refresh_token=refresh_token,
            token_expires_at=token_expiry(token, now),
            expires_at=now + PORTAL_SESSION_SECONDS,
        )
        return self._add(session, now)


def session_id_from_cookie(header: str) -> str:
    """The portal's session id in a ``Cookie`` header; "" if none or malformed."""
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(header or "")
    except CookieError:
        return ""
    morsel = cookie.get(COOKIE_NAME)
    return morsel.value if morsel is not None else ""


def set_cookie(session_id: str, *, secure: bool) -> str:
    """The ``Set-Cookie`` value that hands the browser its session id."""
    attributes = [
        f"{COOKIE_NAME}={session_id}",
        f"Path={COOKIE_PATH}",
        "HttpOnly",
        "SameSite=Strict",
        f"Max-Age={int(PORTAL_SESSION_SECONDS)}",
    ]
    if secure:
        attributes.append("Secure")
    return "; ".join(attributes)


def clear_cookie(*, secure: bool) -> str:
    """The ``Set-Cookie`` value that makes the browser forget the session id."""
    attributes = [
        f"{COOKIE_NAME}=",
        f"Path={COOKIE_PATH}",
        "HttpOnly",
        "SameSite=Strict",
        "Max-Age=0",
    ]
    if secure:
        attributes.append("Secure")
    return "; ".join(attributes)
