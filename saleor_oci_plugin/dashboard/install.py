"""Registering the console App in Saleor, as ``appInstall`` would, without a fetch.

The App is THIRDPARTY: Saleor issues extension tokens only to third-party Apps
(``saleor/graphql/app/resolvers.py``). The manifest is checked with Saleor's own
``clean_manifest_data`` first, so what is installed is what ``appInstall`` would
accept from the manifest endpoint.
"""

import copy
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from saleor.app.manifest_validations import clean_manifest_data
from saleor.app.models import App, AppExtension
from saleor.app.types import AppType

from .manifest import APP_IDENTIFIER, MANIFEST_PATH, build_manifest


@dataclass(frozen=True)
class Installed:
    app: App
    created: bool


def _cleaned(manifest: dict[str, Any]) -> dict[str, Any]:
    """Saleor's validation of ``manifest``, as for a first install.

    Saleor refuses a manifest whose id an installed App has; for a reinstall that
    App is hidden inside a savepoint that is rolled back.
    """
    data = copy.deepcopy(manifest)
    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            App.objects.not_removed().filter(identifier=APP_IDENTIFIER).update(
                removed_at=timezone.now()
            )
            clean_manifest_data(data)
        finally:
            transaction.savepoint_rollback(savepoint)
    return data


def install(public_url: str) -> Installed:
    """Create the App and its extensions, or bring an installed one up to date.

    Raises ``ConsoleNotConfigured`` without a public URL and Django's
    ``ValidationError`` when Saleor refuses the manifest.
    """
    manifest = build_manifest(public_url)
    data = _cleaned(manifest)
    with transaction.atomic():
        app = (
            App.objects.not_removed()
            .select_for_update()
            .filter(identifier=APP_IDENTIFIER)
            .first()
        )
        created = app is None
        fields = {
            "name": data["name"],
            "is_active": True,
            "is_installed": True,
            "type": AppType.THIRDPARTY,
            "about_app": data.get("about"),
            "homepage_url": data.get("homepageUrl"),
            "support_url": data.get("supportUrl"),
            "app_url": data.get("appUrl"),
            "version": data.get("version"),
            "manifest_url": f"{public_url}{MANIFEST_PATH}",
            "author": data.get("author"),
        }
        if app is None:
            app = App.objects.create(identifier=APP_IDENTIFIER, **fields)
        else:
            for name, value in fields.items():
                setattr(app, name, value)
            app.save()
        # Cleaned: Permission objects.
        app.permissions.set(data["permissions"])
        app.extensions.all().delete()
        for extension in data["extensions"]:
            created_extension = AppExtension.objects.create(
                app=app,
                identifier=extension["identifier"],
                label=extension["label"],
                url=extension["url"],
                mount=extension["mount"],
                target=extension["target"],
                settings=extension.get("options", {}),
            )
            created_extension.permissions.set(extension["permissions"])
    return Installed(app=app, created=created)


def uninstall() -> int:
    """Delete the App (its extensions and tokens go with it); how many were there."""
    deleted = 0
    with transaction.atomic():
        for app in App.objects.filter(identifier=APP_IDENTIFIER):
            app.delete()
            deleted += 1
    return deleted
