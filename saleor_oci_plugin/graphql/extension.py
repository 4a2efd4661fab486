"""Adding the plugin's fields to Saleor's own GraphQL schema, without rebuilding it.

Saleor builds its schema once, when ``saleor.graphql.api`` is first imported (the
URLconf imports it). Rebuilding it with extra root classes costs as much again
(seconds per process). Instead the plugin's root fields are built with the schema's
own graphene type map, which reuses every Saleor type by name, and added to the
built ``Query`` and ``Mutation`` types, the way Saleor adds its federation fields.
"""

from collections.abc import Sequence

import graphene
from graphql import GraphQLObjectType


def extend_schema(
    schema: graphene.Schema,
    query: type[graphene.ObjectType],
    mutation: type[graphene.ObjectType],
) -> None:
    """Add ``query``'s and ``mutation``'s fields to the schema's root types."""
    type_map = schema._type_map
    known_types = set(type_map)
    for extra, root in (
        (query, schema.get_query_type()),
        (mutation, schema.get_mutation_type()),
    ):
        new_fields = type_map.construct_fields_for_type(type_map, extra)
        clashes = set(new_fields) & set(root.fields)
        if clashes:
            raise RuntimeError(f"Saleor's {root.name} already has {sorted(clashes)}")
        root.fields.update(new_fields)
    _register_implementations(
        type_map, [type_map[name] for name in type_map if name not in known_types]
    )


def _register_implementations(type_map, new_types: Sequence) -> None:
    # The type map indexes interface implementations when it is built; new object
    # types (e.g. relay nodes) must be added to that index for `node(id:)` to work.
    for gql_type in new_types:
        if isinstance(gql_type, GraphQLObjectType):
            for interface in gql_type.interfaces:
                type_map._implementations[interface.name].append(gql_type)
                type_map._possible_type_map.pop(interface.name, None)
