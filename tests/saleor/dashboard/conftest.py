import pytest
from saleor.plugins.models import PluginConfiguration

from saleor_oci_plugin import PLUGIN_ID
from saleor_oci_plugin.configuration import DASHBOARD_ORIGIN, DASHBOARD_PUBLIC_URL

PUBLIC_URL = "https://api.shop.example.com"
DASHBOARD = "https://dashboard.shop.example.com"


@pytest.fixture
def console_configured(db):
    """The plugin configured with the console's public URL and Dashboard origin."""
    PluginConfiguration.objects.update_or_create(
        identifier=PLUGIN_ID,
        defaults={
            "active": True,
            "configuration": [
                {"name": DASHBOARD_PUBLIC_URL, "value": PUBLIC_URL + "/"},
                {"name": DASHBOARD_ORIGIN, "value": DASHBOARD},
            ],
        },
    )
