"""UBL credit notes (381) for invoiced orders placed through OCI.

A credit note corrects one invoice (``issuing.py``): the whole order when it is
cancelled, or some lines and quantities when goods are refunded. It carries what
its invoice carried (PO number BT-13, buyer reference BT-10, cost centres, PO
line numbers, NZI codes) plus the invoice's number and date (BT-25/BT-26), with
positive quantities and amounts as UBL's ``CreditNote`` wants them. It is
validated like an invoice (XSD, EN 16931, the configured rule sets) and is
attached to a Saleor ``Invoice`` of the order, so Dashboard and storefront list
it beside the invoice.

Numbers come from their own gap-free series, "<invoice prefix>CN-<year>-<n>"
(e.g. OCI-CN-2026-00001): Dutch practice allows a separate series for credit
notes, and a buyer's system tells the two apart at a glance. What an invoice
still has to credit is its lines (``IssuedDocument.lines``) minus the lines of
its earlier credit notes; a credit note never asks back more than that, neither
per line nor in total.

Each credit note rounds its VAT once per rate on its own lines (EN 16931), so
credit notes for parts of an invoice can add up to a cent or so more or less
than the invoice. The credit note that closes the invoice (it credits every line
still open, of every order the invoice bills) therefore carries the difference
as its rounding amount (BT-114, BR-CO-16), and the credit notes of the invoice
end exactly at the invoice's amount; its VAT stays what its lines give.

Triggers: staff's ``ociCreditNoteCreate`` mutation (``graphql/invoices.py``) and
Saleor's ``order_cancelled`` hook (``credit_cancelled_order``).
"""

import dataclasses
import datetime
import logging
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from saleor.core import JobStatus
from saleor.invoice.models import Invoice
from saleor.order import events as order_events
from saleor.order.models import Order

from ..buyers import budgets
from ..dataclasses import InvoicingConfiguration
from ..error_codes import OciErrorCode
from ..purchase_orders.models import ReceivedPurchaseOrder
from ..purchase_orders.placing import BUYER_REFERENCE_KEY
from ..safe_xml import parse_xml
from .dataclasses import (
    BillingReference,
    Customization,
    DocumentKind,
    InvoiceDocument,
    InvoiceLine,
)
from .delivery import send_after_commit
from .issuing import (
    SHIPPING_LINE,
    InvoiceRefused,
    attach_to_saleor_invoice,
    buyer_party,
    check_seller,
    customization_for,
    invoice_line,
    invoice_of,
    mark_failed,
    order_branch,
    order_cost_centre,
    order_delivery,
    placed_purchase_order,
    prepare_validation,
    seller_logo,
    seller_party,
    shipping_line,
    store_valid_document,
    unit_net_price,
)
from .models import IssuedDocument
from .numbering import take_next_number
from .pdf import prepare_pdf
from .ubl import CAC_NS, Totals, compute_totals, round_money

logger = logging.getLogger(__name__)

# Credit notes are numbered "<invoice prefix>CN-<year>-<sequence>", their own series.
CREDIT_NOTE_SERIES_MARK = "CN-"
_ZERO = Decimal(0)
_CENT = Decimal("0.01")


class CreditNoteRefused(InvoiceRefused):
    """The credit note cannot be issued; ``code`` says why for API clients."""

    def __init__(self, message: str, code: OciErrorCode = OciErrorCode.INVALID) -> None:
        super().__init__(message)
        self.code = code


@dataclasses.dataclass(frozen=True)
class CreditedQuantity:
    """How much of one order line (its pk, as text) to credit."""

    order_line: str
    quantity: Decimal


@dataclasses.dataclass(frozen=True)
class _Creditable:
    quantity: Decimal
    unit_net_price: Decimal


def credit_note_prefix(invoice_prefix: str) -> str:
    return f"{invoice_prefix}{CREDIT_NOTE_SERIES_MARK}"


def credit_cancelled_order(order: Order, config: InvoicingConfiguration) -> None:
    """Saleor's ``order_cancelled`` hook: credit what is left of the order's invoice.

    Runs after the cancellation has committed and must not fail it: a refusal
    or an error leaves a FAILED Saleor invoice with the reason, as a failed
    invoice request does. Orders not invoiced here, or credited in full
    already, are left alone.
    """
    invoiced = invoice_of(order)
    if invoiced is None or not _remaining_to_credit(
        _open_lines(invoiced, order, list(invoiced.credit_notes.all())), order
    ):
        return
    invoice = Invoice.objects.create(order=order, status=JobStatus.PENDING)
    try:
        with transaction.atomic():
            issued = issue_credit_note(
                order, invoice, config, note=f"Order {order.number} was cancelled."
            )
            order_events.invoice_generated_event(
                order=order, user=None, app=None, invoice_number=issued.number
            )
        send_after_commit(issued)
    except InvoiceRefused as error:
        mark_failed(invoice, f"Credit note not issued: {error}")
    except Exception as error:
        logger.exception("Crediting cancelled order %s failed", order.pk)
        mark_failed(
            invoice,
            f"Internal error while issuing the credit note ({type(error).__name__}); "
            "see the server log. No credit note number was used.",
        )


def issue_credit_note(
    order: Order,
    invoice: Invoice,
    config: InvoicingConfiguration,
    lines: Sequence[CreditedQuantity] | None = None,
    *,
    note: str | None = None,
) -> IssuedDocument:
    """Issue a credit note of ``lines`` (None: all not yet credited) of the invoice.

    Must run inside ``transaction.atomic()``: the number, the document and the
    Saleor ``invoice`` are written together or not at all. Raises
    ``CreditNoteRefused`` (with an ``OciErrorCode``) for anything that stops it.
    """
    record = placed_purchase_order(order)
    if record is None:
        raise CreditNoteRefused(
            f"Order {order.number} was not placed through OCI; it has no UBL "
            "invoice to credit.",
            OciErrorCode.NOT_INVOICED,
        )
    # The same lock as invoice requests: one document per order at a time, so
    # two credit notes cannot both see the same quantities as still open.
    ReceivedPurchaseOrder.objects.select_for_update().filter(pk=record.pk).first()
    invoiced = invoice_of(order)
    if invoiced is None:
        raise CreditNoteRefused(
            f"Order {order.number} has not been invoiced; there is nothing to credit.",
            OciErrorCode.NOT_INVOICED,
        )
    earlier = list(invoiced.credit_notes.all())
    open_lines = _open_lines(invoiced, order, earlier)
    remaining = _remaining_to_credit(open_lines, order)
    credited = _whole(remaining, invoiced) if lines is None else _some(lines, remaining)
    # It closes the invoice when nothing of this or another order stays open.
    closes_invoice = credited == remaining and len(remaining) == len(open_lines)
    try:
        return _issue(
            order,
            invoice,
            record,
            invoiced,
            earlier,
            credited,
            config,
            note,
            closes_invoice,
        )
    except CreditNoteRefused:
        raise
    except InvoiceRefused as error:
        # The checks shared with invoices: seller data, addresses, validation.
        raise CreditNoteRefused(str(error)) from error


def _issue(
    order: Order,
    invoice: Invoice,
    record: ReceivedPurchaseOrder,
    invoiced: IssuedDocument,
    earlier: Sequence[IssuedDocument],
    credited: dict[str, _Creditable],
    config: InvoicingConfiguration,
    note: str | None,
    closes_invoice: bool,
) -> IssuedDocument:
    check_seller(config)
    issue_date = timezone.localdate()
    prepare_validation(config.extra_rule_sets)
    prepare_pdf()
    logo = seller_logo(config)
    taken = take_next_number(credit_note_prefix(config.number_prefix), issue_date.year)
    document = _document(
        order, record, invoiced, credited, config, taken.number, issue_date, note
    )
    totals = compute_totals(document)
    if closes_invoice:
        rounding = _closing_rounding(invoiced, earlier, totals)
        if rounding is not None:
            document = dataclasses.replace(document, payable_rounding_amount=rounding)
            totals = compute_totals(document)
    _check_within_invoice(invoiced, earlier, totals)
    issued, xml = store_valid_document(
        document,
        totals,
        taken,
        config.extra_rule_sets,
        logo=logo,
        invoice=invoice,
        order=order,
        connection=record.connection,
        credited_invoice=invoiced,
        organisation=invoiced.organisation,
        branch=invoiced.branch,
        lines=[
            {
                "order": str(order.pk),
                "order_line": key,
                "quantity": str(line.quantity),
                "unit_net_price": str(line.unit_net_price),
            }
            for key, line in credited.items()
        ],
    )
    attach_to_saleor_invoice(invoice, taken.number, xml, None)
    budgets.record_credit(order, totals.tax_exclusive_amount)
    return issued


# --------------------------------------------------------- what may be credited


def _open_lines(
    invoiced: IssuedDocument, order: Order, earlier: Sequence[IssuedDocument]
) -> dict[tuple[str, str], _Creditable]:
    """What the invoice's lines still have open after its earlier credit notes.

    Keyed by (order pk, order line pk or "shipping"): a periodic invoice bills
    several orders. Entries that name no order (an invoice of one order) are
    ``order``'s.
    """
    this = str(order.pk)
    open_lines = {
        (entry.get("order", this), entry["order_line"]): _Creditable(
            Decimal(entry["quantity"]), Decimal(entry["unit_net_price"])
        )
        for entry in invoiced.lines or _order_as_invoiced(order)
    }
    for credit_note in earlier:
        for entry in credit_note.lines:
            key = (entry.get("order", this), entry["order_line"])
            if key in open_lines:
                open_lines[key] = dataclasses.replace(
                    open_lines[key],
                    quantity=open_lines[key].quantity - Decimal(entry["quantity"]),
                )
    return {key: item for key, item in open_lines.items() if item.quantity > 0}


def _remaining_to_credit(
    open_lines: dict[tuple[str, str], _Creditable], order: Order
) -> dict[str, _Creditable]:
    """Per line of ``order`` (order line pk or "shipping"): what is still open."""
    this = str(order.pk)
    return {line: item for (owner, line), item in open_lines.items() if owner == this}


def _order_as_invoiced(order: Order) -> list[dict[str, str]]:
    """Invoices issued before ``IssuedDocument.lines`` existed invoiced the order."""
    entries = [
        {
            "order_line": str(line.pk),
            "quantity": str(line.quantity),
            "unit_net_price": str(unit_net_price(line)),
        }
        for line in order.lines.all()
    ]
    if order.shipping_price_net_amount:
        entries.append(
            {
                "order_line": SHIPPING_LINE,
                "quantity": "1",
                "unit_net_price": str(order.shipping_price_net_amount),
            }
        )
    return entries


def _whole(
    remaining: dict[str, _Creditable], invoiced: IssuedDocument
) -> dict[str, _Creditable]:
    if not remaining:
        raise CreditNoteRefused(
            f"Invoice {invoiced.number} has been credited in full already.",
            OciErrorCode.CREDIT_EXCEEDS_INVOICE,
        )
    return remaining


def _some(
    lines: Sequence[CreditedQuantity], remaining: dict[str, _Creditable]
) -> dict[str, _Creditable]:
    wanted: dict[str, Decimal] = {}
    for line in lines:
        if line.order_line == SHIPPING_LINE or line.order_line not in remaining:
            # Either not a line of this order, or credited in full already.
            raise CreditNoteRefused(
                f"Order line {line.order_line} is not an invoiced line of this "
                "order with anything left to credit.",
                OciErrorCode.NOT_FOUND,
            )
        if line.quantity <= 0:
            raise CreditNoteRefused(
                f"Order line {line.order_line}: the quantity to credit must be "
                f"positive, not {line.quantity}."
            )
        wanted[line.order_line] = wanted.get(line.order_line, _ZERO) + line.quantity
    if not wanted:
        raise CreditNoteRefused("Name at least one line to credit.")
    credited = {}
    for key, quantity in wanted.items():
        open_quantity = remaining[key].quantity
        if quantity > open_quantity:
            raise CreditNoteRefused(
                f"Order line {key}: {quantity} to credit, but only {open_quantity} "
                "invoiced and not credited yet.",
                OciErrorCode.CREDIT_EXCEEDS_INVOICE,
            )
        credited[key] = dataclasses.replace(remaining[key], quantity=quantity)
    return credited


def _closing_rounding(
    invoiced: IssuedDocument, earlier: Sequence[IssuedDocument], totals: Totals
) -> Decimal | None:
    """BT-114 for the credit note that closes the invoice; None when not needed.

    The invoice's amount less its earlier credit notes' is what this one must
    come to. When the rest of the difference is more than rounding can explain
    (``_rounding_allowance``), it is no rounding: None, and
    ``_check_within_invoice`` decides as for any credit note.
    """
    still_open = invoiced.payable_amount - sum(
        (credit_note.payable_amount for credit_note in earlier), _ZERO
    )
    difference = still_open - totals.payable_amount
    if not difference:
        return None
    allowance = _rounding_allowance(earlier)
    if abs(difference) > allowance:
        logger.warning(
            "Invoice %s: %s still open, but the credit note closing it comes to "
            "%s; a difference of more than %s is not rounding, so it is left as is",
            invoiced.number,
            still_open,
            totals.payable_amount,
            allowance,
        )
        return None
    return difference


def _rounding_allowance(credit_notes: Sequence[IssuedDocument]) -> Decimal:
    """How far credit notes for parts of an invoice can drift from it by rounding.

    Every document rounds its VAT once per rate, so each earlier credit note can
    be a cent per VAT rate off its share of the invoice (the closing note and
    the invoice itself round too, which this still covers). A line priced in
    fractions of a cent also rounds its net amount on each credit note: two
    cents more per such line, its half cent with VAT of up to 100 % on top.
    """
    cents = 0
    for credit_note in credit_notes:
        xml = credit_note.xml.encode()
        root = parse_xml(xml, max_bytes=len(xml))  # our own document, as issued
        cents += len(root.findall(f"{{{CAC_NS}}}TaxTotal/{{{CAC_NS}}}TaxSubtotal"))
        cents += 2 * sum(
            1
            for entry in credit_note.lines
            if (price := Decimal(entry["unit_net_price"])) != round_money(price)
        )
    return cents * _CENT


def _check_within_invoice(
    invoiced: IssuedDocument, earlier: Sequence[IssuedDocument], totals: Totals
) -> None:
    """The credit notes of an invoice never ask back more than it asked."""
    credited = sum((note.payable_amount for note in earlier), _ZERO)
    if credited + totals.payable_amount > invoiced.payable_amount:
        raise CreditNoteRefused(
            f"Crediting {totals.payable_amount} would bring the credit notes of "
            f"invoice {invoiced.number} to {credited + totals.payable_amount}, more "
            f"than its {invoiced.payable_amount}.",
            OciErrorCode.CREDIT_EXCEEDS_INVOICE,
        )


# ---------------------------------------------------------------- the document


def _document(
    order: Order,
    record: ReceivedPurchaseOrder,
    invoiced: IssuedDocument,
    credited: dict[str, _Creditable],
    config: InvoicingConfiguration,
    number: str,
    issue_date: datetime.date,
    note: str | None,
) -> InvoiceDocument:
    organisation = record.connection.organisation
    branch = order_branch(order, record)
    cost_centre = order_cost_centre(order, branch)
    order_lines = {str(line.pk): line for line in order.lines.all()}
    lines: list[InvoiceLine] = []
    for position, (key, item) in enumerate(credited.items(), start=1):
        if key == SHIPPING_LINE:
            line = shipping_line(order, position, cost_centre)
        elif key in order_lines:
            line = invoice_line(position, order_lines[key], record, cost_centre)
        else:
            line = None
        if line is None:
            raise CreditNoteRefused(
                f"The invoiced line {key} is no longer on order {order.number}; "
                "credit it by hand."
            )
        # The invoice's price, not today's: a credit note mirrors what was billed.
        lines.append(
            dataclasses.replace(
                line, quantity=item.quantity, unit_net_price=item.unit_net_price
            )
        )
    try:
        customization = Customization(invoiced.customization)
    except ValueError:
        customization = customization_for(organisation)
    return InvoiceDocument(
        kind=DocumentKind.CREDIT_NOTE,
        number=number,
        issue_date=issue_date,
        currency=invoiced.currency,
        customization=customization,
        seller=seller_party(config),
        buyer=buyer_party(order, organisation, branch),
        lines=lines,
        buyer_reference=(order.metadata or {}).get(BUYER_REFERENCE_KEY),
        purchase_order_number=record.order_number,
        cost_centre=cost_centre or None,
        billing_reference=BillingReference(invoiced.number, invoiced.issue_date),
        delivery=order_delivery(order),
        # No payment means: the money goes to the buyer, who settles it against
        # the invoice (SI-UBL's BR-NL-11 asks for them only the other way round).
        payment_terms=f"Credited against invoice {invoiced.number}.",
        notes=(note,) if note else (),
    )
