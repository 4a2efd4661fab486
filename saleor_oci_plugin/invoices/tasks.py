"""Celery tasks of invoicing, on Saleor's own Celery app and workers.

Saleor's Celery app discovers ``saleor_oci_plugin.tasks`` (it autodiscovers the
packages of the plugins in ``settings.PLUGINS``), which imports this module. The
monthly run is added to Saleor's beat schedule under ``BEAT_ENTRY`` unless the
shop's settings define that entry already (``CELERY_BEAT_SCHEDULE``): that is
how an operator gives it another schedule. With django-celery-beat's
DatabaseScheduler it can also be disabled as a periodic task in Django's admin.
"""

from celery import Task
from celery.schedules import crontab
from django.utils import timezone
from saleor.celeryconf import app
from saleor.core.db.connection import allow_writer
from saleor.plugins.manager import get_plugins_manager

from .. import PLUGIN_ID
from ..configuration import SWITCHED_OFF
from ..dataclasses import InvoicingConfiguration
from .delivery import DeliveryFailed, send_document
from .models import InvoiceRun
from .periodic import carry_out, create_run, previous_month

BEAT_ENTRY = "oci-periodic-invoicing"
RUN_TASK = "saleor_oci_plugin.invoices.tasks.run_invoicing_task"
MONTHLY_TASK = "saleor_oci_plugin.invoices.tasks.invoice_previous_month_task"
# 1st of the month, 02:30 in Celery's time zone (Saleor's is UTC): last month's
# orders are all in, and Saleor's own nightly tasks (00:00-02:00) are done.
MONTHLY_SCHEDULE = crontab(day_of_month="1", hour="2", minute="30")


class PluginInactive(Exception):
    pass


def invoicing_configuration() -> InvoicingConfiguration:
    """The plugin's invoicing configuration, read as Saleor's manager reads it."""
    plugin = get_plugins_manager(allow_replica=False).get_plugin(PLUGIN_ID)
    if plugin is None or not plugin.active:
        raise PluginInactive(SWITCHED_OFF)
    return plugin.config.invoicing


@app.task(name=RUN_TASK)
@allow_writer()
def run_invoicing_task(run_pk: int) -> None:
    """Carry out a recorded run (``ociInvoiceRun``, the command with --queue)."""
    run = InvoiceRun.objects.select_related("organisation").filter(pk=run_pk).first()
    if run is None or run.status != InvoiceRun.Status.PENDING:
        # Deleted, or started already (a redelivered message): nothing to do.
        return
    try:
        config = invoicing_configuration()
    except PluginInactive as error:
        run.status = InvoiceRun.Status.FAILED
        run.failures = [{"group": "", "orders": [], "reason": str(error)}]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "failures", "finished_at"])
        return
    carry_out(run, config)


@app.task(name=MONTHLY_TASK)
@allow_writer()
def invoice_previous_month_task() -> None:
    """Celery beat, monthly: invoice last month's orders of periodic buyers."""
    period_start, period_end = previous_month(timezone.localdate())
    run = create_run(period_start, period_end, requested_by="beat")
    run_invoicing_task(run.pk)


def _schedule_monthly_run() -> None:
    # add_periodic_task writes Saleor's app.conf.beat_schedule, which the default
    # and django-celery-beat's DatabaseScheduler both read when beat starts.
    if BEAT_ENTRY not in (app.conf.beat_schedule or {}):
        app.add_periodic_task(
            MONTHLY_SCHEDULE,
            invoice_previous_month_task.s(),
            name=BEAT_ENTRY,
        )


_schedule_monthly_run()


# --- e-mail delivery (delivery.py) ---------------------------------------------

SEND_TASK = "saleor_oci_plugin.invoices.tasks.send_document_task"
# After a failed send, up to five more tries, each after a random pause of up to
# 1, 2, 4, 8 and 16 minutes: a mail server's outage is usually over by then.
SEND_RETRIES = 5
SEND_RETRY_BACKOFF_SECONDS = 60


@app.task(
    name=SEND_TASK,
    bind=True,
    autoretry_for=(DeliveryFailed,),
    max_retries=SEND_RETRIES,
    retry_backoff=SEND_RETRY_BACKOFF_SECONDS,
    # Celery caps the pause at 10 minutes unless told otherwise.
    retry_backoff_max=SEND_RETRY_BACKOFF_SECONDS * 2**SEND_RETRIES,
    retry_jitter=True,
)
@allow_writer()
def send_document_task(self: Task, document_pk: int) -> None:
    """E-mail an issued invoice or credit note (``delivery.send_after_commit``)."""
    send_document(document_pk, last_attempt=self.request.retries >= SEND_RETRIES)
