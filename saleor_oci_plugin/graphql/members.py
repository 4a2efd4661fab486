"""GraphQL for the people of a buyer organisation and its self-service.

Who may do what (see ``access.py``):

- shop staff with ``MANAGE_PLUGINS``: every organisation's members, branches and
  settings, naming the organisation;
- an organisation's ``ADMIN``, signed in with their password: their own
  organisation's members (invite, change, deactivate), branches (with cost centres
  and addresses), invoicing settings, orders (``ociOrganisationOrders``) and
  invoices (``ociInvoices``); never connection credentials, channel, price
  tolerance or legal identifiers, which stay staff-only;
- an ``ORDERER``, and an admin inside a punch-out session: ``ociMe`` (their own
  membership, organisation, and the branches and cost centres they may order
  for) and their own orders through Saleor's ``me { orders }``;
- a connection's technical customer: ``ociMe`` without a membership, and its
  organisation's invoices as before.

Anything of another organisation is answered as if it did not exist.
"""

from typing import Any

import graphene
from django.db import transaction
from django.db.models import Q
from graphql.error import GraphQLError
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import get_database_connection_name
from saleor.graphql.core.scalars import DateTime
from saleor.graphql.core.types import ModelObjectType, NonNullList
from saleor.graphql.core.types.money import TaxedMoney
from saleor.graphql.core.utils import from_global_id_or_error
from saleor.graphql.plugins.dataloaders import get_plugin_manager_promise
from saleor.order.models import Order

from ..buyers import members as service
from ..buyers.models import Branch, BuyerOrganisation, Member, MemberRole
from ..punchout import ordering
from ..purchase_orders.models import ReceivedPurchaseOrder
from .access import (
    MANAGE_PLUGINS,
    OrganisationManagerMutation,
    access_of,
    managed_instance,
    managed_organisation_id,
    require_manager,
)
from .connections import (
    BranchByIdLoader,
    OciBranch,
    OciCostCentre,
    OciOrganisation,
    OrganisationByIdLoader,
    resolve_branch_cost_centres,
)
from .errors import OciError
from .ids import pk_from_global_id
from .pagination import connection_type, paged_field, paginate

OciMemberRole = graphene.Enum(
    "OciMemberRole",
    [(choice.name, choice.value) for choice in MemberRole],
    description="ADMIN manages the organisation; ORDERER shops for it.",
)
OciInvitationDelivery = graphene.Enum(
    "OciInvitationDelivery",
    [("SALEOR", "saleor"), ("PLUGIN_MAIL", "plugin_mail")],
    description="Who delivers a set-password invitation: Saleor (its User emails "
    "plugin or an App on NOTIFY_USER) or, where the channel has neither, the "
    "plugin's own mail.",
)


class OciMember(ModelObjectType[Member]):
    id = graphene.GlobalID(required=True, description="The ID of the member.")
    organisation = graphene.Field(
        OciOrganisation, required=True, description="The member's organisation."
    )
    user_id = graphene.ID(
        required=True, description="The member's Saleor customer account (User ID)."
    )
    email = graphene.String(required=True, description="E-mail address; signs in.")
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    role = OciMemberRole(required=True, description="ADMIN or ORDERER.")
    is_active = graphene.Boolean(
        required=True,
        description="A deactivated member keeps their orders and invoices but "
        "cannot punch in or sign in to the portal.",
    )
    branches = NonNullList(
        OciBranch,
        required=True,
        description="The branches the member may order for; empty: all of the "
        "organisation's.",
    )
    default_branch = graphene.Field(
        OciBranch, description="The branch a punch-out starts with."
    )
    default_cost_centre = graphene.String(
        required=True, description="The cost centre a punch-out starts with."
    )
    external_id = graphene.String(
        required=True,
        description="The procurement system's user id (e.g. SAP SY-UNAME) that "
        "punch-in recognises; empty until one is seen or set.",
    )
    can_sign_in = graphene.Boolean(
        required=True,
        description="Whether the account has a password (set through an "
        "invitation); accounts made at punch-in have none until invited.",
    )
    invited_at = DateTime(description="When the last invitation was sent.")
    created_at = DateTime(required=True)

    class Meta:
        model = Member
        interfaces = (graphene.relay.Node,)
        description = "A person of a buyer organisation: a Saleor customer account."

    @staticmethod
    def resolve_organisation(root: Member, info: ResolveInfo):
        return OrganisationByIdLoader(info.context).load(root.organisation_id)

    @staticmethod
    def resolve_user_id(root: Member, _info: ResolveInfo) -> str:
        return graphene.Node.to_global_id("User", root.user_id)

    @staticmethod
    def resolve_email(root: Member, _info: ResolveInfo) -> str:
        return root.user.email

    @staticmethod
    def resolve_first_name(root: Member, _info: ResolveInfo) -> str:
        return root.user.first_name

    @staticmethod
    def resolve_last_name(root: Member, _info: ResolveInfo) -> str:
        return root.user.last_name

    @staticmethod
    def resolve_branches(root: Member, _info: ResolveInfo):
        return root.branches.all()

    @staticmethod
    def resolve_default_branch(root: Member, info: ResolveInfo):
        if root.default_branch_id is None:
            return None
        return BranchByIdLoader(info.context).load(root.default_branch_id)

    @staticmethod
    def resolve_can_sign_in(root: Member, _info: ResolveInfo) -> bool:
        return root.user.has_usable_password()


OciMemberCountableConnection = connection_type(OciMember)


class OciOrderingBranch(graphene.ObjectType):
    branch = graphene.Field(OciBranch, required=True)
    cost_centres = NonNullList(
        OciCostCentre, required=True, description="Cost centres to choose from."
    )

    class Meta:
        description = "A branch one may order for, with its cost centres."

    @staticmethod
    def resolve_branch(root: Branch, _info: ResolveInfo) -> Branch:
        return root

    @staticmethod
    def resolve_cost_centres(root: Branch, info: ResolveInfo):
        return resolve_branch_cost_centres(root, info)


class OciMe(graphene.ObjectType):
    member = graphene.Field(
        OciMember, description="The signed-in person's membership; null for none."
    )
    organisation = graphene.Field(
        OciOrganisation, description="The organisation of the membership."
    )
    ordering_branches = NonNullList(
        OciOrderingBranch,
        required=True,
        description="The branches the person may order for, with cost centres.",
    )
    can_manage = graphene.Boolean(
        required=True,
        description="Whether this token may manage the organisation (an active "
        "ADMIN signed in with a password, not through punch-out).",
    )
    punchout = graphene.Boolean(
        required=True, description="Whether the token was issued at a punch-in."
    )

    class Meta:
        description = "The signed-in person as a member of a buyer organisation."


class OciOrderLine(graphene.ObjectType):
    sku = graphene.String()
    product_name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    unit_price = graphene.Field(TaxedMoney, required=True)
    total_price = graphene.Field(TaxedMoney, required=True)
    po_line = graphene.String(description="The purchase order's line number.")
    cost_centre = graphene.String(description="The line's own cost centre.")
    nzi_code = graphene.String(description="The line's NZI code.")

    class Meta:
        description = "A line of an organisation's order."

    @staticmethod
    def resolve_po_line(root, _info: ResolveInfo) -> str | None:
        return (root.metadata or {}).get("oci.po_line")

    @staticmethod
    def resolve_cost_centre(root, _info: ResolveInfo) -> str | None:
        from ..purchase_orders.placing import COST_CENTRE_KEY

        return (root.metadata or {}).get(COST_CENTRE_KEY)

    @staticmethod
    def resolve_nzi_code(root, _info: ResolveInfo) -> str | None:
        return (root.metadata or {}).get("oci.nzi_code")


def _order(root: ReceivedPurchaseOrder) -> Order:
    """The placed order (ociOrganisationOrders lists only placed ones)."""
    order = root.order
    assert order is not None
    return order


class OciOrganisationOrder(graphene.ObjectType):
    id = graphene.ID(required=True, description="The Saleor order's ID.")
    number = graphene.String(required=True, description="The shop's order number.")
    po_number = graphene.String(required=True, description="The ERP's PO number.")
    status = graphene.String(required=True, description="Saleor's order status.")
    created_at = DateTime(required=True)
    total = graphene.Field(TaxedMoney, required=True)
    cost_centre = graphene.String(description="The order's cost centre.")
    branch = graphene.Field(OciBranch, description="The branch it was ordered for.")
    orderer_email = graphene.String(required=True, description="Who ordered.")
    orderer_name = graphene.String(required=True)
    lines = NonNullList(OciOrderLine, required=True)

    class Meta:
        description = (
            "An order placed from one of the organisation's purchase orders, as its "
            "administrators see it (Saleor's Order type hides other people's "
            "orders' details)."
        )

    @staticmethod
    def resolve_id(root: ReceivedPurchaseOrder, _info: ResolveInfo) -> str:
        return graphene.Node.to_global_id("Order", root.order_id)

    @staticmethod
    def resolve_number(root: ReceivedPurchaseOrder, _info: ResolveInfo) -> str:
        return str(_order(root).number)

    @staticmethod
    def resolve_po_number(root: ReceivedPurchaseOrder, _info: ResolveInfo) -> str:
        return root.order_number

    @staticmethod
    def resolve_status(root: ReceivedPurchaseOrder, _info: ResolveInfo) -> str:
        return _order(root).status

    @staticmethod
    def resolve_created_at(root: ReceivedPurchaseOrder, _info: ResolveInfo):
        return _order(root).created_at

    @staticmethod
    def resolve_total(root: ReceivedPurchaseOrder, _info: ResolveInfo):
        return _order(root).total

    @staticmethod
    def resolve_cost_centre(root: ReceivedPurchaseOrder, _info: ResolveInfo):
        from ..purchase_orders.placing import COST_CENTRE_KEY

        return (_order(root).metadata or {}).get(COST_CENTRE_KEY)

    @staticmethod
    def resolve_branch(root: ReceivedPurchaseOrder, info: ResolveInfo):
        from ..purchase_orders.placing import BRANCH_KEY

        branch_pk = str((_order(root).metadata or {}).get(BRANCH_KEY) or "")
        if not branch_pk.isdigit():
            return None
        return BranchByIdLoader(info.context).load(int(branch_pk))

    @staticmethod
    def resolve_orderer_email(root: ReceivedPurchaseOrder, _info: ResolveInfo) -> str:
        return _order(root).user_email

    @staticmethod
    def resolve_orderer_name(root: ReceivedPurchaseOrder, _info: ResolveInfo) -> str:
        user = _order(root).user
        return user.get_full_name() if user is not None else ""

    @staticmethod
    def resolve_lines(root: ReceivedPurchaseOrder, _info: ResolveInfo):
        return _order(root).lines.all()


OciOrganisationOrderCountableConnection = connection_type(OciOrganisationOrder)


# --- queries -----------------------------------------------------------------------


def _organisation_for_reading(info: ResolveInfo, organisation: str | None) -> int:
    """The organisation a list is about: as ``managed_organisation_id``, read from
    the replica, with a refusal as a GraphQL error."""
    access = require_manager(info.context)
    if organisation is None:
        if access.admin is None:
            raise GraphQLError("Name the organisation.")
        return access.admin.organisation_id
    not_found = GraphQLError(f"No OciOrganisation has the ID {organisation}.")
    try:
        _type, pk = from_global_id_or_error(
            organisation, "OciOrganisation", raise_error=True
        )
    except GraphQLError as error:
        raise not_found from error
    if not str(pk).isdigit() or not access.manages(int(pk)):
        raise not_found
    database = get_database_connection_name(info.context)
    if not BuyerOrganisation.objects.using(database).filter(pk=int(pk)).exists():
        raise not_found
    return int(pk)


class MemberQueries(graphene.ObjectType):
    oci_me = graphene.Field(
        OciMe,
        description="The signed-in customer as a member of a buyer organisation: "
        "their organisation, and the branches and cost centres they may order for. "
        "Null for anonymous requests and Apps.",
    )
    oci_members = paged_field(
        OciMemberCountableConnection,
        organisation=graphene.ID(
            description="The organisation; an administrator may leave it out."
        ),
        search=graphene.String(description="Part of the e-mail address or name."),
        role=OciMemberRole(description="Only members with this role."),
        is_active=graphene.Boolean(description="Only (de)activated members."),
        description="The members of an organisation. Staff with MANAGE_PLUGINS or "
        "the organisation's administrator.",
    )
    oci_organisation_orders = paged_field(
        OciOrganisationOrderCountableConnection,
        organisation=graphene.ID(
            description="The organisation; an administrator may leave it out."
        ),
        description="The orders placed from an organisation's purchase orders, "
        "newest first. Staff with MANAGE_PLUGINS or the organisation's "
        "administrator.",
    )

    @staticmethod
    def resolve_oci_me(_root, info: ResolveInfo):
        user = info.context.user
        if user is None or not user.is_authenticated or user.is_staff:
            return None
        access = access_of(info.context)
        member = access.member
        organisation = member.organisation if member else None
        branches = (
            ordering.branch_choices(
                member.organisation_id,
                member,
                database=get_database_connection_name(info.context),
            )
            if member is not None
            else []
        )
        return OciMe(
            member=member,
            organisation=organisation,
            ordering_branches=branches,
            can_manage=access.admin is not None,
            punchout=access.punchout,
        )

    @staticmethod
    def resolve_oci_members(
        _root,
        info: ResolveInfo,
        *,
        organisation: str | None = None,
        search: str | None = None,
        role: str | None = None,
        is_active: bool | None = None,
        **kwargs,
    ):
        organisation_id = _organisation_for_reading(info, organisation)
        database = get_database_connection_name(info.context)
        members = (
            Member.objects.using(database)
            .filter(organisation_id=organisation_id)
            .select_related("user")
            .prefetch_related("branches")
        )
        if search:
            members = members.filter(
                Q(user__email__icontains=search)
                | Q(user__first_name__icontains=search)
                | Q(user__last_name__icontains=search)
                | Q(external_id__iexact=search)
            )
        if role is not None:
            members = members.filter(role=role)
        if is_active is not None:
            members = members.filter(is_active=is_active)
        return paginate(members, info, kwargs, OciMemberCountableConnection)

    @staticmethod
    def resolve_oci_organisation_orders(
        _root, info: ResolveInfo, *, organisation: str | None = None, **kwargs
    ):
        organisation_id = _organisation_for_reading(info, organisation)
        database = get_database_connection_name(info.context)
        placed = (
            ReceivedPurchaseOrder.objects.using(database)
            .filter(
                connection__organisation_id=organisation_id,
                order__isnull=False,
            )
            .select_related("order__user")
            .prefetch_related("order__lines")
        )
        return paginate(placed, info, kwargs, OciOrganisationOrderCountableConnection)


# --- mutations -----------------------------------------------------------------


class _MemberSettingsInput(graphene.InputObjectType):
    first_name = graphene.String()
    last_name = graphene.String()
    role = OciMemberRole(description="ADMIN or ORDERER.")
    branches = NonNullList(
        graphene.ID,
        description="The branches the member may order for; empty: all of them.",
    )
    default_branch = graphene.ID(description="The branch a punch-out starts with.")
    default_cost_centre = graphene.String(
        description="One of the default branch's cost centres; empty: its default."
    )
    external_id = graphene.String(
        description="The procurement system's user id, for punch-in to recognise."
    )

    class Meta:
        abstract = True


class OciMemberInviteInput(_MemberSettingsInput):
    organisation = graphene.ID(
        description="The organisation; staff must name it, an administrator may "
        "leave it out for their own."
    )
    email = graphene.String(required=True, description="The person's e-mail address.")
    redirect_url = graphene.String(
        required=True,
        description="The portal's set-password page; Saleor adds email and token. "
        "Its host must be in Saleor's ALLOWED_CLIENT_HOSTS.",
    )
    channel = graphene.String(
        description="Slug of the channel the invitation is sent for; default: the "
        "channel of the organisation's first active connection."
    )

    class Meta:
        description = "A person to add to a buyer organisation and invite."


class OciMemberUpdateInput(_MemberSettingsInput):
    is_active = graphene.Boolean(
        description="False deactivates: orders and invoices stay; punch-in and "
        "portal sign-in stop."
    )

    class Meta:
        description = "Changes of a member; omitted fields stay as they are."


def _member_data(info: ResolveInfo, data: dict[str, Any]) -> service.MemberData:
    settings: dict[str, Any] = {
        key: (value or "")
        for key, value in data.items()
        if key in ("first_name", "last_name", "default_cost_centre", "external_id")
    }
    for key in ("role", "is_active"):
        if data.get(key) is not None:
            settings[key] = data[key]
    if "branches" in data:
        settings["branch_ids"] = [
            pk_from_global_id(branch, "OciBranch", "branches")
            for branch in data["branches"] or []
        ]
    if "default_branch" in data:
        branch = data["default_branch"]
        settings["default_branch_id"] = (
            None
            if branch is None
            else pk_from_global_id(branch, "OciBranch", "default_branch")
        )
    return settings  # type: ignore[return-value]


class OciMemberInvite(OrganisationManagerMutation):
    member = graphene.Field(OciMember)
    delivery = OciInvitationDelivery(description="Who delivers the invitation.")

    class Arguments:
        input = OciMemberInviteInput(required=True)

    class Meta:
        description = (
            "Add a person to a buyer organisation and send them Saleor's "
            "set-password invitation. Staff with MANAGE_PLUGINS, or the "
            "organisation's administrator."
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, input: dict
    ) -> "OciMemberInvite":
        organisation_id = managed_organisation_id(info, input.get("organisation"))
        access = access_of(info.context)
        manager = get_plugin_manager_promise(info.context).get()
        # One transaction: a refused invitation leaves no account behind.
        with transaction.atomic():
            member = service.create_member(
                organisation_id,
                input["email"],
                _member_data(info, input),
                by_staff=access.staff,
            )
            delivery = service.invite(
                member, input["redirect_url"], manager, input.get("channel")
            )
        member.refresh_from_db()
        return cls(member=member, delivery=delivery)


class OciMemberUpdate(OrganisationManagerMutation):
    member = graphene.Field(OciMember)

    class Arguments:
        id = graphene.ID(required=True, description="The member.")
        input = OciMemberUpdateInput(required=True)

    class Meta:
        description = (
            "Change a member's role, branches, defaults or name, or (de)activate "
            "them. Staff with MANAGE_PLUGINS, or the organisation's administrator."
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str, input: dict
    ) -> "OciMemberUpdate":
        member = managed_instance(info, Member, id, "OciMember")
        return cls(member=service.update_member(member, _member_data(info, input)))


class OciMemberInviteResend(OrganisationManagerMutation):
    member = graphene.Field(OciMember)
    delivery = OciInvitationDelivery(description="Who delivers the invitation.")

    class Arguments:
        id = graphene.ID(required=True, description="The member.")
        redirect_url = graphene.String(
            required=True, description="The portal's set-password page."
        )
        channel = graphene.String(description="Slug of the channel.")

    class Meta:
        description = "Send a member Saleor's set-password invitation again."
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str, redirect_url: str, channel=None
    ) -> "OciMemberInviteResend":
        member = managed_instance(info, Member, id, "OciMember")
        manager = get_plugin_manager_promise(info.context).get()
        delivery = service.invite(member, redirect_url, manager, channel)
        member.refresh_from_db()
        return cls(member=member, delivery=delivery)


class MemberMutations(graphene.ObjectType):
    oci_member_invite = OciMemberInvite.Field()
    oci_member_update = OciMemberUpdate.Field()
    oci_member_invite_resend = OciMemberInviteResend.Field()
