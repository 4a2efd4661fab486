"""The storefront's responses: its headers and content security policies."""

import base64
import hashlib
import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Self
from urllib.parse import urlsplit

from saleor_oci_plugin.oci import (
    AUTO_SUBMIT_SCRIPT,
    UnsupportedCharsetError,
    resolve_charset,
)
from saleor_oci_plugin.webapp import wsgi

from .pages import CARD_PREVIEW_SCRIPT
from .shop import Image

_CHARSET_META = re.compile(r'<meta charset="([^"]{1,40})">', re.IGNORECASE)

# Pages have no script; links stay on this site; the session id in the URL must
# not leak to other sites through Referer.
COMMON_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
)
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"
)
# Product pictures are Saleor's thumbnails: served by Saleor itself or by wherever
# its media storage is (S3, a CDN). A page's policy allows images from exactly the
# origins of the pictures on that page, nothing else.
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.:\[\]-]+")
# The OCI return form: only its own auto-submit script runs (by hash); it posts to
# HOOK_URL, which may be any http(s) or SAPEVENT: URL, so form-action stays open.
_SCRIPT_HASH = base64.b64encode(
    hashlib.sha256(AUTO_SUBMIT_SCRIPT.encode()).digest()
).decode()
# The cart's card preview: its script (by hash) asks this site for the image,
# which comes back as a data: URL.
_CARD_SCRIPT_HASH = base64.b64encode(
    hashlib.sha256(CARD_PREVIEW_SCRIPT.encode()).digest()
).decode()
CARD_PREVIEW_POLICY = f"script-src 'sha256-{_CARD_SCRIPT_HASH}'; connect-src 'self'"
# Inline styles: the form held for a soft budget's warning has its own look.
RETURN_FORM_POLICY = (
    f"default-src 'none'; script-src 'sha256-{_SCRIPT_HASH}'; "
    "style-src 'unsafe-inline'; base-uri 'none'"
)


class Response(wsgi.Response):
    """A response whose pages carry the storefront's content security policy."""

    __slots__ = ()

    @classmethod
    def page(
        cls,
        html_text: str,
        status: int = HTTPStatus.OK,
        images: Iterable[Image | None] = (),
        card_previews: bool = False,
    ) -> Self:
        page = super().page(html_text, status)
        return cls(
            page.status,
            page.body,
            (
                *page.headers,
                (
                    "Content-Security-Policy",
                    page_policy(images, card_previews=card_previews),
                ),
            ),
        )

    def with_headers(self, *headers: tuple[str, str]) -> Self:
        """This response with more headers (e.g. ``Set-Cookie``)."""
        return type(self)(self.status, self.body, (*self.headers, *headers))

    @classmethod
    def return_form(cls, html_text: str) -> "Response":
        """The OCI form page from Saleor, in the charset its own meta tag names."""
        match = _CHARSET_META.search(html_text)
        try:
            charset = resolve_charset(match.group(1) if match else "UTF-8")
        except UnsupportedCharsetError:
            charset = resolve_charset("UTF-8")
        return cls(
            HTTPStatus.OK,
            html_text.encode(charset.codec, errors="xmlcharrefreplace"),
            (
                ("Content-Type", f"text/html; charset={charset.name}"),
                ("Content-Security-Policy", RETURN_FORM_POLICY),
            ),
        )


def image_origins(images: Iterable[Image | None]) -> list[str]:
    """The origins (``scheme://host[:port]``) of the pictures, each once."""
    return url_origins(image.url for image in images if image is not None)


def url_origins(urls: Iterable[str]) -> list[str]:
    """The origins (``scheme://host[:port]``) of the URLs, each once."""
    origins: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        if _ORIGIN.fullmatch(origin) and origin not in origins:
            origins.append(origin)
    return origins


def page_policy(
    images: Iterable[Image | None] = (), *, card_previews: bool = False
) -> str:
    """The page's policy; ``img-src`` names the origins of its pictures (and
    ``data:`` with the card previews, whose script it allows)."""
    sources = image_origins(images) + (["data:"] if card_previews else [])
    policy = PAGE_POLICY
    if card_previews:
        policy = f"{policy}; {CARD_PREVIEW_POLICY}"
    if not sources:
        return policy
    return f"{policy}; img-src {' '.join(sources)}"
