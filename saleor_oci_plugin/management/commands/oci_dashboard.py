"""``manage.py oci_dashboard``: the Dashboard console App, registered in this Saleor.

    manage.py oci_dashboard install [--public-url https://api.shop.example.com]
    manage.py oci_dashboard uninstall

``install`` creates the App "OCI punch-out console" (third-party, so that Saleor
hands its extensions a token) with its extensions, or brings an installed one up
to date; running it again changes nothing else. The extension URLs are built from
the plugin's "Console: public URL of this Saleor", or from ``--public-url``. The
same manifest is served at ``<public URL>/plugins/global/oci.punchout/dashboard/
manifest`` for Saleor's ``appInstall``. ``uninstall`` deletes the App.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from saleor.plugins.manager import get_plugins_manager

from ... import PLUGIN_ID
from ...configuration import parse_public_url
from ...dashboard import install as service
from ...dashboard.manifest import MANIFEST_PATH, ConsoleNotConfigured


def configured_public_url() -> str:
    plugin = get_plugins_manager(allow_replica=False).get_plugin(PLUGIN_ID)
    if plugin is None:
        return ""
    return plugin.config.dashboard.public_url


class Command(BaseCommand):
    help = "Install or uninstall the OCI punch-out console in the Saleor Dashboard."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        install = actions.add_parser(
            "install", help="Create the console App, or update it (idempotent)."
        )
        install.add_argument(
            "--public-url",
            help="Address of this Saleor as browsers reach it; default: the "
            "plugin's configuration.",
        )
        actions.add_parser("uninstall", help="Delete the console App.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "uninstall":
            deleted = service.uninstall()
            self.stdout.write(
                "Console App deleted." if deleted else "The console was not installed."
            )
            return
        given = options.get("public_url")
        if given is not None:
            public_url = parse_public_url(given)
            if public_url is None:
                raise CommandError(
                    f"--public-url {given!r} is not an absolute http(s) URL "
                    "without query, e.g. https://api.shop.example.com."
                )
        else:
            public_url = configured_public_url()
        try:
            installed = service.install(public_url)
        except ConsoleNotConfigured as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(
                "Saleor refused the console's manifest: " + "; ".join(error.messages)
            ) from error
        app = installed.app
        self.stdout.write(
            f"Console App {'installed' if installed.created else 'updated'}: "
            f"{app.name} (id {app.pk}), {app.extensions.count()} extensions. "
            f"Manifest: {public_url}{MANIFEST_PATH}"
        )
