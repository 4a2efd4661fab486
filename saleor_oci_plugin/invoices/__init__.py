"""E-invoices: UBL 2.1 documents for the buyer's ERP, and their validation.

``dataclasses``, ``ubl`` and ``validation`` know nothing of Django or Saleor, so
this package's ``__init__`` must stay free of such imports as well: the
validation runner and the core test tier import it without a Saleor environment.
"""
