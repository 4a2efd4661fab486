"""Checking a purchase order against the cart that was transferred.

Lines are matched by SKU. A line whose quantity differs from the cart's is refused
unless the connection allows quantity changes; a unit price further from the cart's
than the connection's tolerance is refused; a SKU the cart did not have is refused.
Every problem is reported at once, per PO line. Within the tolerance, the PO's own
price is the agreed one, so that the invoice matches the buyer's PO to the cent.
"""

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

from saleor.product.models import ProductVariant

from ..punchout.models import Connection, Transfer
from .dataclasses import Problem, PurchaseOrder, PurchaseOrderError, PurchaseOrderLine

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class AgreedLine:
    """A PO line with the shop's product and the price both sides agreed on."""

    po_line: PurchaseOrderLine
    variant: ProductVariant
    quantity: int
    unit_price_net: Decimal
    # Fraction, e.g. 0.21, as the cart was offered.
    tax_rate: Decimal
    nzi_code: str
    card_text: str
    # Whether the card carries the company logo, and whether it is the whole
    # cart's card (printed once for the order) rather than this line's.
    card_with_logo: bool = False
    card_for_order: bool = False
    # The whole cart's card (the same on every line of the cart).
    order_card_text: str = ""
    order_card_with_logo: bool = False


def match_to_transfers(
    order: PurchaseOrder, connection: Connection, transfers: list[Transfer]
) -> list[AgreedLine]:
    """Match each PO line against the transfer it names (a PO merging several
    carts), every cart by :func:`match_to_transfer`'s rules; every problem of every
    cart is reported at once. The agreed lines keep the PO's order."""
    if len(transfers) == 1:
        return match_to_transfer(order, connection, transfers[0])
    agreed: list[AgreedLine] = []
    problems: list[Problem] = []
    for transfer in transfers:
        lines = tuple(
            line
            for line in order.lines
            if _same_transfer(line.transfer_id or order.transfer_id, transfer)
        )
        try:
            agreed += match_to_transfer(
                replace(order, lines=lines, transfer_id=transfer.reference),
                connection,
                transfer,
            )
        except PurchaseOrderError as error:
            problems += error.problems
    if problems:
        raise PurchaseOrderError(problems)
    position = {id(line): number for number, line in enumerate(order.lines)}
    return sorted(agreed, key=lambda line: position[id(line.po_line)])


def _same_transfer(reference: str, transfer: Transfer) -> bool:
    try:
        return uuid.UUID(reference) == transfer.pk
    except ValueError:
        return False


def match_to_transfer(
    order: PurchaseOrder, connection: Connection, transfer: Transfer
) -> list[AgreedLine]:
    offered = {line["sku"]: line for line in transfer.snapshot}
    problems: list[Problem] = []
    if order.currency and order.currency != transfer.currency:
        problems.append(
            Problem(
                "currency",
                f"The cart was offered in {transfer.currency}, the PO is in "
                f"{order.currency}.",
                "currency_mismatch",
            )
        )
    variants = ProductVariant.objects.select_related("product__product_type").in_bulk(
        [line["variant_id"] for line in transfer.snapshot]
    )
    agreed = []
    ordered_skus = set()
    for po_line in order.lines:
        line_problems = _line_problems(po_line, offered.get(po_line.sku), connection)
        problems.extend(line_problems)
        ordered_skus.add(po_line.sku)
        cart_line = offered.get(po_line.sku)
        if line_problems or cart_line is None:
            continue
        variant = variants.get(cart_line["variant_id"])
        if variant is None:
            problems.append(
                Problem(
                    "sku",
                    f"{po_line.sku} is no longer sold by the shop.",
                    "product_unavailable",
                    po_line.line_number,
                )
            )
            continue
        agreed.append(
            AgreedLine(
                po_line=po_line,
                variant=variant,
                quantity=int(po_line.quantity),
                unit_price_net=(
                    po_line.unit_price
                    if po_line.unit_price is not None
                    else Decimal(cart_line["unit_price_net"])
                ),
                tax_rate=Decimal(cart_line["tax_rate"]) / HUNDRED,
                nzi_code=po_line.nzi_code or cart_line["nzi_code"],
                card_text=cart_line["card_text"],
                # Carts transferred before cards had a logo have neither key.
                card_with_logo=bool(cart_line.get("card_with_logo")),
                card_for_order=bool(cart_line.get("card_for_order")),
                order_card_text=cart_line.get("order_card_text", ""),
                order_card_with_logo=bool(cart_line.get("order_card_with_logo")),
            )
        )
    if not connection.allow_quantity_changes:
        problems.extend(
            Problem(
                "lines",
                f"The cart's line {sku} ({cart_line['description']}) is missing from "
                "the PO; this connection does not allow changing the cart.",
                "line_missing",
            )
            for sku, cart_line in offered.items()
            if sku not in ordered_skus
        )
    if problems:
        raise PurchaseOrderError(problems)
    return agreed


def _line_problems(
    po_line: PurchaseOrderLine, cart_line: dict | None, connection: Connection
) -> list[Problem]:
    number = po_line.line_number
    if cart_line is None:
        return [
            Problem(
                "sku",
                f"{po_line.sku} was not in the transferred cart.",
                "unknown_sku",
                number,
            )
        ]
    problems = []
    fractional = fractional_quantity_problem(po_line)
    if fractional is not None:
        problems.append(fractional)
    elif (
        po_line.quantity != Decimal(cart_line["quantity"])
        and not connection.allow_quantity_changes
    ):
        problems.append(
            Problem(
                "quantity",
                f"{po_line.quantity} ordered, {Decimal(cart_line['quantity']):f} in "
                "the cart; this connection does not allow changing quantities.",
                "quantity_changed",
                number,
            )
        )
    price_problem = price_outside_tolerance(
        po_line,
        Decimal(cart_line["unit_price_net"]),
        connection,
        offered_by="the cart offered",
    )
    if price_problem is not None:
        problems.append(price_problem)
    return problems


def fractional_quantity_problem(po_line: PurchaseOrderLine) -> Problem | None:
    """A problem when the PO line's quantity is not a whole number (Saleor sells
    whole units), else None."""
    if po_line.quantity == po_line.quantity.to_integral_value():
        return None
    return Problem(
        "quantity",
        f"{po_line.quantity} is not a whole number; the shop sells whole units.",
        "invalid_quantity",
        po_line.line_number,
    )


def price_outside_tolerance(
    po_line: PurchaseOrderLine,
    offered_net: Decimal,
    connection: Connection,
    *,
    offered_by: str,
) -> Problem | None:
    """A problem when the PO's net unit price is further from the offered net price
    than the connection's tolerance, else None (also when the PO has no price, or
    the offer was free: no percentage of zero to compare with).

    ``offered_by`` names the offer in the message, e.g. "the cart offered".
    """
    if po_line.unit_price is None or not offered_net:
        return None
    deviation = abs(po_line.unit_price - offered_net) / offered_net * HUNDRED
    if deviation <= connection.price_tolerance_percent:
        return None
    return Problem(
        "unit_price",
        f"{po_line.unit_price:f} per unit, {offered_by} "
        f"{offered_net.quantize(Decimal('0.0001')).normalize():f}; more than the "
        f"{Decimal(connection.price_tolerance_percent).normalize():f}% allowed.",
        "price_outside_tolerance",
        po_line.line_number,
    )
