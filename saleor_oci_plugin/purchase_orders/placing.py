"""The one code path that turns a purchase order into a Saleor order, exactly once.

All ways in (GraphQL, cXML, UBL) end here with the internal PurchaseOrder. Copies
of one PO (connection, ERP order number) are placed one at a time (an advisory
lock on that pair), and so are POs naming the same cart (a row lock on its
transfer); POs of other numbers and carts, and punch-ins on the same connection,
go on meanwhile. A PO whose (connection, ERP order number) was already placed
answers with that order ("duplicate"), and the database's unique constraints back
this up. A refused PO
writes no order: everything happens in one transaction, and the refusal is kept
with its problems for review.

A PO names the cart it answers (``transfer_id``) and is checked against it
(:mod:`.matching`). A PO without one is a direct order: refused unless the connection
allows direct orders, then priced at the channel's current prices and flat-rate VAT
(:mod:`.direct`), taxed for the country the order ships to, as Saleor taxes an order.

The Saleor order: the connection's channel and customer, lines at the agreed prices
with the cart's (or the channel's) tax rates, addresses from the PO (else the
branch's, else the customer's), ``external_reference`` =
``oci:<connection id>:<ERP order number>``, and the PO references in metadata
(``oci.*`` keys) where Saleor has no field. Its origin is CHECKOUT for direct orders
too: the buyer placed it (DRAFT is staff's, BULK_CREATE an import), and all orders
from POs then look alike. Stock is allocated as for any order, and Saleor's
``order_created`` runs after commit, so its events, e-mails and webhooks follow as
for any order.
"""

import uuid
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from prices import Money, TaxedMoney
from saleor.account.models import Address, User
from saleor.app.models import App
from saleor.core.exceptions import InsufficientStock
from saleor.core.prices import quantize_price
from saleor.core.utils.country import get_active_country
from saleor.order import OrderOrigin, OrderStatus
from saleor.order.actions import call_order_event, cancel_order, order_created
from saleor.order.fetch import OrderInfo, OrderLineInfo
from saleor.order.models import Order, OrderLine
from saleor.plugins.manager import PluginsManager
from saleor.site.models import Site
from saleor.warehouse.management import allocate_stocks, deallocate_stock_for_orders
from saleor.warehouse.reservations import is_reservation_enabled
from saleor.webhook.event_types import WebhookEventAsyncType

from ..buyers import budgets
from ..buyers.models import Branch
from ..cards import records as greeting_cards
from ..punchout.models import Connection, Transfer
from .dataclasses import (
    OrderKind,
    PostalAddress,
    Problem,
    PurchaseOrder,
    PurchaseOrderError,
    as_json,
)
from .direct import price_direct_order
from .matching import AgreedLine, match_to_transfers
from .models import OrderedTransfer, ReceivedPurchaseOrder

# Metadata keys on the order and its lines.
PO_NUMBER_KEY = "oci.po_number"
BUYER_REFERENCE_KEY = "oci.buyer_reference"
COST_CENTRE_KEY = "oci.cost_centre"
BRANCH_KEY = "oci.branch"
TRANSFER_KEY = "oci.transfer"
PO_LINE_KEY = "oci.po_line"
NZI_KEY = "oci.nzi_code"
CARD_TEXT_KEY = "oci.greeting_card"

# The first key of this module's two-key advisory locks (PostgreSQL int4); Saleor's
# own are under its ADVISORY_LOCK_NAMESPACE (21218).
_PO_LOCK_NAMESPACE = zlib.crc32(b"saleor_oci_plugin.purchase_order") - 2**31


@dataclass(frozen=True)
class Placement:
    order: Order
    record: ReceivedPurchaseOrder
    duplicate: bool


def external_reference(connection: Connection, order_number: str) -> str:
    """The order's external_reference: unique per connection and ERP order number."""
    return f"oci:{connection.pk}:{order_number}"


def place_purchase_order(
    connection: Connection,
    order: PurchaseOrder,
    source: str,
    manager: PluginsManager,
    *,
    user: User | None = None,
    app: App | None = None,
) -> Placement:
    """Place the PO as a Saleor order, or return the one it already became.

    Raise PurchaseOrderError (and keep the refused PO) when it cannot be placed.
    """
    try:
        with transaction.atomic():
            # A second copy of this PO waits here, then finds the first one's order.
            _lock_purchase_order(connection, order.order_number)
            placed = _placed(connection, order.order_number)
            if placed is not None:
                return Placement(placed.order, placed, duplicate=True)
            # A PO of another number for the same cart waits here, then finds the
            # cart ordered.
            _lock_transfers(connection, order)
            transfers = _transfers(connection, order)
            # A PO merging several carts: the first names the orderer and branch.
            transfer = transfers[0] if transfers else None
            # Resolved first: the address the order ships to decides a direct
            # order's VAT country.
            orderer = Orderer.of(connection, transfer)
            addresses = _Addresses.of(connection, orderer, order)
            if transfer is None:
                currency = connection.channel.currency_code
                agreed = price_direct_order(
                    order,
                    connection,
                    get_active_country(
                        connection.channel, addresses.shipping, addresses.billing
                    ),
                )
            else:
                currency = transfer.currency
                agreed = match_to_transfers(order, connection, transfers)
            saleor_order, lines_info = _create_order(
                connection, order, transfers, agreed, currency, addresses, orderer
            )
            _allocate(saleor_order, lines_info, user or app)
            greeting_cards.record_cards(
                saleor_order,
                greeting_cards.specs_for(agreed, [info.line for info in lines_info]),
                connection.organisation,
                orderer.branch,
            )
            budgets.record_order(
                saleor_order,
                connection.organisation_id,
                orderer.branch.pk if orderer.branch else None,
                transfer.session.member_id if transfer is not None else None,
                transfer,
            )
            record = ReceivedPurchaseOrder.objects.create(
                connection=connection,
                order_number=order.order_number,
                source=source,
                status=ReceivedPurchaseOrder.Status.PLACED,
                transfer=transfer,
                order=saleor_order,
                data=as_json(order),
            )
            OrderedTransfer.objects.bulk_create(
                OrderedTransfer(purchase_order=record, transfer=answered)
                for answered in transfers
            )
            order_info = OrderInfo(
                order=saleor_order,
                customer_email=saleor_order.user_email,
                channel=connection.channel,
                payment=None,
                lines_data=lines_info,
            )
            transaction.on_commit(
                lambda: order_created(
                    order_info=order_info, user=user, app=app, manager=manager
                )
            )
    except IntegrityError:
        # Only a race past the lock can get here (another process placed it first).
        placed = _placed(connection, order.order_number)
        if placed is None:
            raise
        return Placement(placed.order, placed, duplicate=True)
    except PurchaseOrderError as error:
        _keep_refused(connection, order, source, error)
        raise
    return Placement(saleor_order, record, duplicate=False)


def cancel_purchase_order(
    connection: Connection, order_number: str, manager: PluginsManager
) -> Order:
    """Cancel the order a PO became, as Saleor's orderCancel would.

    Raise PurchaseOrderError when no such PO was placed, or when Saleor does not
    allow cancelling it (fulfilled lines, or cancelled already).
    """
    with transaction.atomic():
        _lock_purchase_order(connection, order_number)
        placed = _placed(connection, order_number)
        if placed is None or placed.order is None:
            raise PurchaseOrderError(
                [
                    Problem(
                        "order_number",
                        f"No order was placed for PO {order_number} on this "
                        "connection.",
                        "unknown_order",
                    )
                ]
            )
        order = placed.order
        if not order.can_cancel():
            raise PurchaseOrderError(
                [
                    Problem(
                        "order_number",
                        f"Order {order.number} cannot be cancelled any more: it is "
                        f"{order.status} or has fulfilled lines.",
                        "order_not_cancellable",
                    )
                ]
            )
        budgets.release_order(order)
        greeting_cards.void_cards(order)
        cancel_order(
            order=order,
            user=None,
            app=None,
            manager=manager,
            site_settings=Site.objects.get_current().settings,
        )
    return order


def update_purchase_order(
    connection: Connection, po: PurchaseOrder, manager: PluginsManager
) -> Order:
    """Apply a changed PO (cXML type="update") to the order it placed.

    Saleor lets an order's lines change only while it is unconfirmed (as its own
    orderLinesCreate and orderLineUpdate do); a confirmed order is refused with a
    way out. The changed PO is checked like a new one (cart, quantity rule, price
    tolerance), then the lines, amounts and references are replaced and stock is
    allocated again, in one transaction.
    """
    with transaction.atomic():
        _lock_purchase_order(connection, po.order_number)
        placed = _placed(connection, po.order_number)
        if placed is None or placed.order is None:
            raise PurchaseOrderError(
                [
                    Problem(
                        "order_number",
                        f"No order was placed for PO {po.order_number} on this "
                        "connection.",
                        "unknown_order",
                    )
                ]
            )
        order = placed.order
        if order.status != OrderStatus.UNCONFIRMED:
            raise PurchaseOrderError(
                [
                    Problem(
                        "order_number",
                        f"Order {order.number} is {order.status}: Saleor changes the "
                        "lines of unconfirmed orders only. Cancel it (type=delete) and "
                        "send a new PO, or ask the shop to change it.",
                        "order_not_editable",
                    )
                ]
            )
        transfers = [
            ordered.transfer
            for ordered in placed.ordered_transfers.select_related("transfer")
        ] or ([placed.transfer] if placed.transfer is not None else [])
        agreed = (
            match_to_transfers(po, connection, transfers)
            if transfers
            else price_direct_order(
                po,
                connection,
                get_active_country(
                    order.channel, order.shipping_address, order.billing_address
                ),
            )
        )
        site_settings = Site.objects.get_current().settings
        deallocate_stock_for_orders([order.pk], site_settings, None)
        order.lines.all().delete()
        lines = [_order_line(line, order.currency) for line in agreed]
        for line in lines:
            line.order = order
        OrderLine.objects.bulk_create(lines)
        subtotal = _subtotal(lines, order.currency)
        order.subtotal = order.total = order.undiscounted_total = subtotal
        order.lines_count = len(lines)
        order.customer_note = po.note
        order.store_value_in_metadata(
            {
                key: value
                for key, value in (
                    (BUYER_REFERENCE_KEY, po.buyer_reference),
                    (COST_CENTRE_KEY, po.cost_centre),
                )
                if value
            }
        )
        order.save()
        _allocate(
            order,
            [
                OrderLineInfo(
                    line=line, quantity=line.quantity, variant=agreed_line.variant
                )
                for line, agreed_line in zip(lines, agreed, strict=True)
            ],
            None,
        )
        greeting_cards.replace_cards(
            order,
            greeting_cards.specs_for(agreed, lines),
            connection.organisation,
            Orderer.of(connection, transfers[0] if transfers else None).branch,
        )
        placed.data = as_json(po)
        placed.save(update_fields=["data"])
        budgets.order_changed(order)
        transaction.on_commit(
            lambda: call_order_event(
                manager, WebhookEventAsyncType.ORDER_UPDATED, order
            )
        )
    return order


def _lock_purchase_order(connection: Connection, order_number: str) -> None:
    """Wait until no other transaction places, changes or cancels this PO, and
    hold it so until this transaction ends.

    An advisory lock on (connection, ERP order number), not a row lock on the
    connection: under load a connection row locked for a whole placement held up
    the connection's other POs and punch-ins (their login count update) and every
    insert referring to the connection. Two numbers whose hashes collide only wait
    for each other.
    """
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            [_PO_LOCK_NAMESPACE, f"{connection.pk}:{order_number}"],
        )


def _lock_transfers(connection: Connection, order: PurchaseOrder) -> None:
    """Lock the rows of the transfers the PO names, in one order (no deadlock
    between two POs naming the same carts), until this transaction ends."""
    references = {
        reference
        for line in order.lines
        if (reference := line.transfer_id or order.transfer_id)
    }
    pks = sorted(pk for pk in map(_uuid_or_none, references) if pk is not None)
    if pks:
        list(
            Transfer.objects.select_for_update(of=("self",))
            .filter(pk__in=pks, session__connection=connection)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _placed(connection: Connection, order_number: str) -> ReceivedPurchaseOrder | None:
    return (
        ReceivedPurchaseOrder.objects.select_related("order")
        .filter(
            connection=connection,
            order_number=order_number,
            status=ReceivedPurchaseOrder.Status.PLACED,
        )
        .first()
    )


def _transfers(connection: Connection, order: PurchaseOrder) -> list[Transfer]:
    """The transfers the PO answers, in the order its lines name them (several
    for a PO merging the carts of several requisitions); [] for a direct PO the
    connection allows. Every problem with any of them is reported at once."""
    if order.kind is not OrderKind.NEW:
        raise PurchaseOrderError(
            [
                Problem(
                    "kind",
                    f"A PO {order.kind.value} for an order not placed here cannot be "
                    "applied.",
                    "unknown_order",
                )
            ]
        )
    references = list(
        dict.fromkeys(
            line.transfer_id or order.transfer_id
            for line in order.lines
            if line.transfer_id or order.transfer_id
        )
    )
    if not references:
        if connection.allow_direct_orders:
            return []
        raise PurchaseOrderError(
            [
                Problem(
                    "transfer_id",
                    "This PO names no transferred cart, and this connection does "
                    "not accept direct orders.",
                    "direct_order",
                )
            ]
        )
    problems = [
        Problem(
            "transfer_id",
            "This PO merges several carts, but this line names none of them.",
            "unknown_transfer",
            line.line_number or None,
        )
        for line in order.lines
        if len(references) > 1 and not (line.transfer_id or order.transfer_id)
    ]
    found = {
        transfer.pk: transfer
        for transfer in Transfer.objects.select_related(
            "session__member__user", "session__branch__organisation"
        ).filter(
            pk__in=[pk for pk in map(_uuid_or_none, references) if pk is not None],
            session__connection=connection,
        )
    }
    ordered = set(
        ReceivedPurchaseOrder.objects.filter(
            transfer__in=found.values(), status=ReceivedPurchaseOrder.Status.PLACED
        ).values_list("transfer_id", flat=True)
    ) | set(
        OrderedTransfer.objects.filter(transfer__in=found.values()).values_list(
            "transfer_id", flat=True
        )
    )
    transfers = []
    for reference in references:
        transfer = found.get(_uuid_or_none(reference))  # type: ignore[arg-type]
        if transfer is None:
            # Someone else's transfer is reported like an unknown one.
            problems.append(
                Problem(
                    "transfer_id",
                    f"No cart {reference!r} was transferred on this connection.",
                    "unknown_transfer",
                )
            )
        elif transfer.pk in ordered:
            problems.append(
                Problem(
                    "transfer_id",
                    f"The cart {reference} was already ordered with another PO number."
                    if len(references) > 1
                    else "This cart was already ordered with another PO number.",
                    "transfer_already_ordered",
                )
            )
        elif transfer.superseded_by_id is not None:
            problems.append(
                Problem(
                    "transfer_id",
                    f"The cart {reference} was edited and sent again since (as "
                    f"{transfer.superseded_by_id.hex}); order the newer cart.",
                    "transfer_superseded",
                )
            )
        else:
            transfers.append(transfer)
    if problems:
        raise PurchaseOrderError(problems)
    return transfers


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Orderer:
    """Who ordered, for which branch, on which cost centre.

    The transferred cart's session tells: its member (else the connection's
    customer), the branch and cost centre chosen in it (else the connection's
    branch and its default). A direct PO has no session: the connection's.
    """

    user: User
    branch: Branch | None
    cost_centre: str
    # The ShipTo of the cXML PunchOutSetupRequest that opened the session.
    ship_to: PostalAddress | None = None

    @classmethod
    def of(cls, connection: Connection, transfer: Transfer | None) -> "Orderer":
        session = transfer.session if transfer is not None else None
        member = session.member if session is not None else None
        branch = (
            session.branch
            if session is not None and session.branch_id is not None
            else connection.branch
        )
        return cls(
            user=member.user if member is not None else connection.customer,
            branch=branch,
            cost_centre=(session.cost_centre if session is not None else "")
            or (branch.default_cost_centre if branch else ""),
            ship_to=_ship_to(session),
        )


def _ship_to(session) -> PostalAddress | None:
    data = (session.cxml_context or {}).get("ship_to") if session else None
    return PostalAddress(**data) if data else None


@dataclass(frozen=True)
class _Addresses:
    """The order's addresses: the PO's (stored new), else copies of the branch's,
    else of the organisation's, else of the connection's customer's."""

    billing: Address | None
    shipping: Address | None

    @classmethod
    def of(
        cls, connection: Connection, orderer: Orderer, po: PurchaseOrder
    ) -> "_Addresses":
        branch = orderer.branch
        organisation = connection.organisation
        customer = connection.customer
        return cls(
            billing=_address(
                po.billing_address,
                branch.invoice_address if branch else None,
                organisation.invoice_address,
                customer.default_billing_address,
            ),
            shipping=_address(
                po.delivery_address,
                orderer.ship_to,
                branch.delivery_address if branch else None,
                organisation.delivery_address,
                customer.default_shipping_address,
            ),
        )


def _create_order(
    connection: Connection,
    po: PurchaseOrder,
    transfers: list[Transfer],
    agreed: list[AgreedLine],
    currency: str,
    addresses: _Addresses,
    orderer: Orderer,
) -> tuple[Order, list[OrderLineInfo]]:
    """The order; ``transfers`` is empty for a direct PO (no cart, no checkout).
    A PO merging several carts records them all (``oci.transfer``: their
    references, comma-separated, in the order the PO names them)."""
    transfer = transfers[0] if transfers else None
    channel = connection.channel
    customer = orderer.user
    branch = orderer.branch
    lines = [_order_line(line, currency) for line in agreed]
    subtotal = _subtotal(lines, currency)
    zero = TaxedMoney(Money(0, currency), Money(0, currency))
    cost_centre = po.cost_centre or orderer.cost_centre
    metadata = {
        PO_NUMBER_KEY: po.order_number,
        **(
            {TRANSFER_KEY: ",".join(answered.reference for answered in transfers)}
            if transfers
            else {}
        ),
        **({BUYER_REFERENCE_KEY: po.buyer_reference} if po.buyer_reference else {}),
        **({COST_CENTRE_KEY: cost_centre} if cost_centre else {}),
        **({BRANCH_KEY: str(branch.pk)} if branch else {}),
    }
    order = Order.objects.create(
        status=(
            OrderStatus.UNFULFILLED
            if channel.automatically_confirm_all_new_orders
            else OrderStatus.UNCONFIRMED
        ),
        origin=OrderOrigin.CHECKOUT,
        checkout_token=str(transfer.session.checkout_id or "") if transfer else "",
        channel=channel,
        user=customer,
        user_email=customer.email,
        currency=currency,
        billing_address=addresses.billing,
        shipping_address=addresses.shipping,
        external_reference=external_reference(connection, po.order_number),
        customer_note=po.note,
        lines_count=len(lines),
        subtotal=subtotal,
        total=subtotal,
        undiscounted_total=subtotal,
        shipping_price=zero,
        base_shipping_price_amount=Decimal(0),
        undiscounted_base_shipping_price_amount=Decimal(0),
        should_refresh_prices=False,
        display_gross_prices=channel.tax_configuration.display_gross_prices,
        metadata=metadata,
    )
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    lines_info = [
        OrderLineInfo(line=line, quantity=line.quantity, variant=agreed_line.variant)
        for line, agreed_line in zip(lines, agreed, strict=True)
    ]
    return order, lines_info


def _subtotal(lines: list[OrderLine], currency: str) -> TaxedMoney:
    """Net of all lines; VAT rounded once per rate, as on the e-invoice.

    EN 16931 (BR-CO-17) computes each VAT rate's amount from that rate's taxable
    total; rounding per line instead can differ by cents, and the invoice would no
    longer agree with the order.
    """
    net_by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        rate = line.tax_rate or Decimal(0)
        net_by_rate[rate] = (
            net_by_rate.get(rate, Decimal(0)) + line.total_price.net.amount
        )
    net = sum(net_by_rate.values(), Decimal(0))
    # Money rounds half-up, as EN 16931 does (a plain Decimal would round half-even).
    tax = sum(
        (
            quantize_price(Money(amount * rate, currency), currency)
            for rate, amount in net_by_rate.items()
        ),
        Money(0, currency),
    )
    return TaxedMoney(Money(net, currency), Money(net, currency) + tax)


def _order_line(line: AgreedLine, currency: str) -> OrderLine:
    variant = line.variant
    product = variant.product
    unit_net = Money(line.unit_price_net, currency)
    unit = quantize_price(
        TaxedMoney(unit_net, unit_net * (1 + line.tax_rate)), currency
    )
    total_net = quantize_price(unit_net * line.quantity, currency)
    total = TaxedMoney(
        total_net, quantize_price(total_net * (1 + line.tax_rate), currency)
    )
    po_line = line.po_line
    metadata = {
        PO_LINE_KEY: po_line.line_number,
        **({NZI_KEY: line.nzi_code} if line.nzi_code else {}),
        **({COST_CENTRE_KEY: po_line.cost_centre} if po_line.cost_centre else {}),
        **({CARD_TEXT_KEY: line.card_text} if line.card_text else {}),
    }
    return OrderLine(
        variant=variant,
        product_name=product.name,
        variant_name=variant.name,
        product_sku=variant.sku,
        product_variant_id=variant.get_global_id(),
        product_type_id=product.product_type_id,
        is_shipping_required=variant.is_shipping_required(),
        is_gift_card=False,
        quantity=line.quantity,
        currency=currency,
        unit_price=unit,
        undiscounted_unit_price=unit,
        total_price=total,
        undiscounted_total_price=total,
        base_unit_price_amount=unit.net.amount,
        undiscounted_base_unit_price_amount=unit.net.amount,
        tax_rate=line.tax_rate,
        metadata=metadata,
    )


def _address(*candidates: PostalAddress | Address | None) -> Address | None:
    """The first address given: a PO's (stored new) or one of the shop's (copied)."""
    for candidate in candidates:
        if isinstance(candidate, PostalAddress):
            first_name, _, last_name = candidate.name.rpartition(" ")
            return Address.objects.create(
                first_name=first_name or last_name,
                last_name=last_name if first_name else "",
                company_name=candidate.company,
                street_address_1=candidate.street,
                street_address_2=candidate.street2,
                city=candidate.city,
                postal_code=candidate.postcode,
                country=candidate.country,
                country_area=candidate.country_area,
                phone=candidate.phone,
            )
        if isinstance(candidate, Address):
            return candidate.get_copy()
    return None


def _allocate(order: Order, lines_info: list[OrderLineInfo], requestor) -> None:
    site_settings = Site.objects.get_current().settings
    address = order.shipping_address or order.billing_address
    country = address.country.code if address else order.channel.default_country.code
    try:
        allocate_stocks(
            [
                info
                for info in lines_info
                if info.variant and info.variant.track_inventory
            ],
            country,
            order.channel,
            site_settings,
            requestor,
            check_reservations=is_reservation_enabled(site_settings),
            calculate_stocks_with_shipping_zones=(
                site_settings.use_legacy_shipping_zone_stock_availability
            ),
        )
    except InsufficientStock as error:
        raise PurchaseOrderError(
            [
                Problem(
                    "quantity",
                    f"Not enough stock for {item.variant}.",
                    "insufficient_stock",
                    _po_line_number(lines_info, item),
                )
                for item in error.items
            ]
        ) from error


def _po_line_number(lines_info: list[OrderLineInfo], item) -> str | None:
    for info in lines_info:
        if info.line == item.order_line or info.variant == item.variant:
            return info.line.metadata.get(PO_LINE_KEY)
    return None


def _keep_refused(
    connection: Connection, order: PurchaseOrder, source: str, error: PurchaseOrderError
) -> None:
    ReceivedPurchaseOrder.objects.create(
        connection=connection,
        order_number=order.order_number[:128],
        source=source,
        status=ReceivedPurchaseOrder.Status.REFUSED,
        data=as_json(order),
        errors=[
            {
                "field": problem.field,
                "code": problem.code,
                "message": problem.message,
                "line": problem.line,
            }
            for problem in error.problems
        ],
    )
