"""The cart transfer's cost does not grow with the cart (query count)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.checkout.fetch import fetch_checkout_info
from saleor.checkout.tests.utils import add_variant_to_checkout
from saleor.plugins.manager import get_plugins_manager

from saleor_oci_plugin.configuration import config_from_items
from saleor_oci_plugin.punchout import sessions, transfer
from saleor_oci_plugin.punchout.models import PunchoutSession

from ..fixtures import HOOK_URL


def _session_with_lines(connection_, variants) -> PunchoutSession:
    session, code = sessions.open_session(
        connection_, sessions.PunchInContext(hook_url=HOOK_URL), 60
    )
    sessions.exchange_code(code)
    session.refresh_from_db()
    manager = get_plugins_manager(allow_replica=False)
    info = fetch_checkout_info(session.checkout, [], manager)
    for variant in variants:
        add_variant_to_checkout(info, variant, 2)
    return session


def _queries_of_transfer(session) -> int:
    manager = get_plugins_manager(allow_replica=False)
    config = config_from_items([])
    with CaptureQueriesContext(connection) as queries:
        transfer.transfer_checkout(session.checkout, manager, config)
    return len(queries)


def test_transfer_of_many_lines_needs_no_more_queries_than_of_one(
    oci_connection, make_variants
):
    variants = make_variants(22)
    # A first transfer fills the process-wide caches (site settings, ...).
    _queries_of_transfer(_session_with_lines(oci_connection, variants[:1]))
    one = _queries_of_transfer(_session_with_lines(oci_connection, variants[1:2]))
    many = _queries_of_transfer(_session_with_lines(oci_connection, variants[2:]))

    assert many == one
