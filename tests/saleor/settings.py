"""Saleor's own test settings, with this plugin switched on."""

from saleor.tests.settings import *  # noqa: F403
from saleor.tests.settings import INSTALLED_APPS

# Saleor's test settings empty PLUGINS; the entry point keeps the app installed when the
# package is installed, and this keeps it so when it is only on the path.
PLUGINS = ["saleor_oci_plugin.plugin.OCIPlugin"]
if "saleor_oci_plugin" not in INSTALLED_APPS:
    INSTALLED_APPS.append("saleor_oci_plugin")
