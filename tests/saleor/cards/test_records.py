"""Cards recorded when a PO becomes an order, rendered by the Celery task, voided
or rendered again when the ERP deletes or changes the PO (cXML)."""

import pytest
from saleor.core import private_storage
from saleor.order import OrderStatus
from saleor.order.models import Order

from saleor_oci_plugin.cards import layout
from saleor_oci_plugin.cards.models import GreetingCard
from saleor_oci_plugin.printing import raster

from .helpers import (
    allow_cxml_orders,
    give_logo,
    send_cxml_order,
    shop_with_cards,
)

MM = 72 / 25.4


@pytest.fixture
def ordered_cards(
    client,
    api_client,
    oci_connection,
    product_list,
    media_root,
    django_capture_on_commit_callbacks,
):
    """A cart of two lines: a card with the logo on the first, a card on the
    second, and one for the whole cart; ordered by cXML."""
    logo_name = give_logo(oci_connection.organisation)
    allow_cxml_orders(oci_connection)
    # Saleor changes the lines of unconfirmed orders only (a cXML update).
    oci_connection.channel.automatically_confirm_all_new_orders = False
    oci_connection.channel.save(update_fields=["automatically_confirm_all_new_orders"])
    variants = [product.variants.get() for product in product_list[:2]]
    transfer = shop_with_cards(
        client,
        api_client,
        oci_connection,
        variants,
        {
            0: ("Beterschap!\nTeam Noord", True),
            1: ("Van harte gefeliciteerd", False),
            None: ("Fijne feestdagen\nvan ons allemaal", False),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_cxml_order(client, transfer)
    return transfer, logo_name


def _pdf(card: GreetingCard) -> bytes:
    with private_storage.open(card.pdf_name, "rb") as pdf:
        return pdf.read()


def test_the_ordered_cart_becomes_print_ready_card_pdfs(ordered_cards):
    transfer, logo_name = ordered_cards
    order = Order.objects.get()

    cards = list(GreetingCard.objects.filter(order=order))
    assert [
        (card.po_line_number, card.text, card.with_logo, card.logo_name)
        for card in cards
    ] == [
        ("", "Fijne feestdagen\nvan ons allemaal", False, ""),
        ("1", "Beterschap!\nTeam Noord", True, logo_name),
        ("2", "Van harte gefeliciteerd", False, ""),
    ]
    assert [card.order_line.product_sku for card in cards[1:]] == [
        line["sku"] for line in transfer.snapshot
    ]
    for card in cards:
        pdf = _pdf(card)
        assert raster.pdf_text(pdf)[0].splitlines() == card.text.splitlines()
        ((width, height),) = raster.page_sizes(pdf)
        assert (width, height) == pytest.approx(((148 + 6) * MM, (105 + 6) * MM))
        assert (b"/Subtype /Image" in pdf) is card.with_logo
        assert card.rendered_at is not None
        assert card.printed_at is None


def test_a_logo_replaced_after_the_order_does_not_change_its_card(
    ordered_cards, oci_connection
):
    _transfer, logo_name = ordered_cards
    oci_connection.organisation.logo = "oci-logos/new-logo.png"
    oci_connection.organisation.save(update_fields=["logo"])

    assert GreetingCard.objects.get(with_logo=True).logo_name == logo_name


def test_the_oci_long_text_says_the_card_carries_the_logo(ordered_cards):
    transfer, _logo_name = ordered_cards
    long_texts = [
        value for name, value in transfer.fields if name.startswith("NEW_ITEM-LONGTEXT")
    ]

    assert long_texts == [
        f"Beterschap!\nTeam Noord\n{layout.WITH_LOGO_NOTE}",
        "Van harte gefeliciteerd",
    ]


def test_a_cxml_delete_voids_the_cards(
    ordered_cards, client, django_capture_on_commit_callbacks
):
    transfer, _logo_name = ordered_cards

    with django_capture_on_commit_callbacks(execute=True):
        send_cxml_order(client, transfer, kind="delete")

    assert Order.objects.get().status == OrderStatus.CANCELED
    assert not GreetingCard.objects.filter(voided_at__isnull=True).exists()


def test_a_cxml_update_renders_the_kept_cards_again_and_voids_the_removed_line(
    ordered_cards, client, oci_connection, django_capture_on_commit_callbacks
):
    transfer, _logo_name = ordered_cards
    oci_connection.allow_quantity_changes = True
    oci_connection.save(update_fields=["allow_quantity_changes"])
    before = {card.pk: card.pdf_name for card in GreetingCard.objects.all()}

    with django_capture_on_commit_callbacks(execute=True):
        send_cxml_order(client, transfer, kind="update", lines=[0])

    order = Order.objects.get()
    live = list(GreetingCard.objects.filter(voided_at__isnull=True))
    assert [(card.po_line_number, card.text) for card in live] == [
        ("", "Fijne feestdagen\nvan ons allemaal"),
        ("1", "Beterschap!\nTeam Noord"),
    ]
    assert live[1].order_line == order.lines.get()
    for card in live:
        assert card.pdf_name != before[card.pk]
        assert raster.pdf_text(_pdf(card))[0].splitlines() == card.text.splitlines()
        assert not private_storage.exists(before[card.pk])
    voided = GreetingCard.objects.get(voided_at__isnull=False)
    assert voided.po_line_number == "2"


def test_a_logo_that_is_no_image_prints_the_card_without_it(
    client,
    api_client,
    oci_connection,
    product_list,
    media_root,
    django_capture_on_commit_callbacks,
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    give_logo(oci_connection.organisation)
    allow_cxml_orders(oci_connection)
    transfer = shop_with_cards(
        client,
        api_client,
        oci_connection,
        [product_list[0].variants.get()],
        {0: ("Beterschap!", True)},
    )
    # Replaced in storage by something that is no image, before the order.
    default_storage.delete(oci_connection.organisation.logo)
    default_storage.save(oci_connection.organisation.logo, ContentFile(b"not a png"))

    with django_capture_on_commit_callbacks(execute=True):
        send_cxml_order(client, transfer)

    card = GreetingCard.objects.get()
    pdf = _pdf(card)
    assert raster.pdf_text(pdf)[0].strip() == "Beterschap!"
    assert b"/Subtype /Image" not in pdf


def test_the_render_task_is_where_saleors_celery_finds_it():
    from saleor.celeryconf import app

    from saleor_oci_plugin import tasks
    from saleor_oci_plugin.cards.tasks import RENDER_TASK

    assert tasks.card_tasks.render_greeting_cards_task.name == RENDER_TASK
    assert RENDER_TASK in app.tasks
