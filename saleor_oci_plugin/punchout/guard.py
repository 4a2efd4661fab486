"""Keeping a punch-out checkout from being completed the ordinary way.

A punch-out cart goes back to the procurement system (ociCheckoutTransfer); the
order is placed when the approved purchase order returns. Completing it as an
ordinary checkout would create an order the ERP never approved.
"""

import sys
from types import FrameType

from django.core.exceptions import ValidationError
from saleor.checkout import checkout_cleaner
from saleor.checkout.error_codes import (
    CheckoutErrorCode,
    OrderCreateFromCheckoutErrorCode,
)
from saleor.checkout.models import Checkout

from .models import PunchoutSession

REFUSAL = (
    "This checkout belongs to a punch-out session: transfer it to your procurement "
    "system with ociCheckoutTransfer; the order is placed when the approved purchase "
    "order comes back."
)


def refuse_punchout_checkout_completion(checkout: Checkout) -> None:
    """Raise a ValidationError when the checkout belongs to a punch-out session."""
    if not PunchoutSession.objects.filter(checkout_id=checkout.pk).exists():
        return
    raise ValidationError({"id": ValidationError(REFUSAL, code=_error_code())})


def _error_code() -> str:
    """The refusal's code in the error enum of the mutation that is running.

    Saleor's error enums are closed, and the hook is not told which mutation calls
    it: checkoutComplete knows INVALID; orderCreateFromCheckout has no INVALID and
    runs the hook from checkout_cleaner.validate_checkout, so there it gets the
    general GRAPHQL_ERROR (with the same message) instead of an unserialisable code.
    """
    frame: FrameType | None = sys._getframe(1)
    for _ in range(30):
        if frame is None:
            break
        if frame.f_code is checkout_cleaner.validate_checkout.__code__:
            return OrderCreateFromCheckoutErrorCode.GRAPHQL_ERROR.value
        frame = frame.f_back
    return CheckoutErrorCode.INVALID.value
