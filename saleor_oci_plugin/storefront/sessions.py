"""The storefront's server-side session table.

A punch-out session's Saleor tokens never reach the browser: the browser carries
only a random session id in the URL path (``/s/<id>/...``), no cookie (procurement
systems frame the shop, and browsers block third-party cookies there). Anyone who
holds the URL can shop in that cart until the session ends, as with the one-time
code before it, so pages send ``Referrer-Policy: no-referrer``.
"""

import base64
import binascii
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

# Saleor's access tokens live five minutes; refresh this long before they expire
# so a request in flight does not arrive with a token that just ran out.
REFRESH_MARGIN_SECONDS = 30.0
ACCESS_TOKEN_FALLBACK_SECONDS = 300.0
# Without an expiry from Saleor, forget a session after the plugin's default
# session lifetime (two hours).
SESSION_FALLBACK_SECONDS = 2 * 3600.0
MAX_SESSIONS = 10_000

Clock = Callable[[], float]


@dataclass(slots=True)
class ShopSession:
    """One punched-in buyer: Saleor's tokens and the session's checkout."""

    id: str
    token: str
    refresh_token: str
    checkout_id: str
    token_expires_at: float
    expires_at: float
    # Every form of this session carries it: another site cannot post for the buyer.
    form_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    channel_slug: str = ""
    # Card texts this storefront set (Saleor keeps them in private metadata, which
    # the buyer's token cannot read back): "" for the whole cart, else a line id.
    card_texts: dict[str, str] = field(default_factory=dict)
    # The keys of those cards printed with the company logo.
    card_logos: set[str] = field(default_factory=set)
    closed: bool = False
    # What the procurement system asked for (cXML): create, edit, or inspect (the
    # cart is shown read-only: no changes, no transfer).
    operation: str = "create"
    # One token refresh at a time per session.
    refresh_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def token_needs_refresh(self, now: float) -> bool:
        return now >= self.token_expires_at - REFRESH_MARGIN_SECONDS


def token_expiry(token: str, now: float) -> float:
    """The ``exp`` claim of a JWT, read without checking it (Saleor checks it).

    Only used to know when to refresh; a token we cannot read counts as living
    Saleor's default five minutes from now.
    """
    try:
        payload = token.split(".")[1]
        claims = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError, binascii.Error):
        return now + ACCESS_TOKEN_FALLBACK_SECONDS


class _Expiring(Protocol):
    id: str
    expires_at: float


class ExpiringTable[S: _Expiring]:
    """Sessions by id, in memory, each until its ``expires_at``: they end when the
    storefront stops. At most ``max_sessions``; the oldest goes first."""

    def __init__(self, clock: Clock, max_sessions: int) -> None:
        self.clock = clock
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, S] = OrderedDict()
        self._lock = threading.Lock()

    def _add(self, session: S, now: float) -> S:
        with self._lock:
            for key in [k for k, v in self._sessions.items() if now >= v.expires_at]:
                del self._sessions[key]
            while len(self._sessions) >= self.max_sessions:
                self._sessions.popitem(last=False)
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str) -> S | None:
        """The session, unless unknown or past its end (then it is forgotten)."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and self.clock() >= session.expires_at:
                del self._sessions[session_id]
                return None
            return session

    def remove(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)


class SessionTable(ExpiringTable[ShopSession]):
    """Punch-out sessions by id, in memory."""

    def __init__(self, clock: Clock = time.time, max_sessions: int = MAX_SESSIONS):
        super().__init__(clock, max_sessions)

    def open(
        self,
        *,
        token: str,
        refresh_token: str,
        checkout_id: str,
        expires_at: float | None = None,
        operation: str = "create",
    ) -> ShopSession:
        now = self.clock()
        session = ShopSession(
            id=secrets.token_urlsafe(24),
            token=token,
            refresh_token=refresh_token,
            checkout_id=checkout_id,
            token_expires_at=token_expiry(token, now),
            expires_at=expires_at or now + SESSION_FALLBACK_SECONDS,
            operation=operation,
        )
        return self._add(session, now)
