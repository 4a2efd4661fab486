"""The periodic run on Saleor's Celery app and in its beat schedule."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from saleor.celeryconf import app
from saleor.order.models import Order
from saleor.plugins.models import PluginConfiguration
from saleor.schedulers.schedulers import DatabaseScheduler

from saleor_oci_plugin import PLUGIN_ID
from saleor_oci_plugin.buyers.models import InvoicingPreference
from saleor_oci_plugin.buyers.tasks import INVITATION_TASK
from saleor_oci_plugin.cards.tasks import RENDER_TASK
from saleor_oci_plugin.invoices.models import InvoicedOrder, InvoiceRun
from saleor_oci_plugin.invoices.periodic import create_run, previous_month
from saleor_oci_plugin.invoices.tasks import (
    BEAT_ENTRY,
    MONTHLY_TASK,
    RUN_TASK,
    SEND_TASK,
    invoice_previous_month_task,
    run_invoicing_task,
)

ROOT = Path(__file__).resolve().parents[3]


def test_saleor_celery_discovers_the_tasks_and_schedules_the_monthly_run():
    # A fresh process, as a worker or beat starts: Saleor's app autodiscovers
    # the tasks of the plugins in settings.PLUGINS.
    script = (
        "import django, json; django.setup()\n"
        "from saleor.celeryconf import app\n"
        "app.loader.import_default_modules()\n"
        f"entry = app.conf.beat_schedule[{BEAT_ENTRY!r}]\n"
        "print(json.dumps({'task': entry['task'], 'registered': sorted("
        "name for name in app.tasks if name.startswith('saleor_oci_plugin')),"
        "'schedule': str(entry['schedule'])}))\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.saleor.settings",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    found = json.loads(completed.stdout.strip().splitlines()[-1])
    assert found["task"] == MONTHLY_TASK
    # The plugin's other tasks (member invitations, greeting-card rendering) are
    # discovered the same way.
    assert found["registered"] == sorted(
        [MONTHLY_TASK, RUN_TASK, SEND_TASK, INVITATION_TASK, RENDER_TASK]
    )
    assert "1" in found["schedule"]  # <crontab: 30 2 1 * * ...>


# The scheduler closes and commits connections as beat does: not inside a test's
# transaction.
@pytest.mark.django_db(transaction=True)
def test_django_celery_beat_scheduler_stores_the_monthly_entry():
    DatabaseScheduler(app=app)

    periodic = PeriodicTask.objects.get(name=BEAT_ENTRY)
    assert periodic.task == MONTHLY_TASK
    assert periodic.enabled
    assert (periodic.crontab.day_of_month, periodic.crontab.hour) == ("1", "2")


def test_monthly_task_invoices_last_months_orders(
    oci_organisation, seller_configured, make_transfer, place_order
):
    oci_organisation.invoicing_preference = InvoicingPreference.PERIODIC_PER_BRANCH
    oci_organisation.save()
    start, end = previous_month(timezone.localdate())
    last_month = place_order(make_transfer(), po_number="4500000061")
    this_month = place_order(make_transfer(), po_number="4500000062")
    placed_at = timezone.make_aware(
        datetime.datetime.combine(end, datetime.time(hour=23, minute=30))
    )
    Order.objects.filter(pk=last_month.pk).update(created_at=placed_at)

    invoice_previous_month_task.delay()

    run = InvoiceRun.objects.get()
    assert (run.period_start, run.period_end) == (start, end)
    assert run.requested_by == "beat"
    assert run.status == InvoiceRun.Status.DONE
    assert list(InvoicedOrder.objects.values_list("order_id", flat=True)) == [
        last_month.pk
    ]
    assert not InvoicedOrder.objects.filter(order=this_month).exists()


def test_a_run_with_the_plugin_switched_off_fails_with_the_reason(seller_configured):
    PluginConfiguration.objects.filter(identifier=PLUGIN_ID).update(active=False)
    today = timezone.localdate()
    run = create_run(today, today)

    run_invoicing_task.delay(run.pk)

    run.refresh_from_db()
    assert run.status == InvoiceRun.Status.FAILED
    assert run.failures[0]["reason"] == "OCI punch-out is switched off in this shop."


def test_a_redelivered_run_message_does_nothing(
    oci_organisation, seller_configured, make_transfer, place_order
):
    oci_organisation.invoicing_preference = InvoicingPreference.PERIODIC_CONSOLIDATED
    oci_organisation.save()
    place_order(make_transfer())
    today = timezone.localdate()
    run = create_run(today, today)
    run_invoicing_task.delay(run.pk)
    run.refresh_from_db()
    finished_at = run.finished_at

    run_invoicing_task.delay(run.pk)

    run.refresh_from_db()
    assert run.finished_at == finished_at
    assert run.documents.count() == 1
