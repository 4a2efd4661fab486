"""Registering the console App: idempotent, its extensions as Saleor stores them."""

import pytest
from django.core.exceptions import ValidationError
from saleor.app.models import App, AppExtension
from saleor.app.types import AppType
from saleor.core.jwt import jwt_decode
from saleor.graphql.core.utils import to_global_id_or_none

from saleor_oci_plugin.dashboard import install
from saleor_oci_plugin.dashboard.manifest import (
    APP_IDENTIFIER,
    ConsoleNotConfigured,
)

from .conftest import PUBLIC_URL

EXPECTED = {
    # identifier: (mount, target, permissions, url)
    "organisations": (
        "navigation_customers",
        "app_page",
        {"MANAGE_PLUGINS", "MANAGE_USERS"},
        f"{PUBLIC_URL}/plugins/global/oci.punchout/dashboard/organisations",
    ),
    "purchase-orders": (
        "navigation_orders",
        "app_page",
        {"MANAGE_ORDERS"},
        f"{PUBLIC_URL}/plugins/global/oci.punchout/dashboard/purchase-orders",
    ),
    "inbound-messages": (
        "navigation_orders",
        "app_page",
        {"MANAGE_ORDERS"},
        f"{PUBLIC_URL}/plugins/global/oci.punchout/dashboard/inbound-messages",
    ),
    "invoice-runs": (
        "navigation_orders",
        "app_page",
        {"MANAGE_ORDERS"},
        f"{PUBLIC_URL}/plugins/global/oci.punchout/dashboard/invoice-runs",
    ),
    "order": (
        "order_details_more_actions",
        "popup",
        {"MANAGE_ORDERS"},
        f"{PUBLIC_URL}/plugins/global/oci.punchout/dashboard/order",
    ),
}


def _codenames(permissions) -> set[str]:
    return {permission.codename.upper() for permission in permissions.all()}


def _extensions(app: App) -> dict:
    return {
        extension.identifier: (
            extension.mount,
            extension.target,
            _codenames(extension.permissions),
            extension.url,
        )
        for extension in app.extensions.all()
    }


def test_install_registers_a_third_party_app_with_its_extensions(db):
    installed = install.install(PUBLIC_URL)

    app = App.objects.get(identifier=APP_IDENTIFIER)
    assert installed.created
    assert installed.app == app
    assert app.type == AppType.THIRDPARTY
    assert app.is_active
    assert app.is_installed
    assert _codenames(app.permissions) == {
        "MANAGE_PLUGINS",
        "MANAGE_ORDERS",
        "MANAGE_USERS",
    }
    assert app.manifest_url == (
        f"{PUBLIC_URL}/plugins/global/oci.punchout/dashboard/manifest"
    )
    assert _extensions(app) == EXPECTED


def test_install_twice_changes_nothing_and_keeps_the_app(db):
    first = install.install(PUBLIC_URL).app
    again = install.install(PUBLIC_URL)

    assert not again.created
    assert App.objects.filter(identifier=APP_IDENTIFIER).count() == 1
    assert again.app.pk == first.pk
    assert AppExtension.objects.filter(app=first).count() == len(EXPECTED)
    assert _extensions(again.app) == EXPECTED


def test_install_again_with_a_new_url_moves_every_extension(db):
    install.install(PUBLIC_URL)
    app = install.install("https://shop.example.org/api").app

    assert {url for *_, url in _extensions(app).values()} == {
        f"https://shop.example.org/api/plugins/global/oci.punchout/dashboard/{view}"
        for view in EXPECTED
    }


def test_install_restores_a_narrowed_app(db, permission_manage_orders):
    app = install.install(PUBLIC_URL).app
    app.permissions.set([permission_manage_orders])
    app.is_active = False
    app.save()

    app = install.install(PUBLIC_URL).app

    assert app.is_active
    assert "MANAGE_PLUGINS" in _codenames(app.permissions)


def test_install_without_public_url_is_refused(db):
    with pytest.raises(ConsoleNotConfigured, match="public URL"):
        install.install("")
    assert not App.objects.filter(identifier=APP_IDENTIFIER).exists()


def test_a_manifest_saleor_refuses_is_not_installed(db):
    # A host Saleor's URL validator refuses: the manifest is checked first.
    with pytest.raises(ValidationError):
        install.install("https://exa mple.com")
    assert not App.objects.filter(identifier=APP_IDENTIFIER).exists()


def test_uninstall_removes_the_app_and_its_extensions(db):
    app = install.install(PUBLIC_URL).app

    assert install.uninstall() == 1

    assert not App.objects.filter(pk=app.pk).exists()
    assert not AppExtension.objects.filter(app_id=app.pk).exists()
    assert install.uninstall() == 0


def test_the_extension_token_carries_the_permissions_the_staff_member_shares(
    staff_api_client, permission_manage_orders
):
    """Saleor issues an extension token to a staff member with its permissions."""
    install.install(PUBLIC_URL)
    staff_api_client.user.user_permissions.add(permission_manage_orders)
    extension = AppExtension.objects.get(identifier="purchase-orders")
    organisations = AppExtension.objects.get(identifier="organisations")
    query = """
        query($id: ID!) { appExtension(id: $id) { accessToken } }
    """

    granted = staff_api_client.post_graphql(
        query, {"id": to_global_id_or_none(extension)}
    ).json()["data"]["appExtension"]["accessToken"]
    refused = staff_api_client.post_graphql(
        query, {"id": to_global_id_or_none(organisations)}
    ).json()["data"]["appExtension"]["accessToken"]

    assert jwt_decode(granted)["permissions"] == ["MANAGE_ORDERS"]
    # Without MANAGE_PLUGINS the staff member gets no token for organisations.
    assert refused is None
