"""``oci-storefront``: start the punch-out storefront on a local port."""

import argparse
import logging
import socketserver
import sys
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import StorefrontApp
from .settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_SALEOR_URL,
    DEFAULT_TIMEOUT_SECONDS,
    Settings,
)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """One thread per request: a slow Saleor answer does not stop other buyers."""

    daemon_threads = True


class _RequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        # The path holds the session id: log the request line without it.
        message = format % args
        logging.getLogger("saleor_oci_plugin.storefront.http").info(
            "%s %s", self.address_string(), _mask_session(message)
        )


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
        type=_http_url,
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
        type=_port,
        help="port to listen on (default %(default)s; 0 picks one)",
    )
    parser.add_argument(
        "--timeout",
        default=DEFAULT_TIMEOUT_SECONDS,
        type=float,
        help="seconds to wait for Saleor (default %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be greater than zero")
    return Settings(
        saleor_url=args.saleor_url, host=args.host, port=args.port, timeout=args.timeout
    )


def make_storefront_server(settings: Settings) -> tuple[WSGIServer, StorefrontApp]:
    """Bind the server (port 0 picks a free one) and make the app for its address."""
    server = make_server(
        settings.host,
        settings.port,
        lambda environ, start_response: [],  # replaced below, once the port is known
        server_class=ThreadingWSGIServer,
        handler_class=_RequestHandler,
    )
    app = StorefrontApp(replace(settings, port=server.server_port))
    server.set_app(app)
    return server, app


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
    if settings.host not in LOOPBACK_HOSTS:
        print(
            "oci-storefront: listening beyond this machine without TLS; session "
            "ids travel in the URL.",
            file=sys.stderr,
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("oci-storefront: stopped")
    finally:
        server.server_close()
    return 0


def _http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL")
    if parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"{value!r}: give a base URL, no ? or #")
    return value.strip().rstrip("/")


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number")
    return port
