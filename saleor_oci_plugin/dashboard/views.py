"""The console's pages under ``/plugins/global/oci.punchout/dashboard/``.

The HTML shells and their JavaScript and CSS carry no data and no secret: the
pages get their token from the Dashboard through the App Bridge handshake and
read and write only through Saleor's ``/graphql/``. Every page may be framed only
by the configured Dashboard origin (``frame-ancestors``).
"""

import json
from functools import cache
from html import escape
from importlib.resources import files
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse

from ..dataclasses import OCIConfiguration
from .manifest import DASHBOARD_PATH, VIEWS, ConsoleNotConfigured, build_manifest

# The @saleor/app-sdk version whose App Bridge protocol console.js implements.
APP_SDK_VERSION = "1.15.0"
STATIC = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
TITLES = {
    "home": "OCI punch-out console",
    "organisations": "Punch-out organisations",
    "purchase-orders": "Purchase orders",
    "inbound-messages": "Inbound messages",
    "invoice-runs": "Invoice runs",
    "order": "Purchase order and invoice",
}


@cache
def _static(name: str) -> bytes:
    return files(__package__).joinpath("static", name).read_bytes()


def content_security_policy(config: OCIConfiguration) -> str:
    """Framed only by the Dashboard; scripts and styles only from here; requests
    only to this Saleor; pictures (organisations' logos) also from its media
    storage."""
    dashboard = config.dashboard
    ancestors = dashboard.dashboard_origin or "'none'"
    connect = "'self'"
    if dashboard.public_url:
        connect += f" {dashboard.public_url}/graphql/"
    images = "'self' data:"
    media = _media_origin()
    if media:
        images += f" {media}"
    return (
        f"default-src 'none'; frame-ancestors {ancestors}; script-src 'self'; "
        f"style-src 'self'; img-src {images}; connect-src {connect}; "
        "form-action 'none'; base-uri 'none'"
    )


def _media_origin() -> str:
    """The origin logo URLs have (Saleor's media storage: itself, S3, a CDN)."""
    from ..buyers.logos import LOGO_PREFIX, logo_url

    parts = urlsplit(logo_url(LOGO_PREFIX + "x.png") or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def _secured(response: HttpResponse, config: OCIConfiguration) -> HttpResponse:
    response["Content-Security-Policy"] = content_security_policy(config)
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def manifest(request: HttpRequest, config: OCIConfiguration) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _text(405, "The manifest is read with GET.")
    try:
        data = build_manifest(config.dashboard.public_url)
    except ConsoleNotConfigured as error:
        return _text(503, str(error))
    response = JsonResponse(data)
    # The Dashboard's "install from manifest" reads it from the browser too.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def static(request: HttpRequest, config: OCIConfiguration, name: str) -> HttpResponse:
    content_type = STATIC.get(name)
    if content_type is None:
        return _text(404, f"There is no console file {name!r}.")
    response = HttpResponse(_static(name), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-cache"
    return response


def page(request: HttpRequest, config: OCIConfiguration, view: str) -> HttpResponse:
    if view not in VIEWS:
        return _text(404, f"There is no console page {view!r}.")
    if request.method not in ("GET", "HEAD"):
        return _text(405, "Console pages are read with GET.")
    dashboard = config.dashboard
    settings = {
        "view": view,
        "graphqlUrl": f"{dashboard.public_url}/graphql/"
        if dashboard.public_url
        else "",
        "dashboardOrigin": dashboard.dashboard_origin,
        "appSdkVersion": APP_SDK_VERSION,
        "testReturnUrl": (
            f"{dashboard.public_url}{DASHBOARD_PATH}/test-return"
            if dashboard.public_url
            else ""
        ),
    }
    html = f"""<!doctype html>
<html lang="en" data-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(TITLES[view])}</title>
<link rel="stylesheet" href="static/console.css">
<script id="oci-console-settings" type="application/json">
{_json_for_html(settings)}
</script>
<script src="static/console.js" defer></script>
</head>
<body>
<main id="app" data-view="{escape(view)}">
<h1>{escape(TITLES[view])}</h1>
<p class="muted" id="status">Waiting for the Dashboard to sign this page in…</p>
<noscript><p>This page needs JavaScript.</p></noscript>
</main>
</body>
</html>
"""
    return _secured(HttpResponse(html, content_type="text/html; charset=utf-8"), config)


def test_return(request: HttpRequest, config: OCIConfiguration) -> HttpResponse:
    """Where a staff test punch-in's cart comes back: the fields, shown, not kept."""
    fields = sorted(request.POST.lists()) if request.method == "POST" else []
    rows = "".join(
        f"<tr><th>{escape(name)}</th><td>{escape(', '.join(values))}</td></tr>"
        for name, values in fields
    )
    body = (
        "<p>The storefront transferred this cart. It was a test punch-in: nothing "
        "was sent to a procurement system.</p>"
        f"<table>{rows}</table>"
        if rows
        else "<p>No cart came back (this page receives the test punch-in's transfer)."
        "</p>"
    )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<title>Test punch-in: transferred cart</title><link rel="stylesheet" '
        'href="static/console.css"></head><body><main><h1>Test punch-in: '
        f"transferred cart</h1>{body}</main></body></html>"
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; frame-ancestors 'self'"
    )
    return response


def dispatch(request: HttpRequest, config: OCIConfiguration, rest: str) -> HttpResponse:
    """``rest``: the path below ``dashboard/``."""
    if rest == "manifest":
        return manifest(request, config)
    if rest == "test-return":
        return test_return(request, config)
    if rest.startswith("static/"):
        return static(request, config, rest.removeprefix("static/"))
    return page(request, config, rest or "home")


def _json_for_html(data: dict) -> str:
    # Inside <script>: no "</" can close the element, no "<!--" can open a comment.
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e")


def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(
        message, status=status, content_type="text/plain; charset=utf-8"
    )
