"""The console App's manifest, as Saleor's ``appInstall`` fetches it.

Extension URLs are absolute, built from the public URL in the plugin's
configuration: a POPUP extension needs an absolute URL, and Saleor keeps the
manifest's URLs as they are.
"""

from dataclasses import dataclass
from typing import Any

from saleor.permission.enums import (
    AccountPermissions,
    OrderPermissions,
    PluginsPermissions,
)

from .. import PLUGIN_ID

APP_IDENTIFIER = "oci.punchout.console"
APP_NAME = "OCI punch-out console"
APP_VERSION = "1.0.0"
# The plugin's URLs: /plugins/global/<plugin id>/...
PLUGIN_PATH = f"/plugins/global/{PLUGIN_ID}"
DASHBOARD_PATH = f"{PLUGIN_PATH}/dashboard"
MANIFEST_PATH = f"{DASHBOARD_PATH}/manifest"

MANAGE_PLUGINS = PluginsPermissions.MANAGE_PLUGINS.name
MANAGE_ORDERS = OrderPermissions.MANAGE_ORDERS.name
MANAGE_USERS = AccountPermissions.MANAGE_USERS.name
# Organisations, branches, members (with their addresses) and connections are
# managed with MANAGE_PLUGINS (README, "Who may do what"); a connection's and a
# member's Saleor customer account is looked up by e-mail with Saleor's
# ``user(email)``, which needs MANAGE_USERS. Purchase orders, invoices, credit
# notes and invoice runs need MANAGE_ORDERS; inbound messages either.
APP_PERMISSIONS = (MANAGE_PLUGINS, MANAGE_ORDERS, MANAGE_USERS)


@dataclass(frozen=True)
class Extension:
    identifier: str
    label: str
    mount: str
    target: str
    # The view's name: its path below DASHBOARD_PATH.
    view: str
    permissions: tuple[str, ...]


EXTENSIONS = (
    Extension(
        "organisations",
        "Punch-out organisations",
        "NAVIGATION_CUSTOMERS",
        "APP_PAGE",
        "organisations",
        (MANAGE_PLUGINS, MANAGE_USERS),
    ),
    Extension(
        "purchase-orders",
        "Purchase orders (OCI)",
        "NAVIGATION_ORDERS",
        "APP_PAGE",
        "purchase-orders",
        (MANAGE_ORDERS,),
    ),
    Extension(
        "inbound-messages",
        "Inbound messages (OCI)",
        "NAVIGATION_ORDERS",
        "APP_PAGE",
        "inbound-messages",
        (MANAGE_ORDERS,),
    ),
    Extension(
        "invoice-runs",
        "Invoice runs (OCI)",
        "NAVIGATION_ORDERS",
        "APP_PAGE",
        "invoice-runs",
        (MANAGE_ORDERS,),
    ),
    Extension(
        "order",
        "Purchase order and invoice",
        "ORDER_DETAILS_MORE_ACTIONS",
        "POPUP",
        "order",
        (MANAGE_ORDERS,),
    ),
)
VIEWS = frozenset(extension.view for extension in EXTENSIONS) | {"home"}


class ConsoleNotConfigured(Exception):
    """The public URL the manifest needs is not configured."""


def view_url(public_url: str, view: str) -> str:
    return f"{public_url}{DASHBOARD_PATH}/{view}"


def build_manifest(public_url: str) -> dict[str, Any]:
    """The manifest for a Saleor reachable at ``public_url`` (no trailing slash)."""
    if not public_url:
        raise ConsoleNotConfigured(
            "The console needs the plugin's 'Console: public URL of this Saleor' "
            "(e.g. https://api.shop.example.com): set it in the plugin's "
            "configuration, or pass --public-url."
        )
    return {
        "id": APP_IDENTIFIER,
        "name": APP_NAME,
        "version": APP_VERSION,
        "about": (
            "Organisations, connections, purchase orders, inbound messages and "
            "invoices of the OCI punch-out plugin, inside the Dashboard."
        ),
        "permissions": list(APP_PERMISSIONS),
        "appUrl": view_url(public_url, "home"),
        "homepageUrl": view_url(public_url, "home"),
        "supportUrl": view_url(public_url, "home"),
        "author": "saleor-oci-plugin",
        "extensions": [
            {
                "identifier": extension.identifier,
                "label": extension.label,
                "mount": extension.mount,
                "target": extension.target,
                "permissions": list(extension.permissions),
                "url": view_url(public_url, extension.view),
            }
            for extension in EXTENSIONS
        ],
        "webhooks": [],
    }
