"""The hard gate of a punch-out cart: is each line offered to this buyer, and at
what unit net price (:mod:`.offer`)?

Called by the transfer (any storefront must pass it) and by ``ociCheckoutLinesAdd``;
the transfer also holds its amount against budgets here (:func:`hold_budget`).
The transfer's check is one query whatever the number of lines: the channel with
its tax rates and the assortments (:func:`.offer.load_channel`); the lines are
judged on what Saleor's ``fetch_checkout_lines`` already loaded.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from saleor.checkout.fetch import CheckoutLineInfo
from saleor.product.models import ProductVariant

from .. import oci
from ..buyers import budgets
from ..error_codes import OciErrorCode
from . import items
from .models import Connection, PunchoutSession, Transfer
from .offer import Offer

CHANNEL_INACTIVE = (
    "The shop does not take orders through this connection at the moment (its "
    "sales channel is inactive)."
)


@dataclass(frozen=True)
class CartPrices:
    offer: Offer
    # Checkout line pk -> unit net price.
    unit_prices: dict[object, Decimal]


def session_offer(
    session: PunchoutSession, cart_category_ids: Iterable[int] = ()
) -> Offer:
    """The offer to the session's buyer: its branch's assortment and its
    organisation's; refuse (CHANNEL_INACTIVE) when the channel is inactive."""
    connection: Connection = session.connection
    offer = Offer.of(connection, session.branch_id, cart_category_ids)
    if not offer.is_open:
        raise ValidationError(
            {
                "id": ValidationError(
                    CHANNEL_INACTIVE, code=OciErrorCode.CHANNEL_INACTIVE.value
                )
            }
        )
    return offer


def refuse_outside(
    offer: Offer, variants: Sequence[ProductVariant], field: str
) -> None:
    """Raise a ValidationError with one NOT_IN_ASSORTMENT per variant (by its
    1-based position) that the offer does not hold."""
    offered = set(
        offer.variants()
        .filter(pk__in={variant.pk for variant in variants})
        .values_list("pk", flat=True)
    )
    _refuse(
        [
            (position, variant)
            for position, variant in enumerate(variants, start=1)
            if variant.pk not in offered
        ],
        field,
    )


def _refuse(outside: Sequence[tuple[int, ProductVariant]], field: str) -> None:
    refused = [
        ValidationError(
            f"{items.describe(variant)} (SKU {variant.sku or variant.pk}) is not in "
            "your assortment.",
            code=OciErrorCode.NOT_IN_ASSORTMENT.value,
            params={"line": str(position)},
        )
        for position, variant in outside
    ]
    if refused:
        raise ValidationError({field: refused})


def check_cart(
    session: PunchoutSession, lines: Sequence[CheckoutLineInfo]
) -> CartPrices:
    """Refuse a cart with a line the buyer is not offered; else its unit prices.

    One query (the offer); the lines as ``fetch_checkout_lines`` loaded them.
    """
    offer = session_offer(
        session, {line.product.category_id for line in lines} - {None}
    )
    now = timezone.now()
    _refuse(
        [
            (position, line.variant)
            for position, line in enumerate(lines, start=1)
            if not offer.offers_line(line, now)
        ],
        "lines",
    )
    prices = {}
    for line in lines:
        listing = line.channel_listing
        assert listing is not None  # fetch_checkout_lines found it available
        price = line.variant.get_price(listing)
        tax_class_id = line.product.tax_class_id or line.product_type.tax_class_id
        prices[line.line.pk] = offer.net_of(price, tax_class_id).amount
    return CartPrices(offer=offer, unit_prices=prices)


def hold_budget(
    transfer: Transfer, session: PunchoutSession, cart: Sequence[oci.CartItem]
) -> tuple[str, ...]:
    """Check the cart's net total against the budgets of the session's
    organisation, branch and member, and hold it (:mod:`..buyers.budgets`).

    The session must have been read with its organisation locked (the transfer's
    ``_lock_open_session``): that lock serialises the check."""
    total = sum((item.unit_price * item.quantity for item in cart), start=Decimal(0))
    return budgets.hold_for_transfer(
        transfer,
        session.connection.organisation,
        session.branch_id,
        session.member_id,
        total,
        transfer.currency,
    )
