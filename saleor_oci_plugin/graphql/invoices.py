"""GraphQL for staff and ERP integrators: the UBL invoices and credit notes."""

import decimal

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from saleor.core import JobStatus
from saleor.graphql.app.dataloaders import get_app_promise
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import get_database_connection_name
from saleor.graphql.core.doc_category import DOC_CATEGORY_ORDERS
from saleor.graphql.core.fields import JSONString, PermissionsField
from saleor.graphql.core.mutations import BaseMutation
from saleor.graphql.core.scalars import Date, DateTime, Decimal
from saleor.graphql.core.types.common import NonNullList
from saleor.graphql.core.utils import from_global_id_or_error
from saleor.graphql.plugins.dataloaders import get_plugin_manager_promise
from saleor.invoice.models import Invoice
from saleor.order import events as order_events
from saleor.order.models import Order
from saleor.permission.enums import OrderPermissions

from .. import PLUGIN_ID
from ..error_codes import OciErrorCode
from ..invoices.credit_notes import (
    CreditedQuantity,
    CreditNoteRefused,
    issue_credit_note,
)
from ..invoices.models import IssuedDocument
from .errors import OciError

MAX_ITEMS = 500
# Refusals about the requested lines rather than the order as a whole.
_LINE_ERROR_CODES = frozenset(
    {OciErrorCode.NOT_FOUND, OciErrorCode.CREDIT_EXCEEDS_INVOICE}
)
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


class OciCreditNoteLineInput(graphene.InputObjectType):
    order_line_id = graphene.ID(required=True, description="The order line.")
    quantity = graphene.Int(required=True, description="How many to credit.")

    class Meta:
        doc_category = DOC_CATEGORY_ORDERS


class OciCreditNoteCreate(BaseMutation):
    credit_note = graphene.Field(OciInvoice, description="The issued credit note.")

    class Arguments:
        order_id = graphene.ID(required=True, description="The invoiced order.")
        lines = NonNullList(
            OciCreditNoteLineInput,
            description=(
                "Lines and quantities to credit (a refund). Without lines: "
                "everything invoiced and not credited yet, shipping included."
            ),
        )
        note = graphene.String(description="Why, printed on the credit note.")

    class Meta:
        description = (
            "Issue a UBL credit note for an order invoiced through OCI, referring "
            "to its invoice. Never credits more than the invoice asked."
        )
        doc_category = DOC_CATEGORY_ORDERS
        error_type_class = OciError
        permissions = (OrderPermissions.MANAGE_ORDERS,)

    @classmethod
    def perform_mutation(
        cls,
        _root,
        info: ResolveInfo,
        /,
        *,
        order_id: str,
        lines: list[dict] | None = None,
        note: str | None = None,
    ) -> "OciCreditNoteCreate":
        order = _order(order_id)
        credited = None if not lines else [_credited_quantity(line) for line in lines]
        manager = get_plugin_manager_promise(info.context).get()
        plugin = manager.get_plugin(PLUGIN_ID)
        if plugin is None or not plugin.active:
            raise ValidationError(
                "OCI punch-out is switched off in this shop.",
                code=OciErrorCode.INVALID.value,
            )
        app = get_app_promise(info.context).get()
        try:
            with transaction.atomic():
                # Saleor's invoice carries the file; a refusal rolls it back too.
                invoice = Invoice.objects.create(order=order, status=JobStatus.PENDING)
                issued = issue_credit_note(
                    order, invoice, plugin.config.invoicing, credited, note=note
                )
                order_events.invoice_generated_event(
                    order=order,
                    user=None if app else info.context.user,
                    app=app,
                    invoice_number=issued.number,
                )
        except CreditNoteRefused as error:
            about_lines = credited and error.code in _LINE_ERROR_CODES
            field = "lines" if about_lines else "orderId"
            raise ValidationError(
                {field: ValidationError(str(error), code=error.code.value)}
            ) from error
        return cls(credit_note=issued, errors=[])


class InvoiceMutations(graphene.ObjectType):
    oci_credit_note_create = OciCreditNoteCreate.Field()


def _order(global_id: str) -> Order:
    try:
        type_name, pk = graphene.Node.from_global_id(global_id)
        order = Order.objects.filter(pk=pk).first() if type_name == "Order" else None
    except (ValueError, TypeError, UnicodeDecodeError, ValidationError):
        order = None
    if order is None:
        raise ValidationError(
            {
                "orderId": ValidationError(
                    "No order has this id.", code=OciErrorCode.NOT_FOUND.value
                )
            }
        )
    return order


def _credited_quantity(line: dict) -> CreditedQuantity:
    try:
        type_name, pk = graphene.Node.from_global_id(line["order_line_id"])
    except (ValueError, TypeError, UnicodeDecodeError):
        type_name, pk = "", ""
    if type_name != "OrderLine":
        raise ValidationError(
            {
                "lines": ValidationError(
                    f"{line['order_line_id']} is not an order line id.",
                    code=OciErrorCode.NOT_FOUND.value,
                )
            }
        )
    return CreditedQuantity(order_line=pk, quantity=decimal.Decimal(line["quantity"]))


def _global_id(type_name: str, pk: object) -> str | None:
    return graphene.Node.to_global_id(type_name, pk) if pk is not None else None


def _bounded(limit: int | None) -> int:
    return max(0, min(limit or DEFAULT_ITEMS, MAX_ITEMS))
