"""Keeping a punch-out checkout from being completed the ordinary way.

A punch-out cart goes back to the procurement system (ociCheckoutTransfer); the
order is placed when the approved purchase order returns. Completing it as an
ordinary checkout would create an order the ERP never approved.
"""

from django.core.exceptions import ValidationError
from saleor.checkout.error_codes import CheckoutErrorCode
from saleor.checkout.models import Checkout

from .models import PunchoutSession


def refuse_punchout_checkout_completion(checkout: Checkout) -> None:
    """Raise a ValidationError when the checkout belongs to a punch-out session."""
    if not PunchoutSession.objects.filter(checkout_id=checkout.pk).exists():
        return
    # Saleor's error enums are closed; INVALID is the code its checkout mutations
    # know for "this checkout cannot be completed".
    raise ValidationError(
        {
            "id": ValidationError(
                "This checkout belongs to a punch-out session: transfer it to your "
                "procurement system with ociCheckoutTransfer; the order is placed "
                "when the approved purchase order comes back.",
                code=CheckoutErrorCode.INVALID.value,
            )
        }
    )
