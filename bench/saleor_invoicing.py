"""A consolidated invoicing run over 1, 10, 100 and 500 orders, through /graphql/.

Each order has 2 lines, so the invoices have 2 to 1,000 lines. For each size:
the time of one ``ociInvoiceRun`` (Celery runs eagerly in Saleor's test settings,
so the request carries the whole run: grouping, building, the totals check,
validation in a child process, storing, and a Saleor invoice per order) and its
database queries. Run with bench/run-saleor.
"""

import time

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
