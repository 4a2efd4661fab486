"""The cards of an order: recorded from the PO's lines, rendered into private
storage, re-rendered or voided when the PO changes or is withdrawn."""

import io
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from saleor.core import private_storage
from saleor.order.models import Order, OrderLine

from ..buyers import logos
from ..buyers.models import Branch, BuyerOrganisation
from ..dataclasses import CardFormat
from .models import GreetingCard

logger = logging.getLogger(__name__)

# Card and batch PDFs in Saleor's private storage, served only to staff.
STORAGE_DIRECTORY = "oci-greeting-cards"


@dataclass(frozen=True)
class CardSpec:
    """A card as the transferred cart asked for it."""

    # The PO line number of a line's card; "" for the order's own card.
    po_line_number: str
    position: int
    text: str
    with_logo: bool
    order_line: OrderLine | None = None


def specs_for(
    agreed_lines: Sequence, order_lines: Sequence[OrderLine]
) -> list[CardSpec]:
    """The cards of an order's lines (``AgreedLine`` and the OrderLine made of it).

    A card set on the whole cart travels with each line in the OCI form; on paper
    it is one card for the order (one per distinct card, should a PO merge carts).
    """
    specs: list[CardSpec] = []
    order_cards: dict[tuple[str, bool], None] = {}
    for position, (agreed, line) in enumerate(
        zip(agreed_lines, order_lines, strict=True), start=1
    ):
        if agreed.order_card_text:
            order_cards.setdefault(
                (agreed.order_card_text, agreed.order_card_with_logo)
            )
        if not agreed.card_text or agreed.card_for_order:
            continue
        specs.append(
            CardSpec(
                po_line_number=agreed.po_line.line_number,
                position=position,
                text=agreed.card_text,
                with_logo=agreed.card_with_logo,
                order_line=line,
            )
        )
    return [
        CardSpec(po_line_number="", position=0, text=text, with_logo=with_logo)
        for text, with_logo in order_cards
    ] + specs


def open_logo(name: str) -> bytes | None:
    """The logo file's bytes; None when it is gone or is no image Pillow reads
    (the card then prints without it, and the log says why). Pillow reports a
    file it cannot read as OSError (UnidentifiedImageError) or SyntaxError."""
    from PIL import Image

    try:
        data = logos.open_logo(name)
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (OSError, SyntaxError, ValueError):
        logger.warning("Greeting-card logo %r is missing or not an image.", name)
        return None
    return data


def record_cards(
    order: Order,
    specs: Iterable[CardSpec],
    organisation: BuyerOrganisation,
    branch: Branch | None,
) -> list[GreetingCard]:
    """Record the order's cards and render them after the transaction commits."""
    logo_name = logos.effective_logo_name(organisation, branch)
    cards = GreetingCard.objects.bulk_create(
        GreetingCard(
            order=order,
            order_line=spec.order_line,
            po_line_number=spec.po_line_number,
            position=spec.position,
            text=spec.text,
            with_logo=spec.with_logo,
            logo_name=logo_name if spec.with_logo else "",
        )
        for spec in specs
    )
    queue_rendering([card.pk for card in cards])
    return cards


def replace_cards(
    order: Order,
    specs: Iterable[CardSpec],
    organisation: BuyerOrganisation,
    branch: Branch | None,
) -> None:
    """A changed PO: cards still asked for are rendered again (and, when their
    text or logo changed, no longer counted as printed); the others are voided;
    new ones are recorded."""
    current = {
        _key(card.po_line_number, card.text, card.with_logo): card
        for card in GreetingCard.objects.filter(order=order, voided_at__isnull=True)
    }
    to_render: list[int] = []
    new: list[CardSpec] = []
    now = timezone.now()
    for spec in specs:
        card = current.pop(_key(spec.po_line_number, spec.text, spec.with_logo), None)
        if card is None:
            new.append(spec)
            continue
        changed = (card.text, card.with_logo) != (spec.text, spec.with_logo)
        card.order_line = spec.order_line
        card.position = spec.position
        if changed:
            card.text, card.with_logo = spec.text, spec.with_logo
            # The logo it was ordered with, else today's.
            card.logo_name = (
                (card.logo_name or logos.effective_logo_name(organisation, branch))
                if spec.with_logo
                else ""
            )
            card.printed_at = None
        card.save()
        to_render.append(card.pk)
    GreetingCard.objects.filter(pk__in=[card.pk for card in current.values()]).update(
        voided_at=now
    )
    queue_rendering(to_render)
    record_cards(order, new, organisation, branch)


def _key(po_line_number: str, text: str, with_logo: bool) -> tuple:
    """A line's card is the same card whatever its text; the order's own cards
    (several when a PO merged carts) are told apart by what they say."""
    return (po_line_number,) if po_line_number else ("", text, with_logo)


def void_cards(order: Order) -> int:
    """The order was cancelled: its cards are not to be printed (nor reprinted)."""
    return GreetingCard.objects.filter(order=order, voided_at__isnull=True).update(
        voided_at=timezone.now()
    )


def queue_rendering(card_pks: list[int]) -> None:
    """Render the cards in a Celery task once the transaction has committed."""
    if not card_pks:
        return
    from .tasks import render_greeting_cards_task

    transaction.on_commit(lambda: render_greeting_cards_task.delay(card_pks))


def card_content(card: GreetingCard, logos: dict[str, bytes | None] | None = None):
    """What is printed on the card: its text and, when asked for, the logo
    (``logos``: files read already, by name, and where to keep this one)."""
    from .layout import CardContent

    logos = {} if logos is None else logos
    logo = None
    if card.with_logo and card.logo_name:
        if card.logo_name not in logos:
            logos[card.logo_name] = open_logo(card.logo_name)
        logo = logos[card.logo_name]
    return CardContent(text=card.text, logo=logo)


def render_card(card: GreetingCard, card_format: CardFormat) -> None:
    """Render the card's print PDF into private storage (replacing an older one)."""
    from .layout import render_pdf

    pdf = render_pdf([card_content(card)], card_format)
    old_name = card.pdf_name
    card.pdf_name = store_pdf(f"order-{card.order_id}-card-{card.pk}", pdf)
    card.rendered_at = timezone.now()
    card.save(update_fields=["pdf_name", "rendered_at"])
    if old_name:
        private_storage.delete(old_name)


def store_pdf(stem: str, pdf: bytes) -> str:
    """Save a PDF in private storage under a name nobody can guess; its name."""
    return private_storage.save(
        f"{STORAGE_DIRECTORY}/{stem}-{uuid.uuid4().hex}.pdf", ContentFile(pdf)
    )
