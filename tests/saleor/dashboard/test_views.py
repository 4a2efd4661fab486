"""The console's pages: framed only by the Dashboard, no data without a token."""

import re
from pathlib import Path

import pytest

import saleor_oci_plugin.dashboard
from saleor_oci_plugin.dashboard.views import APP_SDK_VERSION

from .conftest import DASHBOARD, PUBLIC_URL

BASE = "/plugins/global/oci.punchout/dashboard"
VIEWS = ("home", "organisations", "purchase-orders", "inbound-messages")
VIEWS += ("invoice-runs", "order")


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_may_be_framed_only_by_the_configured_dashboard(
    client, console_configured, view
):
    response = client.get(f"{BASE}/{view}?theme=dark&orderId=T3JkZXI6MQ==")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert f"frame-ancestors {DASHBOARD};" in policy
    assert f"connect-src 'self' {PUBLIC_URL}/graphql/" in policy
    assert "script-src 'self'" in policy
    body = response.content.decode()
    assert f'"dashboardOrigin": "{DASHBOARD}"' in body
    assert f'"graphqlUrl": "{PUBLIC_URL}/graphql/"' in body
    assert 'src="static/console.js"' in body


def test_without_a_dashboard_origin_nobody_may_frame_the_console(db, client):
    response = client.get(f"{BASE}/organisations")

    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_unknown_view_and_file_are_clear_404s(client, console_configured):
    assert client.get(f"{BASE}/nope").status_code == 404
    assert client.get(f"{BASE}/static/../plugin.py").status_code == 404
    assert client.post(f"{BASE}/organisations").status_code == 405


def test_script_and_style_are_served_from_the_package(client, console_configured):
    script = client.get(f"{BASE}/static/console.js")
    style = client.get(f"{BASE}/static/console.css")

    assert script["Content-Type"].startswith("text/javascript")
    assert APP_SDK_VERSION in script.content.decode()
    assert b"tokenRefresh" in script.content
    assert b'[data-theme="dark"]' in style.content


def test_the_script_keeps_the_token_out_of_urls_cookies_and_storage():
    source = (
        Path(saleor_oci_plugin.dashboard.__file__).parent / "static" / "console.js"
    ).read_text()

    assert not re.search(r"localStorage|sessionStorage|document\.cookie", source)
    # The token only ever goes into the Authorization header.
    assert [
        line.strip()
        for line in source.splitlines()
        if "token" in line and "+" in line and "Bearer" in line
    ] == ['var headers = { Authorization: "Bearer " + token };']


def test_the_test_return_page_escapes_what_comes_back(client, console_configured):
    response = client.post(
        f"{BASE}/test-return", {"NEW_ITEM-DESCRIPTION[1]": "<script>x</script>"}
    )

    assert response.status_code == 200
    assert b"&lt;script&gt;x&lt;/script&gt;" in response.content
    assert b"<script>x" not in response.content


def test_logos_from_the_media_storage_may_be_shown(
    client, console_configured, settings
):
    settings.MEDIA_URL = "https://media.shop.example/media/"

    response = client.get(f"{BASE}/organisations")

    assert (
        "img-src 'self' data: https://media.shop.example;"
        in (response["Content-Security-Policy"])
    )
