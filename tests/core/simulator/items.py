"""Cart lines for the tests: a gift box with a card, flowers sold per 100 stems."""

from decimal import Decimal

from saleor_oci_plugin.oci import CartItem

GIFT_BOX = CartItem(
    line_number=1,
    sku="KP-2026-XL",
    description="Kerstpakket Zoë & Söhne <XL>",
    quantity=Decimal(3),
    unit_price=Decimal("24.95"),
    currency="EUR",
    unit="PCE",
    nzi_code="4411",
    long_text="Inhoud: wijn, kaas, chocolade.",
    card_text="Fröhliche Weihnachten,\nAfdeling Inkoop",
)
STEMS = CartItem(
    line_number=2,
    sku="TUL-100",
    description="Tulpen, per steel",
    quantity=Decimal(200),
    unit_price=Decimal("0.0125"),  # sent as 1.25 per PRICEUNIT 100
    currency="EUR",
    unit="PCE",
    nzi_code="4420",
)
CART = (GIFT_BOX, STEMS)
