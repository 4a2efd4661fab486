"""Invoicing through /graphql/: Saleor's ``invoiceRequest`` for one order, warm,
and a consolidated invoicing run over 1, 10, 100 and 500 orders.

``invoiceRequest`` issues the order's UBL invoice with its PDF copy embedded,
validated by the warm validator process; the first request of the process starts
that validator and is reported apart (cold).

Each order has 2 lines, so the invoices have 2 to 1,000 lines. For each size:
the time of one ``ociInvoiceRun`` (Celery runs eagerly in Saleor's test settings,
so the request carries the whole run: grouping, building, the totals check,
validation in a child process, storing, and a Saleor invoice per order) and its
database queries. Run with bench/run-saleor.
"""

import statistics
import time

import graphene
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.buyers.models import InvoicingPreference
from saleor_oci_plugin.invoices.models import InvoicedOrder

# The invoice tests' order-making fixtures, used here as they are there.
from tests.saleor.invoices.conftest import (  # noqa: F401
    make_transfer,
    place_order,
    seller_configured,
    staff,
)

ORDER_COUNTS = (1, 10, 100, 500)
INVOICE_REQUESTS = 15
INVOICE_REQUEST = """mutation ($orderId: ID!) {
  invoiceRequest(orderId: $orderId) { invoice { number status } errors { code } } }"""
RUN = """mutation ($start: Date!, $end: Date!) {
  ociInvoiceRun(periodStart: $start, periodEnd: $end) {
    run { status invoices { number payableAmount } failures { reason } }
    errors { code message } } }"""


def test_consolidated_run(
    staff,  # noqa: F811
    seller_configured,  # noqa: F811
    oci_organisation,
    make_transfer,  # noqa: F811
    place_order,  # noqa: F811
    media_root,
):
    oci_organisation.invoicing_preference = InvoicingPreference.PERIODIC_CONSOLIDATED
    oci_organisation.save()
    today = timezone.localdate().isoformat()
    variables = {"start": today, "end": today}
    placed = 0
    print("\n orders  lines | ociInvoiceRun ms  queries | queries/order")
    for count in ORDER_COUNTS:
        for _ in range(count):
            placed += 1
            place_order(make_transfer(quantities=(2, 1)), po_number=f"4{placed:09d}")
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            content = get_graphql_content(staff.post_graphql(RUN, variables))
            elapsed = time.perf_counter() - started
        run = content["data"]["ociInvoiceRun"]["run"]
        # A failed run would measure the wrong thing.
        assert run["status"] == "DONE", run
        assert len(run["invoices"]) == 1, run
        assert InvoicedOrder.objects.count() == placed
        print(
            f" {count:6d} {2 * count:6d} | {elapsed * 1000:16.0f} {len(queries):8d} |"
            f" {len(queries) / count:13.1f}"
        )


def test_invoice_request_per_order(
    staff,  # noqa: F811
    seller_configured,  # noqa: F811
    make_transfer,  # noqa: F811
    place_order,  # noqa: F811
    media_root,
):
    timings, query_counts = [], []
    for number in range(INVOICE_REQUESTS + 1):
        order = place_order(make_transfer(), po_number=f"45{number:08d}")
        variables = {"orderId": graphene.Node.to_global_id("Order", order.pk)}
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            content = get_graphql_content(
                staff.post_graphql(INVOICE_REQUEST, variables)
            )
            elapsed = time.perf_counter() - started
        invoice = content["data"]["invoiceRequest"]["invoice"]
        # A failed invoice would measure the wrong thing.
        assert invoice["status"] == "SUCCESS", content
        timings.append(elapsed)
        query_counts.append(len(queries))
    cold, warm = timings[0], timings[1:]
    print(
        "\n invoiceRequest, one 2-line order (UBL + embedded PDF, validated): "
        f"cold {cold * 1000:.0f} ms; "
        f"warm median {statistics.median(warm) * 1000:.0f} ms, "
        f"max {max(warm) * 1000:.0f} ms over {len(warm)}; "
        f"{statistics.median(query_counts[1:]):.0f} queries"
    )
