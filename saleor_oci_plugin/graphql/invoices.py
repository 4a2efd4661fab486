"""GraphQL for staff and ERP integrators: the UBL invoices the plugin issued."""

import graphene
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import get_database_connection_name
from saleor.graphql.core.doc_category import DOC_CATEGORY_ORDERS
from saleor.graphql.core.fields import JSONString, PermissionsField
from saleor.graphql.core.scalars import Date, DateTime, Decimal
from saleor.graphql.core.types.common import NonNullList
from saleor.graphql.core.utils import from_global_id_or_error
from saleor.permission.enums import OrderPermissions

from ..invoices.models import IssuedDocument

MAX_ITEMS = 500
DEFAULT_ITEMS = 100


class OciInvoice(graphene.ObjectType):
    id = graphene.ID(required=True)
    created_at = DateTime(required=True)
    number = graphene.String(required=True, description="The gap-free number.")
    kind = graphene.String(required=True, description="invoice or credit_note")
    issue_date = Date(required=True)
    currency = graphene.String(required=True)
    payable_amount = Decimal(required=True, description="Amount due (BT-115).")
    order_id = graphene.ID(description="The Saleor order invoiced.")
    invoice_id = graphene.ID(description="Saleor's Invoice that carries the file.")
    connection_id = graphene.ID(description="The buyer's punch-out connection.")
    customization = graphene.String(
        required=True, description="CustomizationID (BT-24): SI-UBL 2.0 or Peppol."
    )
    validation_result = JSONString(
        required=True,
        description="The rule sets it passed, and their warnings, if any.",
    )
    xml = graphene.String(required=True, description="The UBL 2.1 document.")
    html = graphene.String(required=True, description="A rendering for people.")
    url = graphene.String(
        description="Download URL of the XML attached to Saleor's invoice."
    )

    class Meta:
        description = "A UBL e-invoice issued for an order placed through OCI."
        doc_category = DOC_CATEGORY_ORDERS

    @staticmethod
    def resolve_id(root: IssuedDocument, _info: ResolveInfo) -> str:
        return graphene.Node.to_global_id("OciInvoice", root.pk)

    @staticmethod
    def resolve_order_id(root: IssuedDocument, _info: ResolveInfo) -> str | None:
        return _global_id("Order", root.order_id)

    @staticmethod
    def resolve_invoice_id(root: IssuedDocument, _info: ResolveInfo) -> str | None:
        return _global_id("Invoice", root.invoice_id)

    @staticmethod
    def resolve_connection_id(root: IssuedDocument, _info: ResolveInfo) -> str | None:
        return _global_id("OciConnection", root.connection_id)

    @staticmethod
    def resolve_url(root: IssuedDocument, _info: ResolveInfo) -> str | None:
        invoice = root.invoice
        return invoice.url if invoice is not None else None


class InvoiceQueries(graphene.ObjectType):
    oci_invoices = PermissionsField(
        NonNullList(OciInvoice),
        required=True,
        order_id=graphene.ID(description="Only the invoices of this order."),
        limit=graphene.Int(
            description=f"How many, newest first (at most {MAX_ITEMS})."
        ),
        description="UBL invoices issued for orders placed through OCI, newest first.",
        permissions=[OrderPermissions.MANAGE_ORDERS],
    )

    @staticmethod
    def resolve_oci_invoices(
        _root, info: ResolveInfo, *, order_id: str | None = None, limit: int = 100
    ):
        database = get_database_connection_name(info.context)
        documents = IssuedDocument.objects.using(database).select_related("invoice")
        if order_id is not None:
            # A malformed or foreign ID is a GraphQL error, not a server error.
            _, order_pk = from_global_id_or_error(order_id, "Order", raise_error=True)
            documents = documents.filter(order_id=order_pk)
        return documents[: _bounded(limit)]


def _global_id(type_name: str, pk: object) -> str | None:
    return graphene.Node.to_global_id(type_name, pk) if pk is not None else None


def _bounded(limit: int | None) -> int:
    return max(0, min(limit or DEFAULT_ITEMS, MAX_ITEMS))
