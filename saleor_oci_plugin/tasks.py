"""The plugin's Celery tasks, where Saleor's Celery app looks for them.

Saleor autodiscovers ``<package>.tasks`` of every plugin in ``settings.PLUGINS``.
"""

from .buyers import tasks as buyer_tasks
from .cards import tasks as card_tasks
from .invoices import tasks as invoice_tasks

__all__ = ["buyer_tasks", "card_tasks", "invoice_tasks"]
