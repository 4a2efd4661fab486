"""Periodic invoices: one per branch, or one per organisation (verzamelfactuur).

A run over a period (both days included, the shop's time zone) invoices every
order that a purchase order placed here in that period, that is confirmed and
not cancelled, and that no invoice billed yet, for buyers whose invoicing
preference (the branch's, else the organisation's) is periodic:

- *per branch*: one invoice per branch (and currency), to the branch's invoice
  address;
- *consolidated*: one invoice per organisation (and currency) over all its
  branches, to the organisation's invoice address.

References. An invoice carries one purchase-order number (BT-13) at most. A
group of one order is referenced like a per-order invoice (BT-13, and the PO
line of each line as BT-132). A group of several orders carries no BT-13 (and
so no BT-132, BR-NL-13); instead:

- BT-10 buyer reference: the orders' own buyer reference when they all share
  one, else the branch's code (per branch) or the organisation's name
  (consolidated), followed by the period;
- each line names its PO, PO line and Saleor order in its note (BT-127) and
  carries its cost centre (BT-133); the header cost centre (BT-19) is given
  only when every line shares it;
- every PO number is listed as a supporting document (BT-122), and the period
  is the invoicing period (BT-73, BT-74).

Amounts: each line's net amount is its order line's, to the cent, and the total
net is the orders' total net. VAT is EN 16931's, computed once per rate on the
whole invoice; it may differ from the sum of the orders' separately rounded VAT
by rounding alone (half a cent per order and rate at most), never by more.

Exactly once. Each group is issued in its own transaction, which first locks
the purchase orders of its orders (the same locks a per-order invoice request
takes, in primary-key order so that workers cannot deadlock), then drops the
orders another run or request invoiced meanwhile, and records every order it
bills in ``InvoicedOrder`` (unique per order). Running a period twice, or two
workers at once, therefore issues nothing twice; a group that fails leaves no
number, no document and no Saleor invoice behind, and is listed in the run.
"""

import dataclasses
import datetime
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from saleor.core import JobStatus
from saleor.invoice.models import Invoice
from saleor.order import OrderStatus
from saleor.order import events as order_events
from saleor.order.models import Order

from ..buyers.models import Branch, BuyerOrganisation, InvoicingPreference
from ..dataclasses import InvoicingConfiguration
from ..purchase_orders.models import ReceivedPurchaseOrder
from ..purchase_orders.placing import BUYER_REFERENCE_KEY
from .dataclasses import (
    DocumentKind,
    InvoiceDocument,
    InvoiceLine,
    InvoicePeriod,
    SupportingDocument,
)
from .delivery import send_after_commit
from .issuing import (
    InvoiceRefused,
    check_seller,
    customization_for,
    document_lines_record,
    invoice_line,
    order_branch,
    order_cost_centre,
    organisation_party,
    payment_for,
    prepare_validation,
    saleor_address,
    seller_logo,
    seller_party,
    shipping_line,
    store_valid_document,
)
from .models import InvoicedOrder, InvoiceRun, IssuedDocument
from .numbering import take_next_number
from .pdf import prepare_pdf
from .ubl import Totals, compute_totals, round_money

logger = logging.getLogger(__name__)

PERIODIC_PREFERENCES = frozenset(
    {InvoicingPreference.PERIODIC_PER_BRANCH, InvoicingPreference.PERIODIC_CONSOLIDATED}
)
# Orders that are not (or no longer) a sale: never invoiced.
_NOT_INVOICED_STATUSES = (
    OrderStatus.DRAFT,
    OrderStatus.UNCONFIRMED,
    OrderStatus.CANCELED,
    OrderStatus.EXPIRED,
)
# A run over more than this is almost certainly a typing error.
MAX_PERIOD_DAYS = 366
_HALF_CENT = Decimal("0.005")


class PeriodInvalid(ValueError):
    """The period cannot be invoiced; the message says why."""


@dataclasses.dataclass
class InvoiceGroup:
    """The orders one periodic invoice bills: one branch's, or an organisation's."""

    organisation: BuyerOrganisation
    # None for a consolidated invoice (and for orders placed without a branch).
    branch: Branch | None
    consolidated: bool
    currency: str
    # The purchase orders that placed the orders, in order-number order.
    records: list[ReceivedPurchaseOrder] = dataclasses.field(default_factory=list)
    # Each order's own branch (its cost centre's default), by order pk.
    order_branches: dict[int, Branch | None] = dataclasses.field(default_factory=dict)

    @property
    def order_numbers(self) -> list[str]:
        return [str(record.order.number) for record in self.records if record.order]

    @property
    def label(self) -> str:
        if self.consolidated or self.branch is None:
            return f"{self.organisation.name} (all branches)"
        return f"{self.organisation.name} / {self.branch.name}"


def check_period(period_start: datetime.date, period_end: datetime.date) -> None:
    if period_end < period_start:
        raise PeriodInvalid(
            f"The period ends ({period_end}) before it starts ({period_start})."
        )
    if (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise PeriodInvalid(
            f"The period is longer than {MAX_PERIOD_DAYS} days; invoice a month or "
            "a quarter at a time."
        )


def previous_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The calendar month before ``today``'s: what the monthly beat run invoices."""
    last_day = today.replace(day=1) - datetime.timedelta(days=1)
    return last_day.replace(day=1), last_day


def create_run(
    period_start: datetime.date,
    period_end: datetime.date,
    *,
    organisation: BuyerOrganisation | None = None,
    requested_by: str = "",
) -> InvoiceRun:
    """Record a run to be carried out (by ``carry_out`` or the Celery task)."""
    check_period(period_start, period_end)
    return InvoiceRun.objects.create(
        period_start=period_start,
        period_end=period_end,
        organisation=organisation,
        requested_by=requested_by[:255],
    )


def carry_out(run: InvoiceRun, config: InvoicingConfiguration) -> InvoiceRun:
    """Issue the run's invoices, group by group; record what failed and why."""
    run.status = InvoiceRun.Status.RUNNING
    run.save(update_fields=["status"])
    failures = []
    try:
        groups = invoice_groups(run.period_start, run.period_end, run.organisation)
    except Exception as error:
        # A run must not stay "running" for ever; the traceback is logged.
        logger.exception("Invoice run %s could not group its orders", run.pk)
        run.status = InvoiceRun.Status.FAILED
        run.failures = [
            {
                "group": "",
                "orders": [],
                "reason": f"Internal error ({type(error).__name__}); see the server "
                "log. Nothing was issued.",
            }
        ]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "failures", "finished_at"])
        return run
    for group in groups:
        orders = group.order_numbers
        try:
            issue_group(group, run, config)
        except InvoiceRefused as error:
            logger.warning("Periodic invoice for %s not issued: %s", group.label, error)
            failures.append(
                {"group": group.label, "orders": orders, "reason": str(error)}
            )
        except Exception as error:
            # One group's bug must not stop the others; the traceback is logged.
            logger.exception("Periodic invoice for %s failed", group.label)
            failures.append(
                {
                    "group": group.label,
                    "orders": orders,
                    "reason": f"Internal error ({type(error).__name__}); see the "
                    "server log. No invoice number was used.",
                }
            )
    run.failures = failures
    run.status = (
        InvoiceRun.Status.DONE_WITH_FAILURES if failures else InvoiceRun.Status.DONE
    )
    run.finished_at = timezone.now()
    run.save(update_fields=["failures", "status", "finished_at"])
    return run


def invoice_groups(
    period_start: datetime.date,
    period_end: datetime.date,
    organisation: BuyerOrganisation | None = None,
) -> list[InvoiceGroup]:
    """The period's orders still to invoice periodically, grouped per invoice."""
    records = (
        ReceivedPurchaseOrder.objects.filter(
            status=ReceivedPurchaseOrder.Status.PLACED,
            order__created_at__gte=_start_of(period_start),
            order__created_at__lt=_start_of(period_end + datetime.timedelta(days=1)),
            order__oci_invoiced__isnull=True,
        )
        .exclude(order__status__in=_NOT_INVOICED_STATUSES)
        .select_related("order", "connection__organisation", "connection__branch")
        .order_by("order__number")
    )
    if organisation is not None:
        records = records.filter(connection__organisation=organisation)
    groups: dict[tuple, InvoiceGroup] = {}
    for record in records:
        order = record.order
        if order is None:  # filtered out above; the column may be null
            continue
        organisation_of_order = record.connection.organisation
        branch = order_branch(order, record)
        preference = (
            branch.invoicing_preference if branch else ""
        ) or organisation_of_order.invoicing_preference
        if preference not in PERIODIC_PREFERENCES:
            continue
        consolidated = preference == InvoicingPreference.PERIODIC_CONSOLIDATED
        group_branch = None if consolidated else branch
        key = (
            organisation_of_order.pk,
            group_branch.pk if group_branch else None,
            order.currency,
        )
        group = groups.get(key)
        if group is None:
            group = groups[key] = InvoiceGroup(
                organisation_of_order, group_branch, consolidated, order.currency
            )
        group.records.append(record)
        group.order_branches[order.pk] = branch
    return list(groups.values())


def issue_group(
    group: InvoiceGroup, run: InvoiceRun, config: InvoicingConfiguration
) -> IssuedDocument | None:
    """Issue the group's invoice; None when every order was invoiced meanwhile."""
    with transaction.atomic():
        # The per-order lock of invoice requests and credit notes, for all orders.
        locked = list(
            ReceivedPurchaseOrder.objects.select_for_update()
            .filter(pk__in=[record.pk for record in group.records])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        already = set(
            InvoicedOrder.objects.filter(
                order_id__in=[record.order_id for record in group.records]
            ).values_list("order_id", flat=True)
        )
        records = [
            record
            for record in group.records
            if record.pk in locked and record.order_id not in already
        ]
        # Re-read the orders under the locks: one may have been cancelled.
        orders = {
            order.pk: order
            for order in Order.objects.filter(
                pk__in=[record.order_id for record in records]
            )
            .exclude(status__in=_NOT_INVOICED_STATUSES)
            .prefetch_related("lines")
            .select_related("billing_address", "shipping_address")
        }
        records = [record for record in records if record.order_id in orders]
        if not records:
            return None
        check_seller(config)
        issue_date = timezone.localdate()
        prepare_validation(config.extra_rule_sets)
        prepare_pdf()
        logo = seller_logo(config)
        taken = take_next_number(config.number_prefix, issue_date.year)
        billed = [(orders[record.order_id], record) for record in records]
        document, lines_record = build_group_document(
            group, billed, run, config, number=taken.number, issue_date=issue_date
        )
        totals = compute_totals(document)
        check_group_totals([order for order, _ in billed], document, totals)
        single_order = billed[0][0] if len(billed) == 1 else None
        issued, xml = store_valid_document(
            document,
            totals,
            taken,
            config.extra_rule_sets,
            logo=logo,
            order=single_order,
            connection=billed[0][1].connection if single_order else None,
            organisation=group.organisation,
            branch=group.branch,
            lines=lines_record,
            period_start=run.period_start,
            period_end=run.period_end,
            run=run,
        )
        _show_on_orders(issued, [order for order, _ in billed], xml)
        send_after_commit(issued)
    return issued


def build_group_document(
    group: InvoiceGroup,
    billed: Sequence[tuple[Order, ReceivedPurchaseOrder]],
    run: InvoiceRun,
    config: InvoicingConfiguration,
    *,
    number: str,
    issue_date: datetime.date,
) -> tuple[InvoiceDocument, list[dict[str, str]]]:
    """The group's invoice, and what ``IssuedDocument.lines`` keeps of it."""
    single_po = len(billed) == 1
    lines: list[InvoiceLine] = []
    lines_record: list[dict[str, str]] = []
    cost_centres: set[str | None] = set()
    for order, record in billed:
        cost_centre = order_cost_centre(order, group.order_branches.get(order.pk))
        order_lines = list(order.lines.all())
        of_order = [
            invoice_line(len(lines) + position, line, record, cost_centre)
            for position, line in enumerate(order_lines, start=1)
        ]
        shipping = shipping_line(order, len(lines) + len(of_order) + 1, cost_centre)
        if shipping is not None:
            of_order.append(shipping)
        of_order = [
            dataclasses.replace(
                line,
                note=_line_note(record, order, line),
                # BT-132 needs the header's BT-13 (BR-NL-13): one PO only.
                order_line_id=line.order_line_id if single_po else None,
            )
            for line in of_order
        ]
        lines_record += document_lines_record(
            [line.pk for line in order_lines], of_order, order.pk
        )
        lines += of_order
        cost_centres.update(line.cost_centre for line in of_order)
    first_order, first_record = billed[0]
    due_date, payment_means, payment_terms = payment_for(config, number, issue_date)
    common_cost_centre = next(iter(cost_centres)) if len(cost_centres) == 1 else None
    document = InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number=number,
        issue_date=issue_date,
        currency=group.currency,
        customization=customization_for(group.organisation),
        seller=seller_party(config),
        buyer=organisation_party(group.organisation, _buyer_address(group, billed)),
        lines=lines,
        due_date=due_date,
        buyer_reference=_buyer_reference(group, billed, run),
        purchase_order_number=first_record.order_number if single_po else None,
        cost_centre=common_cost_centre,
        payment_means=payment_means,
        payment_terms=payment_terms,
        notes=(
            f"Invoice for {len(billed)} order(s) placed from {run.period_start} "
            f"to {run.period_end}"
            + (f" by {group.branch.name}" if group.branch else "")
            + ".",
        ),
        invoice_period=InvoicePeriod(run.period_start, run.period_end),
        supporting_documents=_purchase_orders(billed),
    )
    return document, lines_record


def check_group_totals(
    orders: Sequence[Order], document: InvoiceDocument, totals: Totals
) -> None:
    """Refuse an invoice whose amounts are not its orders', to the cent.

    Line nets and the total net must be exact. The VAT may differ from the sum
    of the orders' VAT only as far as rounding once per rate on the invoice,
    instead of once per rate on each order, can make it differ.
    """
    differences = []
    line_nets = iter(totals.line_net_amounts)
    for order in orders:
        for order_line in order.lines.all():
            net = next(line_nets)
            if net != order_line.total_price_net_amount:
                differences.append(
                    f"order {order.number}: a line's net {net} vs the order line's "
                    f"{round_money(order_line.total_price_net_amount)}"
                )
        if order.shipping_price_net_amount:
            next(line_nets)
    orders_net = sum((order.total_net_amount for order in orders), Decimal(0))
    orders_vat = sum(
        (order.total_gross_amount - order.total_net_amount for order in orders),
        Decimal(0),
    )
    if totals.tax_exclusive_amount != orders_net:
        differences.append(
            f"total net {totals.tax_exclusive_amount} vs the orders' {orders_net}"
        )
    rate_count = len(totals.vat_breakdown)
    order_rates = sum(
        len(
            {line.tax_rate for line in order.lines.all()}
            | ({order.shipping_tax_rate} if order.shipping_price_net_amount else set())
        )
        for order in orders
    )
    allowed = _HALF_CENT * (rate_count + order_rates)
    if abs(totals.tax_amount - orders_vat) > allowed:
        differences.append(
            f"total VAT {totals.tax_amount} vs the orders' {orders_vat}, more than "
            "rounding explains"
        )
    if differences:
        raise InvoiceRefused(
            "The invoice would not ask what the orders say: "
            + "; ".join(differences)
            + "."
        )


# ------------------------------------------------------------------ helpers


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _line_note(record: ReceivedPurchaseOrder, order: Order, line: InvoiceLine) -> str:
    po_line = f" line {line.order_line_id}" if line.order_line_id else ""
    return f"PO {record.order_number}{po_line}, order {order.number}"


def _buyer_address(
    group: InvoiceGroup, billed: Sequence[tuple[Order, ReceivedPurchaseOrder]]
):
    """The group's invoice address, else the bill-to all its orders share."""
    own = (
        group.organisation.invoice_address
        if group.consolidated or group.branch is None
        else group.branch.invoice_address
    )
    if own is not None:
        return own
    billing = [order.billing_address for order, _ in billed]
    if billing[0] is not None and _all_equal(
        saleor_address(address) if address else None for address in billing
    ):
        return billing[0]
    whose = (
        f"the organisation {group.organisation.name}"
        if group.consolidated or group.branch is None
        else f"the branch {group.branch.name}"
    )
    raise InvoiceRefused(
        f"{whose[0].upper()}{whose[1:]} has no invoice address, and its orders "
        "have no single billing address to use instead. Set the invoice address "
        f"of {whose}."
    )


def _buyer_reference(
    group: InvoiceGroup,
    billed: Sequence[tuple[Order, ReceivedPurchaseOrder]],
    run: InvoiceRun,
) -> str:
    references = [
        (order.metadata or {}).get(BUYER_REFERENCE_KEY) or "" for order, _ in billed
    ]
    if references[0] and _all_equal(references):
        return references[0]
    if not group.consolidated and group.branch is not None:
        who = group.branch.code or group.branch.name
    else:
        who = group.organisation.name
    return f"{who} {run.period_start.isoformat()}/{run.period_end.isoformat()}"


def _purchase_orders(
    billed: Sequence[tuple[Order, ReceivedPurchaseOrder]],
) -> list[SupportingDocument]:
    """Each PO number once (BT-122), with the orders it placed here."""
    orders_of: dict[str, list[str]] = {}
    for order, record in billed:
        orders_of.setdefault(record.order_number, []).append(str(order.number))
    return [
        SupportingDocument(number, "Purchase order; our order " + ", ".join(orders))
        for number, orders in orders_of.items()
    ]


def _all_equal(values: Iterable[object]) -> bool:
    return len(set(values)) <= 1


def _show_on_orders(
    issued: IssuedDocument, orders: Sequence[Order], xml: bytes
) -> None:
    """One Saleor invoice per order, all carrying this document's number and file.

    Saleor's ``Invoice`` belongs to one order; the Dashboard and storefront show
    an order's invoices, so each billed order gets one pointing at the same file.
    """
    now = timezone.now()
    invoices = [
        Invoice(
            order=order,
            number=issued.number,
            created=now,
            status=JobStatus.SUCCESS,
        )
        for order in orders
    ]
    invoices[0].invoice_file.save(f"{issued.number}.xml", ContentFile(xml), save=False)
    stored_name = invoices[0].invoice_file.name
    try:
        for invoice in invoices[1:]:
            invoice.invoice_file.name = stored_name
        Invoice.objects.bulk_create(invoices)
        InvoicedOrder.objects.bulk_create(
            InvoicedOrder(order=order, document=issued, invoice=invoice)
            for order, invoice in zip(orders, invoices, strict=True)
        )
        issued.invoice = invoices[0]
        issued.save(update_fields=["invoice"])
        for order in orders:
            order_events.invoice_generated_event(
                order=order, user=None, app=None, invoice_number=issued.number
            )
    except Exception:
        # The transaction rolls back; the file must not outlive it.
        invoices[0].invoice_file.storage.delete(stored_name)
        raise
