"""HOOK_URL policy: where a connection lets the cart be posted.

The return form posts the cart, and with it the buyer's browser, to HOOK_URL; an
attacker who could choose it would receive carts or run script in the shop's page
(``javascript:``). So a HOOK_URL is refused unless it matches one of the connection's
allow-list entries ``scheme://host[:port][/path-prefix]``:

* ``https`` is the scheme by default; ``http`` only where the connection sets
  ``allow_http`` (and lists an ``http://`` entry); SAP GUI's ``SAPEVENT:...`` only
  where it sets ``allow_sapevent`` (SAPEVENT has no host: the flag alone allows it).
  Every other scheme (``javascript:``, ``data:``, ``file:``, ...) is refused.
* The host must equal the entry's host (case-insensitive, a trailing dot ignored),
  or, for an entry ``*.example.com``, be a subdomain of ``example.com``. The port
  must equal the entry's (an absent port is the scheme's default).
* With a path prefix, the URL's path must be the prefix or continue it after a
  ``/`` (``/sap/bc`` admits ``/sap/bc/oci`` but not ``/sap/bcx``).

Refused before any matching, because browsers read them differently from this code:
whitespace or control characters, backslashes, credentials (``user@host``), a URL
without ``//host``, ``.`` or ``..`` path segments (also percent-encoded), non-ASCII
hosts (write them in punycode), and URLs over 4096 characters.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .problems import OCIProblem, SettingsError

MAX_HOOK_URL_LENGTH = 4096
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")
_DOT_SEGMENT = re.compile(r"(?:\.|%2e){1,2}", re.IGNORECASE)


class HookURLRefused(ValueError):
    """A HOOK_URL the policy refuses: ``reason`` for people, ``code`` for programs."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True, slots=True)
class _Entry:
    scheme: str
    host: str
    port: int
    path_prefix: str
    wildcard: bool

    def matches_host(self, host: str, port: int) -> bool:
        if port != self.port:
            return False
        if self.wildcard:
            return host.endswith("." + self.host)
        return host == self.host

    def matches_path(self, path: str) -> bool:
        prefix = self.path_prefix
        return not prefix or path == prefix or path.startswith(prefix + "/")


@dataclass(frozen=True)
class HookURLPolicy:
    """A connection's allow-list; build it with :meth:`from_settings` or directly."""

    allowed: tuple[str, ...] = ()
    allow_http: bool = False
    allow_sapevent: bool = False
    _entries: tuple[_Entry, ...] = field(
        init=False, repr=False, compare=False, default=()
    )

    def __post_init__(self) -> None:
        if isinstance(self.allowed, str):
            object.__setattr__(self, "allowed", (self.allowed,))
        object.__setattr__(self, "allowed", tuple(self.allowed))
        entries = []
        problems = []
        for position, text in enumerate(self.allowed):
            try:
                entries.append(_parse_entry(text, self.allow_http))
            except ValueError as error:
                problems.append(
                    OCIProblem(f"allowed[{position}]", str(error), "invalid_entry")
                )
        if problems:
            raise SettingsError(problems)
        object.__setattr__(self, "_entries", tuple(entries))

    @classmethod
    def from_settings(
        cls,
        allowed: Iterable[str],
        *,
        allow_http: bool = False,
        allow_sapevent: bool = False,
    ) -> "HookURLPolicy":
        """Build from a connection's settings; SettingsError names bad entries."""
        return cls(tuple(allowed), bool(allow_http), bool(allow_sapevent))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "HookURLPolicy":
        """Build from ``{"allowed": [...], "allow_http": b, "allow_sapevent": b}``."""
        return cls.from_settings(
            data.get("allowed") or (),
            allow_http=bool(data.get("allow_http")),
            allow_sapevent=bool(data.get("allow_sapevent")),
        )

    def to_dict(self) -> dict[str, Any]:
        """The settings :meth:`from_dict` reads."""
        return {
            "allowed": list(self.allowed),
            "allow_http": self.allow_http,
            "allow_sapevent": self.allow_sapevent,
        }

    def check(self, url: str) -> None:
        """Return if ``url`` is allowed, else raise :class:`HookURLRefused`."""
        refusal = self.refusal(url)
        if refusal is not None:
            raise refusal

    def is_allowed(self, url: str) -> bool:
        """Whether ``url`` is allowed."""
        return self.refusal(url) is None

    def refusal(self, url: str) -> HookURLRefused | None:
        """The reason ``url`` is refused, or None when it is allowed."""
        if not url:
            return HookURLRefused("HOOK_URL is empty", "empty")
        if len(url) > MAX_HOOK_URL_LENGTH:
            return HookURLRefused(
                f"HOOK_URL is longer than {MAX_HOOK_URL_LENGTH} characters", "too_long"
            )
        if _FORBIDDEN_CHARACTERS.search(url):
            return HookURLRefused(
                "HOOK_URL contains whitespace, a control character or a backslash",
                "malformed",
            )
        match = _SCHEME.match(url)
        if match is None:
            return HookURLRefused(
                "HOOK_URL is not an absolute URL with a scheme", "malformed"
            )
        scheme = match.group(1).lower()
        if scheme == "sapevent":
            if not self.allow_sapevent:
                return HookURLRefused(
                    "HOOK_URL uses SAP GUI's SAPEVENT scheme, which this connection "
                    "does not allow",
                    "sapevent_not_allowed",
                )
            if len(url) == match.end():
                return HookURLRefused("HOOK_URL names no SAPEVENT event", "malformed")
            return None
        if scheme == "http" and not self.allow_http:
            return HookURLRefused(
                "HOOK_URL uses http, which this connection does not allow (use https)",
                "http_not_allowed",
            )
        if scheme not in ("http", "https"):
            return HookURLRefused(
                f"HOOK_URL scheme {scheme!r} is not allowed", "scheme_not_allowed"
            )
        return self._refusal_for_web_url(url, scheme)

    def _refusal_for_web_url(self, url: str, scheme: str) -> HookURLRefused | None:
        if not url[len(scheme) + 1 :].startswith("//"):
            return HookURLRefused("HOOK_URL has no //host part", "malformed")
        parts = urlsplit(url)
        if "@" in parts.netloc:
            return HookURLRefused(
                "HOOK_URL contains credentials (user@host)", "credentials_in_url"
            )
        try:
            port = parts.port or _DEFAULT_PORTS[scheme]
        except ValueError:
            return HookURLRefused("HOOK_URL has an invalid port", "malformed")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            return HookURLRefused("HOOK_URL has no host", "malformed")
        if not host.isascii():
            return HookURLRefused(
                "HOOK_URL host is not ASCII (write it in punycode)", "malformed"
            )
        if any(_DOT_SEGMENT.fullmatch(segment) for segment in parts.path.split("/")):
            return HookURLRefused(
                "HOOK_URL path contains '.' or '..' segments", "dot_segments"
            )
        host_matches = [
            entry
            for entry in self._entries
            if entry.scheme == scheme and entry.matches_host(host, port)
        ]
        if not host_matches:
            return HookURLRefused(
                f"HOOK_URL {scheme}://{host} is not in this connection's allow-list",
                "host_not_allowed",
            )
        if not any(entry.matches_path(parts.path) for entry in host_matches):
            return HookURLRefused(
                f"HOOK_URL path {parts.path!r} is outside the allowed path prefixes "
                f"for {host}",
                "path_not_allowed",
            )
        return None


def _parse_entry(text: object, allow_http: bool) -> _Entry:
    if not isinstance(text, str) or not text.strip():
        raise ValueError("an allow-list entry must be a non-empty text")
    text = text.strip()
    if _FORBIDDEN_CHARACTERS.search(text):
        raise ValueError(f"{text!r} contains whitespace or a backslash")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "sapevent":
        raise ValueError(
            "SAPEVENT is allowed by the allow_sapevent setting, not by an entry"
        )
    if scheme not in ("http", "https") or not text[len(scheme) + 1 :].startswith("//"):
        raise ValueError(
            f"{text!r} must have the form https://host[:port][/path-prefix]"
        )
    if scheme == "http" and not allow_http:
        raise ValueError(f"{text!r} uses http, but allow_http is off")
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{text!r} may only have a scheme, a host, a port and a path")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValueError(f"{text!r} has an invalid port") from None
    host = (parts.hostname or "").rstrip(".")
    wildcard = host.startswith("*.")
    if wildcard:
        host = host[2:]
    if not host or "*" in host or not host.isascii():
        raise ValueError(f"{text!r} has no valid ASCII host (write IDNs in punycode)")
    if any(_DOT_SEGMENT.fullmatch(segment) for segment in parts.path.split("/")):
        raise ValueError(f"{text!r} path contains '.' or '..' segments")
    return _Entry(scheme, host, port, parts.path.rstrip("/"), wildcard)
