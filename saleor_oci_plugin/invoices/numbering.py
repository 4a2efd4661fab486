"""Gap-free invoice numbers: "<prefix><year>-<sequence>", e.g. OCI-2026-00017.

Dutch tax law (and every auditor) wants one unbroken sequence. A number is taken
by raising the series row's ``last_sequence`` under a row lock, inside the
transaction that also stores the document carrying it: if anything fails before
that transaction commits (validation, storage, a crash), the raise is rolled back
with it and the next request gets the same number. Concurrent requests on one
series wait for the lock in turn, so no number is given twice.
"""

from dataclasses import dataclass

from django.db import transaction

from .models import InvoiceNumberSeries

# Zero-padded so that numbers of one year sort as text too (up to 99999 a year).
SEQUENCE_DIGITS = 5


@dataclass(frozen=True)
class TakenNumber:
    series: InvoiceNumberSeries
    sequence: int
    number: str


def format_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}{year}-{sequence:0{SEQUENCE_DIGITS}d}"


def take_next_number(prefix: str, year: int) -> TakenNumber:
    """The series' next number, locked until the surrounding transaction ends.

    Must run inside ``transaction.atomic()``: the number counts as used only when
    that transaction commits, and the series stays locked until it ends.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "take_next_number must run inside the transaction that stores the "
            "document, or a failure after it would leave a gap"
        )
    # The first request of a year creates the row; a concurrent first request
    # waits on the insert and then does nothing (ON CONFLICT DO NOTHING).
    InvoiceNumberSeries.objects.bulk_create(
        [InvoiceNumberSeries(prefix=prefix, year=year)], ignore_conflicts=True
    )
    series = InvoiceNumberSeries.objects.select_for_update().get(
        prefix=prefix, year=year
    )
    series.last_sequence += 1
    series.save(update_fields=["last_sequence"])
    return TakenNumber(
        series=series,
        sequence=series.last_sequence,
        number=format_number(prefix, year, series.last_sequence),
    )
