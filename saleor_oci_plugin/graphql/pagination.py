"""Saleor-style lists: the plugin's paginated fields, built from Saleor's own pieces.

Every list field of the plugin is (or has as sibling) a connection as Saleor's own
lists are: ``first``/``after`` (and ``last``/``before``), ``edges { cursor node }``,
``pageInfo`` and ``totalCount``, with Saleor's page size limit
(``GRAPHQL_PAGINATION_LIMIT``) and Saleor's cursors, which name the row's place in
a stable order (the model's ``Meta.ordering``, ending with its primary key). A
page is one query however long the list is (two with ``totalCount``).

Naming: the connection sibling of a plain list ``ociThings`` is ``ociThingsPaged``,
its type ``OciThingCountableConnection`` (Saleor's naming of connection types); the
plain list is deprecated with a reason that names the sibling. New list fields are
connections under their plain name from the start.

Use::

    OciThingCountableConnection = connection_type(OciThing)
    oci_things_paged = paged_field(OciThingCountableConnection, permissions=[...])

    def resolve_oci_things_paged(_root, info, **kwargs):
        things = things_queryset(info)
        return paginate(things, info, kwargs, OciThingCountableConnection)
"""

from collections.abc import Sequence
from typing import Any

import graphene
from django.db.models import QuerySet
from saleor.core.db.connection import allow_writer_in_context
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.connection import (
    CountableConnection,
    _validate_slice_args,
    connection_from_queryset_slice,
    create_connection_slice,
)
from saleor.graphql.core.fields import ConnectionField
from saleor.permission.enums import BasePermissionEnum


def connection_type(
    node: type[graphene.ObjectType], *, doc_category: str | None = None
) -> type[CountableConnection]:
    """Saleor's ``CountableConnection`` of ``node``: ``<Node>CountableConnection``."""
    meta = type("Meta", (), {"node": node, "doc_category": doc_category})
    name = f"{node._meta.name}CountableConnection"
    return type(name, (CountableConnection,), {"Meta": meta})


def paged_field(
    connection: type[CountableConnection],
    *,
    description: str,
    permissions: Sequence[BasePermissionEnum] = (),
    doc_category: str | None = None,
    **arguments: Any,
) -> ConnectionField:
    """A root field of ``connection`` with Saleor's paging arguments.

    ``permissions``: one of them is required (Saleor's ``PermissionsField``); none
    when the resolver decides who sees what.
    """
    return ConnectionField(
        connection,
        description=description,
        permissions=list(permissions),
        doc_category=doc_category,
        **arguments,
    )


def paginate(
    queryset: QuerySet,
    info: ResolveInfo,
    args: dict[str, Any],
    connection: type[CountableConnection],
    *,
    ordering: Sequence[str] | None = None,
) -> Any:
    """One page of ``queryset`` as a ``connection``, from the paging ``args``.

    The order is the model's ``Meta.ordering`` (Saleor's ``create_connection_slice``
    does the rest). ``ordering`` replaces it where that ordering cannot be a cursor,
    e.g. one that names a relation (``organisation``): ascending field paths ending
    with a unique one, e.g. ``("organisation__name", "organisation_id", "name",
    "pk")``; select the related rows the paths go through, so that cursors cost no
    query.
    """
    if ordering is None:
        return create_connection_slice(queryset, info, args, connection)
    args = dict(args)
    # The checks create_connection_slice makes first: first or last required when
    # edges are read, and Saleor's page size limit.
    _validate_slice_args(info, args)
    backwards = bool(args.get("last"))
    queryset = queryset.order_by(
        *(f"-{field}" if backwards else field for field in ordering)
    )
    args["sort_by"] = {"field": list(ordering), "direction": ""}
    with allow_writer_in_context(info.context):
        return connection_from_queryset_slice(
            queryset, args, connection, connection.Edge, graphene.relay.PageInfo
        )
