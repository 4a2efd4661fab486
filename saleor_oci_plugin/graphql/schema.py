"""The plugin's root fields, added to Saleor's /graphql/ schema (see extension.py)."""

from types import ModuleType

from .connections import ConnectionMutations, ConnectionQueries
from .extension import extend_schema
from .punchout import PunchoutMutations


class OciQueries(ConnectionQueries):
    pass


class OciMutations(ConnectionMutations, PunchoutMutations):
    pass


def extend_saleor_schema(api: ModuleType) -> None:
    """Extend the schema of Saleor's ``saleor.graphql.api`` module."""
    extend_schema(api.schema, OciQueries, OciMutations)
