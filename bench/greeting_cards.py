"""Rendering time of greeting cards: the preview and the print PDF of one card,
warm, and a print batch of 500 cards in one PDF.

Run: .venv/bin/python bench/greeting_cards.py

Warm: fonts registered and the logo prepared once (as in a running Saleor
process), then the median of many calls. The card is A6 landscape with 3 mm
bleed; the text has four lines; the logo is a 2400 x 800 pixel PNG, embedded at
what 300 dpi needs at its printed size. The preview is the print PDF rasterised
at 96 dpi and cut at the trim (PNG). The batch: 500 cards, half with the logo,
each its own text (what ``ociGreetingCardsPrint`` renders), without the database.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable

from PIL import Image, ImageDraw

from saleor_oci_plugin.cards import layout
from saleor_oci_plugin.dataclasses import CardFormat

TEXT = "Beterschap en veel sterkte!\n\nHartelijke groeten van\nTeam Inkoop, Zürich"
RUNS = 50
BATCH = 500


def logo_png() -> bytes:
    image = Image.new("RGBA", (2400, 800), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 800, 800), fill=(30, 90, 160, 255))
    draw.rectangle((850, 260, 2400, 540), fill=(200, 40, 40, 255))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def median_ms(call: Callable[[], object], runs: int = RUNS) -> float:
    call()  # warm: fonts, the prepared logo, imports
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    card_format = CardFormat()
    logo = logo_png()
    plain = layout.CardContent(TEXT)
    with_logo = layout.CardContent(TEXT, logo)
    print(f"one card, warm (median of {RUNS})         ms")
    for name, card in (("without logo", plain), ("with logo", with_logo)):
        print_ms = median_ms(lambda card=card: layout.render_pdf([card], card_format))
        preview_ms = median_ms(lambda card=card: layout.preview_png(card, card_format))
        check_ms = median_ms(
            lambda card=card: layout.text_problems(card.text, card_format, True)
        )
        print(f"  print PDF, {name:13s}           {print_ms:7.1f}")
        print(f"  preview PNG, {name:13s}         {preview_ms:7.1f}")
        print(f"  text check (set), {name:13s}    {check_ms:7.2f}")
    cards = [
        layout.CardContent(f"{TEXT}\nKaart {number}", logo if number % 2 else None)
        for number in range(BATCH)
    ]
    layout.render_pdf(cards[:2], card_format)
    started = time.perf_counter()
    pdf = layout.render_pdf(cards, card_format)
    elapsed = time.perf_counter() - started
    print(
        f"batch of {BATCH} cards (half with logo): {elapsed * 1000:.0f} ms, "
        f"{elapsed / BATCH * 1000:.1f} ms a card, {len(pdf) / 1024:.0f} kB"
    )


if __name__ == "__main__":
    main()
