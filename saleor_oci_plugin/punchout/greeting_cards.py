"""Greeting-card texts on a punch-out cart: per line, or for the whole checkout.

Kept in private metadata, which only this plugin and staff write, so that what the
buyer set is what goes out in the OCI long text and on to fulfilment.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from saleor.checkout.models import Checkout, CheckoutLine
from saleor.checkout.utils import get_or_create_checkout_metadata

from ..error_codes import OciErrorCode
from .items import CARD_TEXT_KEY
from .models import PunchoutSession
from .sessions import ensure_session_editable, ensure_session_open

MAX_CARD_TEXT_LENGTH = 1000


def set_card_text(checkout: Checkout, text: str, line_pk: str | None = None) -> None:
    """Set (or, with an empty text, remove) the card text of a line or the checkout."""
    text = text.strip()
    if len(text) > MAX_CARD_TEXT_LENGTH:
        raise ValidationError(
            {
                "text": ValidationError(
                    f"A card text has at most {MAX_CARD_TEXT_LENGTH} characters.",
                    code=OciErrorCode.INVALID.value,
                )
            }
        )
    with transaction.atomic():
        session = (
            PunchoutSession.objects.select_for_update()
            .filter(checkout_id=checkout.pk)
            .first()
        )
        if session is None:
            raise ValidationError(
                {
                    "checkout_id": ValidationError(
                        "This checkout was not opened by a punch-in.",
                        code=OciErrorCode.NOT_PUNCHOUT_CHECKOUT.value,
                    )
                }
            )
        try:
            ensure_session_open(session)
            ensure_session_editable(session)
        except ValidationError as error:
            raise ValidationError({"checkout_id": error}) from error
        if line_pk is None:
            owner = get_or_create_checkout_metadata(checkout)
        else:
            owner = CheckoutLine.objects.filter(checkout=checkout, pk=line_pk).first()
            if owner is None:
                raise ValidationError(
                    {
                        "line_id": ValidationError(
                            "This line is not in the checkout.",
                            code=OciErrorCode.NOT_FOUND.value,
                        )
                    }
                )
        if text:
            owner.store_value_in_private_metadata({CARD_TEXT_KEY: text})
        else:
            owner.delete_value_from_private_metadata(CARD_TEXT_KEY)
        owner.save(update_fields=["private_metadata"])
