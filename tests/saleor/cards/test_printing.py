"""The day's batch and reprints, through GraphQL as staff and the command."""

import datetime

import graphene
import pytest
from django.core.management import call_command
from django.utils import timezone
from saleor.core import private_storage
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order import OrderStatus
from saleor.order.models import Order

from saleor_oci_plugin.cards.models import GreetingCard
from saleor_oci_plugin.printing import raster

from .helpers import allow_cxml_orders, give_logo, send_cxml_order, shop_with_cards

PRINT = """
mutation ($date: Date!) {
  ociGreetingCardsPrint(date: $date) {
    batch { date pdfUrl cards { id orderNumber poLineNumber text printedAt } }
    errors { field code message }
  }
}
"""
REPRINT = """
mutation ($id: ID!) {
  ociGreetingCardReprint(id: $id) {
    card { id pdfUrl printedAt voided }
    errors { field code message }
  }
}
"""
CARDS = """
query ($orderId: ID!) {
  ociGreetingCards(orderId: $orderId, first: 10) {
    totalCount
    edges { node { text withLogo pdfUrl printedAt voided poLineNumber lineId } }
  }
}
"""


@pytest.fixture
def three_orders(
    client,
    api_client,
    oci_connection,
    product_list,
    media_root,
    django_capture_on_commit_callbacks,
):
    """Three orders of today with cards; the second cancelled."""
    give_logo(oci_connection.organisation)
    allow_cxml_orders(oci_connection)
    variant = product_list[0].variants.get()
    for number in range(3):
        transfer = shop_with_cards(
            client,
            api_client,
            oci_connection,
            [variant],
            {0: (f"Kaart {number}", number == 0), None: (f"Order {number}", False)},
        )
        with django_capture_on_commit_callbacks(execute=True):
            send_cxml_order(client, transfer, order_number=f"PO-{number}")
        if number == 1:
            with django_capture_on_commit_callbacks(execute=True):
                send_cxml_order(
                    client, transfer, kind="delete", order_number=f"PO-{number}"
                )
    return list(Order.objects.order_by("number"))


def _batch_pdf(url: str) -> bytes:
    name = url.rsplit("/", 1)[-1]
    with private_storage.open(f"oci-greeting-cards/{name}", "rb") as pdf:
        return pdf.read()


def test_the_days_batch_holds_every_due_card_once_in_order(
    three_orders, staff_api_client, permission_manage_orders
):
    staff_api_client.user.user_permissions.add(permission_manage_orders)
    today = timezone.localdate().isoformat()

    result = get_graphql_content(staff_api_client.post_graphql(PRINT, {"date": today}))[
        "data"
    ]["ociGreetingCardsPrint"]

    assert result["errors"] == []
    batch = result["batch"]
    first, _cancelled, third = three_orders
    assert [
        (c["orderNumber"], c["poLineNumber"], c["text"]) for c in batch["cards"]
    ] == [
        (str(first.number), "", "Order 0"),
        (str(first.number), "1", "Kaart 0"),
        (str(third.number), "", "Order 2"),
        (str(third.number), "1", "Kaart 2"),
    ]
    assert all(card["printedAt"] for card in batch["cards"])
    pdf = _batch_pdf(batch["pdfUrl"])
    assert [text.strip() for text in raster.pdf_text(pdf)] == [
        "Order 0",
        "Kaart 0",
        "Order 2",
        "Kaart 2",
    ]
    assert pdf.count(b"/Subtype /Image") == 1

    # Printed once: the next batch of the day is empty.
    again = get_graphql_content(staff_api_client.post_graphql(PRINT, {"date": today}))[
        "data"
    ]["ociGreetingCardsPrint"]["batch"]
    assert again["cards"] == []
    assert again["pdfUrl"] is None


def test_another_days_batch_is_empty(
    three_orders, staff_api_client, permission_manage_orders
):
    staff_api_client.user.user_permissions.add(permission_manage_orders)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    batch = get_graphql_content(
        staff_api_client.post_graphql(PRINT, {"date": yesterday.isoformat()})
    )["data"]["ociGreetingCardsPrint"]["batch"]

    assert batch["cards"] == []
    assert GreetingCard.objects.filter(printed_at__isnull=False).count() == 0


def test_a_printed_card_is_printed_again(
    three_orders, staff_api_client, permission_manage_orders
):
    staff_api_client.user.user_permissions.add(permission_manage_orders)
    get_graphql_content(
        staff_api_client.post_graphql(PRINT, {"date": timezone.localdate().isoformat()})
    )
    card = GreetingCard.objects.get(text="Kaart 0")
    printed_at = card.printed_at

    result = get_graphql_content(
        staff_api_client.post_graphql(
            REPRINT, {"id": graphene.Node.to_global_id("OciGreetingCard", card.pk)}
        )
    )["data"]["ociGreetingCardReprint"]

    assert result["errors"] == []
    assert result["card"]["pdfUrl"].endswith(card.pdf_name.rsplit("/", 1)[-1])
    card.refresh_from_db()
    assert card.printed_at > printed_at


def test_a_voided_card_is_not_printed_again(
    three_orders, staff_api_client, permission_manage_orders
):
    staff_api_client.user.user_permissions.add(permission_manage_orders)
    card = GreetingCard.objects.get(text="Kaart 1")

    result = get_graphql_content(
        staff_api_client.post_graphql(
            REPRINT, {"id": graphene.Node.to_global_id("OciGreetingCard", card.pk)}
        )
    )["data"]["ociGreetingCardReprint"]

    assert [error["code"] for error in result["errors"]] == ["INVALID"]


def test_staff_read_the_cards_of_an_order(
    three_orders, staff_api_client, permission_manage_orders
):
    staff_api_client.user.user_permissions.add(permission_manage_orders)
    cancelled = three_orders[1]
    assert cancelled.status == OrderStatus.CANCELED

    data = get_graphql_content(
        staff_api_client.post_graphql(
            CARDS, {"orderId": graphene.Node.to_global_id("Order", cancelled.pk)}
        )
    )["data"]["ociGreetingCards"]

    assert data["totalCount"] == 2
    nodes = [edge["node"] for edge in data["edges"]]
    assert [(n["text"], n["voided"], n["withLogo"]) for n in nodes] == [
        ("Order 1", True, False),
        ("Kaart 1", True, False),
    ]
    assert nodes[1]["lineId"] == graphene.Node.to_global_id(
        "OrderLine", cancelled.lines.get().pk
    )
    assert all(n["pdfUrl"].startswith("http") for n in nodes)


def test_customers_cannot_print_cards(three_orders, user_api_client):
    response = user_api_client.post_graphql(
        PRINT, {"date": timezone.localdate().isoformat()}
    )

    assert "errors" in response.json()
    assert not GreetingCard.objects.filter(printed_at__isnull=False).exists()


def test_the_command_writes_the_days_batch_to_a_file(three_orders, tmp_path):
    target = tmp_path / "cards.pdf"

    call_command(
        "oci_print_cards", timezone.localdate().isoformat(), "--output", str(target)
    )

    texts = [text.strip() for text in raster.pdf_text(target.read_bytes())]
    assert texts == ["Order 0", "Kaart 0", "Order 2", "Kaart 2"]
    assert GreetingCard.objects.filter(printed_at__isnull=False).count() == 4
