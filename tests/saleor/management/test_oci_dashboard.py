"""``manage.py oci_dashboard install / uninstall``."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from saleor.app.models import App

from saleor_oci_plugin.dashboard.manifest import APP_IDENTIFIER

from ..dashboard.conftest import PUBLIC_URL, console_configured  # noqa: F401


def _run(*args: str) -> str:
    out = StringIO()
    call_command("oci_dashboard", *args, stdout=out)
    return out.getvalue()


def test_install_uses_the_configured_public_url_and_is_idempotent(
    console_configured,  # noqa: F811
):
    first = _run("install")
    second = _run("install")

    app = App.objects.get(identifier=APP_IDENTIFIER)
    assert "installed" in first
    assert "5 extensions" in first
    assert "updated" in second
    assert f"{PUBLIC_URL}/plugins/global/oci.punchout/dashboard/manifest" in second
    assert app.extensions.count() == 5


def test_install_with_a_given_url(db):
    _run("install", "--public-url", "https://shop.example.org")

    app = App.objects.get(identifier=APP_IDENTIFIER)
    assert (
        app.app_url
        == "https://shop.example.org/plugins/global/oci.punchout/dashboard/home"
    )


def test_install_without_url_says_what_to_set(db):
    with pytest.raises(CommandError, match="public URL"):
        _run("install")


def test_install_refuses_a_url_that_is_none(db):
    with pytest.raises(CommandError, match="not an absolute http"):
        _run("install", "--public-url", "ftp://x")


def test_uninstall(console_configured):  # noqa: F811
    _run("install")

    assert "deleted" in _run("uninstall")
    assert not App.objects.filter(identifier=APP_IDENTIFIER).exists()
    assert "not installed" in _run("uninstall")
