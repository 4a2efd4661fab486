"""Saleor's settings as if this plugin were not installed (for bench/startup.py)."""

from saleor.settings import *  # noqa: F403
from saleor.settings import INSTALLED_APPS, PLUGINS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "saleor_oci_plugin"]
PLUGINS = [path for path in PLUGINS if not path.startswith("saleor_oci_plugin.")]
