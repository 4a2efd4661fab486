"""Placing a PO: the order's amounts agree with the e-invoice's, rounding
included; what a placement locks."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from prices import Money, TaxedMoney
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import OrderLine

from saleor_oci_plugin.purchase_orders.placing import _subtotal

from ..graphql.test_purchase_orders import PO_CREATE, _input


def _line(net: str, rate: str) -> OrderLine:
    amount = Money(Decimal(net), "EUR")
    return OrderLine(
        total_price=TaxedMoney(amount, amount), tax_rate=Decimal(rate), currency="EUR"
    )


def test_vat_is_rounded_once_per_rate_and_half_up():
    # 21 %: 25.00 + 13.50 = 38.50 -> 8.085 -> 8.09 (half-up, not half-even 8.08);
    # 9 %: 10.00 -> 0.90. Per line it would be 5.25 + 2.84 + 0.90 = 8.99.
    subtotal = _subtotal(
        [_line("25.00", "0.21"), _line("13.50", "0.21"), _line("10.00", "0.09")], "EUR"
    )

    assert subtotal.net == Money(Decimal("48.50"), "EUR")
    assert subtotal.gross == Money(
        Decimal("48.50") + Decimal("8.09") + Decimal("0.90"), "EUR"
    )


def test_placing_locks_the_po_number_and_its_cart_not_the_connection(
    integrator, oci_connection, oci_transfer
):
    # Under load (bench/load) a connection row locked for the whole placement held
    # up the connection's other POs, its punch-ins and every insert referring to it.
    with CaptureQueriesContext(connection) as queries:
        response = integrator.post_graphql(
            PO_CREATE, {"input": _input(oci_connection, oci_transfer)}
        )
    result = get_graphql_content(response)["data"]["ociPurchaseOrderCreate"]

    assert result["errors"] == []
    statements = [query["sql"] for query in queries.captured_queries]
    assert any("pg_advisory_xact_lock" in sql for sql in statements)
    assert any(
        'FOR UPDATE OF "saleor_oci_plugin_transfer"' in sql for sql in statements
    )
    assert not any(
        "FOR UPDATE" in sql and 'FROM "saleor_oci_plugin_connection"' in sql
        for sql in statements
    )
