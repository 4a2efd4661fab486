from django.db import models


class InboundMessage(models.Model):
    """A request that reached the plugin from outside, and what became of it.

    Every punch-in, purchase order and background call leaves one row, so that an
    operator can see what an ERP sent even when it was refused.
    """

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"

    # Bounds for the stored text, so that a hostile or broken sender cannot fill the
    # table with one request.
    PATH_MAX_LENGTH = 255
    DETAIL_MAX_LENGTH = 2000

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=PATH_MAX_LENGTH)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.TextField(blank=True, default="")
    # The connection the request was identified as coming from, when it was.
    connection = models.ForeignKey(
        "saleor_oci_plugin.Connection",
        null=True,
        blank=True,
        related_name="inbound_messages",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.http_status} ({self.outcome})"


# The app's models live with the feature that owns them; Django finds them here.
from .buyers.models import Branch, BuyerOrganisation  # noqa: E402
from .cards.models import GreetingCard  # noqa: E402
from .invoices.models import (  # noqa: E402
    InvoicedOrder,
    InvoiceNumberSeries,
    InvoiceRun,
    IssuedDocument,
)
from .punchout.models import Connection, PunchoutSession, Transfer  # noqa: E402
from .purchase_orders.models import OrderedTransfer, ReceivedPurchaseOrder  # noqa: E402

__all__ = [
    "Branch",
    "BuyerOrganisation",
    "Connection",
    "GreetingCard",
    "InboundMessage",
    "InvoiceNumberSeries",
    "InvoiceRun",
    "InvoicedOrder",
    "IssuedDocument",
    "OrderedTransfer",
    "PunchoutSession",
    "ReceivedPurchaseOrder",
    "Transfer",
]
