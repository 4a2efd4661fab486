"""A cart line as the encoder takes it: plain values, no Saleor objects."""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class CartItem:
    """One line of the cart to transfer; optional fields default to empty.

    ``unit_price`` is the price of ``price_unit`` units (OCI's PRICE and PRICEUNIT:
    a price of 12.50 for 100 pieces is ``unit_price=Decimal("12.50"), price_unit=100``).
    ``unit`` is the shop's unit name; the connection's unit table turns it into an ISO
    code. ``parent_line_number`` (OCI 5.0 hierarchies) names another item's
    ``line_number``. ``extra`` holds values a connection's mapping can send under the
    source name ``extra.<key>`` (a cost centre in a CUST_FIELD, for instance).
    """

    line_number: int
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    currency: str
    unit: str = ""
    price_unit: int = 1
    lead_time_days: int | None = None
    nzi_code: str = ""
    card_text: str = ""
    long_text: str = ""
    vendor_material_number: str = ""
    buyer_material_number: str = ""
    manufacturer_code: str = ""
    manufacturer_material_number: str = ""
    category: str = ""
    category_id: str = ""
    gtin: str = ""
    contract: str = ""
    contract_item: str = ""
    is_service: bool = False
    attachment_url: str = ""
    attachment_title: str = ""
    attachment_purpose: str = ""
    item_type: str = ""
    parent_line_number: int | None = None
    tax_rate: Decimal | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


# The item properties a mapping may name as sources (besides "transfer_id" and
# "extra.<key>").
ITEM_PROPERTIES: frozenset[str] = frozenset(
    item_field.name for item_field in fields(CartItem) if item_field.name != "extra"
)
