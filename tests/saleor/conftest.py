"""The saleor tier: this plugin inside a real Saleor 3.23 on PostgreSQL.

Does what Saleor's own root conftest does (which is not part of its package), so that
Saleor's fixtures work here as they do in Saleor's tests.
"""

from pathlib import Path

import django.test
import pytest
from django.conf import settings
from saleor.tests.utils import prepare_test_db_connections

import saleor_oci_plugin

CHECKOUT_ROOT = Path(__file__).resolve().parents[2]
if not Path(saleor_oci_plugin.__file__).resolve().is_relative_to(CHECKOUT_ROOT):
    raise pytest.UsageError(
        f"saleor_oci_plugin is imported from {saleor_oci_plugin.__file__}, not from "
        f"this checkout ({CHECKOUT_ROOT}); run the tests with scripts/run-tests."
    )

# Saleor's tests expect every test case to see the primary and the (fake) replica.
TEST_DATABASES = {
    settings.DATABASE_CONNECTION_DEFAULT_NAME,
    settings.DATABASE_CONNECTION_REPLICA_NAME,
}
django.test.TransactionTestCase.databases = TEST_DATABASES  # type: ignore[assignment]
django.test.TestCase.databases = TEST_DATABASES  # type: ignore[assignment]

prepare_test_db_connections()

# The fixture modules Saleor's root conftest loads.
pytest_plugins = [
    "saleor.tests.fixtures",
    "saleor.app.tests.fixtures",
    "saleor.plugins.tests.fixtures",
    "saleor.graphql.tests.fixtures",
    "saleor.webhook.tests.fixtures",
    "saleor.tax.tests.fixtures",
    "saleor.channel.tests.fixtures",
    "saleor.page.tests.fixtures",
    "saleor.menu.tests.fixtures",
    "saleor.warehouse.tests.fixtures",
    "saleor.thumbnail.tests.fixtures",
    "saleor.order.tests.fixtures",
    "saleor.product.tests.fixtures",
    "saleor.site.tests.fixtures",
    "saleor.shipping.tests.fixtures",
    "saleor.permission.tests.fixtures",
    "saleor.giftcard.tests.fixtures",
    "saleor.discount.tests.fixtures",
    "saleor.checkout.tests.fixtures",
    "saleor.attribute.tests.fixtures",
    "saleor.account.tests.fixtures",
    "saleor.graphql.account.tests.fixtures",
    "saleor.payment.tests.fixtures",
    "saleor.webhook.tests.circuit_breaker.fixtures",
    "tests.saleor.fixtures",
    "tests.saleor.cxml_helpers",
]


@pytest.fixture(autouse=True)
def setup_dummy_gateways(setup_dummy_gateways):
    """Keep this plugin in PLUGINS, which Saleor's autouse fixture of this name
    resets for every test."""
    setup_dummy_gateways.PLUGINS = [
        *setup_dummy_gateways.PLUGINS,
        "saleor_oci_plugin.plugin.OCIPlugin",
    ]
    return setup_dummy_gateways
