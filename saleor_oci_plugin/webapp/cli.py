"""Command-line argument types both apps' ``argparse`` options use."""

import argparse
from urllib.parse import urlsplit


def http_base_url(value: str) -> str:
    """An http(s) base URL without query or fragment, trailing slashes removed."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL")
    if parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"{value!r}: give a base URL, no ? or #")
    return value.strip().rstrip("/")


def port_number(value: str) -> int:
    """A TCP port, 0 to 65535 (0 lets the system pick a free one)."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number")
    return port
