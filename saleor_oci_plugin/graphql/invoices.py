"""GraphQL for staff, ERP integrators and buyers: the UBL invoices and credit notes."""

import base64
import datetime
import decimal
from typing import TYPE_CHECKING

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from saleor.core import JobStatus
from saleor.core.exceptions import PermissionDenied
from saleor.graphql.app.dataloaders import get_app_promise
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import SaleorContext, get_database_connection_name
from saleor.graphql.core.doc_category import DOC_CATEGORY_ORDERS
from saleor.graphql.core.fields import BaseField, JSONString, PermissionsField
from saleor.graphql.core.mutations import BaseMutation
from saleor.graphql.core.scalars import Date, DateTime, Decimal
from saleor.graphql.core.types.common import NonNullList
from saleor.graphql.core.utils import from_global_id_or_error
from saleor.graphql.utils import get_user_or_app_from_context
from saleor.invoice.models import Invoice
from saleor.order import events as order_events
from saleor.order.models import Order
from saleor.permission.auth_filters import AuthorizationFilters, is_user
from saleor.permission.enums import OrderPermissions
from saleor.permission.utils import (
    has_one_of_permissions,
    message_one_of_permissions_required,
)

from ..buyers.models import BuyerOrganisation
from ..error_codes import OciErrorCode
from ..invoices.models import InvoiceRun, IssuedDocument
from ..punchout.models import Connection
from .access import access_of
from .errors import OciError
from .ids import instance_or_error
from .pagination import connection_type, paged_field, paginate
from .plugin_config import active_plugin_config

if TYPE_CHECKING:
    from ..invoices.credit_notes import CreditedQuantity

MAX_ITEMS = 500
# Who may list invoices: staff and Apps that manage orders, or the buyer whose
# punch-out connection shops as the logged-in customer (the owner).
_INVOICE_READERS = [OrderPermissions.MANAGE_ORDERS, AuthorizationFilters.OWNER]
OciInvoiceRunStatus = graphene.Enum(
    "OciInvoiceRunStatus",
    [(choice.name, choice.value) for choice in InvoiceRun.Status],
    description="How far a periodic invoicing run got.",
)
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
    pdf = graphene.String(
        description=(
            "The PDF copy, base64-encoded: the attachment the UBL carries "
            "(file <number>.pdf). Null for documents issued before PDF copies."
        )
    )
    url = graphene.String(
        description="Download URL of the XML attached to Saleor's invoice."
    )
    order_ids = NonNullList(
        graphene.ID,
        required=True,
        description="The orders it bills: one, or several for a periodic invoice.",
    )
    period_start = Date(description="A periodic invoice's first day (BT-73).")
    period_end = Date(description="A periodic invoice's last day (BT-74).")
    run_id = graphene.ID(description="The invoice run that issued it, if one did.")
    sent_at = DateTime(description="When it was e-mailed to the buyer; null: not yet.")
    sent_to = graphene.String(
        required=True, description="The address it was e-mailed to; empty: none yet."
    )
    # Staff only: a mail backend's error can name the shop's mail servers.
    delivery_error = PermissionsField(
        graphene.String,
        description="Why it was not e-mailed (yet); empty when it was, or is queued.",
        permissions=[OrderPermissions.MANAGE_ORDERS],
    )

    class Meta:
        description = "A UBL e-invoice issued for orders placed through OCI."
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
    def resolve_pdf(root: IssuedDocument, _info: ResolveInfo) -> str | None:
        from ..invoices.ubl import embedded_pdf

        pdf = embedded_pdf(root.xml.encode())
        return base64.b64encode(pdf).decode("ascii") if pdf is not None else None

    @staticmethod
    def resolve_url(root: IssuedDocument, _info: ResolveInfo) -> str | None:
        invoice = root.invoice
        return invoice.url if invoice is not None else None

    @staticmethod
    def resolve_order_ids(root: IssuedDocument, _info: ResolveInfo) -> list[str]:
        # Prefetched by the lists (ociInvoices, a run's invoices): no query each.
        billed = [invoiced.order_id for invoiced in root.invoiced_orders.all()]
        pks = billed or ([root.order_id] if root.order_id else [])
        return [graphene.Node.to_global_id("Order", pk) for pk in pks]

    @staticmethod
    def resolve_run_id(root: IssuedDocument, _info: ResolveInfo) -> str | None:
        return _global_id("OciInvoiceRun", root.run_id)

    @staticmethod
    def resolve_delivery_error(root: IssuedDocument, _info: ResolveInfo) -> str:
        return root.delivery_error


class OciInvoiceRunFailure(graphene.ObjectType):
    group = graphene.String(
        required=True, description="The organisation and branch not invoiced."
    )
    orders = NonNullList(
        graphene.String, required=True, description="Their order numbers."
    )
    reason = graphene.String(required=True, description="Why, e.g. the rule failed.")

    class Meta:
        doc_category = DOC_CATEGORY_ORDERS


class OciInvoiceRun(graphene.ObjectType):
    id = graphene.ID(required=True)
    period_start = Date(required=True)
    period_end = Date(required=True)
    organisation_id = graphene.ID(description="Only this organisation's orders.")
    status = OciInvoiceRunStatus(required=True)
    requested_by = graphene.String(required=True)
    created_at = DateTime(required=True)
    finished_at = DateTime()
    invoices = NonNullList(
        OciInvoice, required=True, description="The invoices it issued."
    )
    failures = NonNullList(
        OciInvoiceRunFailure,
        required=True,
        description="Groups of orders it did not invoice, and why.",
    )

    class Meta:
        description = (
            "A periodic invoicing run: per-branch and consolidated invoices of the "
            "orders placed in a period."
        )
        doc_category = DOC_CATEGORY_ORDERS

    @staticmethod
    def resolve_id(root: InvoiceRun, _info: ResolveInfo) -> str:
        return graphene.Node.to_global_id("OciInvoiceRun", root.pk)

    @staticmethod
    def resolve_organisation_id(root: InvoiceRun, _info: ResolveInfo) -> str | None:
        return _global_id("OciOrganisation", root.organisation_id)

    @staticmethod
    def resolve_invoices(root: InvoiceRun, info: ResolveInfo):
        database = get_database_connection_name(info.context)
        return (
            root.documents.using(database)
            .prefetch_related("invoiced_orders")
            .order_by("sequence")
        )

    @staticmethod
    def resolve_failures(root: InvoiceRun, _info: ResolveInfo) -> list[dict]:
        return root.failures


OciInvoiceCountableConnection = connection_type(
    OciInvoice, doc_category=DOC_CATEGORY_ORDERS
)
OciInvoiceRunCountableConnection = connection_type(
    OciInvoiceRun, doc_category=DOC_CATEGORY_ORDERS
)
_INVOICES_DESCRIPTION = (
    "UBL invoices and credit notes issued for orders placed through OCI, newest "
    "first. Staff and Apps with MANAGE_ORDERS see all of them; the customer account "
    "of a punch-out connection sees its organisation's."
    + message_one_of_permissions_required(_INVOICE_READERS)
)
_ORDER_ID_DESCRIPTION = "Only the invoices of this order."


class InvoiceQueries(graphene.ObjectType):
    oci_invoices_paged = paged_field(
        OciInvoiceCountableConnection,
        order_id=graphene.ID(description=_ORDER_ID_DESCRIPTION),
        description=_INVOICES_DESCRIPTION,
        doc_category=DOC_CATEGORY_ORDERS,
    )
    oci_invoice_runs_paged = paged_field(
        OciInvoiceRunCountableConnection,
        description="Periodic invoicing runs, newest first.",
        permissions=[OrderPermissions.MANAGE_ORDERS],
        doc_category=DOC_CATEGORY_ORDERS,
    )
    oci_invoices = BaseField(
        NonNullList(OciInvoice),
        required=True,
        order_id=graphene.ID(description=_ORDER_ID_DESCRIPTION),
        limit=graphene.Int(
            description=f"How many, newest first (at most {MAX_ITEMS})."
        ),
        description=_INVOICES_DESCRIPTION,
        doc_category=DOC_CATEGORY_ORDERS,
        deprecation_reason="Use `ociInvoicesPaged` instead: Saleor's connection "
        "(first/after, edges, pageInfo).",
    )
    oci_invoice_runs = PermissionsField(
        NonNullList(OciInvoiceRun),
        required=True,
        limit=graphene.Int(
            description=f"How many, newest first (at most {MAX_ITEMS})."
        ),
        description="Periodic invoicing runs, newest first.",
        permissions=[OrderPermissions.MANAGE_ORDERS],
        deprecation_reason="Use `ociInvoiceRunsPaged` instead: Saleor's connection "
        "(first/after, edges, pageInfo).",
    )

    @staticmethod
    def resolve_oci_invoices(
        _root, info: ResolveInfo, *, order_id: str | None = None, limit: int = 100
    ):
        return _visible_documents(info, order_id)[: _bounded(limit)]

    @staticmethod
    def resolve_oci_invoices_paged(
        _root, info: ResolveInfo, *, order_id: str | None = None, **kwargs
    ):
        return paginate(
            _visible_documents(info, order_id),
            info,
            kwargs,
            OciInvoiceCountableConnection,
        )

    @staticmethod
    def resolve_oci_invoice_runs(_root, info: ResolveInfo, *, limit: int = 100):
        return _invoice_runs(info)[: _bounded(limit)]

    @staticmethod
    def resolve_oci_invoice_runs_paged(_root, info: ResolveInfo, **kwargs):
        return paginate(
            _invoice_runs(info), info, kwargs, OciInvoiceRunCountableConnection
        )


def _visible_documents(
    info: ResolveInfo, order_id: str | None
) -> QuerySet[IssuedDocument]:
    """The documents the requester may read (MANAGE_ORDERS, or the buyer's own)."""
    database = get_database_connection_name(info.context)
    documents = (
        IssuedDocument.objects.using(database)
        .select_related("invoice")
        .prefetch_related("invoiced_orders")
    )
    requester = get_user_or_app_from_context(info.context)
    if not has_one_of_permissions(requester, [OrderPermissions.MANAGE_ORDERS]):
        documents = documents.filter(
            _issued_to(_customers_organisations(info.context, database))
        )
    if order_id is not None:
        # A malformed or foreign ID is a GraphQL error, not a server error.
        _, order_pk = from_global_id_or_error(order_id, "Order", raise_error=True)
        # A credit note names its order; an invoice may bill several.
        documents = documents.filter(
            Q(order_id=order_pk) | Q(invoiced_orders__order_id=order_pk)
        ).distinct()
    return documents


def _invoice_runs(info: ResolveInfo) -> QuerySet[InvoiceRun]:
    database = get_database_connection_name(info.context)
    return InvoiceRun.objects.using(database).all()


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
        from ..invoices.credit_notes import CreditNoteRefused, issue_credit_note
        from ..invoices.delivery import send_after_commit

        order = instance_or_error(Order, order_id, "Order", "orderId")
        credited = None if not lines else [_credited_quantity(line) for line in lines]
        config, _ = active_plugin_config(info)
        app = get_app_promise(info.context).get()
        try:
            with transaction.atomic():
                # Saleor's invoice carries the file; a refusal rolls it back too.
                invoice = Invoice.objects.create(order=order, status=JobStatus.PENDING)
                issued = issue_credit_note(
                    order, invoice, config.invoicing, credited, note=note
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
        send_after_commit(issued)
        return cls(credit_note=issued, errors=[])


class OciInvoiceRunCreate(BaseMutation):
    run = graphene.Field(OciInvoiceRun, description="The run, as far as it got.")

    class Arguments:
        period_start = Date(required=True, description="First day of the period.")
        period_end = Date(required=True, description="Last day of the period.")
        organisation_id = graphene.ID(
            description="Only this organisation's orders (default: all)."
        )

    class Meta:
        description = (
            "Start a periodic invoicing run for a period: per-branch and "
            "consolidated invoices of the orders placed in it and not invoiced "
            "yet. It runs on Saleor's Celery workers; running a period again "
            "issues nothing twice."
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
        period_start: datetime.date,
        period_end: datetime.date,
        organisation_id: str | None = None,
    ) -> "OciInvoiceRunCreate":
        from ..invoices.periodic import PeriodInvalid, create_run
        from ..invoices.tasks import run_invoicing_task

        organisation = (
            instance_or_error(
                BuyerOrganisation, organisation_id, "OciOrganisation", "organisationId"
            )
            if organisation_id
            else None
        )
        # The worker reads the configuration; a switched-off plugin is refused now.
        active_plugin_config(info)
        app = get_app_promise(info.context).get()
        requester = app.name if app else info.context.user.email
        try:
            run = create_run(
                period_start,
                period_end,
                organisation=organisation,
                requested_by=requester,
            )
        except PeriodInvalid as error:
            raise ValidationError(
                {
                    "periodEnd": ValidationError(
                        str(error), code=OciErrorCode.INVALID.value
                    )
                }
            ) from error
        run_invoicing_task.delay(run.pk)
        run.refresh_from_db()
        return cls(run=run, errors=[])


class OciInvoiceSend(BaseMutation):
    invoice = graphene.Field(
        OciInvoice,
        description="The document; sentAt is set once a Celery worker sent it.",
    )

    class Arguments:
        id = graphene.ID(required=True, description="The invoice or credit note.")

    class Meta:
        description = (
            "E-mail an invoice or credit note that has not gone out (it had no "
            "address then, or the mail server refused it) to its branch's or "
            "organisation's invoice address. One that was sent is not sent again."
        )
        doc_category = DOC_CATEGORY_ORDERS
        error_type_class = OciError
        permissions = (OrderPermissions.MANAGE_ORDERS,)

    @classmethod
    def perform_mutation(
        cls, _root, _info: ResolveInfo, /, *, id: str
    ) -> "OciInvoiceSend":
        from ..invoices.delivery import (
            no_recipient_reason,
            recipient,
            send_after_commit,
        )

        document = instance_or_error(IssuedDocument, id, "OciInvoice")
        if document.sent_at is not None:
            raise ValidationError(
                {
                    "id": ValidationError(
                        f"{document.number} was e-mailed to {document.sent_to} on "
                        f"{document.sent_at:%Y-%m-%d %H:%M} UTC already.",
                        code=OciErrorCode.INVALID.value,
                    )
                }
            )
        if not recipient(document):
            raise ValidationError(
                {
                    "id": ValidationError(
                        no_recipient_reason(document),
                        code=OciErrorCode.REQUIRED.value,
                    )
                }
            )
        send_after_commit(document)
        document.refresh_from_db()
        return cls(invoice=document, errors=[])


class InvoiceMutations(graphene.ObjectType):
    oci_credit_note_create = OciCreditNoteCreate.Field()
    oci_invoice_run = OciInvoiceRunCreate.Field()
    oci_invoice_send = OciInvoiceSend.Field()


def _credited_quantity(line: dict) -> "CreditedQuantity":
    from ..invoices.credit_notes import CreditedQuantity

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


def _customers_organisations(context: SaleorContext, database: str) -> list[int]:
    """The organisations whose punch-out connections buy as the logged-in customer,
    and the one the customer administers (signed in with a password).

    Raises Saleor's PermissionDenied for anyone else, as Saleor does for data
    that only staff or its owner may read.
    """
    organisations = (
        list(
            Connection.objects.using(database)
            .filter(customer_id=context.user.pk)
            .values_list("organisation_id", flat=True)
            .distinct()
        )
        if is_user(context)
        else []
    )
    admin = access_of(context).admin
    if admin is not None and admin.organisation_id not in organisations:
        organisations.append(admin.organisation_id)
    if not organisations:
        raise PermissionDenied(permissions=_INVOICE_READERS)
    return organisations


def _issued_to(organisations: list[int]) -> Q:
    # Documents issued before IssuedDocument.organisation name it only through
    # their connection.
    return Q(organisation_id__in=organisations) | Q(
        organisation__isnull=True, connection__organisation_id__in=organisations
    )


def _global_id(type_name: str, pk: object) -> str | None:
    return graphene.Node.to_global_id(type_name, pk) if pk is not None else None


def _bounded(limit: int | None) -> int:
    return max(0, min(limit or DEFAULT_ITEMS, MAX_ITEMS))
