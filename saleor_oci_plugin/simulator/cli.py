"""``oci-simulator``: start the procurement-system simulator on a local port.

Secrets can come from the environment instead of the command line (where other
users of the machine could read them in the process list):
``OCI_SIMULATOR_PASSWORD``, ``OCI_SIMULATOR_APP_TOKEN``, ``OCI_SIMULATOR_CXML_SECRET``.
"""

import argparse
import logging
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from wsgiref.simple_server import WSGIServer

from saleor_oci_plugin.oci import UnsupportedCharsetError, resolve_charset
from saleor_oci_plugin.webapp.cli import http_base_url, port_number
from saleor_oci_plugin.webapp.server import (
    LOOPBACK_HOSTS,
    LoggingRequestHandler,
    make_threaded_server,
    serve_until_interrupted,
)

from .app import SimulatorApp
from .settings import (
    DEFAULT_CARD_TEXT_FIELD,
    DEFAULT_CHARSET,
    DEFAULT_HOST,
    DEFAULT_NZI_FIELD,
    DEFAULT_PORT,
    DEFAULT_SHOP_URL,
    DEFAULT_TARGET,
    DEFAULT_TIMEOUT_SECONDS,
    Settings,
)

_FRAME_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
_KEYWORD_TARGETS = frozenset({"_top", "_blank", "_parent", "_self"})
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


class _RequestHandler(LoggingRequestHandler):
    logger_name = "saleor_oci_plugin.simulator.http"


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    """Settings from the command line (and the environment for secrets)."""
    parser = argparse.ArgumentParser(
        prog="oci-simulator",
        description=(
            "A procurement system (SAP SRM-like) for trying the shop's OCI "
            "punch-out: punch-in, receive the cart at HOOK_URL, approve, send the "
            "purchase order back, list invoices."
        ),
    )
    environ = os.environ
    shop = parser.add_argument_group("the shop")
    shop.add_argument(
        "--shop-url",
        default=DEFAULT_SHOP_URL,
        type=http_base_url,
        help="the shop's base URL (default %(default)s)",
    )
    shop.add_argument("--login", default="", help="USERNAME sent at punch-in")
    shop.add_argument(
        "--password",
        default=environ.get("OCI_SIMULATOR_PASSWORD", ""),
        help="PASSWORD sent at punch-in (or $OCI_SIMULATOR_PASSWORD)",
    )
    shop.add_argument(
        "--target",
        default=DEFAULT_TARGET,
        type=_target,
        help="~TARGET: _top, _blank or a frame name (default _top)",
    )
    shop.add_argument(
        "--charset",
        default=DEFAULT_CHARSET,
        type=_charset,
        help="charset asked of the shop (default UTF-8)",
    )
    shop.add_argument(
        "--app-token",
        default=environ.get("OCI_SIMULATOR_APP_TOKEN", ""),
        help="Saleor App token with MANAGE_ORDERS, for GraphQL "
        "(or $OCI_SIMULATOR_APP_TOKEN)",
    )
    shop.add_argument(
        "--connection-id",
        default="",
        help="the OciConnection's global id, for GraphQL POs",
    )
    shop.add_argument(
        "--cxml-identity",
        default="",
        help="the connection's cXML sender identity (From/Sender)",
    )
    shop.add_argument(
        "--cxml-secret",
        default=environ.get("OCI_SIMULATOR_CXML_SECRET", ""),
        help="the connection's cXML shared secret (or $OCI_SIMULATOR_CXML_SECRET)",
    )
    shop.add_argument(
        "--nzi-field",
        default=DEFAULT_NZI_FIELD,
        type=_field_name,
        help="OCI field holding the NZI code (default MATGROUP)",
    )
    shop.add_argument(
        "--card-text-field",
        default=DEFAULT_CARD_TEXT_FIELD,
        type=_field_name,
        help="OCI field holding the card text (default LONGTEXT)",
    )
    shop.add_argument(
        "--timeout",
        default=DEFAULT_TIMEOUT_SECONDS,
        type=float,
        help="seconds to wait for the shop (default %(default)s)",
    )
    own = parser.add_argument_group("the simulator")
    own.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default %(default)s)",
    )
    own.add_argument(
        "--port",
        default=DEFAULT_PORT,
        type=port_number,
        help="port to listen on (default %(default)s; 0 picks one)",
    )
    own.add_argument(
        "--hook-url-base",
        default=None,
        type=http_base_url,
        help="base of HOOK_URL as the browser reaches the simulator "
        "(default: its own address)",
    )
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be greater than zero")
    return Settings(
        shop_url=args.shop_url,
        login=args.login,
        password=args.password,
        hook_url_base=args.hook_url_base or "",
        target=args.target,
        charset=args.charset,
        app_token=args.app_token,
        connection_id=args.connection_id,
        cxml_identity=args.cxml_identity,
        cxml_secret=args.cxml_secret,
        nzi_field=args.nzi_field,
        card_text_field=args.card_text_field,
        host=args.host,
        port=args.port,
        timeout=args.timeout,
    )


def make_simulator_server(settings: Settings) -> tuple[WSGIServer, SimulatorApp]:
    """Bind the server (port 0 picks a free one) and make the app for its address."""
    return make_threaded_server(
        settings.host,
        settings.port,
        lambda port: SimulatorApp(replace(settings, port=port)),
        _RequestHandler,
    )


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_settings(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        server, app = make_simulator_server(settings)
    except OSError as error:
        print(
            f"oci-simulator: cannot listen on {settings.host}:{settings.port}: {error}",
            file=sys.stderr,
        )
        return 1
    own = app.settings.own_base
    print(f"OCI simulator on {own}/ for the shop at {settings.shop_base}", flush=True)
    print(f"HOOK_URL {app.settings.hook_url} (allow it on the shop's connection)")
    if settings.host not in LOOPBACK_HOSTS:
        print(
            "oci-simulator: listening beyond this machine; the simulator has no "
            "login, anyone who reaches it can approve orders.",
            file=sys.stderr,
        )
    serve_until_interrupted(server, "oci-simulator")
    return 0


# ------------------------------------------------------------- argument types
def _target(value: str) -> str:
    if value in _KEYWORD_TARGETS or _FRAME_NAME.fullmatch(value):
        return value
    raise argparse.ArgumentTypeError(
        f"{value!r} is neither _top, _blank, _parent, _self nor a frame name"
    )


def _charset(value: str) -> str:
    try:
        return resolve_charset(value).name
    except UnsupportedCharsetError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _field_name(value: str) -> str:
    if not _FIELD_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an OCI field name")
    return value.upper()
