"""Invoice numbers: one unbroken series per prefix and year, even under concurrency."""

import threading

import pytest
from django.db import connections, transaction
from saleor.tests.utils import prepare_test_db_connections

from saleor_oci_plugin.invoices.models import InvoiceNumberSeries
from saleor_oci_plugin.invoices.numbering import format_number, take_next_number


class _DocumentNotStored(Exception):
    """Stands for anything that fails after the number was taken."""


def test_numbers_are_prefix_year_and_a_zero_padded_sequence():
    assert format_number("OCI-", 2026, 17) == "OCI-2026-00017"
    assert format_number("", 2026, 123456) == "2026-123456"


@pytest.mark.django_db
def test_series_are_separate_per_prefix_and_year():
    with transaction.atomic():
        taken = [
            take_next_number(prefix, year).number
            for prefix, year in (
                ("OCI-", 2026),
                ("OCI-", 2026),
                ("OCI-", 2027),
                ("B-", 2026),
            )
        ]
    assert taken == [
        "OCI-2026-00001",
        "OCI-2026-00002",
        "OCI-2027-00001",
        "B-2026-00001",
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_get_consecutive_numbers_and_failures_leave_no_gap():
    # Outside the storing transaction a later failure could not give it back.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        take_next_number("T-", 2026)

    requests = 12
    barrier = threading.Barrier(requests)
    stored: list[str] = []
    errors: list[Exception] = []

    def request(index: int) -> None:
        # Saleor's tests make the replica a view of the default connection in the
        # main thread only (prepare_test_db_connections); threads have their own.
        prepare_test_db_connections()
        try:
            barrier.wait()
            with transaction.atomic():
                taken = take_next_number("T-", 2026)
                if index % 3 == 0:
                    raise _DocumentNotStored
            stored.append(taken.number)
        except _DocumentNotStored:
            pass
        except Exception as error:
            errors.append(error)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # 4 of 12 failed after taking a number; the 8 stored have 1 to 8, each once.
    assert sorted(stored) == [format_number("T-", 2026, n) for n in range(1, 9)]
    assert InvoiceNumberSeries.objects.get(prefix="T-", year=2026).last_sequence == 8
