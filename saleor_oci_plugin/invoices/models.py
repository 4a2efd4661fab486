"""Issued invoices and the series their numbers come from.

An issued document is a legal record: it keeps its UBL, its rendering and its
links even when the Saleor invoice, order or connection it came from is deleted
(the links are then empty), and its number is never handed out again.
"""

from django.db import models

from ..buyers.models import Branch, BuyerOrganisation
from ..punchout.models import Connection


class InvoiceNumberSeries(models.Model):
    """One gap-free series of numbers: "<prefix><year>-<sequence>".

    ``last_sequence`` is the last number used. It is only raised inside the
    transaction that stores the document carrying the number (see numbering.py),
    so a document that is not stored leaves no gap.
    """

    # The configured prefix (up to 20 characters) plus "CN-" for credit notes.
    prefix = models.CharField(max_length=32, blank=True, default="")
    year = models.PositiveSmallIntegerField()
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("prefix", "year")
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year"], name="oci_invoice_series_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}: {self.last_sequence}"


class InvoiceRun(models.Model):
    """One periodic invoicing run over a period, by Celery beat or by hand.

    A run invoices the orders placed in the period that are not invoiced yet:
    running a period again, or two workers at once, issues nothing twice
    (``InvoicedOrder`` holds each order once, taken under the orders' locks).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        # Some groups were not invoiced; ``failures`` says which and why.
        DONE_WITH_FAILURES = "done_with_failures", "Done with failures"
        FAILED = "failed", "Failed"

    # Both days included, in the shop's time zone.
    period_start = models.DateField()
    period_end = models.DateField()
    # Only this organisation's orders; empty: every organisation's.
    organisation = models.ForeignKey(
        BuyerOrganisation,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.PENDING
    )
    # Who started it: "beat", "command", or the staff user's or App's name.
    requested_by = models.CharField(max_length=255, blank=True, default="")
    # [{"group": "<organisation / branch>", "orders": ["<number>", ...],
    #   "reason": "..."}]: groups that were not invoiced, and why.
    failures = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"Invoice run {self.period_start}..{self.period_end} ({self.status})"


class IssuedDocument(models.Model):
    """An invoice or credit note as it was issued: valid UBL, numbered, stored."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    # Saleor's invoice that asked for it (its file is this document's XML).
    invoice = models.OneToOneField(
        "invoice.Invoice",
        null=True,
        blank=True,
        related_name="oci_document",
        on_delete=models.SET_NULL,
    )
    order = models.ForeignKey(
        "order.Order",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    connection = models.ForeignKey(
        Connection,
        null=True,
        blank=True,
        related_name="issued_documents",
        on_delete=models.SET_NULL,
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    number = models.CharField(max_length=64, unique=True)
    series = models.ForeignKey(
        InvoiceNumberSeries, related_name="documents", on_delete=models.PROTECT
    )
    sequence = models.PositiveIntegerField()
    issue_date = models.DateField()
    currency = models.CharField(max_length=3)
    payable_amount = models.DecimalField(max_digits=20, decimal_places=2)
    # BT-24 CustomizationID: SI-UBL 2.0 or Peppol BIS Billing 3.0.
    customization = models.CharField(max_length=255)
    # The UBL exactly as validated and sent (UTF-8 text).
    xml = models.TextField()
    # A human-readable rendering made from the same data when it was issued.
    html = models.TextField()
    # {"valid": true, "rule_sets": [...], "failures": [...]} (warnings only).
    validation_result = models.JSONField()
    # A credit note's invoice (BT-25): what it corrects, and caps what it may credit.
    credited_invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        related_name="credit_notes",
        on_delete=models.PROTECT,
    )
    # Which order lines the document invoices or credits, for the credit limit:
    # [{"order_line": "<OrderLine pk>" or "shipping", "quantity": "3",
    #   "unit_net_price": "12.50"}, ...]. Empty for invoices issued before 0006.
    lines = models.JSONField(default=list, blank=True)
    # Whom it was issued to: the organisation, and the branch unless consolidated.
    organisation = models.ForeignKey(
        BuyerOrganisation,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    # A periodic invoice: its period (BT-73, BT-74) and the run that issued it.
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    run = models.ForeignKey(
        InvoiceRun,
        null=True,
        blank=True,
        related_name="documents",
        on_delete=models.SET_NULL,
    )
    # E-mail delivery (a Celery task after the document is stored).
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.CharField(max_length=254, blank=True, default="")
    delivery_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "sequence"], name="oci_issued_document_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class InvoicedOrder(models.Model):
    """Which invoice billed an order: at most one, whichever way it was issued.

    Per-order invoices and periodic runs both take an order here inside the
    transaction that stores the invoice, under the order's purchase-order lock;
    the unique order makes a second invoice of one order impossible even then.
    """

    order = models.OneToOneField(
        "order.Order", related_name="oci_invoiced", on_delete=models.CASCADE
    )
    document = models.ForeignKey(
        IssuedDocument, related_name="invoiced_orders", on_delete=models.PROTECT
    )
    # Saleor's invoice that shows this document on the order (Dashboard, storefront).
    invoice = models.ForeignKey(
        "invoice.Invoice",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"Order {self.order_id} in {self.document_id}"
