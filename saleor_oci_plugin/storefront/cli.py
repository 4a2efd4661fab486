"""``oci-storefront``: start the punch-out storefront on a local port."""

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from wsgiref.simple_server import WSGIServer

from saleor_oci_plugin.webapp.cli import http_base_url, port_number
from saleor_oci_plugin.webapp.server import (
    LOOPBACK_HOSTS,
    LoggingRequestHandler,
    make_threaded_server,
    serve_until_interrupted,
)

from .app import StorefrontApp
from .settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_SALEOR_URL,
    DEFAULT_TIMEOUT_SECONDS,
    Settings,
)


class _RequestHandler(LoggingRequestHandler):
    logger_name = "saleor_oci_plugin.storefront.http"

    @staticmethod
    def redact(message: str) -> str:
        # The path holds the session id: log the request line without it.
        return _mask_session(message)


def _mask_session(text: str) -> str:
    head, separator, tail = text.partition("/s/")
    if not separator:
        return text
    session_id, slash, rest = tail.partition("/")
    return f"{head}/s/{session_id[:6]}…{slash}{rest}"


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="oci-storefront",
        description=(
            "The punch-out storefront: buyers coming from their procurement system "
            "shop in Saleor and transfer the cart back as an OCI form."
        ),
    )
    parser.add_argument(
        "--saleor-url",
        default=DEFAULT_SALEOR_URL,
        type=http_base_url,
        help="Saleor's base URL; GraphQL at <url>/graphql/ (default %(default)s)",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default %(default)s)",
    )
    parser.add_argument(
        "--port",
        default=DEFAULT_PORT,
        type=port_number,
        help="port to listen on (default %(default)s; 0 picks one)",
    )
    parser.add_argument(
        "--timeout",
        default=DEFAULT_TIMEOUT_SECONDS,
        type=float,
        help="seconds to wait for Saleor (default %(default)s)",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        type=http_base_url,
        help=(
            "the storefront's address as browsers reach it, e.g. behind a proxy "
            "(default: the address it listens on); the portal's invitation and "
            "password links lead there, and https makes its cookie Secure"
        ),
    )
    parser.add_argument(
        "--channel",
        default="",
        help="slug of the channel password-reset e-mails are sent for "
        "(needed when the shop has several channels)",
    )
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be greater than zero")
    return Settings(
        saleor_url=args.saleor_url,
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        public_url=args.public_url or "",
        channel=args.channel,
    )


def make_storefront_server(settings: Settings) -> tuple[WSGIServer, StorefrontApp]:
    """Bind the server (port 0 picks a free one) and make the app for its address."""
    return make_threaded_server(
        settings.host,
        settings.port,
        lambda port: StorefrontApp(replace(settings, port=port)),
        _RequestHandler,
    )


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_settings(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        server, app = make_storefront_server(settings)
    except OSError as error:
        print(
            f"oci-storefront: cannot listen on {settings.host}:{settings.port}: "
            f"{error}",
            file=sys.stderr,
        )
        return 1
    print(
        f"OCI storefront on {app.settings.own_base}/ for Saleor at "
        f"{settings.graphql_url}",
        flush=True,
    )
    print(f"Storefront URL for the connection: {app.settings.punchout_url}")
    print(f"Organisation portal: {app.settings.public_base}/portal/")
    if settings.host not in LOOPBACK_HOSTS:
        print(
            "oci-storefront: listening beyond this machine without TLS; session "
            "ids travel in the URL.",
            file=sys.stderr,
        )
    serve_until_interrupted(server, "oci-storefront")
    return 0
