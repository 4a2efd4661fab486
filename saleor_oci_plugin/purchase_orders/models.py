"""Purchase orders as received: the record that makes intake exactly-once."""

from django.db import models

from ..punchout.models import Connection, Transfer


class ReceivedPurchaseOrder(models.Model):
    """One purchase order message and what became of it.

    At most one placed record per (connection, ERP order number) and per transfer:
    the database refuses a second one even when two requests race. Refused POs are
    kept with their errors for review.
    """

    class Source(models.TextChoices):
        GRAPHQL = "graphql", "GraphQL"
        CXML = "cxml", "cXML OrderRequest"
        UBL = "ubl", "UBL Order"

    class Status(models.TextChoices):
        PLACED = "placed", "Placed as a Saleor order"
        REFUSED = "refused", "Refused"

    connection = models.ForeignKey(
        Connection, related_name="purchase_orders", on_delete=models.CASCADE
    )
    order_number = models.CharField(max_length=128)
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    transfer = models.ForeignKey(
        Transfer,
        null=True,
        blank=True,
        related_name="purchase_orders",
        on_delete=models.SET_NULL,
    )
    order = models.ForeignKey(
        "order.Order",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    # The purchase order as read (the internal structure, JSON), and why it was
    # refused, if it was.
    data = models.JSONField()
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "order_number"],
                condition=models.Q(status="placed"),
                name="oci_po_placed_once_per_connection",
            ),
            models.UniqueConstraint(
                fields=["transfer"],
                condition=models.Q(status="placed"),
                name="oci_po_transfer_ordered_once",
            ),
        ]

    def __str__(self) -> str:
        return f"PO {self.order_number} ({self.status})"


class OrderedTransfer(models.Model):
    """A transfer a placed purchase order answers: one row per transfer, so that a
    PO merging several carts (Ariba, Coupa) records them all, and the database
    refuses to order any cart twice (``transfer`` is unique)."""

    purchase_order = models.ForeignKey(
        ReceivedPurchaseOrder,
        related_name="ordered_transfers",
        on_delete=models.CASCADE,
    )
    transfer = models.OneToOneField(
        Transfer, related_name="ordered_by", on_delete=models.CASCADE
    )

    def __str__(self) -> str:
        return f"{self.transfer} ordered by {self.purchase_order}"
