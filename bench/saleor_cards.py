"""Greeting cards through Saleor: the buyer's preview over /graphql/, and staff's
print batch of 500 cards (``ociGreetingCardsPrint``: the query, rendering one
PDF, storing it in private storage, marking the cards printed). Run with
bench/run-saleor; the rendering alone: bench/greeting_cards.py.
"""

import statistics
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order import OrderStatus
from saleor.order.models import Order

from saleor_oci_plugin.cards.models import GreetingCard
from tests.saleor.cards.helpers import logo_png
from tests.saleor.graphql.test_cards import PREVIEW
from tests.saleor.test_round_trip import _start_shopping

TEXT = "Beterschap en veel sterkte!\n\nHartelijke groeten van\nTeam Inkoop, Zürich"
PRINT = """mutation ($date: Date!) {
  ociGreetingCardsPrint(date: $date) { batch { pdfUrl cards { id } } errors { code } }
}"""
RUNS = 20
ORDERS = 100
CARDS_PER_ORDER = 5


def test_preview_over_graphql(client, api_client, oci_connection, media_root):
    oci_connection.organisation.logo = default_storage.save(
        "oci-logos/bench.png", ContentFile(logo_png())
    )
    oci_connection.organisation.save(update_fields=["logo"])
    checkout_id = _start_shopping(client, api_client, oci_connection)
    print(f"\nociGreetingCardPreview over /graphql/ (median of {RUNS})   ms")
    for with_logo in (False, True):
        variables = {"checkoutId": checkout_id, "text": TEXT, "withLogo": with_logo}
        get_graphql_content(api_client.post_graphql(PREVIEW, variables))
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            content = get_graphql_content(api_client.post_graphql(PREVIEW, variables))
            times.append(time.perf_counter() - started)
        assert content["data"]["ociGreetingCardPreview"]["problems"] == []
        label = "with logo" if with_logo else "without logo"
        print(f"  {label:13s} {statistics.median(times) * 1000:40.1f}")


def test_batch_of_500(
    staff_api_client, permission_manage_orders, channel_USD, media_root
):
    staff_api_client.user.user_permissions.add(permission_manage_orders)
    logo_name = default_storage.save("oci-logos/bench.png", ContentFile(logo_png()))
    orders = [
        Order.objects.create(
            channel=channel_USD,
            currency="USD",
            status=OrderStatus.UNFULFILLED,
            user_email="buyer@example.com",
            lines_count=0,
        )
        for _ in range(ORDERS)
    ]
    GreetingCard.objects.bulk_create(
        GreetingCard(
            order=order,
            position=position,
            text=f"{TEXT}\nKaart {order.number}-{position}",
            with_logo=bool(position % 2),
            logo_name=logo_name if position % 2 else "",
        )
        for order in orders
        for position in range(CARDS_PER_ORDER)
    )
    variables = {"date": timezone.localdate().isoformat()}
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        content = get_graphql_content(staff_api_client.post_graphql(PRINT, variables))
        elapsed = time.perf_counter() - started
    batch = content["data"]["ociGreetingCardsPrint"]["batch"]
    assert len(batch["cards"]) == ORDERS * CARDS_PER_ORDER
    print(
        f"\nociGreetingCardsPrint, {ORDERS * CARDS_PER_ORDER} cards of {ORDERS} orders "
        f"(half with logo): {elapsed * 1000:.0f} ms, {len(queries)} queries"
    )
