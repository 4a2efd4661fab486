"""``manage.py oci_print_cards``: the day's greeting cards as one PDF file.

    manage.py oci_print_cards 2026-12-06 --output cards.pdf
    manage.py oci_print_cards --output cards.pdf        # today

The same batch as the ``ociGreetingCardsPrint`` mutation: every card of the day's
orders (in the shop's time zone, Django's TIME_ZONE) not printed yet and not
voided, of orders not cancelled, in order; the cards are marked printed and the
batch is also kept in private storage. Nothing due: no file, a message.
"""

import datetime
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from ...cards.printing import print_day
from ...cards.tasks import card_format


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ArgumentTypeError(f"not a date like 2026-12-06: {text!r}") from None


class Command(BaseCommand):
    help = "Print the day's greeting cards as one PDF."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "day", nargs="?", type=_day, help="The orders' day (default: today)."
        )
        parser.add_argument(
            "--output", required=True, type=Path, help="Where to write the PDF."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["day"] or timezone.localdate()
        batch = print_day(day, card_format())
        if not batch.cards:
            self.stdout.write(f"No greeting cards to print for {day}.")
            return
        options["output"].write_bytes(batch.pdf)
        self.stdout.write(
            f"{len(batch.cards)} greeting cards of {day} written to "
            f"{options['output']}."
        )
