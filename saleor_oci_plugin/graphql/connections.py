"""GraphQL for shop staff: buyer organisations, branches and their connections.

Every field here needs ``MANAGE_PLUGINS`` (a staff user or an App token with it), as
the plugin's own configuration does. The mutations are thin: they turn global IDs
and typed inputs into the service layer's values (``punchout/connections.py``),
which checks everything and reports refusals as ``errors { field code message }``
with ``OciErrorCode``. A connection's password and cXML shared secret can be set,
never read (``hasCxmlSharedSecret`` says whether there is one); its UBL Order token is
issued by ``ociConnectionOrderTokenCreate``, whose answer is the only place it is ever
shown (``hasOrderToken`` says whether there is one).

Settings with a small fixed shape (allow-list, login parameter aliases, unit codes,
NZI overrides) have typed inputs, so that GraphQL itself checks their shape and a
Dashboard extension can build forms from introspection. The field mapping is a
``JSONString``: its format belongs to the OCI codec (``oci/mapping.py``) and grows
with it, and the codec checks it.
"""

from collections.abc import Iterable, Mapping
from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from graphql.error import GraphQLError
from saleor.graphql.account.dataloaders import AddressByIdLoader, UserByUserIdLoader
from saleor.graphql.account.types import Address, AddressInput, User
from saleor.graphql.channel.dataloaders.by_self import ChannelByIdLoader
from saleor.graphql.channel.types import Channel
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import get_database_connection_name
from saleor.graphql.core.dataloaders import DataLoader
from saleor.graphql.core.descriptions import DEPRECATED_IN_3X_INPUT
from saleor.graphql.core.fields import JSONString, PermissionsField
from saleor.graphql.core.mutations import BaseMutation
from saleor.graphql.core.scalars import DateTime, Decimal
from saleor.graphql.core.types import ModelObjectType, NonNullList
from saleor.graphql.core.utils import from_global_id_or_error
from saleor.permission.enums import PluginsPermissions
from saleor.webhook.observability.sensitive_data import SENSITIVE_GQL_FIELDS

from ..buyers import members
from ..buyers.logos import effective_logo_name, logo_url
from ..buyers.models import (
    Branch,
    BuyerOrganisation,
    CostCentre,
    InvoiceFormat,
    InvoicingPreference,
    LegalIdScheme,
)
from ..error_codes import OciErrorCode
from ..oci import OCIVersion
from ..punchout import codec_settings
from ..punchout import connections as service
from ..punchout.identity import IDENTITY_KEYS
from ..punchout.models import Connection
from .access import (
    OrganisationManagerMutation,
    access_of,
    managed_instance,
    managed_organisation_id,
)
from .errors import OciError
from .ids import instance_or_error, pk_from_global_id
from .pagination import connection_type, paged_field, paginate

MANAGE_PLUGINS = PluginsPermissions.MANAGE_PLUGINS
# What an organisation's administrator may change of the organisation itself.
ADMIN_ORGANISATION_SETTINGS = frozenset(
    {"invoicing_preference", "invoice_email", "invoice_address", "delivery_address"}
)

# Saleor reports API calls to observability apps with their answers, except answers
# that select a field listed here (as for its own AppTokenCreate.authToken): a new
# order token must not leave the shop that way.
SENSITIVE_GQL_FIELDS.setdefault("OciConnectionOrderTokenCreate", set()).add("token")

OciInvoiceFormat = graphene.Enum(
    "OciInvoiceFormat",
    [(choice.name, choice.value) for choice in InvoiceFormat],
    description="The UBL e-invoice format an organisation receives.",
)
OciInvoicingPreference = graphene.Enum(
    "OciInvoicingPreference",
    [(choice.name, choice.value) for choice in InvoicingPreference],
    description="Whether an organisation is invoiced per order or periodically.",
)
OciLegalIdScheme = graphene.Enum(
    "OciLegalIdScheme",
    [(choice.name, choice.value) for choice in LegalIdScheme],
    description="The scheme of an organisation's legal registration number: KVK "
    "(0106, Chamber of Commerce number, 8 digits) or OIN (0190, the identification "
    "number of a Dutch public body such as a municipality, 20 digits).",
)
OciVersionEnum = graphene.Enum(
    "OciVersionEnum",
    [(f"V{version.value.replace('.', '_')}", version.value) for version in OCIVersion],
    description="The OCI version whose fields a connection's carts are sent with.",
)


# --- data loaders (Saleor reads through them, from the replica where it may) ----


class OrganisationByIdLoader(DataLoader[int, BuyerOrganisation]):
    context_key = "oci_organisation_by_id"

    def batch_load(self, keys: Iterable[int]) -> list[BuyerOrganisation | None]:
        found = BuyerOrganisation.objects.using(self.database_connection_name).in_bulk(
            keys
        )
        return [found.get(key) for key in keys]


class BranchByIdLoader(DataLoader[int, Branch]):
    context_key = "oci_branch_by_id"

    def batch_load(self, keys: Iterable[int]) -> list[Branch | None]:
        found = Branch.objects.using(self.database_connection_name).in_bulk(keys)
        return [found.get(key) for key in keys]


class BranchesByOrganisationIdLoader(DataLoader[int, list[Branch]]):
    context_key = "oci_branches_by_organisation_id"

    def batch_load(self, keys: Iterable[int]) -> list[list[Branch]]:
        by_organisation: dict[int, list[Branch]] = {key: [] for key in keys}
        branches = Branch.objects.using(self.database_connection_name).filter(
            organisation_id__in=list(by_organisation)
        )
        for branch in branches:
            by_organisation[branch.organisation_id].append(branch)
        return [by_organisation[key] for key in keys]


class CostCentresByBranchIdLoader(DataLoader[int, list[CostCentre]]):
    context_key = "oci_cost_centres_by_branch_id"

    def batch_load(self, keys: Iterable[int]) -> list[list[CostCentre]]:
        by_branch: dict[int, list[CostCentre]] = {key: [] for key in keys}
        for centre in CostCentre.objects.using(self.database_connection_name).filter(
            branch_id__in=list(by_branch)
        ):
            by_branch[centre.branch_id].append(centre)
        return [by_branch[key] for key in keys]


# --- types ---------------------------------------------------------------------


class OciCostCentre(graphene.ObjectType):
    code = graphene.String(required=True, description="The cost centre's code.")
    name = graphene.String(required=True, description="What it is, for people.")
    is_default = graphene.Boolean(
        required=True, description="Whether it is the branch's default."
    )

    class Meta:
        description = "A cost centre (kostenplaats) carts of a branch are booked on."


def resolve_branch_cost_centres(root: Branch, info: ResolveInfo):
    """The branch's cost centres, its default one listed first when unlisted."""

    def with_default(centres: list[CostCentre]) -> list[dict[str, Any]]:
        listed = [
            {
                "code": centre.code,
                "name": centre.name,
                "is_default": centre.code == root.default_cost_centre,
            }
            for centre in centres
        ]
        if root.default_cost_centre and not any(
            centre["is_default"] for centre in listed
        ):
            listed.insert(
                0, {"code": root.default_cost_centre, "name": "", "is_default": True}
            )
        return listed

    return CostCentresByBranchIdLoader(info.context).load(root.pk).then(with_default)


class OciBranch(ModelObjectType[Branch]):
    id = graphene.GlobalID(required=True, description="The ID of the branch.")
    organisation = graphene.Field(
        lambda: OciOrganisation,
        required=True,
        description="The organisation the branch belongs to.",
    )
    name = graphene.String(required=True, description="Name of the branch.")
    code = graphene.String(
        required=True, description="The organisation's own code for the branch."
    )
    default_cost_centre = graphene.String(
        required=True, description="Cost centre printed on the branch's invoices."
    )
    invoicing_preference = OciInvoicingPreference(
        description="How the branch is invoiced; null: as its organisation."
    )
    invoice_email = graphene.String(
        required=True,
        description="Where the branch's invoices are e-mailed; empty: to the "
        "organisation's address.",
    )
    cost_centres = NonNullList(
        OciCostCentre,
        required=True,
        description="The cost centres orderers may book on; the default first "
        "when it is not listed.",
    )
    delivery_address = graphene.Field(
        Address,
        description="Where the branch's goods go: the orders of its connections "
        "ship here unless the purchase order names an address. Null: none.",
    )
    invoice_address = graphene.Field(
        Address,
        description="The buyer address on the branch's invoices (and its orders' "
        "billing address unless the purchase order names one). Null: none.",
    )
    logo_url = graphene.String(
        description="The branch's own greeting-card logo (ociLogoUpload); null: "
        "none, its organisation's is printed."
    )
    card_logo_url = graphene.String(
        description="The logo printed on the branch's greeting cards: its own, else "
        "its organisation's; null: none."
    )

    class Meta:
        model = Branch
        interfaces = (graphene.relay.Node,)
        description = "A branch (vestiging) of a buyer organisation."

    @staticmethod
    def resolve_organisation(root: Branch, info: ResolveInfo):
        return OrganisationByIdLoader(info.context).load(root.organisation_id)

    @staticmethod
    def resolve_invoicing_preference(root: Branch, _info: ResolveInfo) -> str | None:
        return root.invoicing_preference or None

    @staticmethod
    def resolve_cost_centres(root: Branch, info: ResolveInfo):
        return resolve_branch_cost_centres(root, info)

    @staticmethod
    def resolve_delivery_address(root: Branch, info: ResolveInfo):
        return _address(info, root.delivery_address_id)

    @staticmethod
    def resolve_invoice_address(root: Branch, info: ResolveInfo):
        return _address(info, root.invoice_address_id)

    @staticmethod
    def resolve_logo_url(root: Branch, _info: ResolveInfo) -> str | None:
        return logo_url(root.logo)

    @staticmethod
    def resolve_card_logo_url(root: Branch, info: ResolveInfo):
        if root.logo:
            return logo_url(root.logo)
        return (
            OrganisationByIdLoader(info.context)
            .load(root.organisation_id)
            .then(lambda organisation: logo_url(effective_logo_name(organisation)))
        )


def _address(info: ResolveInfo, address_id: int | None):
    """An organisation's or branch's address, through Saleor's own loader."""
    if address_id is None:
        return None
    return AddressByIdLoader(info.context).load(address_id)


class OciOrganisation(ModelObjectType[BuyerOrganisation]):
    id = graphene.GlobalID(required=True, description="The ID of the organisation.")
    name = graphene.String(required=True, description="Name of the organisation.")
    legal_id = graphene.String(
        required=True,
        description="Legal registration number, on invoices as the buyer's "
        "PartyLegalEntity/CompanyID (BT-47) with legalIdScheme as its schemeID: a "
        "KvK number (8 digits) or an OIN (20 digits). Empty: none.",
    )
    legal_id_scheme = OciLegalIdScheme(
        required=True, description="The scheme of legalId: KVK or OIN."
    )
    kvk_number = graphene.String(
        required=True,
        description="Dutch Chamber of Commerce (KvK) number: legalId when "
        "legalIdScheme is KVK, else empty.",
        deprecation_reason="Use legalId and legalIdScheme: an organisation may be "
        "identified by an OIN instead of a KvK number.",
    )
    vat_number = graphene.String(required=True, description="VAT number.")
    peppol_endpoint_id = graphene.String(
        required=True, description="Peppol endpoint the e-invoices are sent to."
    )
    peppol_endpoint_scheme = graphene.String(
        required=True,
        description="Scheme of the Peppol endpoint, e.g. 0106 (KvK) or 0190 (OIN).",
    )
    invoice_format = OciInvoiceFormat(required=True, description="E-invoice format.")
    invoicing_preference = OciInvoicingPreference(
        required=True, description="Invoice per order or periodically."
    )
    invoice_email = graphene.String(
        required=True,
        description="Where invoices are e-mailed: consolidated ones, and those of "
        "branches without an address of their own. Empty: none.",
    )
    delivery_address = graphene.Field(
        Address,
        description="Where the organisation's goods go when neither the purchase "
        "order nor the connection's branch names a delivery address. Null: none.",
    )
    invoice_address = graphene.Field(
        Address,
        description="The buyer address on consolidated invoices and those of "
        "branches without an invoice address; the bill-to of orders whose purchase "
        "order and branch name none. Null: none.",
    )
    logo_url = graphene.String(
        description="The logo printed on the greeting cards of the organisation "
        "and of branches without their own (ociLogoUpload); null: none."
    )
    created_at = DateTime(required=True, description="When it was created.")
    branches = NonNullList(
        OciBranch, required=True, description="The organisation's branches."
    )

    class Meta:
        model = BuyerOrganisation
        interfaces = (graphene.relay.Node,)
        description = "A business customer that buys through its procurement system."

    @staticmethod
    def resolve_kvk_number(root: BuyerOrganisation, _info: ResolveInfo) -> str:
        return root.legal_id if root.legal_id_scheme == LegalIdScheme.KVK else ""

    @staticmethod
    def resolve_branches(root: BuyerOrganisation, info: ResolveInfo):
        return BranchesByOrganisationIdLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_delivery_address(root: BuyerOrganisation, info: ResolveInfo):
        return _address(info, root.delivery_address_id)

    @staticmethod
    def resolve_invoice_address(root: BuyerOrganisation, info: ResolveInfo):
        return _address(info, root.invoice_address_id)

    @staticmethod
    def resolve_logo_url(root: BuyerOrganisation, _info: ResolveInfo) -> str | None:
        return logo_url(root.logo)


class OciParameterAliases(graphene.ObjectType):
    username = NonNullList(
        graphene.String,
        required=True,
        description="Names the user name may come under, besides USERNAME.",
    )
    password = NonNullList(
        graphene.String,
        required=True,
        description="Names the password may come under, besides PASSWORD.",
    )

    class Meta:
        description = "Extra punch-in parameter names of a connection's login values."


class OciUnitCode(graphene.ObjectType):
    unit = graphene.String(required=True, description="The shop's unit name.")
    code = graphene.String(required=True, description="The OCI (ISO) unit code.")

    class Meta:
        description = "A shop unit and the unit code sent for it in OCI UNIT."


class OciNziCode(graphene.ObjectType):
    key = graphene.String(
        required=True, description="Product SKU or slug, or category slug."
    )
    code = graphene.String(required=True, description="The buyer's NZI code.")

    class Meta:
        description = "A buyer's own NZI code for a product or category."


class OciNziOverrides(graphene.ObjectType):
    products = NonNullList(OciNziCode, required=True, description="By product.")
    categories = NonNullList(OciNziCode, required=True, description="By category.")

    class Meta:
        description = "A buyer's own NZI codes, used before the shop's product data."


class OciIdentityParameters(graphene.ObjectType):
    user_id = NonNullList(graphene.String, required=True)
    email = NonNullList(graphene.String, required=True)
    first_name = NonNullList(graphene.String, required=True)
    last_name = NonNullList(graphene.String, required=True)

    class Meta:
        description = (
            "Punch-in parameter names of the orderer's user id, e-mail address and "
            "names."
        )


class OciIdentityParametersInput(graphene.InputObjectType):
    user_id = NonNullList(graphene.String, description="E.g. SY_UNAME.")
    email = NonNullList(graphene.String, description="E.g. SY_EMAIL.")
    first_name = NonNullList(graphene.String)
    last_name = NonNullList(graphene.String)

    class Meta:
        description = (
            "Extra punch-in parameter names of the orderer's identity, besides the "
            "defaults; replaces all the stored ones."
        )


class OciConnection(ModelObjectType[Connection]):
    id = graphene.GlobalID(required=True, description="The ID of the connection.")
    organisation = graphene.Field(
        OciOrganisation, required=True, description="The buyer organisation."
    )
    branch = graphene.Field(
        OciBranch, description="The branch the connection buys for, if one."
    )
    name = graphene.String(required=True, description="Name of the connection.")
    is_active = graphene.Boolean(
        required=True, description="Whether the buyer can punch in."
    )
    login_name = graphene.String(
        required=True, description="The USERNAME the procurement system sends."
    )
    parameter_aliases = graphene.Field(
        OciParameterAliases,
        required=True,
        description="Extra names of the login parameters.",
    )
    hook_url_allowlist = NonNullList(
        graphene.String,
        required=True,
        description="Entries scheme://host[:port][/path-prefix] a HOOK_URL must match.",
    )
    allow_http_hook_url = graphene.Boolean(
        required=True, description="Whether http:// HOOK_URLs are allowed."
    )
    allow_sapevent_hook_url = graphene.Boolean(
        required=True, description="Whether SAP GUI's SAPEVENT: HOOK_URLs are allowed."
    )
    oci_version = OciVersionEnum(required=True, description="OCI version.")
    field_mapping = JSONString(
        required=True,
        description="The codec's field mapping settings ({}: the defaults).",
    )
    unit_map = NonNullList(
        OciUnitCode, required=True, description="Unit codes besides the standard ones."
    )
    nzi_field = graphene.String(
        required=True, description="The OCI field the NZI code is sent in."
    )
    nzi_overrides = graphene.Field(
        OciNziOverrides, required=True, description="The buyer's own NZI codes."
    )
    price_precision = graphene.Int(
        required=True, description="Decimal places of prices sent in OCI."
    )
    identity_parameters = graphene.Field(
        OciIdentityParameters,
        required=True,
        description="The connection's own extra names of the orderer's identity "
        "parameters.",
    )
    identity_parameter_names = graphene.Field(
        OciIdentityParameters,
        required=True,
        description="All names punch-in reads the orderer's identity from: the "
        "connection's own, then the defaults no login parameter uses.",
    )
    create_unknown_orderers = graphene.Boolean(
        required=True,
        description="Whether an orderer the shop does not know yet is created at "
        "punch-in, as an ORDERER of the connection's branch.",
    )
    cost_centre_field = graphene.String(
        required=True, description="The OCI field the orderer's cost centre is sent in."
    )
    protocol = graphene.String(
        required=True,
        description="The punch-out the procurement system speaks: oci, cxml (a "
        "PunchOutSetupRequest at .../cxml/setup) or both.",
    )
    cxml_domains = NonNullList(
        graphene.String,
        required=True,
        description="The From credential domains accepted with cxmlIdentity (e.g. "
        "NetworkID, DUNS); empty: any.",
    )
    cxml_form_field = graphene.String(
        required=True,
        description="The form field the PunchOutOrderMessage is posted in: "
        "cxml-urlencoded, cxml-base64 or both.",
    )
    unspsc_attribute = graphene.String(
        required=True,
        description="Slug of the product attribute holding a product's UNSPSC code.",
    )
    unspsc_default = graphene.String(
        required=True,
        description="The UNSPSC code of products without one; empty: none.",
    )
    channel = graphene.Field(
        Channel, required=True, description="The channel the buyer shops in."
    )
    customer = graphene.Field(
        User, required=True, description="The customer account the buyer shops as."
    )
    storefront_url = graphene.String(
        description="Where punched-in buyers go; null: the plugin's setting."
    )
    session_lifetime_minutes = graphene.Int(
        description="Punch-out session lifetime; null: the plugin's setting."
    )
    allow_quantity_changes = graphene.Boolean(
        required=True,
        description="Whether a purchase order may order other quantities than the "
        "transferred cart.",
    )
    price_tolerance_percent = Decimal(
        required=True,
        description="How far (percent) a purchase order's unit prices may differ "
        "from the transferred cart's.",
    )
    allow_direct_orders = graphene.Boolean(
        required=True,
        description="Whether a purchase order that names no transferred cart is "
        "placed, at the channel's prices.",
    )
    cxml_identity = graphene.String(
        description="The cXML From credential identity that names this connection; "
        "null: cXML orders are not accepted."
    )
    has_cxml_shared_secret = graphene.Boolean(
        required=True,
        description="Whether a cXML shared secret is set (it cannot be read).",
    )
    has_order_token = graphene.Boolean(
        required=True,
        description="Whether a bearer token for the UBL Order endpoint is issued "
        "(it cannot be read).",
    )
    failed_logins = graphene.Int(
        required=True, description="Wrong passwords since the last good login."
    )
    locked_until = DateTime(
        description="Until when logins are refused after too many wrong passwords."
    )
    created_at = DateTime(required=True, description="When it was created.")
    updated_at = DateTime(required=True, description="When it was last changed.")

    class Meta:
        model = Connection
        interfaces = (graphene.relay.Node,)
        description = (
            "How a buyer organisation's procurement system punches in and sends its "
            "purchase orders. The password, the cXML shared secret and the order "
            "token are stored hashed and cannot be read."
        )

    @staticmethod
    def resolve_organisation(root: Connection, info: ResolveInfo):
        return OrganisationByIdLoader(info.context).load(root.organisation_id)

    @staticmethod
    def resolve_branch(root: Connection, info: ResolveInfo):
        if root.branch_id is None:
            return None
        return BranchByIdLoader(info.context).load(root.branch_id)

    @staticmethod
    def resolve_parameter_aliases(root: Connection, _info: ResolveInfo) -> dict:
        aliases = root.parameter_aliases or {}
        return {
            "username": aliases.get("USERNAME", []),
            "password": aliases.get("PASSWORD", []),
        }

    @staticmethod
    def resolve_unit_map(root: Connection, _info: ResolveInfo) -> list[dict]:
        return [
            {"unit": unit, "code": code} for unit, code in (root.unit_map or {}).items()
        ]

    @staticmethod
    def resolve_nzi_overrides(root: Connection, _info: ResolveInfo) -> dict:
        overrides = root.nzi_overrides or {}
        return {
            group: [
                {"key": key, "code": code}
                for key, code in (overrides.get(group) or {}).items()
            ]
            for group in service.NZI_OVERRIDE_GROUPS
        }

    @staticmethod
    def resolve_identity_parameters(root: Connection, _info: ResolveInfo) -> dict:
        own = root.identity_parameters or {}
        return {key: own.get(key, []) for key in IDENTITY_KEYS}

    @staticmethod
    def resolve_identity_parameter_names(root: Connection, _info: ResolveInfo):
        return codec_settings.identity_parameter_names(root)

    @staticmethod
    def resolve_channel(root: Connection, info: ResolveInfo):
        return ChannelByIdLoader(info.context).load(root.channel_id)

    @staticmethod
    def resolve_customer(root: Connection, info: ResolveInfo):
        return UserByUserIdLoader(info.context).load(root.customer_id)

    @staticmethod
    def resolve_storefront_url(root: Connection, _info: ResolveInfo) -> str | None:
        return root.storefront_url or None

    @staticmethod
    def resolve_unspsc_attribute(root: Connection, _info: ResolveInfo) -> str:
        return root.unspsc_attribute_slug

    @staticmethod
    def resolve_cxml_identity(root: Connection, _info: ResolveInfo) -> str | None:
        return root.cxml_identity or None

    @staticmethod
    def resolve_has_cxml_shared_secret(root: Connection, _info: ResolveInfo) -> bool:
        return bool(root.cxml_shared_secret)

    @staticmethod
    def resolve_has_order_token(root: Connection, _info: ResolveInfo) -> bool:
        return bool(root.order_token_hash)


# --- inputs --------------------------------------------------------------------


_ADDRESS_INPUT_DESCRIPTION = (
    "The whole address, checked as Saleor checks addresses (its address form and "
    "Google's address data for the country); it replaces the stored one. Null "
    "removes it; omitted: it stays. Errors name the address field, e.g. "
    "invoiceAddress.postalCode. skipValidation is refused."
)


class OciOrganisationInput(graphene.InputObjectType):
    name = graphene.String(description="Name of the organisation.")
    legal_id = graphene.String(
        description="Legal registration number on invoices (BT-47): 8 digits with "
        "legalIdScheme KVK, 20 digits with OIN. Null or empty: none."
    )
    legal_id_scheme = OciLegalIdScheme(
        description="The scheme of legalId; a new organisation's is KVK unless "
        "given. Changing it alone keeps legalId, which must fit the new scheme."
    )
    kvk_number = graphene.String(
        description="KvK number, eight digits: the same as legalId with "
        "legalIdScheme KVK. Null or empty removes a KvK number, never an OIN. "
        "Cannot be combined with legalId or legalIdScheme."
        f"{DEPRECATED_IN_3X_INPUT} Use legalId and legalIdScheme."
    )
    vat_number = graphene.String(description="VAT number.")
    peppol_endpoint_id = graphene.String(
        description="Peppol endpoint ID: with scheme 0106 an 8-digit KvK number, "
        "with 0190 a 20-digit OIN."
    )
    peppol_endpoint_scheme = graphene.String(
        description="Peppol endpoint scheme: four digits, e.g. 0106 (KvK) or 0190 "
        "(OIN). It does not follow legalIdScheme: set it for an OIN endpoint."
    )
    invoice_format = OciInvoiceFormat(description="E-invoice format.")
    invoicing_preference = OciInvoicingPreference(
        description="Invoice per order or periodically."
    )
    invoice_email = graphene.String(
        description="E-mail address invoices are sent to; null or empty: none."
    )
    delivery_address = AddressInput(description=_ADDRESS_INPUT_DESCRIPTION)
    invoice_address = AddressInput(description=_ADDRESS_INPUT_DESCRIPTION)

    class Meta:
        description = "Settings of a buyer organisation; omitted ones stay as they are."


class OciOrganisationCreateInput(OciOrganisationInput):
    name = graphene.String(required=True, description="Name of the organisation.")

    class Meta:
        description = "A new buyer organisation."


class OciCostCentreInput(graphene.InputObjectType):
    code = graphene.String(
        required=True,
        description="The code, as the buyer's ERP books it; it must fit the "
        "cost-centre field of the organisation's connections.",
    )
    name = graphene.String(description="What it is, for people.")

    class Meta:
        description = "A cost centre of a branch."


class _BranchSettingsInput(graphene.InputObjectType):
    code = graphene.String(description="The organisation's own code for the branch.")
    default_cost_centre = graphene.String(
        description="Default cost centre: one of costCentres (a default given "
        "without a list joins the branch's list)."
    )
    cost_centres = NonNullList(
        OciCostCentreInput,
        description="The cost centres orderers may choose; replaces the list.",
    )
    invoicing_preference = OciInvoicingPreference(
        description="How the branch is invoiced; null: as its organisation."
    )
    invoice_email = graphene.String(
        description="E-mail address the branch's invoices are sent to; null or "
        "empty: the organisation's."
    )
    delivery_address = AddressInput(description=_ADDRESS_INPUT_DESCRIPTION)
    invoice_address = AddressInput(description=_ADDRESS_INPUT_DESCRIPTION)

    class Meta:
        abstract = True


class OciBranchInput(_BranchSettingsInput):
    name = graphene.String(description="Name of the branch.")

    class Meta:
        description = "Settings of a branch; omitted ones stay as they are."


class OciBranchCreateInput(_BranchSettingsInput):
    organisation = graphene.ID(
        description="The organisation the branch belongs to; staff must name it, "
        "an administrator may leave it out for their own."
    )
    name = graphene.String(required=True, description="Name of the branch.")

    class Meta:
        description = "A new branch of a buyer organisation."


class OciParameterAliasesInput(graphene.InputObjectType):
    username = NonNullList(
        graphene.String, description="Extra names of the user name, e.g. loginname."
    )
    password = NonNullList(
        graphene.String, description="Extra names of the password, e.g. pwd."
    )

    class Meta:
        description = "Extra punch-in parameter names; replaces all the stored ones."


class OciUnitCodeInput(graphene.InputObjectType):
    unit = graphene.String(required=True, description="The shop's unit name.")
    code = graphene.String(
        required=True, description="Its OCI unit code: 1 to 3 letters or digits."
    )

    class Meta:
        description = "A shop unit and the OCI unit code to send for it."


class OciNziCodeInput(graphene.InputObjectType):
    key = graphene.String(
        required=True, description="Product SKU or slug, or category slug."
    )
    code = graphene.String(required=True, description="The buyer's NZI code.")

    class Meta:
        description = "A buyer's own NZI code for a product or category."


class OciNziOverridesInput(graphene.InputObjectType):
    products = NonNullList(OciNziCodeInput, description="By product SKU or slug.")
    categories = NonNullList(OciNziCodeInput, description="By category slug.")

    class Meta:
        description = "A buyer's own NZI codes; replaces all the stored ones."


class _ConnectionSettingsInput(graphene.InputObjectType):
    branch = graphene.ID(description="A branch of the organisation, or null.")
    is_active = graphene.Boolean(description="Whether the buyer can punch in.")
    password = graphene.String(
        description="The PASSWORD the procurement system sends; stored hashed."
    )
    parameter_aliases = OciParameterAliasesInput(
        description="Extra names of the login parameters."
    )
    hook_url_allowlist = NonNullList(
        graphene.String,
        description="Entries scheme://host[:port][/path-prefix]; *.host: subdomains.",
    )
    allow_http_hook_url = graphene.Boolean(description="Allow http:// HOOK_URLs.")
    allow_sapevent_hook_url = graphene.Boolean(
        description="Allow SAP GUI's SAPEVENT: HOOK_URLs."
    )
    oci_version = OciVersionEnum(description="OCI version of the carts sent.")
    field_mapping = JSONString(
        description="The codec's field mapping settings; {} for the defaults."
    )
    unit_map = NonNullList(
        OciUnitCodeInput, description="Unit codes; replaces all the stored ones."
    )
    nzi_field = graphene.String(description="OCI field of the NZI code (MATGROUP).")
    nzi_overrides = OciNziOverridesInput(description="The buyer's own NZI codes.")
    price_precision = graphene.Int(description="Decimal places of prices: 0 to 4.")
    storefront_url = graphene.String(
        description="Absolute http(s) URL; null or empty: the plugin's setting."
    )
    session_lifetime_minutes = graphene.Int(
        description="1 to 1440 minutes; null: the plugin's setting."
    )
    allow_quantity_changes = graphene.Boolean(
        description="Let purchase orders order other quantities than the cart."
    )
    price_tolerance_percent = Decimal(
        description="How far (percent, 0 to 100, at most two decimals) a purchase "
        "order's unit prices may differ from the cart's."
    )
    allow_direct_orders = graphene.Boolean(
        description="Place purchase orders that name no transferred cart."
    )
    cxml_identity = graphene.String(
        description="The cXML From credential identity naming this connection; "
        "unique. Null or empty: none."
    )
    cxml_shared_secret = graphene.String(
        description="The cXML Sender SharedSecret, at least 16 characters; stored "
        "hashed, never shown. Null or empty removes it."
    )
    identity_parameters = OciIdentityParametersInput(
        description="Extra names of the orderer's identity parameters."
    )
    create_unknown_orderers = graphene.Boolean(
        description="Create orderers the shop does not know yet at punch-in."
    )
    cost_centre_field = graphene.String(
        description="OCI field of the orderer's cost centre (CUST_FIELD5); not the "
        "NZI code's or the card text's."
    )
    protocol = graphene.String(description="oci (the default), cxml or both.")
    cxml_domains = NonNullList(
        graphene.String,
        description="From credential domains accepted with cxmlIdentity; null or "
        "empty: any.",
    )
    cxml_form_field = graphene.String(
        description="cxml-urlencoded (the default), cxml-base64 or both."
    )
    unspsc_attribute = graphene.String(
        description="Slug of the product attribute holding the UNSPSC code "
        "(default unspsc)."
    )
    unspsc_default = graphene.String(
        description="UNSPSC code (8 digits) of products without one; empty: none."
    )

    class Meta:
        abstract = True


class OciConnectionInput(_ConnectionSettingsInput):
    name = graphene.String(description="Name of the connection.")
    login_name = graphene.String(description="The USERNAME the buyer sends.")
    channel = graphene.ID(description="The channel the buyer shops in.")
    customer = graphene.ID(description="The customer account the buyer shops as.")
    unlock = graphene.Boolean(
        description="Lift the lock after too many wrong passwords."
    )

    class Meta:
        description = "Settings of a connection; omitted ones stay as they are."


class OciConnectionCreateInput(_ConnectionSettingsInput):
    organisation = graphene.ID(required=True, description="The buyer organisation.")
    name = graphene.String(required=True, description="Name of the connection.")
    login_name = graphene.String(
        required=True, description="The USERNAME the buyer sends; unique."
    )
    password = graphene.String(
        required=True,
        description="The PASSWORD the buyer sends, at least 12 characters; stored "
        "hashed.",
    )
    channel = graphene.ID(required=True, description="The channel the buyer shops in.")
    customer = graphene.ID(
        required=True,
        description="The (non-staff) customer account the buyer shops as.",
    )

    class Meta:
        description = "A new punch-out connection of a buyer organisation."


# --- mutations -----------------------------------------------------------------


# A service-layer field of the legal ID, reported as kvkNumber to a client that sent
# that (deprecated) field.
_LEGAL_ID_FIELDS = ("legal_id", "legal_id_scheme")


def _save_organisation(
    info: ResolveInfo,
    data: Mapping[str, Any],
    organisation: BuyerOrganisation | None = None,
) -> BuyerOrganisation:
    """Create (no ``organisation``) or update one, from an organisation input.

    The deprecated ``kvkNumber`` is a KvK number as ``legalId``. Sent empty, it
    leaves an OIN alone: a client that knows only kvkNumber (read as empty for an
    OIN) may send it back as it read it.
    """
    settings: dict[str, Any] = dict(data)
    legacy = "kvk_number" in settings
    if legacy:
        kvk_number = (settings.pop("kvk_number") or "").strip()
        if any(field in settings for field in _LEGAL_ID_FIELDS):
            raise ValidationError(
                {
                    "kvk_number": ValidationError(
                        "Give either kvkNumber or legalId and legalIdScheme, not both.",
                        code=OciErrorCode.INVALID.value,
                    )
                }
            )
        if kvk_number:
            settings["legal_id"] = kvk_number
            settings["legal_id_scheme"] = LegalIdScheme.KVK.value
        elif organisation is None or organisation.legal_id_scheme == LegalIdScheme.KVK:
            settings["legal_id"] = ""
    try:
        if organisation is None:
            return service.create_organisation(settings, info=info)  # type: ignore[arg-type]
        return service.update_organisation(organisation, settings, info=info)  # type: ignore[arg-type]
    except ValidationError as error:
        if not (legacy and hasattr(error, "error_dict")):
            raise
        by_field: dict[str, list[ValidationError]] = {}
        for field, problems in error.error_dict.items():
            name = "kvk_number" if field in _LEGAL_ID_FIELDS else field
            by_field.setdefault(name, []).extend(problems)
        raise ValidationError(by_field) from None


def _branch_settings(data: dict[str, Any]) -> service.BranchData:
    if "invoicing_preference" in data and data["invoicing_preference"] is None:
        data["invoicing_preference"] = ""  # invoiced as its organisation
    return data  # type: ignore[return-value]


# Input fields the service layer takes as they come.
_PLAIN_CONNECTION_SETTINGS = frozenset(
    {
        "name",
        "is_active",
        "login_name",
        "hook_url_allowlist",
        "allow_http_hook_url",
        "allow_sapevent_hook_url",
        "oci_version",
        "field_mapping",
        "nzi_field",
        "price_precision",
        "storefront_url",
        "session_lifetime_minutes",
        "allow_quantity_changes",
        "price_tolerance_percent",
        "allow_direct_orders",
        "cxml_identity",
        "create_unknown_orderers",
        "cost_centre_field",
        "protocol",
        "cxml_form_field",
        "unspsc_default",
    }
)


def _connection_settings(data: Mapping[str, Any]) -> service.ConnectionData:
    """The service layer's settings from a connection input (given keys only)."""
    settings: dict[str, Any] = {
        key: value for key, value in data.items() if key in _PLAIN_CONNECTION_SETTINGS
    }
    if "hook_url_allowlist" in data and data["hook_url_allowlist"] is None:
        settings["hook_url_allowlist"] = []  # null empties lists, as for unitMap
    if "branch" in data:
        branch = data["branch"]
        settings["branch_id"] = (
            None if branch is None else pk_from_global_id(branch, "OciBranch", "branch")
        )
    for field, type_name in (("channel", "Channel"), ("customer", "User")):
        if field in data:
            global_id = data[field]
            settings[f"{field}_id"] = (
                None
                if global_id is None
                else pk_from_global_id(global_id, type_name, field)
            )
    if "parameter_aliases" in data:
        aliases = data["parameter_aliases"] or {}
        settings["parameter_aliases"] = {
            "USERNAME": list(aliases.get("username") or []),
            "PASSWORD": list(aliases.get("password") or []),
        }
    if "identity_parameters" in data:
        names = data["identity_parameters"] or {}
        settings["identity_parameters"] = {
            key: list(names.get(key) or []) for key in IDENTITY_KEYS if names.get(key)
        }
    if "cxml_domains" in data:
        settings["cxml_domains"] = list(data["cxml_domains"] or [])
    if "unspsc_attribute" in data:
        settings["unspsc_attribute_slug"] = data["unspsc_attribute"] or ""
    if "unit_map" in data:
        settings["unit_map"] = _pairs_to_dict(
            data["unit_map"] or [], "unit", "unit_map"
        )
    if "nzi_overrides" in data:
        overrides = data["nzi_overrides"] or {}
        settings["nzi_overrides"] = {
            group: _pairs_to_dict(overrides.get(group) or [], "key", "nzi_overrides")
            for group in service.NZI_OVERRIDE_GROUPS
            if overrides.get(group)
        }
    return settings  # type: ignore[return-value]


def _cxml_shared_secret(data: Mapping[str, Any]) -> str | None:
    """None (omitted): keep the secret; null or empty: remove it."""
    if "cxml_shared_secret" not in data:
        return None
    return data["cxml_shared_secret"] or ""


def _pairs_to_dict(
    pairs: Iterable[Mapping[str, str]], key_name: str, field: str
) -> dict[str, str]:
    result: dict[str, str] = {}
    for pair in pairs:
        key = pair[key_name]
        if key in result:
            raise ValidationError(
                {
                    field: ValidationError(
                        f"{key!r} is given twice.", code=OciErrorCode.INVALID.value
                    )
                }
            )
        result[key] = pair["code"]
    return result


class OciOrganisationCreate(BaseMutation):
    organisation = graphene.Field(OciOrganisation)

    class Arguments:
        input = OciOrganisationCreateInput(
            required=True, description="The new organisation."
        )

    class Meta:
        description = "Create a buyer organisation."
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, input: dict
    ) -> "OciOrganisationCreate":
        return cls(organisation=_save_organisation(info, input))


class OciOrganisationUpdate(OrganisationManagerMutation):
    organisation = graphene.Field(OciOrganisation)

    class Arguments:
        id = graphene.ID(required=True, description="The organisation to change.")
        input = OciOrganisationInput(required=True, description="The changes.")

    class Meta:
        description = (
            "Change a buyer organisation's settings. Staff with MANAGE_PLUGINS; the "
            "organisation's administrator may change its invoicing preference, "
            "invoice e-mail and addresses (other fields: STAFF_ONLY)."
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str, input: dict
    ) -> "OciOrganisationUpdate":
        organisation = managed_instance(info, BuyerOrganisation, id, "OciOrganisation")
        if not access_of(info.context).staff:
            staff_only = sorted(set(input) - ADMIN_ORGANISATION_SETTINGS)
            if staff_only:
                raise ValidationError(
                    {
                        field: ValidationError(
                            "Only shop staff can change this setting.",
                            code=OciErrorCode.STAFF_ONLY.value,
                        )
                        for field in staff_only
                    }
                )
        return cls(organisation=_save_organisation(info, input, organisation))


class OciBranchCreate(OrganisationManagerMutation):
    branch = graphene.Field(OciBranch)

    class Arguments:
        input = OciBranchCreateInput(required=True, description="The new branch.")

    class Meta:
        description = (
            "Create a branch of a buyer organisation. Staff with MANAGE_PLUGINS, or "
            "the organisation's administrator."
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, input: dict
    ) -> "OciBranchCreate":
        data = dict(input)
        organisation_id = managed_organisation_id(info, data.pop("organisation", None))
        cost_centres = data.pop("cost_centres", None)
        with transaction.atomic():
            branch = service.create_branch(
                organisation_id, _branch_settings(data), info=info
            )
            _save_cost_centres(branch, cost_centres, data)
        return cls(branch=branch)


class OciBranchUpdate(OrganisationManagerMutation):
    branch = graphene.Field(OciBranch)

    class Arguments:
        id = graphene.ID(required=True, description="The branch to change.")
        input = OciBranchInput(required=True, description="The changes.")

    class Meta:
        description = (
            "Change a branch's settings; it stays with its organisation. Staff with "
            "MANAGE_PLUGINS, or the organisation's administrator."
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str, input: dict
    ) -> "OciBranchUpdate":
        branch = managed_instance(info, Branch, id, "OciBranch")
        data = dict(input)
        cost_centres = data.pop("cost_centres", None)
        with transaction.atomic():
            service.update_branch(branch, _branch_settings(data), info=info)
            _save_cost_centres(branch, cost_centres, data)
        return cls(branch=branch)


def _save_cost_centres(
    branch: Branch, cost_centres: list[dict] | None, data: dict[str, Any]
) -> None:
    """The branch's list of cost centres, with its default in it.

    A default given without a list joins the list it has.
    """
    default = data.get("default_cost_centre")
    if cost_centres is None:
        if not default:
            return
        listed = [(centre.code, centre.name) for centre in branch.cost_centres.all()]
        if default not in {code for code, _name in listed}:
            listed.append((default, ""))
        members.set_cost_centres(branch, listed, default)
        return
    members.set_cost_centres(
        branch,
        [(centre["code"], centre.get("name") or "") for centre in cost_centres],
        default if "default_cost_centre" in data else None,
    )


class OciConnectionCreate(BaseMutation):
    connection = graphene.Field(OciConnection)

    class Arguments:
        input = OciConnectionCreateInput(
            required=True, description="The new connection."
        )

    class Meta:
        description = "Create a punch-out connection of a buyer organisation."
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, _info: ResolveInfo, /, *, input: dict
    ) -> "OciConnectionCreate":
        organisation_id = pk_from_global_id(
            input["organisation"], "OciOrganisation", "organisation"
        )
        connection = service.create_connection(
            organisation_id,
            input["password"],
            _connection_settings(input),
            cxml_shared_secret=_cxml_shared_secret(input),
        )
        return cls(connection=connection)


class OciConnectionUpdate(BaseMutation):
    connection = graphene.Field(OciConnection)

    class Arguments:
        id = graphene.ID(required=True, description="The connection to change.")
        input = OciConnectionInput(required=True, description="The changes.")

    class Meta:
        description = (
            "Change a connection's settings. A new password, or unlock, lifts the "
            "lock after too many wrong passwords."
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, _info: ResolveInfo, /, *, id: str, input: dict
    ) -> "OciConnectionUpdate":
        connection = instance_or_error(Connection, id, "OciConnection")
        if "password" in input and input["password"] is None:
            raise ValidationError(
                {
                    "password": ValidationError(
                        "A password cannot be removed; omit it to keep it.",
                        code=OciErrorCode.REQUIRED.value,
                    )
                }
            )
        service.update_connection(
            connection,
            _connection_settings(input),
            password=input.get("password"),
            cxml_shared_secret=_cxml_shared_secret(input),
            unlock=bool(input.get("unlock")),
        )
        return cls(connection=connection)


class OciConnectionDelete(BaseMutation):
    connection = graphene.Field(OciConnection, description="The deleted connection.")

    class Arguments:
        id = graphene.ID(required=True, description="The connection to delete.")

    class Meta:
        description = (
            "Delete a connection with its punch-out sessions. To stop punch-ins "
            "but keep the history, set isActive to false instead."
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, _info: ResolveInfo, /, *, id: str
    ) -> "OciConnectionDelete":
        connection = instance_or_error(Connection, id, "OciConnection")
        pk = connection.pk
        service.delete_connection(connection)
        connection.pk = pk  # so that the payload still names what was deleted
        return cls(connection=connection)


class OciConnectionOrderTokenCreate(BaseMutation):
    token = graphene.String(
        description="The new bearer token. It is shown here only, once: only its "
        "hash is stored."
    )
    connection = graphene.Field(OciConnection)

    class Arguments:
        id = graphene.ID(required=True, description="The connection.")

    class Meta:
        description = (
            "Issue a new bearer token for the connection's UBL Order endpoint "
            "(POST /plugins/global/oci.punchout/orders/ubl with Authorization: "
            "Bearer <token>). It replaces the previous token, which stops working."
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, _info: ResolveInfo, /, *, id: str
    ) -> "OciConnectionOrderTokenCreate":
        connection = instance_or_error(Connection, id, "OciConnection")
        token = service.issue_order_token(connection)
        return cls(token=token, connection=connection)


class OciConnectionOrderTokenRevoke(BaseMutation):
    connection = graphene.Field(OciConnection)

    class Arguments:
        id = graphene.ID(required=True, description="The connection.")

    class Meta:
        description = (
            "Revoke the connection's UBL Order token: orders sent with it are "
            "refused from now on. A connection without a token stays without one."
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, _info: ResolveInfo, /, *, id: str
    ) -> "OciConnectionOrderTokenRevoke":
        connection = instance_or_error(Connection, id, "OciConnection")
        service.revoke_order_token(connection)
        return cls(connection=connection)


# --- root fields ---------------------------------------------------------------


OciOrganisationCountableConnection = connection_type(OciOrganisation)
OciConnectionCountableConnection = connection_type(OciConnection)
_ORGANISATION_FILTER = "Only the connections of this organisation."
# A connection's Meta.ordering names its organisation (a relation), which cannot
# be a cursor: the same order by the organisation's own ordering.
_CONNECTION_ORDERING = ("organisation__name", "organisation_id", "name", "pk")


class ConnectionQueries(graphene.ObjectType):
    oci_organisations_paged = paged_field(
        OciOrganisationCountableConnection,
        description="Buyer organisations with their branches, by name.",
        permissions=[MANAGE_PLUGINS],
    )
    oci_connections_paged = paged_field(
        OciConnectionCountableConnection,
        organisation=graphene.Argument(graphene.ID, description=_ORGANISATION_FILTER),
        description="Punch-out connections of buyer organisations, by organisation "
        "and name.",
        permissions=[MANAGE_PLUGINS],
    )
    oci_organisations = PermissionsField(
        NonNullList(OciOrganisation),
        required=True,
        description="Buyer organisations with their branches.",
        permissions=[MANAGE_PLUGINS],
        deprecation_reason="Use `ociOrganisationsPaged` instead: Saleor's "
        "connection (first/after, edges, pageInfo).",
    )
    oci_connections = PermissionsField(
        NonNullList(OciConnection),
        required=True,
        organisation=graphene.Argument(graphene.ID, description=_ORGANISATION_FILTER),
        description="Punch-out connections of buyer organisations.",
        permissions=[MANAGE_PLUGINS],
        deprecation_reason="Use `ociConnectionsPaged` instead: Saleor's "
        "connection (first/after, edges, pageInfo).",
    )

    @staticmethod
    def resolve_oci_organisations(_root, info: ResolveInfo):
        database = get_database_connection_name(info.context)
        return BuyerOrganisation.objects.using(database).all()

    @staticmethod
    def resolve_oci_organisations_paged(_root, info: ResolveInfo, **kwargs):
        database = get_database_connection_name(info.context)
        return paginate(
            BuyerOrganisation.objects.using(database).all(),
            info,
            kwargs,
            OciOrganisationCountableConnection,
        )

    @staticmethod
    def resolve_oci_connections(
        _root, info: ResolveInfo, *, organisation: str | None = None
    ):
        return _connections(info, organisation)

    @staticmethod
    def resolve_oci_connections_paged(
        _root, info: ResolveInfo, *, organisation: str | None = None, **kwargs
    ):
        return paginate(
            _connections(info, organisation).select_related("organisation"),
            info,
            kwargs,
            OciConnectionCountableConnection,
            ordering=_CONNECTION_ORDERING,
        )


def _connections(info: ResolveInfo, organisation: str | None) -> QuerySet[Connection]:
    database = get_database_connection_name(info.context)
    connections = Connection.objects.using(database).all()
    if organisation is not None:
        _type, pk = from_global_id_or_error(
            organisation, "OciOrganisation", raise_error=True
        )
        if not pk.isdigit():
            raise GraphQLError(
                f"Invalid ID: {organisation}. Expected: OciOrganisation."
            )
        connections = connections.filter(organisation_id=int(pk))
    return connections


class ConnectionMutations(graphene.ObjectType):
    oci_organisation_create = OciOrganisationCreate.Field()
    oci_organisation_update = OciOrganisationUpdate.Field()
    oci_branch_create = OciBranchCreate.Field()
    oci_branch_update = OciBranchUpdate.Field()
    oci_connection_create = OciConnectionCreate.Field()
    oci_connection_update = OciConnectionUpdate.Field()
    oci_connection_delete = OciConnectionDelete.Field()
    oci_connection_order_token_create = OciConnectionOrderTokenCreate.Field()
    oci_connection_order_token_revoke = OciConnectionOrderTokenRevoke.Field()
