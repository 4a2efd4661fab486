"""Sending a session's cart back to the procurement system, frozen as a Transfer.

The checkout is checked the way Saleor checks one before completing it (available
variants, stock, prices and taxes from Saleor's own calculations), then its lines
become OCI items, the return form is rendered for the punch-in's HOOK_URL, target
and charset, and what was offered is stored with a content hash. The purchase order
that comes back names the transfer (EXT_QUOTE_ID) and is checked against it.
"""

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from saleor.checkout.calculations import fetch_checkout_data
from saleor.checkout.fetch import fetch_checkout_info, fetch_checkout_lines
from saleor.checkout.models import Checkout
from saleor.checkout.utils import get_checkout_metadata
from saleor.core.exceptions import InsufficientStock
from saleor.plugins.manager import PluginsManager
from saleor.site.models import Site
from saleor.warehouse.availability import check_stock_and_preorder_quantity_bulk

from .. import oci
from ..cards.layout import WITH_LOGO_NOTE
from ..dataclasses import OCIConfiguration
from ..error_codes import OciErrorCode
from . import codec_settings, cxml_transfer, gate, items
from .models import PunchoutSession, Transfer
from .sessions import ensure_session_editable, ensure_session_open


@dataclass(frozen=True)
class SentForm:
    """What the storefront shows to send the cart: the form and its warnings."""

    transfer: Transfer | None
    session: PunchoutSession
    fields: tuple[tuple[str, str], ...]
    html: str
    warnings: tuple[oci.FieldWarning, ...]
    # Soft budgets this cart goes over (the storefront shows them).
    budget_warnings: tuple[str, ...] = ()


def transfer_checkout(
    checkout: Checkout, manager: PluginsManager, config: OCIConfiguration
) -> SentForm:
    """Freeze the session's cart and render the form that sends it; close the session.

    Raise a ValidationError (OciErrorCode) and write nothing when the checkout is
    not an open punch-out session's, is empty, or cannot be ordered as it is.
    """
    with transaction.atomic():
        session = _lock_open_session(checkout)
        try:
            ensure_session_editable(session)
        except ValidationError as error:
            raise ValidationError({"id": error}) from error
        connection = session.connection
        lines, unavailable_variant_pks = fetch_checkout_lines(
            checkout, skip_lines_with_unavailable_variants=False
        )
        if not lines:
            raise _error("checkout", "The cart is empty.", OciErrorCode.EMPTY_CART)
        unavailable = [
            line for line in lines if line.variant.pk in set(unavailable_variant_pks)
        ]
        if unavailable:
            raise _error(
                "lines",
                "No longer available in this shop: "
                + ", ".join(items.describe(line.variant) for line in unavailable)
                + ". Remove them from the cart.",
                OciErrorCode.PRODUCT_UNAVAILABLE,
            )
        # The hard gate (assortment, inactive channel) and the one price rule.
        prices = gate.check_cart(session, lines)
        checkout_info = fetch_checkout_info(checkout, lines, manager)
        _check_stock(checkout_info, lines)
        checkout_info, lines = fetch_checkout_data(
            checkout_info, manager=manager, lines=lines, requestor=None
        ).get()

        currency = checkout.currency
        variants = [line.variant for line in lines]
        items.prefetch_for_items(variants)
        nzi = items.nzi_codes(variants, connection, config)
        checkout_card = _card(get_checkout_metadata(checkout), for_order=True)
        cards = [_card(line.line) or checkout_card for line in lines]
        extra = (
            {codec_settings.COST_CENTRE_KEY: session.cost_centre}
            if session.cost_centre
            else {}
        )
        cart = [
            items.cart_item(
                line_number=number,
                variant=line.variant,
                quantity=Decimal(line.line.quantity),
                # OCI prices are net: business buyers book VAT separately. The one
                # rule (offer.py), so VALIDATE and the catalogue said the same.
                unit_price=prices.unit_prices[line.line.pk],
                currency=currency,
                nzi_code=nzi[line.variant.pk],
                card_text=card.oci_text if card else "",
                tax_rate=(line.line.tax_rate or Decimal(0)) * 100,
                extra=extra,
            )
            for number, (line, card) in enumerate(zip(lines, cards, strict=True), 1)
        ]
        transfer_id = uuid.uuid4()
        if session.protocol == PunchoutSession.Protocol.CXML:
            # A cXML session answers with a PunchOutOrderMessage instead.
            message = cxml_transfer.order_message_form(
                session, cart, lines, transfer_id.hex
            )
            fields, html = message.fields, message.html
            warnings: tuple[oci.FieldWarning, ...] = ()
        else:
            encoded = _encode(cart, session, transfer_id.hex)
            form = _render(encoded.fields, session)
            fields, html = encoded.fields, form.body.decode(form.charset.codec)
            warnings = (*encoded.warnings, *form.warnings)
        snapshot = [
            _snapshot_line(item, line, card, checkout_card)
            for item, line, card in zip(cart, lines, cards, strict=True)
        ]
        transfer = Transfer.objects.create(
            id=transfer_id,
            session=session,
            currency=currency,
            snapshot=snapshot,
            content_hash=content_hash(snapshot),
            fields=[list(field) for field in fields],
            warnings=[asdict(warning) for warning in warnings],
        )
        # First the edited cart's old transfers go (their holds with them), so
        # that the budget check does not count the same cart twice.
        cxml_transfer.supersede(session, transfer)
        budget_warnings = gate.hold_budget(transfer, session, cart)
        session.status = PunchoutSession.Status.TRANSFERRED
        session.save(update_fields=["status"])
    return SentForm(
        transfer=transfer,
        session=session,
        fields=fields,
        html=html,
        warnings=warnings,
        budget_warnings=budget_warnings,
    )


def cancel_checkout(checkout: Checkout) -> SentForm:
    """Close the session and render the empty-cart form (the buyer cancelled)."""
    with transaction.atomic():
        session = _lock_open_session(checkout)
        session.status = PunchoutSession.Status.CANCELLED
        session.save(update_fields=["status"])
    if session.protocol == PunchoutSession.Protocol.CXML:
        message = cxml_transfer.cancel_form(session)
        return SentForm(
            transfer=None,
            session=session,
            fields=message.fields,
            html=message.html,
            warnings=(),
        )
    form = _render((), session)
    return SentForm(
        transfer=None,
        session=session,
        fields=(),
        html=form.body.decode(form.charset.codec),
        warnings=form.warnings,
    )


def content_hash(snapshot: list[dict]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_open_session(checkout: Checkout) -> PunchoutSession:
    # The organisation's row too: it serialises the organisation's transfers, so
    # that the budget check (buyers/budgets.py) reads, in a statement started
    # after this lock, every hold committed before. No key update: rows that
    # merely refer to the organisation can still be written meanwhile.
    session = (
        PunchoutSession.objects.select_for_update(
            of=("self", "connection__organisation"), no_key=True
        )
        .select_related("connection__organisation")
        .filter(checkout_id=checkout.pk)
        .first()
    )
    if session is None:
        raise _error(
            "id",
            "This checkout was not opened by a punch-in; complete it as usual.",
            OciErrorCode.NOT_PUNCHOUT_CHECKOUT,
        )
    try:
        ensure_session_open(session)
    except ValidationError as error:
        raise ValidationError({"id": error}) from error
    return session


def _check_stock(checkout_info, lines) -> None:
    try:
        check_stock_and_preorder_quantity_bulk(
            [line.variant for line in lines],
            checkout_info.checkout.get_country(),
            [line.line.quantity for line in lines],
            checkout_info.channel.slug,
            global_quantity_limit=None,
            delivery_method_info=checkout_info.get_delivery_method_info(),
            existing_lines=lines,
            replace=True,
            check_reservations=True,
            include_shipping_zones=(
                Site.objects.get_current().settings.use_legacy_shipping_zone_stock_availability
            ),
        )
    except InsufficientStock as error:
        short = ", ".join(
            f"{items.describe(item.variant)} ({item.available_quantity or 0} in stock)"
            for item in error.items
            if item.variant is not None
        )
        raise _error(
            "lines", f"Not enough stock for: {short}.", OciErrorCode.INSUFFICIENT_STOCK
        ) from error


def _encode(
    cart: list[oci.CartItem], session: PunchoutSession, transfer_id: str
) -> oci.EncodedCart:
    return oci.encode_cart(
        cart,
        codec_settings.oci_mapping(session.connection),
        transfer_id=transfer_id,
        oci_version=oci.parse_oci_version(session.oci_version) or oci.OCIVersion.V4_0,
        charset=session.charset or None,
    )


def _render(fields, session: PunchoutSession) -> oci.ReturnForm:
    # Echo values are stored as received, "" when the punch-in had none.
    return oci.render_return_form(
        fields,
        hook_url=session.hook_url,
        target=session.target or None,
        okcode=session.okcode or None,
        caller=session.caller or None,
        charset=session.charset or None,
    )


@dataclass(frozen=True)
class _Card:
    text: str
    with_logo: bool
    # Set on the whole cart rather than on this line.
    for_order: bool

    @property
    def oci_text(self) -> str:
        """The text in the OCI long text (cXML comments), saying the logo is on it."""
        return f"{self.text}\n{WITH_LOGO_NOTE}" if self.with_logo else self.text


def _card(owner, for_order: bool = False) -> _Card | None:
    metadata = (owner.private_metadata or {}) if owner else {}
    text = metadata.get(items.CARD_TEXT_KEY, "")
    if not text:
        return None
    return _Card(
        text=text,
        with_logo=metadata.get(items.CARD_LOGO_KEY) == "true",
        for_order=for_order,
    )


def _snapshot_line(
    item: oci.CartItem, line, card: _Card | None, order_card: _Card | None
) -> dict:
    return {
        "line_number": item.line_number,
        "checkout_line_id": str(line.line.pk),
        "variant_id": line.variant.pk,
        "sku": item.sku,
        "description": item.description,
        "quantity": str(item.quantity),
        "unit": item.unit,
        "unit_price_net": str(item.unit_price),
        "unit_price_gross": str(
            line.line.total_price.gross.amount / line.line.quantity
        ),
        "tax_rate": str(item.tax_rate),
        "currency": item.currency,
        "nzi_code": item.nzi_code,
        "card_text": card.text if card else "",
        "card_with_logo": bool(card and card.with_logo),
        "card_for_order": bool(card and card.for_order),
        # The whole cart's card on every line: printed once for the order, even
        # when every line has a card of its own.
        "order_card_text": order_card.text if order_card else "",
        "order_card_with_logo": bool(order_card and order_card.with_logo),
    }


def _error(field: str, message: str, code: OciErrorCode) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code.value)})
