"""The internal purchase order: what every way in is read into (no Django here)."""

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ..oci.problems import ProblemsError


class OrderKind(StrEnum):
    """What the message asks for: a new order, a change of it, or its cancellation."""

    NEW = "new"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """An address as purchase orders carry it; ``country`` is ISO 3166 alpha-2."""

    name: str = ""
    company: str = ""
    street: str = ""
    street2: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""
    country_area: str = ""
    phone: str = ""
    email: str = ""
    # The buyer's own id of the address (cXML addressID, UBL cac:Delivery/ID).
    reference: str = ""


@dataclass(frozen=True, slots=True)
class PurchaseOrderLine:
    """One ordered line; ``line_number`` is the ERP's own (kept for the invoice)."""

    line_number: str
    sku: str
    quantity: Decimal
    unit: str = ""
    # Net unit price per one unit of ``unit``; None when the PO carries none.
    unit_price: Decimal | None = None
    description: str = ""
    nzi_code: str = ""
    cost_centre: str = ""
    requested_delivery_date: date | None = None
    # The transfer (cart) this line came from, where the format says it per line.
    transfer_id: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    """An approved purchase order, whatever format it came in."""

    order_number: str
    lines: tuple[PurchaseOrderLine, ...]
    currency: str = ""
    kind: OrderKind = OrderKind.NEW
    order_date: date | None = None
    # The cart this PO answers (OCI EXT_QUOTE_ID of the transfer); "" for direct POs.
    transfer_id: str = ""
    buyer_reference: str = ""
    cost_centre: str = ""
    delivery_address: PostalAddress | None = None
    billing_address: PostalAddress | None = None
    requested_delivery_date: date | None = None
    note: str = ""
    # The total the ERP computed, if it sent one (checked, never trusted).
    total: Decimal | None = None
    # UBL: the buyer party's electronic address (scheme, identifier).
    buyer_endpoint: tuple[str, str] | None = None
    # Values a format carries that have no field here, for the record.
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a purchase order; ``line`` is the PO's line number."""

    field: str
    message: str
    code: str
    line: str | None = None


class PurchaseOrderError(ProblemsError[Problem]):
    """A purchase order was refused; ``problems`` lists everything found wrong."""


def as_json(order: PurchaseOrder) -> dict:
    """The purchase order as JSON-able values (decimals and dates as text)."""

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        if isinstance(value, Decimal | date):
            return str(value)
        return value

    return plain(asdict(order))  # type: ignore[return-value]
