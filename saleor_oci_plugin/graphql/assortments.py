"""Assortments over GraphQL: set them (staff, or an organisation's admin narrowing
them), read them, the storefront's catalogue of what a buyer is offered, and
adding lines to a punch-out cart with a refusal per line outside it."""

from decimal import Decimal

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from saleor.core.db.connection import allow_writer
from saleor.graphql.checkout.mutations.checkout_create import CheckoutLineInput
from saleor.graphql.checkout.mutations.checkout_lines_add import CheckoutLinesAdd
from saleor.graphql.checkout.types import Checkout
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import (
    ChannelContext,
    get_database_connection_name,
)
from saleor.graphql.core.doc_category import DOC_CATEGORY_CHECKOUT
from saleor.graphql.core.mutations import BaseMutation
from saleor.graphql.core.scalars import PositiveDecimal
from saleor.graphql.core.types import BaseInputObjectType, Money
from saleor.graphql.core.types.common import NonNullList
from saleor.graphql.product.types import Product as ProductType
from saleor.product.models import Category, Collection, Product, ProductVariant

from ..buyers.models import Assortment, AssortmentLayer, Branch
from ..error_codes import OciErrorCode
from ..punchout.models import PunchoutSession
from ..punchout.sessions import ensure_session_open
from .access import OrganisationManagerMutation, access_of, managed_organisation_id
from .errors import OciError
from .ids import pk_from_global_id
from .pagination import connection_type, paged_field, paginate
from .punchout import _own_checkout

OFFERED = "oci_offered_variants"


# --------------------------------------------------------------------- settings
class OciAssortment(graphene.ObjectType):
    id = graphene.ID(required=True)
    organisation_id = graphene.ID(required=True)
    branch_id = graphene.ID(description="Null: the organisation's assortment.")
    layer = graphene.String(
        required=True,
        description="shop (set by the shop's staff) or organisation (narrowed by "
        "the organisation's admin). Every layer that applies narrows.",
    )
    collections = NonNullList(graphene.ID, required=True)
    categories = NonNullList(graphene.ID, required=True)
    include_subcategories = graphene.Boolean(required=True)
    products = NonNullList(graphene.ID, required=True)
    excluded_products = NonNullList(graphene.ID, required=True)
    max_unit_price = PositiveDecimal(description="Maximum unit net price.")

    class Meta:
        description = "What an organisation or branch is offered."
        doc_category = DOC_CATEGORY_CHECKOUT

    @staticmethod
    def resolve_id(root: Assortment, _info):
        return graphene.Node.to_global_id("OciAssortment", root.pk)

    @staticmethod
    def resolve_organisation_id(root: Assortment, _info):
        return graphene.Node.to_global_id("OciOrganisation", root.organisation_id)

    @staticmethod
    def resolve_branch_id(root: Assortment, _info):
        if root.branch_id is None:
            return None
        return graphene.Node.to_global_id("OciBranch", root.branch_id)

    @staticmethod
    def resolve_collections(root: Assortment, _info):
        return _ids("Collection", root.collections.all())

    @staticmethod
    def resolve_categories(root: Assortment, _info):
        return _ids("Category", root.categories.all())

    @staticmethod
    def resolve_products(root: Assortment, _info):
        return _ids("Product", root.products.all())

    @staticmethod
    def resolve_excluded_products(root: Assortment, _info):
        return _ids("Product", root.excluded_products.all())


def _ids(type_name: str, rows) -> list[str]:
    return [graphene.Node.to_global_id(type_name, row.pk) for row in rows]


class OciAssortmentInput(BaseInputObjectType):
    organisation = graphene.ID(
        description="The organisation (staff name it; an admin's own by default)."
    )
    branch = graphene.ID(description="A branch: its assortment narrows further.")
    collections = NonNullList(graphene.ID, description="Saleor collections.")
    categories = NonNullList(graphene.ID, description="Saleor categories.")
    include_subcategories = graphene.Boolean(
        description="Whether a category includes its subcategories (default true)."
    )
    products = NonNullList(graphene.ID, description="Saleor products included.")
    excluded_products = NonNullList(
        graphene.ID, description="Saleor products never offered."
    )
    max_unit_price = PositiveDecimal(
        description="Maximum unit net price (the one price rule); null for none."
    )

    class Meta:
        doc_category = DOC_CATEGORY_CHECKOUT


class OciAssortmentSet(OrganisationManagerMutation):
    assortment = graphene.Field(OciAssortment)

    class Arguments:
        input = OciAssortmentInput(required=True)

    class Meta:
        description = (
            "Set an organisation's (or branch's) assortment. Shop staff with "
            "MANAGE_PLUGINS set the shop's layer; an organisation's admin sets the "
            "organisation's own layer, which only narrows the shop's. Lists given "
            "replace the stored ones; lists left out are kept."
        )
        doc_category = DOC_CATEGORY_CHECKOUT
        error_type_class = OciError

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, input: dict
    ) -> "OciAssortmentSet":
        organisation_id = managed_organisation_id(info, input.get("organisation"))
        branch_id = None
        if input.get("branch") is not None:
            branch_id = pk_from_global_id(input["branch"], "OciBranch", "branch")
            if not Branch.objects.filter(
                pk=branch_id, organisation_id=organisation_id
            ).exists():
                raise _not_found(
                    "branch", f"No OciBranch has the ID {input['branch']}."
                )
        layer = (
            AssortmentLayer.SHOP
            if access_of(info.context).staff
            else AssortmentLayer.ORGANISATION
        )
        related = {
            "collections": _rows(Collection, "Collection", input, "collections"),
            "categories": _rows(Category, "Category", input, "categories"),
            "products": _rows(Product, "Product", input, "products"),
            "excluded_products": _rows(Product, "Product", input, "excluded_products"),
        }
        with transaction.atomic():
            assortment, _ = Assortment.objects.select_for_update().get_or_create(
                organisation_id=organisation_id, branch_id=branch_id, layer=layer
            )
            if input.get("include_subcategories") is not None:
                assortment.include_subcategories = input["include_subcategories"]
            if "max_unit_price" in input:
                cap = input["max_unit_price"]
                assortment.max_unit_price = None if cap is None else Decimal(cap)
            assortment.save()
            for name, pks in related.items():
                if pks is not None:
                    getattr(assortment, name).set(pks)
        return cls(assortment=assortment, errors=[])


def _rows(model, type_name: str, data: dict, field: str) -> list[int] | None:
    global_ids = data.get(field)
    if global_ids is None:
        return None
    pks = [pk_from_global_id(global_id, type_name, field) for global_id in global_ids]
    found = set(model.objects.filter(pk__in=pks).values_list("pk", flat=True))
    missing = [gid for gid, pk in zip(global_ids, pks, strict=True) if pk not in found]
    if missing:
        raise _not_found(field, f"No {type_name} has the ID {missing[0]}.")
    return pks


def _not_found(field: str, message: str) -> ValidationError:
    return ValidationError(
        {field: ValidationError(message, code=OciErrorCode.NOT_FOUND.value)}
    )


# -------------------------------------------------------------------- catalogue
class OciCatalogueVariant(graphene.ObjectType):
    id = graphene.ID(required=True, description="Saleor's ProductVariant ID.")
    sku = graphene.String(required=True, description="The OCI product id.")
    name = graphene.String(required=True)
    unit_price = graphene.Field(
        Money,
        required=True,
        description="The unit net price: the same VALIDATE, BACKGROUND_SEARCH and "
        "the transfer give.",
    )

    class Meta:
        doc_category = DOC_CATEGORY_CHECKOUT


class OciCatalogueProduct(graphene.ObjectType):
    id = graphene.ID(required=True, description="Saleor's Product ID.")
    name = graphene.String(required=True)
    product = graphene.Field(
        ProductType,
        required=True,
        description="Saleor's product, in the buyer's channel (thumbnail, "
        "description, media).",
    )
    variants = NonNullList(OciCatalogueVariant, required=True)

    class Meta:
        description = "A product the punch-out buyer is offered."
        doc_category = DOC_CATEGORY_CHECKOUT


OciCatalogueProductCountableConnection = connection_type(
    OciCatalogueProduct, doc_category=DOC_CATEGORY_CHECKOUT
)


def _catalogue_product(product: Product, offer) -> OciCatalogueProduct:
    from ..punchout import catalogue

    return OciCatalogueProduct(
        id=graphene.Node.to_global_id("Product", product.pk),
        name=product.name,
        product=ChannelContext(node=product, channel_slug=offer.channel.slug),
        variants=[
            OciCatalogueVariant(
                id=graphene.Node.to_global_id("ProductVariant", variant.pk),
                sku=catalogue.product_id(variant),
                name=variant.name,
                unit_price=offer.unit_price(
                    variant, catalogue.variant_listing(variant)
                ),
            )
            for variant in getattr(product, OFFERED)
        ],
    )


class AssortmentQueries(graphene.ObjectType):
    oci_assortments = NonNullList(
        OciAssortment,
        required=True,
        organisation=graphene.ID(description="Staff name it; an admin's own."),
        description="The assortments of an organisation and its branches (staff "
        "with MANAGE_PLUGINS, or the organisation's admin).",
    )
    oci_catalogue = paged_field(
        OciCatalogueProductCountableConnection,
        description="What the punch-out buyer of this checkout is offered (its "
        "branch's and organisation's assortments in the channel), ordered by name, "
        "with the unit net prices of the one price rule. Empty for a checkout that "
        "is not the requester's punch-out checkout.",
        doc_category=DOC_CATEGORY_CHECKOUT,
        checkout_id=graphene.ID(required=True),
        search=graphene.String(description="Words the name or SKU must contain."),
        category=graphene.ID(description="A category (with its subcategories)."),
    )

    @staticmethod
    def resolve_oci_assortments(_root, info: ResolveInfo, organisation=None):
        organisation_id = managed_organisation_id(info, organisation)
        return Assortment.objects.filter(organisation_id=organisation_id).order_by(
            "branch_id", "layer", "pk"
        )

    @staticmethod
    def resolve_oci_catalogue(_root, info: ResolveInfo, **kwargs):
        # The session row is the source of truth the mutations lock: read the
        # writer, as ociSession does.
        with allow_writer():
            return _catalogue(info, kwargs)


def _catalogue(info: ResolveInfo, kwargs: dict):
    from ..punchout import catalogue, gate

    # Products are read as Saleor reads them for customers: from the replica.
    database = get_database_connection_name(info.context)
    offer = None
    try:
        checkout = _own_checkout(info, kwargs["checkout_id"], "checkout_id")
        session = (
            PunchoutSession.objects.select_related("connection__channel")
            .filter(checkout_id=checkout.pk)
            .first()
        )
        if session is not None:
            offer = gate.session_offer(session)
    except ValidationError:
        offer = None
    if offer is None:
        products = Product.objects.none()
    else:
        products = offer.products()
        for word in (kwargs.get("search") or "").split()[:10]:
            if "\x00" in word:
                products = products.none()
                break
            products = products.filter(
                Q(name__icontains=word)
                | Q(
                    Exists(
                        ProductVariant.objects.filter(
                            product_id=OuterRef("pk"), sku__icontains=word
                        )
                    )
                )
            )
        if kwargs.get("category"):
            category_pk = pk_from_global_id(kwargs["category"], "Category", "category")
            products = products.filter(
                Exists(
                    Category.objects.filter(
                        pk=category_pk,
                        tree_id=OuterRef("category__tree_id"),
                        lft__lte=OuterRef("category__lft"),
                        rght__gte=OuterRef("category__rght"),
                    )
                )
            )
        products = products.prefetch_related(
            Prefetch(
                "variants",
                queryset=catalogue.offered_variants(offer)
                .using(database)
                .order_by("sort_order", "sku", "pk"),
                to_attr=OFFERED,
            )
        ).select_related("product_type")
    connection = paginate(
        products.using(database),
        info,
        kwargs,
        OciCatalogueProductCountableConnection,
        ordering=("name", "pk"),
    )
    for edge in connection.edges:
        edge.node = _catalogue_product(edge.node, offer)
    return connection


# ------------------------------------------------------------------ adding lines
class OciCheckoutLineInput(BaseInputObjectType):
    variant_id = graphene.ID(required=True, description="Saleor's ProductVariant ID.")
    quantity = graphene.Int(required=True)

    class Meta:
        doc_category = DOC_CATEGORY_CHECKOUT


# Saleor's checkout error codes -> the plugin's.
_SALEOR_CODES = {
    "insufficient_stock": OciErrorCode.INSUFFICIENT_STOCK,
    "product_not_published": OciErrorCode.PRODUCT_UNAVAILABLE,
    "product_unavailable_for_purchase": OciErrorCode.PRODUCT_UNAVAILABLE,
    "unavailable_variant_in_channel": OciErrorCode.PRODUCT_UNAVAILABLE,
    "not_found": OciErrorCode.NOT_FOUND,
}


class OciCheckoutLinesAdd(BaseMutation):
    checkout = graphene.Field(Checkout)

    class Arguments:
        id = graphene.ID(required=True, description="The punch-out session's checkout.")
        lines = NonNullList(OciCheckoutLineInput, required=True)

    class Meta:
        description = (
            "Add lines to a punch-out cart as Saleor's checkoutLinesAdd does, "
            "refusing (NOT_IN_ASSORTMENT, per line: `line` is the input's 1-based "
            "position) any variant the buyer's assortment does not offer. Nothing "
            "is added when a line is refused."
        )
        doc_category = DOC_CATEGORY_CHECKOUT
        error_type_class = OciError

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str, lines: list
    ) -> "OciCheckoutLinesAdd":
        from ..punchout import gate

        checkout = _own_checkout(info, id, "id")
        session = (
            PunchoutSession.objects.select_related("connection__channel")
            .filter(checkout_id=checkout.pk)
            .first()
        )
        if session is None:
            raise ValidationError(
                {
                    "id": ValidationError(
                        "This checkout was not opened by a punch-in.",
                        code=OciErrorCode.NOT_PUNCHOUT_CHECKOUT.value,
                    )
                }
            )
        try:
            ensure_session_open(session)
        except ValidationError as error:
            raise ValidationError({"id": error}) from error
        offer = gate.session_offer(session)
        pks = [
            pk_from_global_id(line["variant_id"], "ProductVariant", "lines")
            for line in lines
        ]
        by_pk = ProductVariant.objects.select_related("product").in_bulk(pks)
        unknown = [
            ValidationError(
                f"No product variant has the ID {line['variant_id']}.",
                code=OciErrorCode.NOT_FOUND.value,
                params={"line": str(position)},
            )
            for position, (line, pk) in enumerate(zip(lines, pks, strict=True), 1)
            if pk not in by_pk
        ]
        if unknown:
            raise ValidationError({"lines": unknown})
        gate.refuse_outside(offer, [by_pk[pk] for pk in pks], "lines")
        # As Saleor's own input arrives (attributes, absent fields None).
        saleor_lines = [
            CheckoutLineInput._meta.container(
                {
                    "variant_id": line["variant_id"],
                    "quantity": line["quantity"],
                    "force_new_line": False,
                }
            )
            for line in lines
        ]
        try:
            with transaction.atomic():
                result = CheckoutLinesAdd.perform_mutation(
                    None, info, id=id, lines=saleor_lines
                )
        except ValidationError as error:
            raise _as_oci_error(error) from error
        return cls(checkout=result.checkout, errors=[])


def _as_oci_error(error: ValidationError) -> ValidationError:
    """Saleor's checkout errors with the plugin's codes (its enum is closed)."""
    converted: dict[str, list[ValidationError]] = {}
    for field, errors in error.error_dict.items():
        converted[field] = [
            ValidationError(
                item.message % (item.params or {}) if item.params else item.message,
                code=_SALEOR_CODES.get(str(item.code), OciErrorCode.INVALID).value,
            )
            for item in errors
        ]
    return ValidationError(converted)


class AssortmentMutations(graphene.ObjectType):
    oci_assortment_set = OciAssortmentSet.Field()
    oci_checkout_lines_add = OciCheckoutLinesAdd.Field()
