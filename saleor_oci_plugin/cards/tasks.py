"""Celery tasks of greeting cards, imported by the plugin's ``tasks`` module (the
one Saleor's Celery app discovers)."""

from saleor.celeryconf import app
from saleor.core.db.connection import allow_writer
from saleor.plugins.manager import get_plugins_manager

from .. import PLUGIN_ID
from ..dataclasses import CardFormat
from .models import GreetingCard
from .records import render_card

RENDER_TASK = "saleor_oci_plugin.cards.tasks.render_greeting_cards_task"


def card_format() -> CardFormat:
    """The configured card format (the defaults while the plugin is off)."""
    plugin = get_plugins_manager(allow_replica=False).get_plugin(PLUGIN_ID)
    return plugin.config.cards if plugin is not None else CardFormat()


@app.task(name=RENDER_TASK)
@allow_writer()
def render_greeting_cards_task(card_pks: list[int]) -> None:
    """Render each card's print PDF; voided cards (and deleted ones) are skipped."""
    format_ = card_format()
    for card in GreetingCard.objects.filter(pk__in=card_pks, voided_at__isnull=True):
        render_card(card, format_)
