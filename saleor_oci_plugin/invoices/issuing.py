"""Per-order UBL invoices for orders placed through OCI: Saleor's ``invoice_request``.

Staff (or an App) ask Saleor for an invoice (``invoiceRequest``); Saleor creates a
pending ``Invoice`` and calls the plugins' ``invoice_request`` hook. For an order
that a purchase order placed here (``purchase_orders.placing``), this module:

1. builds the ``InvoiceDocument`` from the order, the buyer organisation and
   branch, and the seller data in the plugin configuration: the PO number as
   BT-13, buyer reference BT-10, cost centre BT-19 and per line BT-133, the PO
   line numbers as BT-132, NZI codes as item classification;
2. refuses it unless its totals (``ubl.compute_totals``, EN 16931's rounding) are
   Saleor's order totals to the cent: an invoice must ask what the order says;
3. writes the UBL and validates it (UBL 2.1 XSD, EN 16931, the configured extra
   rule sets); an invoice that fails is never issued;
4. stores it (``IssuedDocument``, with an HTML rendering), gives it the next
   gap-free number, attaches the XML to Saleor's invoice as ``<number>.xml`` and
   marks the invoice ``SUCCESS``, so Saleor's mutation records "invoice
   generated" as it did for its own invoicing plugin (which set number, file and
   status and sent nothing itself; sending is ``invoiceSendNotification``);
5. once that has committed, e-mails it to the buyer from a Celery task
   (``delivery.py``).

Steps 1 to 4 run in one transaction holding the series' row lock, so a number is
used only by a stored document. Any refusal rolls all of it back and marks the
invoice ``FAILED``, with the reason in ``message`` (shortened) and in full in its
private metadata under ``oci.invoice_failure``. Orders not placed through OCI are
left to other plugins: their ``previous_value`` is returned untouched.
"""

import dataclasses
import datetime
import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from saleor.account.models import Address as SaleorAddress
from saleor.core import JobStatus
from saleor.invoice.models import Invoice
from saleor.order import FulfillmentStatus, OrderStatus
from saleor.order.models import Order, OrderLine

from ..buyers.models import (
    Branch,
    BuyerOrganisation,
    InvoiceFormat,
    InvoicingPreference,
)
from ..dataclasses import InvoicingConfiguration
from ..punchout.models import Connection
from ..purchase_orders.models import ReceivedPurchaseOrder
from ..purchase_orders.placing import (
    BRANCH_KEY,
    BUYER_REFERENCE_KEY,
    COST_CENTRE_KEY,
    NZI_KEY,
    PO_LINE_KEY,
)
from .dataclasses import (
    Address,
    Customization,
    Delivery,
    DocumentKind,
    Endpoint,
    InvoiceDocument,
    InvoiceLine,
    Party,
    PaymentMeans,
    PaymentMeansCode,
    VatCategory,
)
from .delivery import send_after_commit
from .models import InvoicedOrder, IssuedDocument
from .numbering import TakenNumber, take_next_number
from .pdf import prepare_pdf, render_pdf
from .rendering import render_html
from .ubl import InvoiceDataError, Totals, build_ubl, compute_totals, round_money
from .validation import (
    ValidationResult,
    ValidationUnavailable,
    en16931_rule_set_path,
    validate_ubl,
    warm_validator,
)

logger = logging.getLogger(__name__)

# Private metadata of a failed Saleor invoice: why it failed, in full.
FAILURE_KEY = "oci.invoice_failure"
# Private metadata: the number a caller asked for, which the series replaced.
REQUESTED_NUMBER_KEY = "oci.requested_number"
# Saleor's Job.message is a CharField(255).
MESSAGE_MAX_LENGTH = 255
# Fatal validation findings quoted in the reason (all are in the logs).
MAX_FINDINGS_IN_REASON = 10

_CUSTOMIZATIONS: dict[str, Customization] = {
    InvoiceFormat.SI_UBL_2: Customization.SI_UBL_2_0,
    InvoiceFormat.PEPPOL_BIS_3: Customization.PEPPOL_BIS_3,
}
# SAP's ISO unit table has PCE for a piece; EN 16931 (BR-CL-23) knows only UN/ECE
# Recommendation 20, where a piece is H87. Other OCI units are Rec 20 codes already.
_SAP_TO_REC20_UNITS = {"PCE": "H87"}
DEFAULT_UNIT_CODE = "H87"
# The seller fields an invoice cannot go without: configuration field, label.
_REQUIRED_SELLER_FIELDS = (
    ("seller_name", "legal name"),
    ("seller_street", "street"),
    ("seller_city", "city"),
    ("seller_postcode", "postcode"),
    ("seller_country", "country"),
    ("seller_vat_number", "VAT number"),
    ("seller_iban", "IBAN"),
)
_CENT = Decimal("0.01")
# A larger logo would swell every invoice's PDF (and UBL) for nothing.
MAX_LOGO_BYTES = 2 * 1024 * 1024
# IssuedDocument.lines: the line that is not an order line but its shipping.
SHIPPING_LINE = "shipping"
_PRICE_QUANTUM = Decimal("0.000001")


class InvoiceRefused(Exception):
    """The invoice cannot be issued; the message says why, for shop staff."""


def handles_invoice_requests() -> bool:
    """Whether this shop invoices through the plugin: it has an active connection.

    Saleor asks plugins whether they handle ``invoice_request`` before it accepts
    an invoiceRequest; a shop without connections keeps Saleor's own answer when no
    invoicing app is installed, instead of an invoice that stays pending.
    """
    return Connection.objects.filter(is_active=True).exists()


def request_invoice(
    order: Order,
    invoice: Invoice,
    number: str | None,
    previous_value: Any,
    config: InvoicingConfiguration,
) -> Any:
    """The ``invoice_request`` hook: issue the invoice of an order placed via OCI."""
    record = placed_purchase_order(order)
    if record is None:
        return previous_value
    try:
        with transaction.atomic():
            issued = issue_invoice(
                order, invoice, record, config, requested_number=number
            )
        send_after_commit(issued)
    except InvoiceRefused as error:
        mark_failed(invoice, str(error))
    except Exception as error:
        # A bug must not leave the invoice pending for ever; the traceback is logged.
        logger.exception("Issuing the invoice of order %s failed", order.pk)
        mark_failed(
            invoice,
            f"Internal error while issuing the invoice ({type(error).__name__}); "
            "see the server log. No invoice number was used.",
        )
    return invoice


def placed_purchase_order(order: Order) -> ReceivedPurchaseOrder | None:
    """The purchase order that placed ``order`` here, if one did."""
    return (
        ReceivedPurchaseOrder.objects.select_related(
            "connection__organisation", "connection__branch"
        )
        .filter(order=order, status=ReceivedPurchaseOrder.Status.PLACED)
        .first()
    )


def issue_invoice(
    order: Order,
    invoice: Invoice,
    record: ReceivedPurchaseOrder,
    config: InvoicingConfiguration,
    *,
    requested_number: str | None = None,
) -> IssuedDocument:
    """Issue and store the order's invoice; raise ``InvoiceRefused`` otherwise.

    Must run inside ``transaction.atomic()``: the number, the document and the
    Saleor invoice are written together or not at all. A ``requested_number``
    (Saleor's ``invoiceRequest(number:)``) is not used, only noted: the numbers of
    these invoices come from the gap-free series alone.
    """
    # One invoice request per order at a time: a second one waits here and then
    # finds the first one's document.
    ReceivedPurchaseOrder.objects.select_for_update().filter(pk=record.pk).first()
    existing = invoice_of(order)
    if existing is not None:
        raise InvoiceRefused(
            f"Order {order.number} was already invoiced as {existing.number}; a "
            "correction needs a credit note, not a second invoice."
        )
    if order.status == OrderStatus.CANCELED:
        raise InvoiceRefused(f"Order {order.number} is cancelled.")
    connection = record.connection
    organisation = connection.organisation
    branch = order_branch(order, record)
    _check_invoiced_per_order(organisation, branch)
    check_seller(config)

    issue_date = timezone.localdate()
    prepare_validation(config.extra_rule_sets)
    prepare_pdf()
    logo = seller_logo(config)
    taken = take_next_number(config.number_prefix, issue_date.year)
    document = build_document(
        order, record, branch, config, number=taken.number, issue_date=issue_date
    )
    totals = compute_totals(document)
    _check_totals_match(order, document, totals)
    issued, xml = store_valid_document(
        document,
        totals,
        taken,
        config.extra_rule_sets,
        logo=logo,
        invoice=invoice,
        order=order,
        connection=connection,
        lines=document_lines_record(
            list(order.lines.values_list("pk", flat=True)), document.lines
        ),
        organisation=organisation,
        branch=branch,
    )
    InvoicedOrder.objects.create(order=order, document=issued, invoice=invoice)
    attach_to_saleor_invoice(invoice, taken.number, xml, requested_number)
    return issued


def invoice_of(order: Order) -> IssuedDocument | None:
    """The invoice that billed ``order`` (on its own or in a periodic invoice)."""
    return (
        IssuedDocument.objects.filter(invoiced_orders__order=order)
        .select_related("run")
        .first()
    )


def build_document(
    order: Order,
    record: ReceivedPurchaseOrder,
    branch: Branch | None,
    config: InvoicingConfiguration,
    *,
    number: str,
    issue_date: datetime.date,
) -> InvoiceDocument:
    """The order as an invoice (380), ready for ``build_ubl``."""
    organisation = record.connection.organisation
    metadata = order.metadata or {}
    cost_centre = order_cost_centre(order, branch)
    due_date, payment_means, payment_terms = payment_for(config, number, issue_date)
    lines = [
        invoice_line(position, line, record, cost_centre)
        for position, line in enumerate(order.lines.all(), start=1)
    ]
    shipping = shipping_line(order, len(lines) + 1, cost_centre)
    if shipping is not None:
        lines.append(shipping)
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number=number,
        issue_date=issue_date,
        currency=order.currency,
        customization=customization_for(organisation),
        seller=seller_party(config),
        buyer=buyer_party(order, organisation, branch),
        lines=lines,
        due_date=due_date,
        buyer_reference=metadata.get(BUYER_REFERENCE_KEY),
        # The PO number as the ERP sent it: the record cannot be edited, metadata can.
        purchase_order_number=record.order_number,
        cost_centre=cost_centre or None,
        delivery=order_delivery(order),
        payment_means=payment_means,
        payment_terms=payment_terms,
    )


def payment_for(
    config: InvoicingConfiguration, number: str, issue_date: datetime.date
) -> tuple[datetime.date, PaymentMeans, str]:
    """An invoice's due date (BT-9), payment means (BG-16) and terms (BT-20)."""
    due_date = issue_date + datetime.timedelta(days=config.payment_terms_days)
    return (
        due_date,
        PaymentMeans(PaymentMeansCode.SEPA_CREDIT_TRANSFER, config.seller_iban, number),
        f"Payment within {config.payment_terms_days} days, by "
        f"{due_date.isoformat()}, quoting {number}.",
    )


def customization_for(organisation: BuyerOrganisation) -> Customization:
    """The specification the organisation's documents follow (SI-UBL by default)."""
    return _CUSTOMIZATIONS.get(organisation.invoice_format, Customization.SI_UBL_2_0)


def order_cost_centre(order: Order, branch: Branch | None) -> str:
    """The order's cost centre (BT-19), else its branch's default; may be empty."""
    return (order.metadata or {}).get(COST_CENTRE_KEY) or (
        branch.default_cost_centre if branch else ""
    )


def document_lines_record(
    order_line_pks: Sequence[object],
    lines: Sequence[InvoiceLine],
    order_pk: object | None = None,
) -> list[dict[str, str]]:
    """What ``IssuedDocument.lines`` keeps: each invoice line's order line.

    ``order_line_pks`` are the order lines of ``lines``, in order; a line beyond
    them is the shipping line. A periodic invoice bills several orders, so its
    entries also name their order (``order_pk``). Credit notes check against
    this what an invoice still has to credit.
    """
    return [
        {
            **({"order": str(order_pk)} if order_pk is not None else {}),
            "order_line": str(order_line_pks[index])
            if index < len(order_line_pks)
            else SHIPPING_LINE,
            "quantity": str(line.quantity),
            "unit_net_price": str(line.unit_net_price),
        }
        for index, line in enumerate(lines)
    ]


# ------------------------------------------------------------------ the checks


def order_branch(order: Order, record: ReceivedPurchaseOrder) -> Branch | None:
    """The branch the order was placed for (order metadata), else the connection's.

    Only a branch of the connection's own organisation counts: metadata can be
    edited, and another customer's invoice address must never appear here.
    """
    connection = record.connection
    branch_pk = str((order.metadata or {}).get(BRANCH_KEY) or "")
    if branch_pk.isdigit():
        branch = Branch.objects.filter(
            pk=int(branch_pk), organisation_id=connection.organisation_id
        ).first()
        if branch is not None:
            return branch
    return connection.branch


def _check_invoiced_per_order(
    organisation: BuyerOrganisation, branch: Branch | None
) -> None:
    preference = (
        branch.invoicing_preference if branch else ""
    ) or organisation.invoicing_preference
    if preference != InvoicingPreference.PER_ORDER:
        raise InvoiceRefused(
            f"{organisation.name} is invoiced periodically "
            f"({dict(InvoicingPreference.choices).get(preference, preference)}), "
            "not per order. Set its invoicing preference to one invoice per order "
            "to invoice this order on its own."
        )


def check_seller(config: InvoicingConfiguration) -> None:
    # InvoicingConfiguration's attributes are named like the configuration fields.
    missing = [
        f"{label} ({field})"
        for field, label in _REQUIRED_SELLER_FIELDS
        if not getattr(config, field)
    ]
    if config.seller_country == "NL" and not config.seller_kvk_number:
        # BR-NL-1: a Dutch seller's KvK number is on every invoice.
        missing.append("KvK number (seller_kvk_number)")
    if missing:
        raise InvoiceRefused(
            "The plugin configuration lacks the seller's "
            + ", ".join(missing)
            + ". Fill it in under Configuration > Plugins > OCI punch-out."
        )


def _check_totals_match(
    order: Order, document: InvoiceDocument, totals: Totals
) -> None:
    """Refuse an invoice whose amounts are not the order's, to the cent."""
    order_lines = list(order.lines.all())
    differences = [
        f"line {line.line_id} net {net} vs the order line's "
        f"{round_money(order_line.total_price_net_amount)}"
        for line, net, order_line in zip(
            document.lines, totals.line_net_amounts, order_lines, strict=False
        )
        if net != order_line.total_price_net_amount
    ]
    order_net = order.total_net_amount
    order_gross = order.total_gross_amount
    for label, invoice_amount, order_amount in (
        ("total net", totals.tax_exclusive_amount, order_net),
        ("total VAT", totals.tax_amount, order_gross - order_net),
        ("total due", totals.payable_amount, order_gross),
    ):
        if invoice_amount != order_amount:
            differences.append(
                f"{label} {invoice_amount} vs the order's {round_money(order_amount)}"
            )
    if differences:
        raise InvoiceRefused(
            "The invoice would not ask what the order says (EN 16931 computes VAT "
            "once per rate on the sum of the lines; discounts on the whole order "
            "are not invoiced yet): " + "; ".join(differences) + "."
        )


def store_valid_document(
    document: InvoiceDocument,
    totals: Totals,
    taken: TakenNumber,
    extra_rule_sets: Sequence[str],
    *,
    logo: bytes | None = None,
    **links: Any,
) -> tuple[IssuedDocument, bytes]:
    """Draw the document's PDF, build its UBL with the PDF embedded, validate
    that, and store it under its number.

    ``logo`` is the seller's (``seller_logo``, read before the number was
    taken); ``links`` are the stored document's order, connection, lines and
    the like. Raises ``InvoiceRefused`` when the UBL lacks data or fails
    validation, and then stores nothing.
    """
    is_invoice = document.kind is DocumentKind.INVOICE
    try:
        # Drawn from the document already built: the series stays locked only
        # for the drawing itself (bench/ubl_invoice.py measures it).
        xml = build_ubl(document, render_pdf(document, totals, logo=logo))
    except InvoiceDataError as error:
        raise InvoiceRefused(
            f"The {'invoice' if is_invoice else 'credit note'} lacks data its "
            "receiver requires: " + "; ".join(error.problems)
        ) from error
    validation = validate_or_refuse(xml, extra_rule_sets)
    issued = IssuedDocument.objects.create(
        kind=IssuedDocument.Kind.INVOICE
        if is_invoice
        else IssuedDocument.Kind.CREDIT_NOTE,
        number=taken.number,
        series=taken.series,
        sequence=taken.sequence,
        issue_date=document.issue_date,
        currency=document.currency,
        payable_amount=totals.payable_amount,
        customization=document.customization.customization_id,
        xml=xml.decode("utf-8"),
        html=render_html(document, totals),
        validation_result=validation,
        **links,
    )
    return issued, xml


def seller_logo(config: InvoicingConfiguration) -> bytes | None:
    """The configured seller logo, read before a number is taken; None: none.

    A logo gone from storage, or too large, is logged and left off the PDF: an
    invoice is not refused for its letterhead.
    """
    name = config.seller_logo
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as file:
            logo = file.read(MAX_LOGO_BYTES + 1)
    except Exception:
        logger.warning(
            "The seller logo %r could not be read; the PDF has no logo",
            name,
            exc_info=True,
        )
        return None
    if len(logo) > MAX_LOGO_BYTES:
        logger.warning(
            "The seller logo %r is larger than %d bytes; the PDF has no logo",
            name,
            MAX_LOGO_BYTES,
        )
        return None
    return logo


def prepare_validation(extra_rule_sets: Sequence[str]) -> None:
    """Have this process's validator started and its rule sets compiled.

    Called just before a number series' row lock is taken: every issuer waits
    for that lock, so it must not be held across a cold start and compile (about
    half a second). A validator that cannot start is not an error here: the
    validation after it reports it, and the document is refused.
    """
    try:
        warm_validator(extra_rule_sets)
    except ValidationUnavailable as error:
        logger.warning("The validator could not be warmed: %s", error)


def validate_or_refuse(xml: bytes, extra_rule_sets: Sequence[str]) -> dict:
    try:
        result = validate_ubl(xml, extra_rule_sets)
    except ValidationUnavailable as error:
        raise InvoiceRefused(
            f"The invoice could not be validated, so it was not issued: {error}"
        ) from error
    if not result.is_valid:
        findings = [f"{failure.rule_id}: {failure.message}" for failure in result.fatal]
        logger.warning("Invoice failed validation: %s", findings)
        shown = findings[:MAX_FINDINGS_IN_REASON]
        more = len(findings) - len(shown)
        raise InvoiceRefused(
            "The invoice failed validation and was not issued: "
            + "; ".join(shown)
            + (f" (and {more} more)" if more else "")
        )
    return validation_record(result, extra_rule_sets)


def validation_record(
    result: ValidationResult, extra_rule_sets: Sequence[str]
) -> dict[str, Any]:
    """What is stored of a validation: the rule sets run and any warnings."""
    return {
        "valid": result.is_valid,
        "rule_sets": [
            en16931_rule_set_path().name,
            *(str(path) for path in extra_rule_sets),
        ],
        "failures": [dataclasses.asdict(failure) for failure in result.failures],
    }


# ------------------------------------------------------------ Saleor -> document


def seller_party(config: InvoicingConfiguration) -> Party:
    return Party(
        name=config.seller_name,
        address=Address(
            street=config.seller_street,
            city=config.seller_city,
            postcode=config.seller_postcode,
            country=config.seller_country,
        ),
        legal_id=config.seller_kvk_number or None,
        vat_number=config.seller_vat_number or None,
        endpoint=(
            Endpoint(
                config.seller_peppol_endpoint_id, config.seller_peppol_endpoint_scheme
            )
            if config.seller_peppol_endpoint_id
            else None
        ),
    )


def saleor_address(address: SaleorAddress) -> Address:
    return Address(
        street=address.street_address_1,
        additional_street=address.street_address_2 or None,
        city=address.city,
        postcode=address.postal_code,
        country=address.country.code,
    )


def buyer_party(
    order: Order, organisation: BuyerOrganisation, branch: Branch | None
) -> Party:
    # The PO's bill-to (on the order), else the branch's invoice address.
    address = order.billing_address or (branch.invoice_address if branch else None)
    if address is None:
        raise InvoiceRefused(
            f"Order {order.number} has no billing address, and its branch no "
            "invoice address."
        )
    return organisation_party(organisation, address)


def organisation_party(
    organisation: BuyerOrganisation, address: SaleorAddress
) -> Party:
    """The buyer (BG-7): the organisation, billed at ``address``."""
    return Party(
        name=organisation.name,
        address=saleor_address(address),
        # BT-47: a KvK number (0106) or, for a public body, its OIN (0190).
        legal_id=organisation.legal_id or None,
        legal_id_scheme=organisation.legal_id_scheme,
        vat_number=organisation.vat_number or None,
        endpoint=(
            Endpoint(
                organisation.peppol_endpoint_id, organisation.peppol_endpoint_scheme
            )
            if organisation.peppol_endpoint_id
            else None
        ),
    )


def order_delivery(order: Order) -> Delivery | None:
    address = order.shipping_address
    # BT-72: the day the goods went, known once the order is fulfilled.
    fulfilled = order.fulfillments.filter(status=FulfillmentStatus.FULFILLED)
    last = fulfilled.order_by("-created_at").values_list("created_at", flat=True)
    shipped_at = last.first()
    if address is None and shipped_at is None:
        return None
    recipient = ""
    if address is not None:
        full_name = f"{address.first_name} {address.last_name}".strip()
        recipient = address.company_name or full_name
    return Delivery(
        address=saleor_address(address) if address is not None else None,
        date=timezone.localdate(shipped_at) if shipped_at else None,
        recipient_name=recipient or None,
    )


def _unit_code(line: OrderLine, record: ReceivedPurchaseOrder) -> str:
    """The PO line's unit, else the transferred cart's, as a Rec 20 code."""
    po_line_number = (line.metadata or {}).get(PO_LINE_KEY)
    unit = next(
        (
            po_line.get("unit")
            for po_line in (record.data or {}).get("lines", [])
            if po_line.get("line_number") == po_line_number and po_line.get("unit")
        ),
        None,
    )
    if not unit and record.transfer is not None:
        unit = next(
            (
                cart_line.get("unit")
                for cart_line in record.transfer.snapshot
                if cart_line.get("sku") == line.product_sku
            ),
            None,
        )
    unit = (unit or DEFAULT_UNIT_CODE).strip().upper()
    return _SAP_TO_REC20_UNITS.get(unit, unit)


def _vat(rate_fraction: Decimal | None) -> tuple[VatCategory, Decimal]:
    rate = ((rate_fraction or Decimal(0)) * 100).quantize(_CENT)
    # A shop's 0 % rate is zero-rated supply; exempt or reverse-charge sales
    # need a reason the order does not carry.
    category = VatCategory.STANDARD if rate > 0 else VatCategory.ZERO_RATED
    return category, rate


def unit_net_price(line: OrderLine) -> Decimal:
    """Saleor's unit price, unless quantity x it misses the line total.

    Saleor rounds the unit price to the cent but the line total from the agreed
    (possibly finer) price; then the finer price is the line total / quantity.
    """
    quantity = Decimal(line.quantity)
    unit = line.unit_price_net_amount
    total = line.total_price_net_amount
    if quantity and round_money(unit * quantity) != total:
        unit = (total / quantity).quantize(_PRICE_QUANTUM).normalize()
    return unit


def invoice_line(
    position: int, line: OrderLine, record: ReceivedPurchaseOrder, cost_centre: str
) -> InvoiceLine:
    metadata = line.metadata or {}
    category, rate = _vat(line.tax_rate)
    name = line.product_name
    if line.variant_name and line.variant_name != line.product_name:
        name = f"{name} ({line.variant_name})"
    return InvoiceLine(
        line_id=str(position),
        name=name,
        quantity=Decimal(line.quantity),
        unit_code=_unit_code(line, record),
        unit_net_price=unit_net_price(line),
        vat_category=category,
        vat_rate=rate,
        sku=line.product_sku,
        # Each line carries a cost centre, its own or the order's, so that the
        # buyer's system books every line without looking at the header.
        cost_centre=metadata.get(COST_CENTRE_KEY) or cost_centre or None,
        order_line_id=metadata.get(PO_LINE_KEY),
        nzi_code=metadata.get(NZI_KEY),
    )


def shipping_line(order: Order, position: int, cost_centre: str) -> InvoiceLine | None:
    amount = order.shipping_price_net_amount
    if not amount:
        return None
    category, rate = _vat(order.shipping_tax_rate)
    return InvoiceLine(
        line_id=str(position),
        name=order.shipping_method_name or "Shipping",
        quantity=Decimal(1),
        unit_code="C62",
        unit_net_price=amount,
        vat_category=category,
        vat_rate=rate,
        cost_centre=cost_centre or None,
    )


# ---------------------------------------------------------- the Saleor invoice


def attach_to_saleor_invoice(
    invoice: Invoice, number: str, xml: bytes, requested_number: str | None
) -> None:
    if requested_number and requested_number != number:
        invoice.store_value_in_private_metadata(
            {REQUESTED_NUMBER_KEY: requested_number}
        )
    invoice.number = number
    invoice.created = timezone.now()
    invoice.invoice_file.save(f"{number}.xml", ContentFile(xml), save=False)
    stored_name = invoice.invoice_file.name
    invoice.status = JobStatus.SUCCESS
    invoice.message = None
    try:
        invoice.save(
            update_fields=[
                "number",
                "created",
                "invoice_file",
                "status",
                "message",
                "private_metadata",
                "updated_at",
            ]
        )
    except Exception:
        # The transaction rolls back; the file must not outlive it.
        invoice.invoice_file.storage.delete(stored_name)
        raise


def mark_failed(invoice: Invoice, reason: str) -> None:
    # Forget whatever the rolled-back attempt set on the instance.
    invoice.refresh_from_db()
    logger.warning("Invoice %s was not issued: %s", invoice.pk, reason)
    invoice.status = JobStatus.FAILED
    invoice.message = (
        reason
        if len(reason) <= MESSAGE_MAX_LENGTH
        else reason[: MESSAGE_MAX_LENGTH - 1] + "…"
    )
    invoice.store_value_in_private_metadata({FAILURE_KEY: reason})
    invoice.save(update_fields=["status", "message", "private_metadata", "updated_at"])
