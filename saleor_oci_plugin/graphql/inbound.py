"""GraphQL for staff: what reached the plugin from outside, and what became of it."""

import graphene
from django.db.models import QuerySet
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import get_database_connection_name
from saleor.graphql.core.doc_category import DOC_CATEGORY_ORDERS
from saleor.graphql.core.fields import JSONString, PermissionsField
from saleor.graphql.core.scalars import DateTime
from saleor.graphql.core.types.common import NonNullList
from saleor.permission.enums import OrderPermissions, PluginsPermissions

from ..models import InboundMessage
from ..purchase_orders.models import ReceivedPurchaseOrder
from .pagination import connection_type, paged_field, paginate

MAX_ITEMS = 500


class OciInboundMessage(graphene.ObjectType):
    id = graphene.ID(required=True)
    created_at = DateTime(required=True)
    method = graphene.String(required=True)
    path = graphene.String(required=True)
    http_status = graphene.Int(required=True)
    outcome = graphene.String(required=True, description="accepted or refused")
    detail = graphene.String(required=True, description="What happened, and why.")
    connection_id = graphene.ID(description="The connection it came from, if known.")

    class Meta:
        description = "A request to the plugin's URLs (punch-in, order intake)."
        doc_category = DOC_CATEGORY_ORDERS

    @staticmethod
    def resolve_id(root: InboundMessage, _info: ResolveInfo) -> str:
        return graphene.Node.to_global_id("OciInboundMessage", root.pk)

    @staticmethod
    def resolve_connection_id(root: InboundMessage, _info: ResolveInfo) -> str | None:
        if root.connection_id is None:
            return None
        return graphene.Node.to_global_id("OciConnection", root.connection_id)


class OciReceivedPurchaseOrder(graphene.ObjectType):
    id = graphene.ID(required=True)
    created_at = DateTime(required=True)
    order_number = graphene.String(required=True, description="The ERP's PO number.")
    source = graphene.String(required=True, description="graphql, cxml or ubl")
    status = graphene.String(required=True, description="placed or refused")
    order_id = graphene.ID(description="The Saleor order it became.")
    errors = JSONString(required=True, description="Why it was refused.")
    data = JSONString(required=True, description="The purchase order as read.")

    class Meta:
        description = "A purchase order received from a buyer's ERP."
        doc_category = DOC_CATEGORY_ORDERS

    @staticmethod
    def resolve_id(root: ReceivedPurchaseOrder, _info: ResolveInfo) -> str:
        return graphene.Node.to_global_id("OciReceivedPurchaseOrder", root.pk)

    @staticmethod
    def resolve_order_id(root: ReceivedPurchaseOrder, _info: ResolveInfo) -> str | None:
        return (
            graphene.Node.to_global_id("Order", root.order_id)
            if root.order_id
            else None
        )


OciInboundMessageCountableConnection = connection_type(
    OciInboundMessage, doc_category=DOC_CATEGORY_ORDERS
)
OciReceivedPurchaseOrderCountableConnection = connection_type(
    OciReceivedPurchaseOrder, doc_category=DOC_CATEGORY_ORDERS
)
_INBOUND_READERS = [OrderPermissions.MANAGE_ORDERS, PluginsPermissions.MANAGE_PLUGINS]
_PURCHASE_ORDER_STATUS = "Only placed or only refused ones."


class InboundQueries(graphene.ObjectType):
    oci_inbound_messages_paged = paged_field(
        OciInboundMessageCountableConnection,
        description="Requests to the plugin's URLs, newest first.",
        permissions=_INBOUND_READERS,
        doc_category=DOC_CATEGORY_ORDERS,
    )
    oci_purchase_orders_paged = paged_field(
        OciReceivedPurchaseOrderCountableConnection,
        status=graphene.String(description=_PURCHASE_ORDER_STATUS),
        description="Purchase orders received from ERPs, newest first.",
        permissions=[OrderPermissions.MANAGE_ORDERS],
        doc_category=DOC_CATEGORY_ORDERS,
    )
    oci_inbound_messages = PermissionsField(
        NonNullList(OciInboundMessage),
        required=True,
        limit=graphene.Int(
            description=f"How many, newest first (at most {MAX_ITEMS})."
        ),
        description="Requests to the plugin's URLs, newest first.",
        permissions=_INBOUND_READERS,
        deprecation_reason="Use `ociInboundMessagesPaged` instead: Saleor's "
        "connection (first/after, edges, pageInfo).",
    )
    oci_purchase_orders = PermissionsField(
        NonNullList(OciReceivedPurchaseOrder),
        required=True,
        limit=graphene.Int(
            description=f"How many, newest first (at most {MAX_ITEMS})."
        ),
        status=graphene.String(description=_PURCHASE_ORDER_STATUS),
        description="Purchase orders received from ERPs, newest first.",
        permissions=[OrderPermissions.MANAGE_ORDERS],
        deprecation_reason="Use `ociPurchaseOrdersPaged` instead: Saleor's "
        "connection (first/after, edges, pageInfo).",
    )

    @staticmethod
    def resolve_oci_inbound_messages(_root, info: ResolveInfo, *, limit=100):
        return _inbound_messages(info)[: _bounded(limit)]

    @staticmethod
    def resolve_oci_inbound_messages_paged(_root, info: ResolveInfo, **kwargs):
        return paginate(
            _inbound_messages(info), info, kwargs, OciInboundMessageCountableConnection
        )

    @staticmethod
    def resolve_oci_purchase_orders(
        _root, info: ResolveInfo, *, limit=100, status=None
    ):
        return _purchase_orders(info, status)[: _bounded(limit)]

    @staticmethod
    def resolve_oci_purchase_orders_paged(
        _root, info: ResolveInfo, *, status=None, **kwargs
    ):
        return paginate(
            _purchase_orders(info, status),
            info,
            kwargs,
            OciReceivedPurchaseOrderCountableConnection,
        )


def _inbound_messages(info: ResolveInfo) -> QuerySet[InboundMessage]:
    database = get_database_connection_name(info.context)
    return InboundMessage.objects.using(database).all()


def _purchase_orders(
    info: ResolveInfo, status: str | None
) -> QuerySet[ReceivedPurchaseOrder]:
    database = get_database_connection_name(info.context)
    records = ReceivedPurchaseOrder.objects.using(database).all()
    if status:
        records = records.filter(status=status)
    return records


def _bounded(limit: int | None) -> int:
    return max(0, min(limit or 100, MAX_ITEMS))
