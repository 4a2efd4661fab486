"""The manifest endpoint, checked with Saleor's own manifest validation."""

import copy

from saleor.app.manifest_validations import clean_manifest_data

from saleor_oci_plugin.dashboard.manifest import APP_IDENTIFIER, build_manifest

from .conftest import PUBLIC_URL

MANIFEST_URL = "/plugins/global/oci.punchout/dashboard/manifest"


def test_the_manifest_is_served_from_the_configuration(client, console_configured):
    response = client.get(MANIFEST_URL)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data == build_manifest(PUBLIC_URL)
    assert data["id"] == APP_IDENTIFIER
    assert {extension["url"] for extension in data["extensions"]} == {
        f"{PUBLIC_URL}/plugins/global/oci.punchout/dashboard/{view}"
        for view in (
            "organisations",
            "purchase-orders",
            "inbound-messages",
            "invoice-runs",
            "order",
        )
    }


def test_the_served_manifest_passes_saleors_validation(client, console_configured):
    data = client.get(MANIFEST_URL).json()
    cleaned = copy.deepcopy(data)

    clean_manifest_data(cleaned, raise_for_saleor_version=True)

    assert {p.codename for p in cleaned["permissions"]} == {
        "manage_plugins",
        "manage_orders",
        "manage_users",
    }
    assert [e["target"] for e in cleaned["extensions"]] == [
        "app_page",
        "app_page",
        "app_page",
        "app_page",
        "popup",
    ]


def test_without_public_url_the_manifest_says_what_to_configure(db, client):
    response = client.get(MANIFEST_URL)

    assert response.status_code == 503
    assert b"public URL" in response.content


def test_the_manifest_is_read_only(client, console_configured):
    assert client.post(MANIFEST_URL).status_code == 405
