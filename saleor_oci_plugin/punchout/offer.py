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
    CharField,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, JSONObject
from prices import Money
from saleor.channel.models import Channel
from saleor.checkout.fetch import CheckoutLineInfo
from saleor.product.models import (
    Category,
    CollectionProduct,
    Product,
    ProductChannelListing,
    ProductVariant,
    ProductVariantChannelListing,
)
from saleor.tax.calculations import calculate_flat_rate_tax
from saleor.tax.models import TaxClassCountryRate, TaxConfigurationPerCountry

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
        """The rates of a channel loaded by :func:`load_channel` (no query)."""
        configuration = channel.tax_configuration
        exception = getattr(channel, "oci_country_charge_taxes", None)
        return cls(
            country_code=channel.default_country.code,
            prices_entered_with_tax=configuration.prices_entered_with_tax,
            # As Saleor's get_charge_taxes: the country's exception, if any, wins.
            charge_taxes=(
                configuration.charge_taxes if exception is None else exception
            ),
            default_rate=getattr(channel, "oci_default_rate", None) or Decimal(0),
            class_rates=dict(
                zip(channel.oci_rate_classes, channel.oci_rate_values, strict=True)
            ),
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
    # Of the categories of a cart (load_channel's cart_category_ids), those that
    # are one of this layer's categories or below one.
    covered_category_ids: frozenset[int] = frozenset()

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

    def lets_through(
        self, product_id: int, category_id: int | None, collection_ids: set[int]
    ) -> bool:
        """:meth:`condition` for one loaded product (the price cap apart)."""
        if product_id in self.excluded_ids:
            return False
        if not self.has_includes:
            return True
        if self.include_subcategories:
            in_category = category_id in self.covered_category_ids
        else:
            in_category = category_id in self.category_ids
        return in_category or self.names_loaded(product_id, collection_ids)

    def names_loaded(self, product_id: int, collection_ids: set[int]) -> bool:
        """:meth:`names` for one loaded product."""
        return product_id in self.product_ids or not collection_ids.isdisjoint(
            self.collection_ids
        )

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


def load_channel(
    channel_id: int,
    organisation_id: int,
    branch_id: int | None,
    cart_category_ids: Iterable[int] = (),
) -> Channel:
    """The channel with its tax configuration, its default country's flat rates
    and the assortments of the organisation and of the branch: one query.

    With ``cart_category_ids`` each assortment also says which of those
    categories its categories cover (for :meth:`Offer.offers_line`).
    """
    country = OuterRef("default_country")
    rates = TaxClassCountryRate.objects.filter(country=country).order_by("pk")
    class_rates = rates.filter(tax_class__isnull=False)
    return (
        Channel.objects.select_related("tax_configuration")
        .annotate(
            oci_default_rate=Subquery(
                rates.filter(tax_class__isnull=True).values("rate")[:1]
            ),
            oci_rate_classes=ArraySubquery(class_rates.values("tax_class_id")),
            oci_rate_values=ArraySubquery(class_rates.values("rate")),
            oci_country_charge_taxes=Subquery(
                TaxConfigurationPerCountry.objects.filter(
                    tax_configuration__channel_id=OuterRef("pk"), country=country
                ).values("charge_taxes")[:1]
            ),
            oci_layers=_layers_json(organisation_id, branch_id, cart_category_ids),
        )
        .get(pk=channel_id)
    )


def _layers_json(
    organisation_id: int, branch_id: int | None, cart_category_ids: Iterable[int]
) -> ArraySubquery:
    """Each assortment that applies as one JSON object (its ids as arrays)."""

    def ids(through, column: str) -> ArraySubquery:
        return ArraySubquery(
            through.objects.filter(assortment_id=OuterRef("pk")).values(column)
        )

    categories = Assortment.categories.through
    covered = ArraySubquery(
        Category.objects.filter(pk__in=list(cart_category_ids))
        .filter(
            Exists(
                Category.objects.filter(
                    pk__in=categories.objects.filter(
                        assortment_id=OuterRef(OuterRef(OuterRef("pk")))
                    ).values("category_id"),
                    tree_id=OuterRef("tree_id"),
                    lft__lte=OuterRef("lft"),
                    rght__gte=OuterRef("rght"),
                )
            )
        )
        .values("pk")
    )
    return ArraySubquery(
        Assortment.objects.filter(organisation_id=organisation_id)
        .filter(Q(branch__isnull=True) | Q(branch_id=branch_id))
        .order_by("pk")
        .values(
            json=JSONObject(
                layer="layer",
                include_subcategories="include_subcategories",
                # As text: a JSON number would come back as a float.
                max_unit_price=Cast("max_unit_price", CharField()),
                collections=ids(Assortment.collections.through, "collection_id"),
                categories=ids(categories, "category_id"),
                products=ids(Assortment.products.through, "product_id"),
                excluded=ids(Assortment.excluded_products.through, "product_id"),
                covered=covered,
            )
        )
    )


def _layers(channel: Channel) -> tuple[Layer, ...]:
    return tuple(
        Layer(
            shop=row["layer"] == AssortmentLayer.SHOP,
            collection_ids=tuple(row["collections"]),
            category_ids=tuple(row["categories"]),
            include_subcategories=row["include_subcategories"],
            product_ids=tuple(row["products"]),
            excluded_ids=tuple(row["excluded"]),
            max_unit_price=(
                None
                if row["max_unit_price"] is None
                else Decimal(row["max_unit_price"])
            ),
            covered_category_ids=frozenset(row["covered"] or ()),
        )
        for row in channel.oci_layers
    )


@dataclass(frozen=True)
class Offer:
    """What one buyer (a connection, for a branch) is offered, and the prices."""

    channel: Channel
    layers: tuple[Layer, ...]
    rates: TaxRates
    precision: int

    @classmethod
    def of(
        cls,
        connection: Connection,
        branch_id: int | None = None,
        cart_category_ids: Iterable[int] = (),
    ) -> "Offer":
        """The offer to ``connection`` for ``branch_id`` (else its own branch):
        one query (:func:`load_channel`)."""
        channel = load_channel(
            connection.channel_id,
            connection.organisation_id,
            branch_id or connection.branch_id,
            cart_category_ids,
        )
        return cls(
            channel=channel,
            layers=_layers(channel),
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
    def offers_line(self, line: CheckoutLineInfo, now: datetime.datetime) -> bool:
        """:meth:`variants` for one line of a cart that Saleor's
        ``fetch_checkout_lines`` loaded (listings, collections, tax classes), so
        that the transfer checks any cart without a query per line. The offer
        must have been loaded with the cart's categories."""
        if not self.is_open:
            return False
        product = line.product
        channel_id = self.channel.pk
        listing = next(
            (
                listing
                for listing in product.channel_listings.all()
                if listing.channel_id == channel_id
            ),
            None,
        )
        if (
            listing is None
            or not listing.is_published
            or (listing.published_at is not None and listing.published_at > now)
        ):
            return False
        collection_ids = {collection.pk for collection in line.collections}
        if not listing.visible_in_listings and not any(
            layer.shop and layer.names_loaded(product.pk, collection_ids)
            for layer in self.layers
        ):
            return False
        if not all(
            layer.lets_through(product.pk, product.category_id, collection_ids)
            for layer in self.layers
        ):
            return False
        price = line.channel_listing
        if price is None or price.price_amount is None:
            return False
        cap = self.max_unit_price
        if cap is None:
            return True
        stored = (
            price.discounted_price_amount
            if price.discounted_price_amount is not None
            else price.price_amount
        )
        tax_class_id = product.tax_class_id or line.product_type.tax_class_id
        return stored < self.price_bound(cap, self.rates.rate(tax_class_id))

    def price_bound(self, cap: Decimal, rate: Decimal) -> Decimal:
        """The listing price (as stored) below which the unit net price, rounded,
        is at most ``cap``: net < cap + half a unit of the last decimal."""
        step = Decimal(1).scaleb(-self.precision)
        below = cap.quantize(step, ROUND_DOWN) + step / 2
        return below * (1 + rate / 100) if self.rates.takes_tax_out else below

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
        """:meth:`price_bound` for each tax class, in SQL."""

        def bound(rate: Decimal) -> Value:
            return Value(self.price_bound(cap, rate), output_field=DecimalField())

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
