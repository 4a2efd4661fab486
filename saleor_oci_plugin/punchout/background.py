"""The OCI functions answered on the punch-in URL: VALIDATE, BACKGROUND_SEARCH, DETAIL.

The view has checked the login (and, for DETAIL, HOOK_URL) before calling
:func:`answer`; every answer is given on the punch-in URL, without redirect.

**Which products.** Only the connection's channel counts, seen as a customer of that
channel sees it. ``PRODUCTID`` is what the shop sent out as the item's SKU
(NEW_ITEM-VENDORMAT, EXT_PRODUCT_ID): the variant's SKU, or its database id for a
variant without one (which :func:`.items.cart_item` sends instead). A variant is
*offered* when Saleor shows it to a customer of the channel (product published and
visible in listings there, variant priced there) and *available* when its product is
also available for purchase now and Saleor's stock and preorder checks pass in the
channel's warehouses (reservations by other checkouts and Saleor's quantity limits
included, as when adding it to a checkout).

**Items.** Products are described by :mod:`.items` (NZI codes, units, descriptions)
and encoded with the connection's mapping (:func:`.codec_settings.oci_mapping`) the way
a cart transfer is, without transfer id, in the punch-in's OCI version and charset.
The price is the unit net price of :mod:`.offer` (the one rule the catalogue, the
transfer and direct purchase orders use), and what is found is what the
connection is offered: its branch's assortment, else its organisation's.

**Answers.**

* VALIDATE (PRODUCTID, QUANTITY): 200, the one item at QUANTITY as form fields.
* BACKGROUND_SEARCH (SEARCHSTRING): 200, one item (quantity 1) per available variant
  whose product name, variant name or SKU contains every word of SEARCHSTRING
  (case-insensitive; the first :data:`MAX_SEARCH_WORDS` words count), ordered by
  product name, at most :data:`SEARCH_LIMIT` items; when more match, the header
  :data:`TRUNCATED_HEADER` says so. Nothing found: 200 with an empty body.
* DETAIL (PRODUCTID): 200, an HTML page (UTF-8) with the product's name, SKU, price,
  availability and description as plain text.

**Refusals** are the HTML page the view refuses with (:func:`.pages.refusal_page`),
so a caller handles one kind of refusal; it carries no NEW_ITEM fields, so read as a
form it is an empty item list:

* 404 "Product not found": PRODUCTID names no variant offered in the channel (unknown,
  only in another channel, unpublished, hidden or unpriced, or the channel is
  inactive: the answer does not say which);
* 409 "Product not available" (VALIDATE): offered but not available for purchase now;
* 409 "Not enough stock" (VALIDATE): fewer than QUANTITY available, saying how many;
* 409 "Quantity over limit" (VALIDATE): above Saleor's limit per customer or checkout;
* 400 "Invalid quantity" (VALIDATE): QUANTITY is not a whole number (Saleor sells
  whole units) or too long for the QUANTITY field;
* 503 "Punch-out is not set up": the connection's OCI settings are invalid, or the
  product cannot be written as OCI fields (a unit missing from the connection's unit
  table, ...). A search leaves such products out instead of refusing.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.utils import timezone
from saleor.channel.models import Channel
from saleor.core.editorjs.converters import editorjs_to_text
from saleor.core.exceptions import InsufficientStock
from saleor.product.models import (
    Product,
    ProductChannelListing,
    ProductVariant,
)
from saleor.site.models import SiteSettings
from saleor.warehouse.availability import (
    check_preorder_threshold_bulk,
    check_stock_quantity_bulk,
)
from saleor.warehouse.models import Stock
from saleor.warehouse.reservations import is_reservation_enabled

from .. import oci
from ..dataclasses import OCIConfiguration
from . import catalogue, codec_settings
from .items import cart_item, describe, nzi_codes, shop_unit
from .models import Connection
from .offer import Offer
from .pages import refusal_page

SEARCH_LIMIT = 50
# Words of SEARCHSTRING that count; more would only make the query slower.
MAX_SEARCH_WORDS = 10
TRUNCATED_HEADER = "X-OCI-Results-Truncated"

NOT_SET_UP = "Punch-out is not set up"
_NUL = "\x00"


@dataclass(frozen=True)
class _Shop:
    """The channel a connection buys in, and Saleor's stock rules for it."""

    channel: Channel
    offer: Offer
    country_code: str
    include_shipping_zones: bool
    check_reservations: bool
    quantity_limit_per_checkout: int | None

    @classmethod
    def of(cls, connection: Connection) -> "_Shop":
        # Read afresh: Site.objects.get_current() keeps the settings it first loaded
        # for the life of the process, and stock rules may change meanwhile.
        site_settings = SiteSettings.objects.get(site_id=Site.objects.get_current().pk)
        # No person: the connection's branch's assortment, else the
        # organisation's. The offer loads the channel too.
        offer = Offer.of(connection)
        channel = offer.channel
        return cls(
            channel=channel,
            offer=offer,
            country_code=channel.default_country.code,
            include_shipping_zones=(
                site_settings.use_legacy_shipping_zone_stock_availability
            ),
            check_reservations=is_reservation_enabled(site_settings),
            quantity_limit_per_checkout=site_settings.limit_quantity_per_checkout,
        )


class _Refusal(Exception):
    def __init__(self, status: int, title: str, *reasons: str) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.reasons = list(reasons)

    def page(self) -> HttpResponse:
        return refusal_page(self.status, self.title, self.reasons)


def answer(
    punch_in: oci.PunchIn, connection: Connection, config: OCIConfiguration
) -> HttpResponse:
    """Answer a VALIDATE, BACKGROUND_SEARCH or DETAIL call (module docstring)."""
    function = punch_in.function
    try:
        shop = _Shop.of(connection)
        if function is oci.OCIFunction.VALIDATE:
            return _validate(punch_in, connection, config, shop)
        if function is oci.OCIFunction.BACKGROUND_SEARCH:
            return _search(punch_in, connection, config, shop)
        if function is oci.OCIFunction.DETAIL:
            return _detail(punch_in, shop)
    except _Refusal as refusal:
        return refusal.page()
    except ValidationError as error:
        # Saleor's quantity limit check. VALIDATE handles it itself; searches and
        # DETAIL ask for one unit, so only a limit stored below one gets here.
        return refusal_page(409, "Quantity over limit", error.messages)
    return refusal_page(
        400, "Not a background function", [f"{function.value!r} is not answered here."]
    )


# ---------------------------------------------------------------------- VALIDATE
def _validate(
    punch_in: oci.PunchIn, connection: Connection, config: OCIConfiguration, shop: _Shop
) -> HttpResponse:
    quantity = punch_in.quantity
    if quantity is None or quantity != quantity.to_integral_value():
        raise _Refusal(
            400,
            "Invalid quantity",
            f"QUANTITY {punch_in.quantity} is not a whole number; this shop sells "
            "whole units.",
        )
    variant = _find_offered(punch_in.product_id, shop)
    name = f"{describe(variant)} (SKU {punch_in.product_id})"
    if not catalogue.available_for_purchase(variant):
        raise _Refusal(
            409, "Product not available", f"{name} is not available for purchase."
        )
    try:
        shortfalls = _stock_shortfalls([variant], [int(quantity)], shop, limits=True)
    except ValidationError as error:
        raise _Refusal(409, "Quantity over limit", *error.messages) from error
    if variant.pk in shortfalls:
        raise _Refusal(
            409,
            "Not enough stock",
            f"{name}: {quantity} asked, {shortfalls[variant.pk]} available.",
        )
    items = _cart_items([variant], quantity, connection, config, shop.offer)
    try:
        return _background_response(items, connection, punch_in)
    except oci.CartEncodeError as error:
        if all(problem.field == "QUANTITY" for problem in error.problems):
            raise _Refusal(400, "Invalid quantity", *_reasons(error)) from error
        raise _Refusal(
            503, NOT_SET_UP, f"{name} cannot be sent as OCI fields:", *_reasons(error)
        ) from error


# ------------------------------------------------------------- BACKGROUND_SEARCH
def _search(
    punch_in: oci.PunchIn, connection: Connection, config: OCIConfiguration, shop: _Shop
) -> HttpResponse:
    words = punch_in.search_string.split()[:MAX_SEARCH_WORDS]
    if any(_NUL in word for word in words):  # PostgreSQL refuses it; nothing has it
        return _background_response([], connection, punch_in)
    matches = Q()
    for word in words:
        matches &= (
            Q(product__name__icontains=word)
            | Q(name__icontains=word)
            | Q(sku__icontains=word)
        )
    purchasable_now = ProductChannelListing.objects.filter(
        product_id=OuterRef("product_id"),
        channel_id=shop.channel.pk,
        available_for_purchase_at__lte=timezone.now(),
    )
    # Stock is checked in the query too, so that the limit counts available
    # products; Saleor's own check below then adds reservations and preorders.
    candidates = list(
        catalogue.offered_variants(shop.offer)
        .filter(matches, Exists(purchasable_now), _may_have_stock(shop))
        .order_by("product__name", "product_id", "sort_order", "sku", "pk")[
            : SEARCH_LIMIT + 1
        ]
    )
    truncated = len(candidates) > SEARCH_LIMIT
    candidates = candidates[:SEARCH_LIMIT]
    shortfalls = _stock_shortfalls(candidates, [1] * len(candidates), shop)
    found = [variant for variant in candidates if variant.pk not in shortfalls]
    items = _cart_items(found, Decimal(1), connection, config, shop.offer)
    try:
        response = _background_response(items, connection, punch_in)
    except oci.CartEncodeError as error:
        # One product the connection cannot describe must not hide the others.
        unwritable = {problem.line for problem in error.problems}
        if None in unwritable:
            raise _Refusal(503, NOT_SET_UP, *_reasons(error)) from error
        writable = [
            item
            for position, item in enumerate(items, start=1)
            if position not in unwritable
        ]
        renumbered = [
            dataclasses.replace(item, line_number=position)
            for position, item in enumerate(writable, start=1)
        ]
        try:
            response = _background_response(renumbered, connection, punch_in)
        except oci.CartEncodeError as second_error:
            raise _Refusal(503, NOT_SET_UP, *_reasons(second_error)) from second_error
    if truncated:
        response[TRUNCATED_HEADER] = (
            f"more than {SEARCH_LIMIT} products match; the first {SEARCH_LIMIT} "
            "by name are answered, refine SEARCHSTRING"
        )
    return response


def _may_have_stock(shop: _Shop) -> Q:
    """Variants Saleor may find stock for: untracked, preorder, or stock on hand."""
    stock_on_hand = (
        Stock.objects.for_channel_or_country(
            shop.channel.slug,
            shop.country_code,
            include_shipping_zones=shop.include_shipping_zones,
            include_cc_warehouses=True,  # as Saleor's check without delivery method
        )
        .annotate_available_quantity()
        .filter(product_variant_id=OuterRef("pk"), available_quantity__gt=0)
    )
    return Q(track_inventory=False) | Q(is_preorder=True) | Q(Exists(stock_on_hand))


# ------------------------------------------------------------------------ DETAIL
DETAIL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name}</title></head>
<body><h1>{name}</h1>
<dl>
<dt>Article number</dt><dd>{sku}</dd>
<dt>Price</dt><dd>{price}</dd>
<dt>Availability</dt><dd>{availability}</dd>
</dl>
<p>{description}</p>
</body></html>
"""


def _detail(punch_in: oci.PunchIn, shop: _Shop) -> HttpResponse:
    variant = _find_offered(punch_in.product_id, shop)
    listing = catalogue.variant_listing(variant)
    price = shop.offer.unit_price(variant, listing)
    unit = shop_unit(variant)
    if not catalogue.available_for_purchase(variant):
        availability = "Not available for purchase"
    elif variant.pk in _stock_shortfalls([variant], [1], shop):
        availability = "Out of stock"
    else:
        availability = "In stock"
    page = DETAIL_PAGE.format(
        name=escape(describe(variant)),
        sku=escape(variant.sku or str(variant.pk)),
        price=escape(
            f"{price.currency} {oci.format_decimal(price.amount, 2)}"
            + (f" per {unit}" if unit else "")
            + " excl. VAT"
        ),
        availability=escape(availability),
        description=escape(_plain_description(variant.product)),
    )
    return HttpResponse(page, content_type="text/html; charset=utf-8")


def _plain_description(product: Product) -> str:
    if product.description_plaintext:
        return product.description_plaintext
    try:
        return editorjs_to_text(product.description)
    except ValidationError:  # stored content that is not EditorJS: show none
        return ""


# ---------------------------------------------------------------------- catalogue
def _find_offered(product_id: str, shop: _Shop) -> ProductVariant:
    """The offered variant ``product_id`` names; refuse with 404 when none."""
    names = catalogue.product_id_filter(product_id)
    if names is None:
        raise _not_found(product_id)
    variant = (
        catalogue.offered_variants(shop.offer).filter(names).order_by("pk").first()
    )
    if variant is None or not catalogue.is_priced(variant):
        raise _not_found(product_id)
    return variant


def _not_found(product_id: str) -> _Refusal:
    return _Refusal(
        404,
        "Product not found",
        f"No product with SKU {product_id!r} is offered to this connection.",
    )


def _stock_shortfalls(
    variants: Sequence[ProductVariant],
    quantities: Sequence[int],
    shop: _Shop,
    *,
    limits: bool = False,
) -> dict[int, int]:
    """Variant pk -> quantity available, for each variant short of its quantity.

    Saleor's checks as adding to a checkout makes them, in a fixed number of queries.
    With ``limits``, Saleor's quantity limits apply too (a ValidationError).
    """
    preorder = [
        (variant, quantity)
        for variant, quantity in zip(variants, quantities, strict=True)
        if variant.is_preorder_active()
    ]
    stocked = [
        (variant, quantity)
        for variant, quantity in zip(variants, quantities, strict=True)
        if not variant.is_preorder_active()
    ]
    limit = shop.quantity_limit_per_checkout if limits else None
    shortfalls: dict[int, int] = {}
    # Checked apart: Saleor's combined check stops at the first kind that fails.
    for group, check in ((stocked, _check_stock), (preorder, _check_preorder)):
        if not group:
            continue
        try:
            check([variant for variant, _ in group], [q for _, q in group], shop, limit)
        except InsufficientStock as error:
            for item in error.items:
                pk = item.variant.pk
                shortfalls[pk] = min(
                    item.available_quantity, shortfalls.get(pk, item.available_quantity)
                )
    return shortfalls


def _check_stock(
    variants: list[ProductVariant],
    quantities: list[int],
    shop: _Shop,
    limit: int | None,
) -> None:
    check_stock_quantity_bulk(
        variants,
        shop.country_code,
        quantities,
        shop.channel.slug,
        limit,
        include_shipping_zones=shop.include_shipping_zones,
        check_reservations=shop.check_reservations,
    )


def _check_preorder(
    variants: list[ProductVariant],
    quantities: list[int],
    shop: _Shop,
    limit: int | None,
) -> None:
    check_preorder_threshold_bulk(
        variants,
        quantities,
        shop.channel.slug,
        limit,
        check_reservations=shop.check_reservations,
    )


# ------------------------------------------------------------------------ answers
def _cart_items(
    variants: Sequence[ProductVariant],
    quantity: Decimal,
    connection: Connection,
    config: OCIConfiguration,
    offer: Offer,
) -> list[oci.CartItem]:
    codes = nzi_codes(variants, connection, config)
    items = []
    for line_number, variant in enumerate(variants, start=1):
        price = offer.unit_price(variant, catalogue.variant_listing(variant))
        items.append(
            cart_item(
                line_number=line_number,
                variant=variant,
                quantity=quantity,
                unit_price=price.amount,
                currency=price.currency,
                nzi_code=codes[variant.pk],
            )
        )
    return items


def _background_response(
    items: Sequence[oci.CartItem], connection: Connection, punch_in: oci.PunchIn
) -> HttpResponse:
    """The items as a background answer; raise CartEncodeError if they cannot be."""
    try:
        mapping = codec_settings.oci_mapping(connection)
    except oci.SettingsError as error:
        raise _Refusal(
            503,
            NOT_SET_UP,
            "This connection's OCI settings are not valid:",
            *_reasons(error),
        ) from error
    fields: Sequence[tuple[str, str]] = ()
    if items:
        fields = oci.encode_cart(
            items,
            mapping,
            oci_version=punch_in.oci_version,
            charset=punch_in.charset,
        ).fields
    encoded = oci.encode_background_answer(fields, charset=punch_in.charset)
    return HttpResponse(encoded.body, content_type=encoded.content_type)


def _reasons(error: oci.OCIError) -> list[str]:
    return [
        f"{problem.field}"
        + (f" (item {problem.line})" if problem.line is not None else "")
        + f": {problem.message}"
        for problem in error.problems
    ]
