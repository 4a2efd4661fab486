from django.db import models


class GreetingCard(models.Model):
    """A card to print for an order: for one of its lines, or for the whole order.

    Recorded when a purchase order becomes the order, with what the buyer set on
    the cart; ``logo_name`` is the logo's storage name at that moment, so a logo
    replaced later does not change a card already ordered. ``pdf_name`` is the
    print-ready PDF in Saleor's private storage (empty until the task rendered it).
    """

    order = models.ForeignKey(
        "order.Order", related_name="oci_greeting_cards", on_delete=models.CASCADE
    )
    # Null for the order's own card; also when a changed PO removed the line.
    order_line = models.ForeignKey(
        "order.OrderLine",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    # The PO's line number; empty for the order's own card.
    po_line_number = models.CharField(max_length=64, blank=True, default="")
    # Printing order within the order: 0 for the order's card, then the lines'.
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    with_logo = models.BooleanField(default=False)
    logo_name = models.CharField(max_length=255, blank=True, default="")
    pdf_name = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("order__number", "position", "pk")

    def __str__(self) -> str:
        return f"Card {self.pk} of order {self.order_id}"
