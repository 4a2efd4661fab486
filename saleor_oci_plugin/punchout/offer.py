"""The one rule for what a buyer is offered and at what unit price.

Used by punch-in, the background functions (VALIDATE, BACKGROUND_SEARCH, DETAIL),
the storefront's catalogue (``ociCatalogue``), adding lines (``ociCheckoutLinesAdd``),
the transfer and direct purchase orders, so that an item is offered, and priced,
the same wherever the buyer meets it.

**What is offered.** What a customer of the connection's channel sees (Saleor's
``visible_to_user`` rules: the channel active, the product published there, the
variant priced there), narrowed by every assortment that applies:

* the organisation's, and the branch's (the session's branch, else the
  connection's; the background functions carry no person, so the connection's
  branch), each as the shop set it (layer ``shop``) and as the organisation's
  admin narrowed it (layer ``organisation``). Every one of them must let an item
  through, so a branch or an admin can only narrow.
* an assortment with includes (collections, categories with or without their
  subcategories, products) lets through the products any of them names; one
  without includes lets through the whole channel. Its excluded products never
  pass, and with a maximum unit price only items whose unit net price (below) is
  at most that.
* a product hidden from the public listings (``visible_in_listings`` off) is
  offered only where a shop-layer assortment names it in its products or
  collections (a category is too wide to name it).

No assortment: the channel's whole catalogue, as before.

**At what price.** The unit net price is the variant's listing price in the
channel with Saleor's catalogue promotions applied (``ProductVariant.get_price``:
the listing's discounted price), net of the flat tax rate of the product's tax
class (else the product type's, else the country's default rate) for the
channel's default country when the channel's prices are entered with tax
(Saleor's ``calculate_flat_rate_tax``), rounded half up to the connection's price
precision. Checkout-level discounts (vouchers, order promotions) do not change it.
A channel whose taxes come from a tax app is priced the same way: the flat rates
Saleor keeps for the country take the tax out of a gross listing price (with
prices entered without tax there is nothing to take out), because a background
search cannot call a tax app per item and the price must not change between
validation and transfer; the tax rate *sent* with a transferred line is still
the one Saleor's calculation (the app) gave.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from prices import Money
from saleor.channel.models import Channel
from saleor.product.models import (
    Category,
    CollectionProduct,
    Product,
    ProductChannelListing,
    ProductVariant,
    ProductVariantChannelListing,
)
from saleor.tax.calculations import calculate_flat_rate_tax
from saleor.tax.models import TaxClassCountryRate
from saleor.tax.utils import get_charge_taxes

from ..buyers.models import Assortment, AssortmentLayer
from .models import Connection

PRICE_BOUND = "oci_price_bound"


@dataclass(frozen=True)
class TaxRates:
    """The flat rates that take the tax out of the channel's listing prices."""

    country_code: str
    prices_entered_with_tax: bool
    charge_taxes: bool
    default_rate: Decimal
    # Tax class pk -> its rate (percent) in the country.
    class_rates: dict[int, Decimal]

    @classmethod
    def of(cls, channel: Channel) -> "TaxRates":
        configuration = channel.tax_configuration
        country = channel.default_country.code
        country_configuration = next(
            (
                exception
                for exception in configuration.country_exceptions.all()
                if exception.country.code == country
            ),
            None,
        )
        default = Decimal(0)
        class_rates = {}
        for rate in TaxClassCountryRate.objects.filter(country=country):
            if rate.tax_class_id is None:
                default = rate.rate
            else:
                class_rates[rate.tax_class_id] = rate.rate
        return cls(
            country_code=country,
            prices_entered_with_tax=configuration.prices_entered_with_tax,
            charge_taxes=get_charge_taxes(configuration, country_configuration),
            default_rate=default,
            class_rates=class_rates,
        )

    @property
    def takes_tax_out(self) -> bool:
        return self.prices_entered_with_tax and self.charge_taxes

    def rate(self, tax_class_id: int | None) -> Decimal:
        """Percent for a product of that (effective) tax class."""
        if not self.charge_taxes:
            return Decimal(0)
        if tax_class_id is None:
            return self.default_rate
        return self.class_rates.get(tax_class_id, self.default_rate)


@dataclass(frozen=True)
class Layer:
    """One assortment that applies, as loaded in one query."""

    shop: bool
    collection_ids: tuple[int, ...]
    category_ids: tuple[int, ...]
    include_subcategories: bool
    product_ids: tuple[int, ...]
    excluded_ids: tuple[int, ...]
    max_unit_price: Decimal | None

    @property
    def has_includes(self) -> bool:
        return bool(self.collection_ids or self.category_ids or self.product_ids)

    def condition(self) -> Q:
        """Variants this layer lets through (the price cap apart)."""
        condition = Q()
        if self.has_includes:
            includes = Q(pk__in=[])
            if self.product_ids:
                includes |= Q(product_id__in=self.product_ids)
            if self.collection_ids:
                includes |= Q(
                    Exists(
                        CollectionProduct.objects.filter(
                            product_id=OuterRef("product_id"),
                            collection_id__in=self.collection_ids,
                        )
                    )
                )
            if self.category_ids:
                if self.include_subcategories:
                    includes |= Q(
                        Exists(
                            Category.objects.filter(
                                pk__in=self.category_ids,
                                tree_id=OuterRef("product__category__tree_id"),
                                lft__lte=OuterRef("product__category__lft"),
                                rght__gte=OuterRef("product__category__rght"),
                            )
                        )
                    )
                else:
                    includes |= Q(product__category_id__in=self.category_ids)
            condition &= includes
        if self.excluded_ids:
            condition &= ~Q(product_id__in=self.excluded_ids)
        return condition

    def names(self) -> Q:
        """Variants this layer names outright (products, collections)."""
        names = Q(pk__in=[])
        if self.product_ids:
            names |= Q(product_id__in=self.product_ids)
        if self.collection_ids:
            names |= Q(
                Exists(
                    CollectionProduct.objects.filter(
                        product_id=OuterRef("product_id"),
                        collection_id__in=self.collection_ids,
                    )
                )
            )
        return names


def load_layers(organisation_id: int, branch_id: int | None) -> tuple[Layer, ...]:
    """The assortments of the organisation and of the branch, in one query."""
    through = Assortment.collections.through.objects
    rows = (
        Assortment.objects.filter(organisation_id=organisation_id)
        .filter(Q(branch__isnull=True) | Q(branch_id=branch_id))
        .annotate(
            oci_collections=ArraySubquery(
                through.filter(assortment_id=OuterRef("pk")).values("collection_id")
            ),
            oci_categories=ArraySubquery(
                Assortment.categories.through.objects.filter(
                    assortment_id=OuterRef("pk")
                ).values("category_id")
            ),
            oci_products=ArraySubquery(
                Assortment.products.through.objects.filter(
                    assortment_id=OuterRef("pk")
                ).values("product_id")
            ),
            oci_excluded=ArraySubquery(
                Assortment.excluded_products.through.objects.filter(
                    assortment_id=OuterRef("pk")
                ).values("product_id")
            ),
        )
        .order_by("pk")
    )
    return tuple(
        Layer(
            shop=row.layer == AssortmentLayer.SHOP,
            collection_ids=tuple(row.oci_collections),
            category_ids=tuple(row.oci_categories),
            include_subcategories=row.include_subcategories,
            product_ids=tuple(row.oci_products),
            excluded_ids=tuple(row.oci_excluded),
            max_unit_price=row.max_unit_price,
        )
        for row in rows
    )


@dataclass(frozen=True)
class Offer:
    """What one buyer (a connection, for a branch) is offered, and the prices."""

    channel: Channel
    layers: tuple[Layer, ...]
    rates: TaxRates
    precision: int

    @classmethod
    def of(cls, connection: Connection, branch_id: int | None = None) -> "Offer":
        """The offer to ``connection`` for ``branch_id`` (else its own branch)."""
        channel = connection.channel
        return cls(
            channel=channel,
            layers=load_layers(
                connection.organisation_id, branch_id or connection.branch_id
            ),
            rates=TaxRates.of(channel),
            precision=connection.price_precision,
        )

    @property
    def is_open(self) -> bool:
        return self.channel.is_active

    @property
    def max_unit_price(self) -> Decimal | None:
        caps = [
            layer.max_unit_price
            for layer in self.layers
            if layer.max_unit_price is not None
        ]
        return min(caps) if caps else None

    # ------------------------------------------------------------------ prices
    def quantize(self, amount: Decimal) -> Decimal:
        return amount.quantize(Decimal(1).scaleb(-self.precision), ROUND_HALF_UP)

    def unit_price(
        self, variant: ProductVariant, listing: ProductVariantChannelListing
    ) -> Money:
        """The unit net price (module docstring)."""
        product = variant.product
        return self.net_of(
            variant.get_price(listing),
            product.tax_class_id or product.product_type.tax_class_id,
        )

    def net_of(self, price: Money, tax_class_id: int | None) -> Money:
        """A listing price (promotions applied) as the rounded unit net price."""
        net = calculate_flat_rate_tax(
            price, self.rates.rate(tax_class_id), self.rates.takes_tax_out
        ).net
        return Money(self.quantize(net.amount), net.currency)

    # -------------------------------------------------------------- what is in
    def variants(self) -> QuerySet[ProductVariant]:
        """The offered variants (no prefetching): a queryset to filter further."""
        if not self.is_open:
            return ProductVariant.objects.none()
        now = datetime.datetime.now(tz=datetime.UTC)
        channel_id = self.channel.pk
        shown = Q(visible_in_listings=True)
        named = Q(pk__in=[])
        for layer in self.layers:
            if layer.shop:
                named |= layer.names()
        product_listing = ProductChannelListing.objects.filter(
            Q(published_at__lte=now) | Q(published_at__isnull=True),
            product_id=OuterRef("product_id"),
            channel_id=channel_id,
            is_published=True,
        )
        variants = ProductVariant.objects.all()
        condition = Q(Exists(product_listing.filter(shown)))
        if named != Q(pk__in=[]):
            condition |= Q(Exists(product_listing)) & named
        variants = variants.filter(condition)
        for layer in self.layers:
            variants = variants.filter(layer.condition())
        variant_listing = ProductVariantChannelListing.objects.filter(
            variant_id=OuterRef("pk"),
            channel_id=channel_id,
            price_amount__isnull=False,
        )
        cap = self.max_unit_price
        if cap is not None:
            variants = variants.annotate(**{PRICE_BOUND: self._price_bound(cap)})
            variant_listing = variant_listing.annotate(
                oci_price=Coalesce("discounted_price_amount", "price_amount")
            ).filter(oci_price__lt=OuterRef(PRICE_BOUND))
        return variants.filter(Exists(variant_listing))

    def products(self) -> QuerySet[Product]:
        """The products with at least one offered variant."""
        if not self.is_open:
            return Product.objects.none()
        return Product.objects.filter(
            Exists(self.variants().filter(product_id=OuterRef("pk")))
        )

    def _price_bound(self, cap: Decimal) -> Case:
        """The listing price (as stored) below which the unit net price, rounded,
        is at most ``cap``: net < cap + half a unit of the last decimal."""
        step = Decimal(1).scaleb(-self.precision)
        below = cap.quantize(step, ROUND_DOWN) + step / 2

        def bound(rate: Decimal) -> Value:
            gross = below * (1 + rate / 100) if self.rates.takes_tax_out else below
            return Value(gross, output_field=DecimalField())

        whens = [
            When(
                Q(product__tax_class_id__in=ids)
                | Q(
                    product__tax_class__isnull=True,
                    product__product_type__tax_class_id__in=ids,
                ),
                then=bound(rate),
            )
            for rate, ids in _by_rate(self.rates.class_rates.items())
        ]
        return Case(
            *whens, default=bound(self.rates.rate(None)), output_field=DecimalField()
        )


def _by_rate(items: Iterable[tuple[int, Decimal]]) -> list[tuple[Decimal, list[int]]]:
    groups: dict[Decimal, list[int]] = {}
    for class_id, rate in items:
        groups.setdefault(rate, []).append(class_id)
    return sorted(groups.items())
