"""``manage.py oci_invoice_run``: a periodic invoicing run started by an operator."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from saleor_oci_plugin.buyers.models import InvoicingPreference
from saleor_oci_plugin.invoices.models import InvoicedOrder, InvoiceRun

# The invoice tests' order-making fixtures, used here as they are there.
from tests.saleor.invoices.conftest import (  # noqa: F401
    make_transfer,
    place_order,
    seller_configured,
)

TODAY = timezone.localdate()


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("oci_invoice_run", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def consolidated(oci_organisation, seller_configured, media_root):  # noqa: F811
    oci_organisation.invoicing_preference = InvoicingPreference.PERIODIC_CONSOLIDATED
    oci_organisation.save()
    return oci_organisation


def test_a_month_is_invoiced_and_the_invoices_printed(
    consolidated,
    make_transfer,  # noqa: F811
    place_order,  # noqa: F811
):
    orders = [place_order(make_transfer(), po_number=f"450000009{n}") for n in (1, 2)]

    out, err = run(
        "--month", TODAY.strftime("%Y-%m"), "--organisation", "ziekenhuis oost"
    )

    run_record = InvoiceRun.objects.get()
    assert run_record.requested_by == "command"
    assert run_record.period_start == TODAY.replace(day=1)
    assert run_record.organisation == consolidated
    assert "1 invoice(s) issued, 0 refused" in out
    assert f"OCI-{TODAY.year}-00001" in out
    assert "2 order(s)" in out
    assert err == ""
    assert InvoicedOrder.objects.filter(order__in=orders).count() == 2

    # The same period again issues nothing.
    again, _ = run("--from", TODAY.isoformat(), "--to", TODAY.isoformat())
    assert "0 invoice(s) issued, 0 refused" in again


def test_refused_groups_are_printed_and_the_command_fails(
    consolidated,
    make_transfer,  # noqa: F811
    place_order,  # noqa: F811
):
    first = place_order(make_transfer(), po_number="4500000101")
    second = place_order(make_transfer(), po_number="4500000102")
    second.billing_address.city = "Zeist"
    second.billing_address.save()
    err = io.StringIO()

    with pytest.raises(CommandError, match="Some invoices were not issued"):
        call_command(
            "oci_invoice_run",
            "--from",
            TODAY.isoformat(),
            "--to",
            TODAY.isoformat(),
            stdout=io.StringIO(),
            stderr=err,
        )

    assert f"orders {first.number}, {second.number}" in err.getvalue()
    assert "has no invoice address" in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2026-11", "--from", "2026-11-01"), "not both"),
        (("--from", "2026-11-01"), "both --from and --to"),
        (("--from", "2026-11-30", "--to", "2026-11-01"), "before it starts"),
        (("--organisation", "Nobody"), "no organisation 'Nobody'"),
    ],
)
def test_bad_periods_and_organisations_are_refused(args, message, seller_configured):  # noqa: F811
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not InvoiceRun.objects.exists()


def test_a_malformed_month_is_refused_by_the_parser(seller_configured):  # noqa: F811
    with pytest.raises(CommandError, match="not a month like 2026-11"):
        run("--month", "November")


def test_queue_hands_the_run_to_celery(
    consolidated,
    make_transfer,  # noqa: F811
    place_order,  # noqa: F811
):
    place_order(make_transfer())

    out, _ = run("--queue", "--from", TODAY.isoformat(), "--to", TODAY.isoformat())

    run_record = InvoiceRun.objects.get()
    assert out.strip().startswith(f"Invoice run {run_record.pk} queued")
    # Saleor's test settings run Celery tasks eagerly: the worker's work is done.
    assert run_record.status == InvoiceRun.Status.DONE
    assert run_record.documents.count() == 1
