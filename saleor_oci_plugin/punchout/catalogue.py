"""The offered variants (:mod:`.offer`) with what describing and pricing them needs.

Shared by the background functions (VALIDATE, DETAIL, BACKGROUND_SEARCH) and direct
purchase orders, so that a SKU the shop would not show to the buyer cannot be
ordered either.
"""

from django.db.models import Prefetch, Q, QuerySet
from saleor.product.models import (
    ProductChannelListing,
    ProductVariant,
    ProductVariantChannelListing,
)

from .offer import Offer

# Where the prefetched listings (in the channel) of a variant and of its product are
# kept.
LISTINGS = "oci_channel_listings"

_NUL = "\x00"


def offered_variants(offer: Offer) -> QuerySet[ProductVariant]:
    """The variants offered, with what describing and pricing them needs."""
    channel = offer.channel
    return (
        offer.variants()
        .select_related("product__category", "product__product_type")
        .prefetch_related(
            Prefetch(
                "channel_listings",
                queryset=ProductVariantChannelListing.objects.filter(
                    channel_id=channel.pk
                ),
                to_attr=LISTINGS,
            ),
            Prefetch(
                "product__channel_listings",
                queryset=ProductChannelListing.objects.filter(channel_id=channel.pk),
                to_attr=LISTINGS,
            ),
        )
    )


def product_id_filter(product_id: str) -> Q | None:
    """The variants an OCI product id names; None when it can name none.

    The id is what the shop sent out as the item's SKU: the variant's SKU, or its
    database id for a variant without one (``items.cart_item``).
    """
    if _NUL in product_id:  # PostgreSQL refuses it in a query; no SKU has it
        return None
    names = Q(sku=product_id)
    if product_id.isascii() and product_id.isdigit() and len(product_id) < 19:
        names |= Q(pk=int(product_id)) & (Q(sku__isnull=True) | Q(sku=""))
    return names


def product_id(variant: ProductVariant) -> str:
    """The OCI product id the shop sends out for the variant (its SKU, else its id)."""
    return variant.sku or str(variant.pk)


def is_priced(variant: ProductVariant) -> bool:
    """Whether a variant from :func:`offered_variants` has a listing in the channel."""
    return bool(getattr(variant, LISTINGS))


def variant_listing(variant: ProductVariant) -> ProductVariantChannelListing:
    return getattr(variant, LISTINGS)[0]


def available_for_purchase(variant: ProductVariant) -> bool:
    listings: list[ProductChannelListing] = getattr(variant.product, LISTINGS)
    return bool(listings) and listings[0].is_available_for_purchase()
