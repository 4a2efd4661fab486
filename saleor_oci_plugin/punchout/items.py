"""Saleor products as OCI cart items: NZI codes, units and card texts.

Shared by the cart transfer and the background functions, so that a product is
described to the procurement system the same way wherever it appears.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Q, prefetch_related_objects
from saleor.attribute.models import AssignedProductAttributeValue
from saleor.product.models import Category, Product, ProductVariant

from .. import oci
from ..dataclasses import OCIConfiguration
from .models import Connection

# Metadata key (variant, else product) of the shop's unit name, e.g. "stuk", "box";
# empty means the connection's default unit (PCE unless overridden).
UNIT_METADATA_KEY = "oci_unit"
# Metadata key of a variant's GTIN (EAN), which Saleor has no field for.
GTIN_METADATA_KEY = "gtin"
# Private metadata key of a card text on a checkout line or a checkout.
CARD_TEXT_KEY = "oci.greeting_card"
# Present ("true") when that card is printed with the company logo.
CARD_LOGO_KEY = "oci.greeting_card_logo"


def prefetch_for_items(variants: Sequence[ProductVariant]) -> None:
    """Load what ``nzi_codes`` and ``cart_item`` read (the products' categories) in
    one query, so that describing a cart costs the same for 1 line or 1,000."""
    prefetch_related_objects([variant.product for variant in variants], "category")


def nzi_codes(
    variants: Sequence[ProductVariant],
    connection: Connection,
    config: OCIConfiguration,
) -> dict[int, str]:
    """The NZI code of each variant (by pk), "" where none is known.

    First found of: the connection's override for the SKU, then for the product slug,
    then for the product's category or its nearest ancestor; the product attribute
    named in the configuration; the metadata key named there, on the variant, then
    on the product. Two queries whatever the number of variants.
    """
    overrides = connection.nzi_overrides or {}
    by_product = overrides.get("products") or {}
    by_category = overrides.get("categories") or {}
    products = {variant.product_id: variant.product for variant in variants}
    category_codes = _category_codes(products.values(), by_category)
    attribute_codes = _attribute_codes(products, config.nzi_attribute_slug)
    key = config.nzi_metadata_key
    codes = {}
    for variant in variants:
        product = variant.product
        codes[variant.pk] = (
            by_product.get(variant.sku or "")
            or by_product.get(product.slug)
            or category_codes.get(product.category_id)
            or attribute_codes.get(product.pk)
            or (key and (variant.metadata.get(key) or product.metadata.get(key)))
            or ""
        )
    return codes


def shop_unit(variant: ProductVariant) -> str:
    return variant.metadata.get(UNIT_METADATA_KEY) or variant.product.metadata.get(
        UNIT_METADATA_KEY, ""
    )


def describe(variant: ProductVariant) -> str:
    """The product name, with the variant's name where it has one."""
    name = variant.product.name
    return f"{name} {variant.name}".strip() if variant.name else name


def cart_item(
    *,
    line_number: int,
    variant: ProductVariant,
    quantity: Decimal,
    unit_price: Decimal,
    currency: str,
    nzi_code: str,
    card_text: str = "",
    tax_rate: Decimal | None = None,
    extra: dict[str, str] | None = None,
) -> oci.CartItem:
    product: Product = variant.product
    category = product.category
    return oci.CartItem(
        line_number=line_number,
        sku=variant.sku or str(variant.pk),
        description=describe(variant),
        quantity=quantity,
        unit_price=unit_price,
        currency=currency,
        unit=shop_unit(variant),
        nzi_code=nzi_code,
        card_text=card_text,
        vendor_material_number=variant.sku or "",
        category=category.name if category else "",
        category_id=category.slug if category else "",
        gtin=variant.metadata.get(GTIN_METADATA_KEY, ""),
        tax_rate=tax_rate,
        extra=extra or {},
    )


def _category_codes(
    products: Iterable[Product], by_category: dict[str, str]
) -> dict[int, str]:
    """Category pk -> the override of it or of its nearest overridden ancestor."""
    categories = {product.category for product in products if product.category}
    if not by_category or not categories:
        return {}
    # One query for all ancestors (MPTT: same tree, enclosing lft/rght).
    enclosing = Q()
    for category in categories:
        enclosing |= Q(
            tree_id=category.tree_id, lft__lte=category.lft, rght__gte=category.rght
        )
    ancestors = list(
        Category.objects.filter(enclosing).only(
            "pk", "slug", "tree_id", "lft", "rght", "level"
        )
    )
    codes = {}
    for category in categories:
        own_line = sorted(
            (
                ancestor
                for ancestor in ancestors
                if ancestor.tree_id == category.tree_id
                and ancestor.lft <= category.lft
                and ancestor.rght >= category.rght
            ),
            key=lambda ancestor: -ancestor.level,  # nearest first
        )
        for ancestor in own_line:
            if ancestor.slug in by_category:
                codes[category.pk] = by_category[ancestor.slug]
                break
    return codes


def attribute_values(
    products: dict[int, Product], attribute_slug: str
) -> dict[int, str]:
    """Product pk -> the name of its value of the attribute ``attribute_slug``
    (one query; products without one are left out)."""
    return _attribute_codes(products, attribute_slug)


def _attribute_codes(
    products: dict[int, Product], attribute_slug: str
) -> dict[int, str]:
    if not attribute_slug or not products:
        return {}
    assigned = AssignedProductAttributeValue.objects.filter(
        product_id__in=products, value__attribute__slug=attribute_slug
    ).values_list("product_id", "value__name")
    return dict(assigned)
