"""Requisitions: transferred carts as the procurement system keeps them, in memory.

A requisition is what arrived at HOOK_URL, decoded with the project's OCI codec. On
approval it becomes a purchase order with the ERP's own order number ("45" and
eight digits, as SAP numbers purchase orders), which is kept with the requisition:
sending it again shows the shop's duplicate protection. Requisitions are immutable
snapshots; the store swaps in a new one when a shop answer is added, so pages can
render one without locks.
"""

import secrets
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from saleor_oci_plugin.oci import (
    CartDecodeError,
    DecodedCart,
    OCIItem,
    decode_cart,
)

from .hook import PostedForm

MAX_REQUISITIONS = 500
UNIT_PRICE_PLACES = Decimal("0.000001")
LONGTEXT = "LONGTEXT"


class Outcome(StrEnum):
    PLACED = "placed"
    DUPLICATE = "duplicate"
    REFUSED = "refused"
    FAILED = "failed"  # no answer from the shop, or one that is not understood


@dataclass(frozen=True, slots=True)
class ShopAnswer:
    """What the shop said to one purchase order sent."""

    channel: str
    outcome: Outcome
    messages: tuple[str, ...] = ()
    order_number: str = ""
    # The document or request sent, shown on the page for people learning the format.
    sent: str = ""
    answered_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line of the purchase order the simulator sends."""

    line_number: str
    sku: str
    quantity: Decimal
    unit: str = ""
    # Per one unit (OCI's PRICE divided by PRICEUNIT).
    unit_price: Decimal | None = None
    description: str = ""
    nzi_code: str = ""
    cost_centre: str = ""


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    order_number: str
    transfer_id: str
    currency: str
    order_date: date
    lines: tuple[OrderLine, ...]
    cost_centre: str = ""

    @property
    def total(self) -> Decimal:
        return sum(
            (
                line.quantity * line.unit_price
                for line in self.lines
                if line.unit_price is not None
            ),
            Decimal(0),
        )


class NotOrderableError(ValueError):
    """The requisition cannot become a purchase order; ``problems`` say why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Requisition:
    id: int
    po_number: str
    received_at: datetime
    charset: str
    fields: tuple[tuple[str, str], ...]
    items: tuple[OCIItem, ...] = ()
    okcode: str | None = None
    target: str | None = None
    caller: str | None = None
    # Why the form could not be read (then there are no items).
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    answers: tuple[ShopAnswer, ...] = ()

    @property
    def transfer_ids(self) -> tuple[str, ...]:
        """The distinct EXT_QUOTE_ID values, in order of appearance."""
        return tuple(dict.fromkeys(item.ext_quote_id for item in self.items))

    @property
    def transfer_id(self) -> str:
        ids = [value for value in self.transfer_ids if value]
        return ids[0] if len(ids) == 1 else ""

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.currency for item in self.items))

    def totals(self) -> dict[str, Decimal]:
        """Net total per currency, of the lines that have a price and quantity."""
        totals: dict[str, Decimal] = {}
        for item in self.items:
            amount = line_total(item)
            if amount is not None:
                totals[item.currency] = totals.get(item.currency, Decimal(0)) + amount
        return totals

    @property
    def is_cancelled(self) -> bool:
        """An empty form: the buyer left the shop without a cart."""
        return not self.items and not self.problems

    @property
    def can_be_approved(self) -> bool:
        return bool(self.items) and not self.problems


# ------------------------------------------------------------------ reading lines
def field_value(item: OCIItem, field_name: str) -> str:
    """An item's text field by OCI name (LONGTEXT, MATGROUP, CUST_FIELD1, ZZ...)."""
    name = field_name.upper()
    if name == LONGTEXT:
        return item.long_text
    value = getattr(item, name.lower(), None)
    if isinstance(value, str):
        return value
    return item.other.get(name, "")


def sku_of(item: OCIItem) -> str:
    """The shop's product code: EXT_PRODUCT_ID, else the vendor's material number."""
    return item.ext_product_id or item.vendormat or item.matnr


def unit_price_of(item: OCIItem) -> Decimal | None:
    """OCI's PRICE is per PRICEUNIT units; the PO wants the price of one."""
    if item.price is None:
        return None
    if not item.price_unit:
        return item.price
    try:
        price = item.price / item.price_unit
    except InvalidOperation:
        return None
    if price == price.quantize(UNIT_PRICE_PLACES):
        return price
    return price.quantize(UNIT_PRICE_PLACES)


def line_total(item: OCIItem) -> Decimal | None:
    unit_price = unit_price_of(item)
    if unit_price is None or item.quantity is None:
        return None
    return (item.quantity * unit_price).quantize(Decimal("0.01"))


def plain_number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 2.000 -> 2, 1E+2 -> 100."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


# ------------------------------------------------------------ purchase orders
def purchase_order_for(
    requisition: Requisition,
    *,
    nzi_field: str,
    cost_centre: str = "",
    today: date | None = None,
) -> PurchaseOrder:
    """The purchase order an approval of ``requisition`` sends.

    ERP line numbers count in tens (10, 20, ...), as SAP's purchase order items do;
    the shop keeps them for the invoice. Raise NotOrderableError when the lines
    cannot be ordered (no lines, no quantity, several currencies or transfers).
    """
    problems: list[str] = list(requisition.problems)
    if not requisition.items and not problems:
        problems.append("the cart is empty: there is nothing to order")
    currencies = [value for value in requisition.currencies if value]
    if len(currencies) > 1:
        problems.append(f"the lines have several currencies: {', '.join(currencies)}")
    if len([value for value in requisition.transfer_ids if value]) > 1:
        problems.append(
            "the lines come from several transfers (EXT_QUOTE_ID): "
            + ", ".join(requisition.transfer_ids)
        )
    lines = []
    cost_centre = cost_centre.strip()
    for position, item in enumerate(requisition.items, start=1):
        if item.quantity is None or item.quantity <= 0:
            problems.append(f"line {item.index} has no quantity to order")
            continue
        if not sku_of(item):
            problems.append(
                f"line {item.index} has no product code "
                "(EXT_PRODUCT_ID, VENDORMAT or MATNR)"
            )
        lines.append(
            OrderLine(
                line_number=str(position * 10),
                sku=sku_of(item),
                quantity=item.quantity,
                unit=item.unit,
                unit_price=unit_price_of(item),
                description=item.description,
                nzi_code=field_value(item, nzi_field),
                cost_centre=cost_centre,
            )
        )
    if problems:
        raise NotOrderableError(problems)
    return PurchaseOrder(
        order_number=requisition.po_number,
        transfer_id=requisition.transfer_id,
        currency=currencies[0] if currencies else "",
        order_date=today or datetime.now(UTC).date(),
        lines=tuple(lines),
        cost_centre=cost_centre,
    )


def new_po_number() -> str:
    """An ERP purchase order number: "45" and eight digits."""
    return f"45{secrets.randbelow(10**8):08d}"


# ----------------------------------------------------------------------- store
class RequisitionStore:
    """The requisitions received since start, newest last; safe across threads."""

    def __init__(self, limit: int = MAX_REQUISITIONS) -> None:
        self._lock = threading.Lock()
        self._requisitions: dict[int, Requisition] = {}
        self._next_id = 1
        self._limit = limit

    def receive(self, form: PostedForm) -> Requisition:
        """Decode ``form`` and keep it as a requisition (also when unreadable)."""
        problems: list[str] = []
        cart = DecodedCart(items=())
        try:
            cart = decode_cart(form.fields)
        except CartDecodeError as error:
            problems = [
                f"{problem.field}"
                + (f" [{problem.line}]" if problem.line is not None else "")
                + f": {problem.message}"
                for problem in error.problems
            ]
        with self._lock:
            used = {known.po_number for known in self._requisitions.values()}
            po_number = new_po_number()
            while po_number in used:
                po_number = new_po_number()
            requisition = Requisition(
                id=self._next_id,
                po_number=po_number,
                received_at=datetime.now(UTC),
                charset=form.charset.name,
                fields=form.fields,
                items=cart.items,
                okcode=cart.okcode,
                target=cart.target,
                caller=cart.caller,
                problems=tuple(problems),
                notes=form.notes,
            )
            self._requisitions[requisition.id] = requisition
            self._next_id += 1
            while len(self._requisitions) > self._limit:
                del self._requisitions[min(self._requisitions)]
        return requisition

    def get(self, requisition_id: int) -> Requisition | None:
        with self._lock:
            return self._requisitions.get(requisition_id)

    def all(self) -> list[Requisition]:
        """Newest first."""
        with self._lock:
            return sorted(
                self._requisitions.values(), key=lambda item: item.id, reverse=True
            )

    def add_answer(self, requisition_id: int, answer: ShopAnswer) -> Requisition | None:
        with self._lock:
            requisition = self._requisitions.get(requisition_id)
            if requisition is None:
                return None
            requisition = replace(requisition, answers=(answer, *requisition.answers))
            self._requisitions[requisition_id] = requisition
            return requisition
