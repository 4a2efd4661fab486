"""``oci-storefront``'s options and server."""

import threading
import urllib.request

import pytest

from saleor_oci_plugin.storefront.cli import (
    _mask_session,
    make_storefront_server,
    parse_settings,
)


def test_defaults_bind_loopback_port_3000_and_saleor_on_8000():
    settings = parse_settings([])
    assert (settings.host, settings.port) == ("127.0.0.1", 3000)
    assert settings.graphql_url == "http://127.0.0.1:8000/graphql/"


def test_options():
    settings = parse_settings(
        ["--saleor-url", "http://shop.test:9000/", "--port", "3100", "--host", "::1"]
    )
    assert settings.graphql_url == "http://shop.test:9000/graphql/"
    assert settings.punchout_url == "http://[::1]:3100/punchout"


def test_portal_options():
    settings = parse_settings(
        ["--public-url", "https://bestellen.example/", "--channel", "zakelijk"]
    )
    assert settings.public_base == "https://bestellen.example"
    assert settings.channel == "zakelijk"
    # Without --public-url links lead to the address it listens on.
    assert parse_settings([]).public_base == "http://127.0.0.1:3000"


@pytest.mark.parametrize(
    "argv",
    [
        ["--saleor-url", "ftp://x"],
        ["--port", "70000"],
        ["--timeout", "0"],
        ["--public-url", "bestellen.example"],
    ],
)
def test_bad_options_are_refused(argv):
    with pytest.raises(SystemExit):
        parse_settings(argv)


def test_log_lines_do_not_carry_the_whole_session_id():
    line = '"GET /s/abcdefghijklmnopqrstuvwxyz012345/cart HTTP/1.1" 200 -'
    masked = _mask_session(line)
    assert "abcdefghijklmnop" not in masked
    assert "/s/abcdef…/cart" in masked


def test_server_on_a_free_port_answers_without_cookies():
    server, app = make_storefront_server(parse_settings(["--port", "0"]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert app.settings.port == server.server_port != 0
        with urllib.request.urlopen(app.settings.own_base + "/", timeout=5) as answer:
            assert answer.status == 200
            assert answer.headers.get("Set-Cookie") is None
            assert b"procurement system" in answer.read()
    finally:
        server.shutdown()
        server.server_close()
