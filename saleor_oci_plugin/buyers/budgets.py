"""Budgets: what an organisation, a branch or a member may spend per period.

**What counts** (net, in the budget's currency) in a period, for every budget
whose scope covers it (the organisation's budgets count everything of the
organisation; a branch's what was ordered for that branch; a member's what that
member ordered):

* orders placed from purchase orders, at the order's net total, in the period the
  PO was placed; a cancelled order counts no more (nor do its credit notes);
* held transfers: a transfer holds its cart's net total from the moment it is
  sent, in the period it was sent, until its purchase order arrives (the order
  then counts instead), or the hold time passes (the organisation's
  ``budget_hold_days``, default 30: requisitions wait days for approval);
* less credit notes, in the period they were issued.

**What is checked.** Only the transfer, where the buyer can still change the
cart: a hard budget refuses (``BUDGET_EXCEEDED``, naming the budget and what is
left), a soft one lets it through with a warning. Purchase orders are not
refused for budgets, neither those from a transfer (the transfer was checked,
and the ERP approved the requisition; a PO above the transferred quantities,
where the connection allows it, counts at its own amount) nor direct POs (they
count, but nothing in the shop could have warned the buyer): refusing an
approved PO would only break the round trip.

**Serialised.** The check and the hold run in the transfer's transaction, after
the transfer locked its session together with the organisation's row (``SELECT
... FOR NO KEY UPDATE``, in the query that reads the session anyway), so two
carts of one organisation cannot both spend the last of a budget: the second
waits, and its budget query, a statement started after the first committed,
sees the first's hold. (Locking the budget rows in the query that also sums
their use would not do: under READ COMMITTED a statement that waited for a row
lock still sums from the snapshot it started with.) Two queries whatever the
size of the cart: the budgets with their use, the hold.

Periods are calendar months, quarters and years in the shop's time zone
(Django's ``TIME_ZONE``).
"""

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    DateTimeField,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone

from ..error_codes import OciErrorCode
from .models import Budget, BudgetEntry, BudgetPeriod, BuyerOrganisation


def period_bounds(
    period: str, at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """The start (included) and end (excluded) of the period containing ``at``."""
    local = timezone.localtime(at)
    if period == BudgetPeriod.YEAR:
        first_month, months = 1, 12
    elif period == BudgetPeriod.QUARTER:
        first_month, months = 3 * ((local.month - 1) // 3) + 1, 3
    else:
        first_month, months = local.month, 1
    start = local.replace(
        month=first_month, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    end_month = first_month + months
    end = start.replace(
        year=start.year + (end_month - 1) // 12, month=(end_month - 1) % 12 + 1
    )
    tz = timezone.get_current_timezone()
    return (
        start.replace(tzinfo=None).replace(tzinfo=tz),
        end.replace(tzinfo=None).replace(tzinfo=tz),
    )


def period_label(period: str, start: datetime.datetime) -> str:
    local = timezone.localtime(start)
    if period == BudgetPeriod.YEAR:
        return str(local.year)
    if period == BudgetPeriod.QUARTER:
        return f"Q{(local.month - 1) // 3 + 1} {local.year}"
    return f"{calendar.month_name[local.month]} {local.year}"


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


@dataclass(frozen=True)
class BudgetUse:
    """A budget and what is used of it in the period containing a moment."""

    budget: Budget
    start: datetime.datetime
    end: datetime.datetime
    spent: Decimal  # orders less credit notes
    held: Decimal  # open holds of transfers

    @property
    def used(self) -> Decimal:
        return self.spent + self.held

    @property
    def left(self) -> Decimal:
        return self.budget.amount - self.used

    @property
    def label(self) -> str:
        return period_label(self.budget.period, self.start)

    def summary(self) -> str:
        """E.g. "EUR 412.00 of EUR 1,000.00 left in December 2026"."""
        currency = self.budget.currency
        return (
            f"{money(max(self.left, Decimal(0)), currency)} of "
            f"{money(self.budget.amount, currency)} left in {self.label}"
        )


def applicable(organisation_id: int, branch_id: int | None, member_id: int | None) -> Q:
    """Budgets covering what a member orders for a branch."""
    return Q(organisation_id=organisation_id) & (
        Q(branch__isnull=True, member__isnull=True)
        | (Q(branch_id=branch_id, member__isnull=True) if branch_id else Q(pk__in=[]))
        | (Q(member_id=member_id) if member_id else Q(pk__in=[]))
    )


def _counting(now: datetime.datetime) -> Q:
    return Q(released_at__isnull=True) & (
        ~Q(kind=BudgetEntry.Kind.HOLD) | Q(expires_at__gt=now)
    )


def _bound(now: datetime.datetime, index: int) -> Case:
    """The start (0) or end (1) of each budget's current period, in SQL."""
    return Case(
        *(
            When(period=period, then=Value(period_bounds(period, now)[index]))
            for period in BudgetPeriod.values
        ),
        output_field=DateTimeField(),
    )


def with_use(budgets: QuerySet[Budget], now: datetime.datetime) -> QuerySet[Budget]:
    """The budgets, each with what is spent and held of it in its current period
    (``oci_spent``, ``oci_held``): subqueries, so no query of their own."""
    entries = (
        BudgetEntry.objects.filter(
            _counting(now),
            organisation_id=OuterRef("organisation_id"),
            currency=OuterRef("currency"),
            booked_at__gte=OuterRef("oci_start"),
            booked_at__lt=OuterRef("oci_end"),
        )
        # A branch's budget counts its branch's entries, a member's their own.
        .filter(
            Q(IsNull(OuterRef("branch_id"), True)) | Q(branch_id=OuterRef("branch_id"))
        )
        .filter(
            Q(IsNull(OuterRef("member_id"), True)) | Q(member_id=OuterRef("member_id"))
        )
        .order_by()
        .values("organisation_id")
    )

    def total(kind: Q) -> Coalesce:
        return Coalesce(
            Subquery(
                entries.filter(kind).annotate(total=Sum("amount")).values("total")
            ),
            Value(Decimal(0)),
            output_field=DecimalField(),
        )

    hold = Q(kind=BudgetEntry.Kind.HOLD)
    return budgets.annotate(oci_start=_bound(now, 0), oci_end=_bound(now, 1)).annotate(
        oci_spent=total(~hold), oci_held=total(hold)
    )


def _use(budget: Budget, now: datetime.datetime) -> BudgetUse:
    start, end = period_bounds(budget.period, now)
    return BudgetUse(
        budget=budget,
        start=start,
        end=end,
        spent=budget.oci_spent,  # type: ignore[attr-defined]
        held=budget.oci_held,  # type: ignore[attr-defined]
    )


def uses(
    budgets: Sequence[Budget],
    now: datetime.datetime | None = None,
    *,
    database: str | None = None,
) -> list[BudgetUse]:
    """What is used of each budget in its current period: one query."""
    if not budgets:
        return []
    now = now or timezone.now()
    rows = Budget.objects.filter(pk__in=[budget.pk for budget in budgets])
    if database:
        rows = rows.using(database)
    used = {row.pk: row for row in with_use(rows, now)}
    return [
        BudgetUse(
            budget=budget,
            start=period_bounds(budget.period, now)[0],
            end=period_bounds(budget.period, now)[1],
            spent=used[budget.pk].oci_spent,  # type: ignore[attr-defined]
            held=used[budget.pk].oci_held,  # type: ignore[attr-defined]
        )
        for budget in budgets
    ]


def hold_for_transfer(
    transfer,
    organisation: BuyerOrganisation,
    branch_id: int | None,
    member_id: int | None,
    amount: Decimal,
    currency: str,
) -> tuple[str, ...]:
    """Check the transfer against every budget that applies and hold its amount.

    Must run in the transfer's transaction, after it locked the organisation's
    row (that lock serialises the organisation's transfers; this statement,
    started after it, sees every hold committed before). Raise a ValidationError
    (BUDGET_EXCEEDED) when a hard budget has less left than ``amount``; return
    the warnings of soft ones. Two queries: the budgets with their use, the hold.
    """
    now = timezone.now()
    budgets = with_use(
        Budget.objects.filter(
            applicable(organisation.pk, branch_id, member_id), currency=currency
        ),
        now,
    ).order_by("pk")
    warnings = []
    refusals = []
    for use in (_use(budget, now) for budget in budgets):
        if use.left >= amount:
            continue
        budget = use.budget
        text = (
            f"Budget {budget.name or budget.get_period_display()!r}: "
            f"{money(max(use.left, Decimal(0)), currency)} of "
            f"{money(budget.amount, currency)} left in {use.label}, this cart is "
            f"{money(amount, currency)}."
        )
        if budget.hard:
            refusals.append(
                ValidationError(text, code=OciErrorCode.BUDGET_EXCEEDED.value)
            )
        else:
            warnings.append(text)
    if refusals:
        raise ValidationError({"budget": refusals})
    BudgetEntry.objects.create(
        kind=BudgetEntry.Kind.HOLD,
        organisation_id=organisation.pk,
        branch_id=branch_id,
        member_id=member_id,
        amount=amount,
        currency=currency,
        booked_at=now,
        expires_at=now + datetime.timedelta(days=organisation.budget_hold_days),
        transfer=transfer,
    )
    return tuple(warnings)


def release_holds(
    transfer_ids: Sequence[Any], now: datetime.datetime | None = None
) -> int:
    """End the holds of these transfers (their PO arrived, or a later cart
    superseded them); how many ended."""
    return BudgetEntry.objects.filter(
        transfer_id__in=list(transfer_ids),
        kind=BudgetEntry.Kind.HOLD,
        released_at__isnull=True,
    ).update(released_at=now or timezone.now())


def record_order(
    order,
    organisation_id: int,
    branch_id: int | None,
    member_id: int | None,
    transfer=None,
) -> None:
    """An order placed from a PO counts (net); its transfer's hold ends."""
    now = timezone.now()
    if transfer is not None:
        release_holds([transfer.pk], now)
    BudgetEntry.objects.create(
        kind=BudgetEntry.Kind.ORDER,
        organisation_id=organisation_id,
        branch_id=branch_id,
        member_id=member_id,
        amount=order.total_net_amount,
        currency=order.currency,
        booked_at=now,
        order=order,
    )


def order_changed(order) -> None:
    """A changed order (cXML type="update") counts at its new net total."""
    BudgetEntry.objects.filter(order=order, kind=BudgetEntry.Kind.ORDER).update(
        amount=order.total_net_amount
    )


def release_order(order) -> None:
    """A cancelled order counts no more, nor do its credit notes."""
    BudgetEntry.objects.filter(order=order, released_at__isnull=True).update(
        released_at=timezone.now()
    )


def record_credit(order, amount: Decimal) -> None:
    """A credit note (net) gives back room, in the period it is issued."""
    placed = (
        BudgetEntry.objects.filter(
            order=order, kind=BudgetEntry.Kind.ORDER, released_at__isnull=True
        )
        .order_by("pk")
        .first()
    )
    if placed is None:  # cancelled (counts nothing already), or not a PO's order
        return
    BudgetEntry.objects.create(
        kind=BudgetEntry.Kind.CREDIT,
        organisation_id=placed.organisation_id,
        branch_id=placed.branch_id,
        member_id=placed.member_id,
        amount=-amount,
        currency=placed.currency,
        booked_at=timezone.now(),
        order=order,
    )
