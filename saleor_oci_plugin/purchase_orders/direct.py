"""Pricing a direct purchase order: one that names no transferred cart.

Only connections with ``allow_direct_orders`` get here (``placing`` refuses the
others). Lines are found by SKU among the variants offered to the connection, by
the same rule as the background functions, the catalogue and the transfer
(:mod:`..punchout.offer`: the connection's branch's and organisation's
assortments), and must be available for purchase now; a SKU outside the
assortment is refused (``not_in_assortment``). The unit net price is that rule's
(the listing price with catalogue promotions, net of the flat rate for the
channel's default country, rounded to the connection's price precision). The VAT
rate on the order is Saleor's flat rate of the product's tax class for the tax
country (the delivery address's); a channel that does not charge taxes there gets
0 %. A channel that computes taxes with a tax app cannot give the order a rate, so
its direct POs are refused.

A unit price on the PO is checked against that net price with the connection's
tolerance, as for a transferred cart; within it, the PO's price is the agreed one.
Every problem is reported at once, per PO line.
"""

from dataclasses import dataclass
from decimal import Decimal

from saleor.channel.models import Channel
from saleor.product.models import ProductVariant
from saleor.tax import TaxCalculationStrategy
from saleor.tax.models import TaxClass, TaxClassCountryRate
from saleor.tax.utils import (
    get_charge_taxes,
    get_tax_calculation_strategy,
    get_tax_rate_for_country,
    normalize_tax_rate_for_db,
)

from ..punchout import catalogue
from ..punchout.models import Connection
from ..punchout.offer import Offer
from .dataclasses import Problem, PurchaseOrder, PurchaseOrderError, PurchaseOrderLine
from .matching import AgreedLine, fractional_quantity_problem, price_outside_tolerance


@dataclass(frozen=True)
class FlatRates:
    """Saleor's flat-rate tax rules of a channel for one country."""

    country_code: str
    charge_taxes: bool
    prices_entered_with_tax: bool
    # Percent, as Saleor stores TaxClassCountryRate.rate.
    default_rate: Decimal

    @classmethod
    def of(cls, channel: Channel, country_code: str) -> "FlatRates":
        """The channel's rules for ``country_code``; refuse the PO when the channel
        computes taxes with a tax app there (no flat rate to price it with)."""
        configuration = channel.tax_configuration
        country_configuration = configuration.country_exceptions.filter(
            country=country_code
        ).first()
        charge_taxes = get_charge_taxes(configuration, country_configuration)
        strategy = get_tax_calculation_strategy(configuration, country_configuration)
        if charge_taxes and strategy != TaxCalculationStrategy.FLAT_RATES:
            raise PurchaseOrderError(
                [
                    Problem(
                        "transfer_id",
                        f"Channel {channel.slug} computes taxes for {country_code} "
                        "with a tax app, so a PO without a transferred cart cannot "
                        "be priced; send the transfer id from the cart "
                        "(EXT_QUOTE_ID).",
                        "direct_order",
                    )
                ]
            )
        default = TaxClassCountryRate.objects.filter(
            country=country_code, tax_class=None
        ).first()
        return cls(
            country_code=country_code,
            charge_taxes=charge_taxes,
            prices_entered_with_tax=configuration.prices_entered_with_tax,
            default_rate=default.rate if default else Decimal(0),
        )

    def rate(self, tax_class: TaxClass | None) -> Decimal:
        """The rate in percent for a product of ``tax_class``."""
        if not self.charge_taxes:
            return Decimal(0)
        return get_tax_rate_for_country(
            tax_class.country_rates.all() if tax_class else [],
            self.default_rate,
            self.country_code,
        )


def price_direct_order(
    order: PurchaseOrder, connection: Connection, tax_country: str
) -> list[AgreedLine]:
    """The PO's lines at the channel's current prices and flat-rate VAT for
    ``tax_country``; raise PurchaseOrderError with every problem found."""
    channel = connection.channel
    problems: list[Problem] = []
    if order.currency and order.currency != channel.currency_code:
        problems.append(
            Problem(
                "currency",
                f"The shop sells in {channel.currency_code} on this connection, the "
                f"PO is in {order.currency}.",
                "currency_mismatch",
            )
        )
    rates = FlatRates.of(channel, tax_country)
    offer = Offer.of(connection)
    skus = [line.sku for line in order.lines]
    offered = _offered_by_product_id(offer, skus)
    missing = [sku for sku in skus if sku not in offered]
    # Only to say why: in the channel, but outside the assortment.
    in_channel = (
        _offered_by_product_id(
            Offer(channel, (), offer.rates, connection.price_precision), missing
        )
        if missing and offer.layers
        else {}
    )
    agreed = []
    for po_line in order.lines:
        variant = offered.get(po_line.sku)
        if variant is None:
            outside = po_line.sku in in_channel
            problems.append(
                Problem(
                    "sku",
                    f"{po_line.sku} is not in this organisation's assortment."
                    if outside
                    else f"{po_line.sku} is not offered to this connection.",
                    "not_in_assortment" if outside else "unknown_sku",
                    po_line.line_number,
                )
            )
            continue
        line_problems = _line_problems(po_line, variant)
        product = variant.product
        tax_rate = rates.rate(product.tax_class or product.product_type.tax_class)
        current_net = offer.unit_price(
            variant, catalogue.variant_listing(variant)
        ).amount
        tolerance_problem = price_outside_tolerance(
            po_line, current_net, connection, offered_by="the shop's current price is"
        )
        if tolerance_problem is not None:
            line_problems.append(tolerance_problem)
        problems.extend(line_problems)
        if line_problems:
            continue
        agreed.append(
            AgreedLine(
                po_line=po_line,
                variant=variant,
                quantity=int(po_line.quantity),
                # Within the tolerance the PO's price counts, as for a cart, so
                # that the invoice matches the buyer's PO to the cent.
                unit_price_net=(
                    po_line.unit_price
                    if po_line.unit_price is not None
                    else current_net
                ),
                tax_rate=normalize_tax_rate_for_db(tax_rate),
                nzi_code=po_line.nzi_code,
                card_text="",
            )
        )
    if problems:
        raise PurchaseOrderError(problems)
    return agreed


def _line_problems(
    po_line: PurchaseOrderLine, variant: ProductVariant
) -> list[Problem]:
    problems = []
    fractional = fractional_quantity_problem(po_line)
    if fractional is not None:
        problems.append(fractional)
    elif po_line.quantity < 1:
        problems.append(
            Problem(
                "quantity",
                f"{po_line.quantity} ordered; at least one unit is needed.",
                "invalid_quantity",
                po_line.line_number,
            )
        )
    if not catalogue.available_for_purchase(variant):
        problems.append(
            Problem(
                "sku",
                f"{po_line.sku} is not available for purchase now.",
                "product_unavailable",
                po_line.line_number,
            )
        )
    return problems


def _offered_by_product_id(
    offer: Offer, product_ids: list[str]
) -> dict[str, ProductVariant]:
    """The offered, priced variant each product id names, in one query."""
    names = [
        name
        for name in map(catalogue.product_id_filter, set(product_ids))
        if name is not None
    ]
    if not names:
        return {}
    condition = names[0]
    for name in names[1:]:
        condition |= name
    variants = (
        catalogue.offered_variants(offer)
        .filter(condition)
        .select_related("product__tax_class", "product__product_type__tax_class")
        .prefetch_related(
            "product__tax_class__country_rates",
            "product__product_type__tax_class__country_rates",
        )
        .order_by("pk")
    )
    found: dict[str, ProductVariant] = {}
    for variant in variants:
        if catalogue.is_priced(variant):
            # As VALIDATE: where an id could name two variants, the first one.
            found.setdefault(catalogue.product_id(variant), variant)
    return found
