"""Greeting cards on a punch-out cart: per line, or for the whole checkout.

Kept in private metadata, which only this plugin and staff write, so that what the
buyer set is what goes out in the OCI long text and on to fulfilment. A text is
checked against the printed card's layout when it is set (the embedded font's
characters and widths, the configured line limits): refused there, it is never
shortened at print time.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from saleor.checkout.models import Checkout, CheckoutLine
from saleor.checkout.utils import get_or_create_checkout_metadata

from ..buyers.logos import effective_logo_name
from ..cards import layout
from ..dataclasses import CardFormat
from ..error_codes import OciErrorCode
from .items import CARD_LOGO_KEY, CARD_TEXT_KEY
from .models import PunchoutSession
from .sessions import ensure_session_editable, ensure_session_open

MAX_CARD_TEXT_LENGTH = 1000
DEFAULT_CARD_FORMAT = CardFormat()


def set_card_text(
    checkout: Checkout,
    text: str,
    line_pk: str | None = None,
    *,
    with_logo: bool = False,
    card_format: CardFormat = DEFAULT_CARD_FORMAT,
) -> None:
    """Set (or, with an empty text, remove) the card of a line or the checkout.

    Raise a ValidationError when the text does not fit the card or has characters
    its font cannot print, or when the logo is asked for and the buyer has none.
    """
    text = layout.normalise_text(text.strip())
    if len(text) > MAX_CARD_TEXT_LENGTH:
        raise ValidationError(
            {
                "text": ValidationError(
                    f"A card text has at most {MAX_CARD_TEXT_LENGTH} characters.",
                    code=OciErrorCode.INVALID.value,
                )
            }
        )
    problems = layout.text_problems(text, card_format, with_logo) if text else []
    if problems:
        raise ValidationError(
            {
                "text": [
                    ValidationError(
                        problem.message, code=OciErrorCode(problem.code).value
                    )
                    for problem in problems
                ]
            }
        )
    with transaction.atomic():
        session = (
            PunchoutSession.objects.select_for_update(of=("self",))
            .select_related("connection__organisation", "branch")
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
        if text and with_logo:
            organisation = session.connection.organisation
            if not effective_logo_name(organisation, session.branch):
                raise ValidationError(
                    {
                        "with_logo": ValidationError(
                            f"{organisation.name} has no logo for cards yet; ask "
                            "the shop to add it, or order the card without.",
                            code=OciErrorCode.CARD_LOGO_MISSING.value,
                        )
                    }
                )
        if text:
            owner.store_value_in_private_metadata({CARD_TEXT_KEY: text})
        else:
            owner.delete_value_from_private_metadata(CARD_TEXT_KEY)
        if text and with_logo:
            owner.store_value_in_private_metadata({CARD_LOGO_KEY: "true"})
        else:
            owner.delete_value_from_private_metadata(CARD_LOGO_KEY)
        owner.save(update_fields=["private_metadata"])
