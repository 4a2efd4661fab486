"""The plugin's root fields, added to Saleor's /graphql/ schema (see extension.py)."""

from types import ModuleType

from .assortments import AssortmentMutations, AssortmentQueries
from .budgets import BudgetMutations, BudgetQueries
from .cards import CardMutations, CardQueries
from .connections import ConnectionMutations, ConnectionQueries
from .console import ConsoleMutations
from .extension import extend_schema
from .inbound import InboundQueries
from .invoices import InvoiceMutations, InvoiceQueries
from .logos import LogoMutations
from .members import MemberMutations, MemberQueries
from .punchout import PunchoutMutations, PunchoutQueries
from .purchase_orders import PurchaseOrderMutations


class OciQueries(
    AssortmentQueries,
    BudgetQueries,
    CardQueries,
    ConnectionQueries,
    InboundQueries,
    InvoiceQueries,
    MemberQueries,
    PunchoutQueries,
):
    pass


class OciMutations(
    AssortmentMutations,
    BudgetMutations,
    CardMutations,
    ConnectionMutations,
    ConsoleMutations,
    InvoiceMutations,
    LogoMutations,
    MemberMutations,
    PunchoutMutations,
    PurchaseOrderMutations,
):
    pass


def extend_saleor_schema(api: ModuleType) -> None:
    """Extend the schema of Saleor's ``saleor.graphql.api`` module."""
    extend_schema(api.schema, OciQueries, OciMutations)
