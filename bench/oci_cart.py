"""Benchmark: encode and render OCI carts of 10, 100 and 1,000 lines.

Run with ``.venv/bin/python bench/oci_cart.py``. For a UTF-8 and an ISO-8859-1
punch-in, prints per cart size the median time of several runs of encoding (items
-> fields), rendering (fields -> page bytes) and both together, and the cost per
line. The goal: linear in the number of lines, and a 1,000-line cart encoded and
rendered in under 30 ms. A plain script, not a test: timings depend on the machine.

The cart is realistic and not kind to the encoder: Dutch and German text, most
descriptions too long for their 40 characters (each shortening is a warning), card
texts and long texts, a price that moves to a larger price unit.
"""

import gc
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

from saleor_oci_plugin.oci import (
    CartItem,
    OCIMapping,
    OCIVersion,
    encode_cart,
    render_return_form,
)

SIZES = (10, 100, 1_000)
GOAL_LINES = 1_000
GOAL_MS = 30.0
HOOK_URL = "https://srm.example.com/sap/bc/oci?sap-client=100"
PRODUCTS = (
    ("Kerstpakket Luxe met wijn, kaas en bonbons", "Kerstpakketten", "4411"),
    ("Boeket rozen 'Crème brûlée', 20 stelen", "Bloemen", "4412"),
    ("Fruitmand Deluxe für das Pflegeteam", "Fruitmanden", "4411"),
    ("Relatiegeschenk <Premium> & wenskaart", "Geschenken", "4413"),
)


def make_cart(lines: int) -> list[CartItem]:
    items = []
    for number in range(1, lines + 1):
        description, category, nzi = PRODUCTS[number % len(PRODUCTS)]
        items.append(
            CartItem(
                line_number=number,
                sku=f"GB-{number:05d}",
                description=f"{description} #{number}",
                quantity=Decimal(number % 7 + 1),
                unit="stuk" if number % 3 else "doos",
                unit_price=Decimal("0.125") if number % 50 == 0 else Decimal(number),
                currency="EUR",
                lead_time_days=3,
                nzi_code=nzi,
                category=category,
                card_text=(
                    "Fijne feestdagen en een gezond nieuwjaar! Team Intensive Care"
                    if number % 2
                    else ""
                ),
                long_text="Inhoud: rode wijn, oude kaas, bonbons, noten. " * 3,
                vendor_material_number=f"V{number:07d}",
            )
        )
    return items


def median_ms(action: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls; garbage collected before each, not during."""
    timings = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    mapping = OCIMapping.from_dict({"fields": {"VENDOR": {"fixed": "100234"}}})
    print(
        f"Python {sys.version.split()[0]}, OCI 5.0, median of runs "
        f"(GC enabled, collected between runs)"
    )
    results: dict[tuple[str, int], float] = {}
    for charset in ("UTF-8", "ISO-8859-1"):
        print(f"\ncharset {charset}")
        print(
            f"{'lines':>6} {'fields':>7} {'warnings':>8} {'runs':>5} {'encode ms':>10}"
            f" {'render ms':>10} {'total ms':>9} {'us/line':>8}"
        )
        for size in SIZES:
            items = make_cart(size)
            runs = max(21, 3_000 // size)

            def encode(items=items, charset=charset):
                return encode_cart(
                    items,
                    mapping,
                    transfer_id="a" * 32,
                    oci_version=OCIVersion.V5_0,
                    charset=charset,
                )

            def render(fields, charset=charset):
                return render_return_form(
                    fields,
                    hook_url=HOOK_URL,
                    target="_top",
                    okcode="ADDI",
                    caller="CTLG",
                    charset=charset,
                )

            encoded = encode()
            encode_ms = median_ms(encode, runs)
            render_ms = median_ms(lambda fields=encoded.fields: render(fields), runs)
            total_ms = median_ms(lambda: render(encode().fields), runs)
            results[charset, size] = total_ms
            print(
                f"{size:>6} {len(encoded.fields):>7} {len(encoded.warnings):>8}"
                f" {runs:>5} {encode_ms:>10.2f} {render_ms:>10.2f} {total_ms:>9.2f}"
                f" {total_ms / size * 1000:>8.1f}"
            )
    worst = max(results[charset, GOAL_LINES] for charset in ("UTF-8", "ISO-8859-1"))
    verdict = "met" if worst < GOAL_MS else "NOT met"
    print(
        f"\ngoal: {GOAL_LINES:,} lines encoded + rendered in < {GOAL_MS:.0f} ms: "
        f"{verdict} ({worst:.1f} ms, slower charset)"
    )


if __name__ == "__main__":
    main()
