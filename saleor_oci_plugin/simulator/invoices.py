"""The shop's invoices, read with GraphQL ``ociInvoices`` where the shop has it.

The query is new in the shop and its fields may still change, so the simulator does
not hard-code them:

1. it asks for ``ociInvoices { __typename }`` (a shop without the query answers
   with the GraphQL error 'Cannot query field "ociInvoices"', shown as "the shop
   does not offer invoices yet");
2. it reads the invoice type's fields by introspection and asks for every field
   without required arguments, one level deep;
3. where the invoice carries its UBL document (a field ``xml``), it reads the PO
   number from it as the buyer's ERP does, from ``cac:OrderReference/cbc:ID``
   (BT-13), and shows that instead of the document; JSON fields (a validation
   result) are shown as their values.

The page shows the number, PO number and validation columns first and the opaque
ids last.
"""

import json
import re
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .shop import GraphQLResult, ShopClient, ShopError

NOT_OFFERED = "The shop does not offer invoices yet."
MAX_ROWS = 500
UBL_FIELD = "xml"
UBL_PO_NUMBER = "PO number (UBL OrderReference)"
UBL_BUYER_REFERENCE = "Buyer reference (UBL)"
# Whole documents: read (the UBL) or left out, never shown in a table cell.
DOCUMENT_FIELDS = frozenset({"xml", "html", "pdf"})
JSON_TYPES = frozenset({"JSONString", "JSON"})
# Shown first, in this order, when the invoice type has them.
PREFERRED_COLUMNS = (
    "number",
    "invoiceNumber",
    "poNumber",
    "purchaseOrderNumber",
    "orderNumber",
    "orderReference",
    UBL_PO_NUMBER,
    "buyerReference",
    UBL_BUYER_REFERENCE,
    "isValid",
    "valid",
    "validation",
    "validationResult",
    "validationStatus",
    "validationErrors",
    "status",
)
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_MISSING_QUERY = re.compile(r"""Cannot query field ["']ociInvoices["']""")
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_LEAF_KINDS = frozenset({"SCALAR", "ENUM"})

PROBE_QUERY = "query OciInvoicesProbe { ociInvoices { __typename } }"
_TYPE_FIELDS = """
fields {
  name
  args { defaultValue type { kind } }
  type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
}
""".strip()


@dataclass(frozen=True, slots=True)
class InvoiceListing:
    """What the invoice page shows: rows by column, or why there are none."""

    offered: bool
    columns: tuple[str, ...] = ()
    rows: tuple[dict[str, Any], ...] = ()
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Selection:
    query: str
    columns: tuple[str, ...]
    json_fields: frozenset[str]
    reads_ubl: bool


def fetch_invoices(client: ShopClient) -> InvoiceListing:
    """Ask the shop for its invoices (see the module docstring)."""
    try:
        probe = client.graphql(PROBE_QUERY)
        if any(_MISSING_QUERY.search(message) for message in probe.error_messages):
            return InvoiceListing(offered=False, messages=(NOT_OFFERED,))
        if probe.errors:
            return InvoiceListing(offered=True, messages=probe.error_messages)
        value = (probe.data or {}).get("ociInvoices")
        if not isinstance(value, list):
            return InvoiceListing(
                offered=True,
                messages=(
                    "ociInvoices does not answer a list of invoices; the simulator "
                    "reads only that shape.",
                ),
            )
        typename = next(
            (item.get("__typename") for item in value if isinstance(item, dict)), None
        )
        if not typename:
            return InvoiceListing(offered=True)  # no invoices yet
        selection = _selection(client, str(typename))
        if not selection.columns:
            return InvoiceListing(
                offered=True,
                messages=(f"The type {typename} has no fields the simulator can ask.",),
            )
        result = client.graphql(
            f"query OciInvoices {{ ociInvoices {{ {selection.query} }} }}"
        )
    except ShopError as error:
        return InvoiceListing(offered=True, messages=(str(error),))
    if result.errors:
        return InvoiceListing(offered=True, messages=result.error_messages)
    rows = [row for row in (result.data or {}).get("ociInvoices") or [] if row]
    return InvoiceListing(
        offered=True,
        columns=selection.columns,
        rows=tuple(_readable(row, selection) for row in rows[:MAX_ROWS]),
        messages=(f"Showing the first {MAX_ROWS} of {len(rows)}.",)
        if len(rows) > MAX_ROWS
        else (),
    )


def read_ubl_references(xml: str) -> tuple[str, str]:
    """(PO number BT-13, buyer reference BT-10) of a UBL invoice; "" where absent.

    The document is the shop's, but it is still read without DTDs, entities or
    network access.
    """
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return "", ""
    if root is None:
        return "", ""
    return (
        (root.findtext(f"{{{CAC}}}OrderReference/{{{CBC}}}ID") or "").strip(),
        (root.findtext(f"{{{CBC}}}BuyerReference") or "").strip(),
    )


def _readable(row: dict[str, Any], selection: _Selection) -> dict[str, Any]:
    readable = dict(row)
    for name in selection.json_fields:
        if isinstance(readable.get(name), str):
            with suppress(ValueError):  # not JSON after all: shown as sent
                readable[name] = json.loads(readable[name])
    if selection.reads_ubl:
        xml = readable.pop(UBL_FIELD, None)
        po_number, buyer_reference = read_ubl_references(xml or "")
        readable[UBL_PO_NUMBER] = po_number
        readable[UBL_BUYER_REFERENCE] = buyer_reference
    return readable


def _selection(client: ShopClient, typename: str) -> _Selection:
    """The query and columns for the invoice type ``typename``."""
    fields = _type_fields(client, {typename})[typename]
    leaves, objects, json_fields = _split_fields(fields)
    nested_types = {type_name for type_name in objects.values()}
    nested_fields = _type_fields(client, nested_types) if nested_types else {}
    reads_ubl = UBL_FIELD in leaves
    columns = [name for name in leaves if name not in DOCUMENT_FIELDS]
    parts = list(columns) + ([UBL_FIELD] if reads_ubl else [])
    for field_name, type_name in objects.items():
        sub_leaves, _, _ = _split_fields(nested_fields.get(type_name, []))
        sub_leaves = [name for name in sub_leaves if name not in DOCUMENT_FIELDS]
        if sub_leaves:
            parts.append(f"{field_name} {{ {' '.join(sub_leaves)} }}")
            columns.append(field_name)
    if reads_ubl:
        columns += [UBL_PO_NUMBER, UBL_BUYER_REFERENCE]
    order = {name: rank for rank, name in enumerate(PREFERRED_COLUMNS)}
    # Preferred ones first; opaque ids ("id", "orderId") last; else as declared.
    columns.sort(
        key=lambda name: (
            order.get(name, len(order)),
            name == "id" or name.endswith("Id"),
        )
    )
    return _Selection(
        query=" ".join(parts),
        columns=tuple(columns),
        json_fields=frozenset(json_fields),
        reads_ubl=reads_ubl,
    )


def _type_fields(
    client: ShopClient, typenames: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """Each type's introspected fields, in one request (aliases t0, t1, ...)."""
    names = sorted(name for name in typenames if _GRAPHQL_NAME.fullmatch(name))
    aliases = " ".join(
        f't{index}: __type(name: "{name}") {{ {_TYPE_FIELDS} }}'
        for index, name in enumerate(names)
    )
    result: GraphQLResult = client.graphql(f"query OciInvoiceTypes {{ {aliases} }}")
    if result.errors:
        raise ShopError("; ".join(result.error_messages))
    data = result.data or {}
    return {
        name: list((data.get(f"t{index}") or {}).get("fields") or [])
        for index, name in enumerate(names)
    }


def _split_fields(
    fields: list[dict[str, Any]],
) -> tuple[list[str], dict[str, str], set[str]]:
    """Leaf field names, object fields (name -> type name), and the JSON leaves."""
    leaves: list[str] = []
    objects: dict[str, str] = {}
    json_fields: set[str] = set()
    for field in fields:
        name = field.get("name") or ""
        if not _GRAPHQL_NAME.fullmatch(name) or _needs_arguments(field):
            continue
        kind, type_name = _named_type(field.get("type") or {})
        if kind in _LEAF_KINDS:
            leaves.append(name)
            if type_name in JSON_TYPES:
                json_fields.add(name)
        elif kind == "OBJECT" and _GRAPHQL_NAME.fullmatch(type_name):
            objects[name] = type_name
    return leaves, objects, json_fields


def _needs_arguments(field: dict[str, Any]) -> bool:
    return any(
        (argument.get("type") or {}).get("kind") == "NON_NULL"
        and argument.get("defaultValue") is None
        for argument in field.get("args") or []
    )


def _named_type(type_ref: dict[str, Any]) -> tuple[str, str]:
    """The kind and name under NON_NULL and LIST wrappers."""
    while type_ref.get("kind") in ("NON_NULL", "LIST") and type_ref.get("ofType"):
        type_ref = type_ref["ofType"]
    return str(type_ref.get("kind") or ""), str(type_ref.get("name") or "")
