"""Issued invoices and the series their numbers come from.

An issued document is a legal record: it keeps its UBL, its rendering and its
links even when the Saleor invoice, order or connection it came from is deleted
(the links are then empty), and its number is never handed out again.
"""

from django.db import models

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
