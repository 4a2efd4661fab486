"""Printing cards: the day's batch as one PDF, and a single card again.

A day is a calendar day in the shop's time zone, Django's ``settings.TIME_ZONE``
(Saleor's default is UTC; Saleor's channels carry no time zone of their own), and
an order belongs to the day it was created. The batch holds every card of that
day's orders that is neither printed nor voided, of orders not cancelled, in
order: order number, then the order's own card, then its lines' cards. Cards are
marked printed in the same transaction that stores the batch, under a row lock,
so two staff printing the same day at once never both get a card.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from saleor.order import OrderStatus

from ..dataclasses import CardFormat
from .models import GreetingCard
from .records import card_content, render_card, store_pdf

URL_PREFIX = "/plugins/global/oci.punchout/cards/"


@dataclass(frozen=True)
class Batch:
    day: datetime.date
    cards: list[GreetingCard]
    # In private storage; "" when there was nothing to print.
    pdf_name: str
    pdf: bytes


def pdf_path(pdf_name: str) -> str:
    """The plugin URL path that serves a card or batch PDF to staff."""
    return URL_PREFIX + pdf_name.rsplit("/", 1)[-1]


def shop_time_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def unprinted_cards_of(day: datetime.date) -> QuerySet[GreetingCard]:
    zone = shop_time_zone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = start + datetime.timedelta(days=1)
    return (
        GreetingCard.objects.filter(
            order__created_at__gte=start,
            order__created_at__lt=end,
            printed_at__isnull=True,
            voided_at__isnull=True,
        )
        .exclude(order__status=OrderStatus.CANCELED)
        .select_related("order")
        .order_by("order__number", "position", "pk")
    )


def print_day(day: datetime.date, card_format: CardFormat) -> Batch:
    """Render the day's unprinted cards as one PDF, store it, mark them printed."""
    from .layout import render_pdf

    with transaction.atomic():
        cards = list(
            unprinted_cards_of(day).select_for_update(of=("self",), skip_locked=True)
        )
        if not cards:
            return Batch(day=day, cards=[], pdf_name="", pdf=b"")
        # Each logo file is read once however many cards carry it.
        logos: dict[str, bytes | None] = {}
        pdf = render_pdf([card_content(card, logos) for card in cards], card_format)
        pdf_name = store_pdf(f"batch-{day.isoformat()}", pdf)
        printed_at = timezone.now()
        GreetingCard.objects.filter(pk__in=[card.pk for card in cards]).update(
            printed_at=printed_at
        )
        for card in cards:
            card.printed_at = printed_at
    return Batch(day=day, cards=cards, pdf_name=pdf_name, pdf=pdf)


def reprint(card: GreetingCard, card_format: CardFormat) -> GreetingCard:
    """Print one card again: its PDF (rendered now if the task has not yet),
    marked printed now. A voided card is not printed again."""
    if card.voided_at is not None:
        raise ValueError("This card was voided: its order was cancelled or changed.")
    if not card.pdf_name:
        render_card(card, card_format)
    card.printed_at = timezone.now()
    card.save(update_fields=["printed_at"])
    return card
