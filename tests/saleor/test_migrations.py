"""The app's migrations match its models and are applied to Saleor's database."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from saleor_oci_plugin.models import InboundMessage


def test_no_model_change_lacks_a_migration():
    out = StringIO()
    try:
        call_command(
            "makemigrations", "saleor_oci_plugin", check=True, dry_run=True, stdout=out
        )
    except SystemExit:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"missing migration:\n{out.getvalue()}")


@pytest.mark.django_db
def test_migration_created_the_tables():
    assert InboundMessage._meta.db_table in connection.introspection.table_names()
