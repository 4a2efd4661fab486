"""GraphQL for ERP integrators: an approved purchase order becomes a Saleor order."""

from collections import defaultdict
from decimal import Decimal

import graphene
from django.core.exceptions import ValidationError
from saleor.graphql.app.dataloaders import get_app_promise
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import SyncWebhookControlContext
from saleor.graphql.core.doc_category import DOC_CATEGORY_ORDERS
from saleor.graphql.core.mutations import BaseMutation
from saleor.graphql.core.scalars import Date, PositiveDecimal
from saleor.graphql.core.types.common import NonNullList
from saleor.graphql.order.types import Order
from saleor.graphql.plugins.dataloaders import get_plugin_manager_promise
from saleor.permission.enums import OrderPermissions

from ..error_codes import OciErrorCode
from ..punchout.models import Connection
from ..purchase_orders.dataclasses import (
    PostalAddress,
    PurchaseOrder,
    PurchaseOrderError,
    PurchaseOrderLine,
)
from ..purchase_orders.models import ReceivedPurchaseOrder
from .errors import OciError


class OciPostalAddressInput(graphene.InputObjectType):
    name = graphene.String(description="Recipient or attention line.")
    company = graphene.String()
    street = graphene.String(required=True)
    street2 = graphene.String()
    city = graphene.String(required=True)
    postcode = graphene.String(required=True)
    country = graphene.String(required=True, description="ISO 3166-1 alpha-2 code.")
    country_area = graphene.String()
    phone = graphene.String()

    class Meta:
        doc_category = DOC_CATEGORY_ORDERS


class OciPurchaseOrderLineInput(graphene.InputObjectType):
    line_number = graphene.String(required=True, description="The ERP's line number.")
    sku = graphene.String(required=True)
    quantity = PositiveDecimal(required=True)
    unit = graphene.String(description="UN/ECE Rec 20 unit code, e.g. PCE.")
    unit_price = PositiveDecimal(description="Net price per unit, as the PO has it.")
    cost_centre = graphene.String()
    nzi_code = graphene.String()
    description = graphene.String()

    class Meta:
        doc_category = DOC_CATEGORY_ORDERS


class OciPurchaseOrderInput(graphene.InputObjectType):
    connection = graphene.ID(required=True, description="The buyer's connection.")
    order_number = graphene.String(required=True, description="The ERP's PO number.")
    transfer_id = graphene.String(
        description="The cart's transfer id, as sent in NEW_ITEM-EXT_QUOTE_ID."
    )
    order_date = Date()
    currency = graphene.String()
    buyer_reference = graphene.String()
    cost_centre = graphene.String()
    note = graphene.String()
    requested_delivery_date = Date()
    delivery_address = OciPostalAddressInput()
    billing_address = OciPostalAddressInput()
    lines = NonNullList(OciPurchaseOrderLineInput, required=True)

    class Meta:
        doc_category = DOC_CATEGORY_ORDERS


class OciPurchaseOrderCreate(BaseMutation):
    order = graphene.Field(Order, description="The Saleor order the PO became.")
    duplicate = graphene.Boolean(
        description="True when this PO number was placed before: order is that one."
    )

    class Arguments:
        input = OciPurchaseOrderInput(required=True)

    class Meta:
        description = (
            "Place an approved purchase order from the buyer's ERP as a Saleor order, "
            "checked against the cart it answers. The same PO number twice gives "
            "the same order once."
        )
        doc_category = DOC_CATEGORY_ORDERS
        error_type_class = OciError
        permissions = (OrderPermissions.MANAGE_ORDERS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, input: dict
    ) -> "OciPurchaseOrderCreate":
        from ..purchase_orders.placing import place_purchase_order

        connection = _connection(input["connection"])
        order = _purchase_order(input)
        manager = get_plugin_manager_promise(info.context).get()
        app = get_app_promise(info.context).get()
        try:
            placement = place_purchase_order(
                connection,
                order,
                ReceivedPurchaseOrder.Source.GRAPHQL,
                manager,
                user=None if app else info.context.user,
                app=app,
            )
        except PurchaseOrderError as error:
            raise as_validation_error(error) from error
        return cls(
            order=SyncWebhookControlContext(node=placement.order),
            duplicate=placement.duplicate,
            errors=[],
        )


class PurchaseOrderMutations(graphene.ObjectType):
    oci_purchase_order_create = OciPurchaseOrderCreate.Field()


def as_validation_error(error: PurchaseOrderError) -> ValidationError:
    """Every problem as a field error, with its PO line number in ``line``."""
    by_field: dict[str, list[ValidationError]] = defaultdict(list)
    for problem in error.problems:
        code = (
            problem.code
            if problem.code in {item.value for item in OciErrorCode}
            else OciErrorCode.INVALID.value
        )
        by_field[problem.field].append(
            ValidationError(problem.message, code=code, params={"line": problem.line})
        )
    return ValidationError(dict(by_field))


def _connection(global_id: str) -> Connection:
    try:
        type_name, pk = graphene.Node.from_global_id(global_id)
        connection = (
            Connection.objects.select_related("channel", "customer", "branch")
            .filter(pk=int(pk), is_active=True)
            .first()
            if type_name == "OciConnection"
            else None
        )
    except (ValueError, TypeError, UnicodeDecodeError):
        connection = None
    if connection is None:
        raise ValidationError(
            {
                "connection": ValidationError(
                    "No active connection has this id.",
                    code=OciErrorCode.NOT_FOUND.value,
                )
            }
        )
    return connection


def _purchase_order(data: dict) -> PurchaseOrder:
    return PurchaseOrder(
        order_number=data["order_number"].strip(),
        transfer_id=(data.get("transfer_id") or "").strip(),
        order_date=data.get("order_date"),
        currency=(data.get("currency") or "").strip().upper(),
        buyer_reference=data.get("buyer_reference") or "",
        cost_centre=data.get("cost_centre") or "",
        note=data.get("note") or "",
        requested_delivery_date=data.get("requested_delivery_date"),
        delivery_address=_address(data.get("delivery_address")),
        billing_address=_address(data.get("billing_address")),
        lines=tuple(
            PurchaseOrderLine(
                line_number=line["line_number"],
                sku=line["sku"],
                quantity=Decimal(line["quantity"]),
                unit=line.get("unit") or "",
                unit_price=line.get("unit_price"),
                cost_centre=line.get("cost_centre") or "",
                nzi_code=line.get("nzi_code") or "",
                description=line.get("description") or "",
            )
            for line in data["lines"]
        ),
    )


def _address(data: dict | None) -> PostalAddress | None:
    if not data:
        return None
    return PostalAddress(
        **{key: (value or "") for key, value in data.items()},
    )
