"""Printed greeting cards: the layout (one drawing for the preview and the print),
the cards recorded for an order, their PDFs in private storage, and print batches.

A buyer sets a card's text (and whether the company logo is printed) on a punch-out
cart or one of its lines (:mod:`..punchout.greeting_cards`); the text is checked
against the card's real layout then, never cut at print time. When the purchase
order becomes an order, each card is recorded (:mod:`.models`) and rendered as a
print-ready PDF by a Celery task (:mod:`.tasks`); staff print the day's cards as
one PDF (:mod:`.printing`).
"""
