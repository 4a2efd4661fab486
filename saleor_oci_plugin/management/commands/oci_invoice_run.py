"""``manage.py oci_invoice_run``: periodic invoices for a period, started by hand.

    manage.py oci_invoice_run --month 2026-11 [--organisation ORG] [--queue]
    manage.py oci_invoice_run --from 2026-11-01 --to 2026-11-15 [...]
    manage.py oci_invoice_run                # last month, like the beat run

It invoices the orders of buyers invoiced per branch or consolidated that were
placed in the period and are not invoiced yet (see ``invoices/periodic.py``), in
this process, and prints each invoice issued and each group refused; the exit
status is 1 when a group was refused. ``--queue`` hands the run to Saleor's
Celery workers instead and prints the run's ID. Running a period again issues
only what the earlier run did not.
"""

import datetime
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...invoices.models import InvoiceRun
from ...invoices.periodic import PeriodInvalid, create_run, previous_month
from ...invoices.tasks import (
    PluginInactive,
    invoicing_configuration,
    run_invoicing_task,
)
from ..lookup import organisation_by_reference


def _month(text: str) -> tuple[datetime.date, datetime.date]:
    try:
        first = datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ArgumentTypeError(f"not a month like 2026-11: {text!r}") from None
    next_month = (first + datetime.timedelta(days=31)).replace(day=1)
    return first, next_month - datetime.timedelta(days=1)


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ArgumentTypeError(f"not a date like 2026-11-30: {text!r}") from None


class Command(BaseCommand):
    help = "Issue the periodic (per-branch and consolidated) invoices of a period."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--month", type=_month, help="The calendar month, e.g. 2026-11."
        )
        parser.add_argument("--from", dest="start", type=_day, help="First day.")
        parser.add_argument("--to", dest="end", type=_day, help="Last day.")
        parser.add_argument(
            "--organisation", help="Only this organisation (its ID or name)."
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Hand the run to Saleor's Celery workers instead of running here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        period_start, period_end = self._period(options)
        organisation = (
            organisation_by_reference(options["organisation"])
            if options["organisation"]
            else None
        )
        try:
            run = create_run(
                period_start,
                period_end,
                organisation=organisation,
                requested_by="command",
            )
        except PeriodInvalid as error:
            raise CommandError(str(error)) from error
        if options["queue"]:
            run_invoicing_task.delay(run.pk)
            self.stdout.write(f"Invoice run {run.pk} queued for {self._label(run)}.")
            return
        try:
            invoicing_configuration()
        except PluginInactive as error:
            run.delete()
            raise CommandError(str(error)) from error
        run_invoicing_task(run.pk)
        run.refresh_from_db()
        self._report(run)

    def _period(self, options: dict[str, Any]) -> tuple[datetime.date, datetime.date]:
        month, start, end = options["month"], options["start"], options["end"]
        if month and (start or end):
            raise CommandError("Give --month or --from/--to, not both.")
        if month:
            return month
        if start or end:
            if not (start and end):
                raise CommandError("Give both --from and --to.")
            return start, end
        return previous_month(timezone.localdate())

    def _label(self, run: InvoiceRun) -> str:
        who = f" ({run.organisation.name})" if run.organisation else ""
        return f"{run.period_start} to {run.period_end}{who}"

    def _report(self, run: InvoiceRun) -> None:
        documents = list(run.documents.order_by("sequence"))
        self.stdout.write(
            f"Invoice run {run.pk}, {self._label(run)}: {len(documents)} invoice(s) "
            f"issued, {len(run.failures)} refused."
        )
        for document in documents:
            orders = document.invoiced_orders.count()
            self.stdout.write(
                f"  {document.number}  {document.currency} "
                f"{document.payable_amount}  {orders} order(s)"
            )
        for failure in run.failures:
            self.stderr.write(
                f"  refused: {failure['group']} (orders "
                f"{', '.join(failure['orders']) or '-'}): {failure['reason']}"
            )
        if run.failures:
            raise CommandError("Some invoices were not issued; see above.")
