"""The order's amounts agree with the e-invoice's, rounding included."""

from decimal import Decimal

from prices import Money, TaxedMoney
from saleor.order.models import OrderLine

from saleor_oci_plugin.purchase_orders.placing import _subtotal


def _line(net: str, rate: str) -> OrderLine:
    amount = Money(Decimal(net), "EUR")
    return OrderLine(
        total_price=TaxedMoney(amount, amount), tax_rate=Decimal(rate), currency="EUR"
    )


def test_vat_is_rounded_once_per_rate_and_half_up():
    # 21 %: 25.00 + 13.50 = 38.50 -> 8.085 -> 8.09 (half-up, not half-even 8.08);
    # 9 %: 10.00 -> 0.90. Per line it would be 5.25 + 2.84 + 0.90 = 8.99.
    subtotal = _subtotal(
        [_line("25.00", "0.21"), _line("13.50", "0.21"), _line("10.00", "0.09")], "EUR"
    )

    assert subtotal.net == Money(Decimal("48.50"), "EUR")
    assert subtotal.gross == Money(
        Decimal("48.50") + Decimal("8.09") + Decimal("0.90"), "EUR"
    )
