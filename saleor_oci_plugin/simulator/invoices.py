"""The shop's invoices, read with GraphQL ``ociInvoices`` where the shop has it.

The page is for the buyer's accounts-payable clerk testing a shop connection: per
invoice its number, kind, dates, the PO number it quotes, the amount, whether it
passed validation, whether it was e-mailed, and links to its documents. Shops
differ (an older one lacks some fields, a newer one has more), so the simulator
does not hard-code the query:

1. it asks for ``ociInvoices { __typename }`` (a shop without the query answers
   with the GraphQL error 'Cannot query field "ociInvoices"', shown as "the shop
   does not offer invoices yet");
2. it reads the invoice type's fields by introspection and asks for those of
   :data:`LISTED_FIELDS` the type has; the opaque ids (``orderId``, ``runId``, ...)
   are never shown (``id`` is only asked to find an invoice's documents again), and
   fields the simulator does not know are only named below the table;
3. where the invoice carries its UBL document (``xml``), it reads the PO number
   from it as the buyer's ERP does, from ``cac:OrderReference/cbc:ID`` (BT-13),
   and the buyer reference (BT-10).

The documents themselves (``xml``, ``html``) are served by their own routes, read
with :func:`fetch_document`, never inlined into the simulator's page.
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
HTML_FIELD = "html"
# The documents an invoice can be opened as, by the routes /invoices/<field>.
DOCUMENT_FIELDS = (UBL_FIELD, HTML_FIELD)
# What finds an invoice again among ociInvoices, the first the type has.
KEY_FIELDS = ("id", "number")
# Asked for the table (``xml`` for the PO number and buyer reference).
LISTED_FIELDS = (
    "id",
    "number",
    "kind",
    "issueDate",
    "currency",
    "payableAmount",
    "customization",
    "validationResult",
    "periodStart",
    "periodEnd",
    "sentAt",
    "sentTo",
    "deliveryError",
    "url",
    UBL_FIELD,
)
# Known but not asked for the table: the rendering (its own route), the creation
# time (the issue date is shown) and opaque ids nobody can read.
UNLISTED_FIELDS = frozenset(
    {
        HTML_FIELD,
        "createdAt",
        "orderId",
        "orderIds",
        "invoiceId",
        "connectionId",
        "runId",
    }
)
# Fields the table is made of; a type with none of them cannot be shown.
SHOWN_FIELDS = frozenset(LISTED_FIELDS) - {"id"}
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
class Invoice:
    """One invoice as answered; "" (or None) where the shop did not say."""

    key: str = ""  # the value of the listing's key_field
    number: str = ""
    kind: str = ""
    issue_date: str = ""
    currency: str = ""
    payable_amount: str = ""
    customization: str = ""
    # The validation result: JSON read into dicts and lists, else the text sent.
    validation: Any = None
    period_start: str = ""
    period_end: str = ""
    sent_at: str = ""
    sent_to: str = ""
    delivery_error: str = ""
    url: str = ""
    po_number: str = ""  # from the UBL, BT-13
    buyer_reference: str = ""  # from the UBL, BT-10


@dataclass(frozen=True, slots=True)
class InvoiceListing:
    """What the invoice page shows: the invoices, or why there are none.

    ``fields`` are the known fields the shop's invoice type has (the page shows a
    column only where the shop has its field); ``other_fields`` the ones the
    simulator does not know; ``key_field`` finds an invoice's documents again ("":
    they cannot be).
    """

    offered: bool
    rows: tuple[Invoice, ...] = ()
    messages: tuple[str, ...] = ()
    fields: frozenset[str] = frozenset()
    other_fields: tuple[str, ...] = ()
    key_field: str = ""
    typename: str = ""

    def has(self, *names: str) -> bool:
        """Whether the shop's invoice type has any of the fields ``names``."""
        return any(name in self.fields for name in names)

    @property
    def documents(self) -> tuple[str, ...]:
        """The documents (``xml``, ``html``) the simulator can serve by its routes."""
        if not self.key_field:
            return ()
        return tuple(name for name in DOCUMENT_FIELDS if name in self.fields)


class DocumentNotFound(Exception):
    """The shop did not answer the invoice, or the invoice without the document."""


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
        typename = str(typename)
        leaves, others = _known_leaves(client, typename)
        asked = [name for name in LISTED_FIELDS if name in leaves]
        if not SHOWN_FIELDS.intersection(asked):
            return InvoiceListing(
                offered=True,
                messages=(
                    f"The type {typename} has none of the fields the simulator "
                    f"shows ({', '.join(sorted(SHOWN_FIELDS))}).",
                ),
                other_fields=others,
                typename=typename,
            )
        result = client.graphql(
            f"query OciInvoices {{ ociInvoices {{ {' '.join(asked)} }} }}"
        )
    except ShopError as error:
        return InvoiceListing(offered=True, messages=(str(error),))
    key_field = next((name for name in KEY_FIELDS if name in leaves), "")
    answered = (result.data or {}).get("ociInvoices")
    rows = [row for row in answered or [] if isinstance(row, dict)]
    messages = list(result.error_messages)  # with rows: errors on some fields only
    if len(rows) > MAX_ROWS:
        messages.append(f"Showing the first {MAX_ROWS} of {len(rows)}.")
    return InvoiceListing(
        offered=True,
        rows=tuple(_invoice(row, key_field) for row in rows[:MAX_ROWS]),
        messages=tuple(messages),
        fields=frozenset(leaves),
        other_fields=others,
        key_field=key_field,
        typename=typename,
    )


def fetch_document(client: ShopClient, document: str, key_field: str, key: str) -> str:
    """The text of the ``document`` field (``xml`` or ``html``) of one invoice.

    The invoice is the one whose ``key_field`` (``id`` or ``number``) is ``key``
    among those ``ociInvoices`` answers (it has no argument to ask for one). Raises
    :class:`ShopError` when the shop answers no list, :class:`DocumentNotFound`
    when the invoice or its document is not in it.
    """
    if document not in DOCUMENT_FIELDS or key_field not in KEY_FIELDS:
        raise DocumentNotFound(
            f"The simulator does not serve {document} by {key_field}."
        )
    result = client.graphql(
        f"query OciInvoiceDocument {{ ociInvoices {{ {key_field} {document} }} }}"
    )
    answered = (result.data or {}).get("ociInvoices")
    if result.errors and not isinstance(answered, list):
        raise ShopError("; ".join(result.error_messages))
    for row in answered or []:
        if isinstance(row, dict) and _text(row.get(key_field)) == key:
            text = row.get(document)
            if isinstance(text, str) and text:
                return text
            raise DocumentNotFound(
                f"The shop sent invoice {key} without its {document}."
            )
    raise DocumentNotFound(
        f"The shop's ociInvoices no longer lists the invoice {key}; reload the "
        "invoices page."
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


def _invoice(row: dict[str, Any], key_field: str) -> Invoice:
    validation = row.get("validationResult")
    if isinstance(validation, str):
        with suppress(ValueError):  # not JSON after all: shown as sent
            validation = json.loads(validation)
    po_number, buyer_reference = read_ubl_references(_text(row.get(UBL_FIELD)))
    return Invoice(
        key=_text(row.get(key_field)) if key_field else "",
        number=_text(row.get("number")),
        kind=_text(row.get("kind")),
        issue_date=_text(row.get("issueDate")),
        currency=_text(row.get("currency")),
        payable_amount=_text(row.get("payableAmount")),
        customization=_text(row.get("customization")),
        validation=validation,
        period_start=_text(row.get("periodStart")),
        period_end=_text(row.get("periodEnd")),
        sent_at=_text(row.get("sentAt")),
        sent_to=_text(row.get("sentTo")),
        delivery_error=_text(row.get("deliveryError")),
        url=_text(row.get("url")),
        po_number=po_number,
        buyer_reference=buyer_reference,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return str(value)


def _known_leaves(
    client: ShopClient, typename: str
) -> tuple[frozenset[str], tuple[str, ...]]:
    """The known fields of ``typename`` that can be asked as they are, and the
    names of the fields the simulator does not know."""
    fields = _type_fields(client, {typename}).get(typename, [])
    known = set(LISTED_FIELDS) | UNLISTED_FIELDS
    leaves: set[str] = set()
    others: list[str] = []
    for field in fields:
        name = str(field.get("name") or "")
        if not _GRAPHQL_NAME.fullmatch(name):
            continue
        if name not in known:
            others.append(name)
        elif not _needs_arguments(field):
            kind, _ = _named_type(field.get("type") or {})
            if kind in _LEAF_KINDS:
                leaves.add(name)
    return frozenset(leaves), tuple(others)


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
