"""GraphQL for punch-out shoppers: session tokens, cart transfer and cancel."""

import uuid
from typing import TYPE_CHECKING

import graphene
from django.core.exceptions import ValidationError
from saleor.checkout import models as checkout_models
from saleor.graphql.checkout.types import Checkout
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import (
    SyncWebhookControlContext,
    get_database_connection_name,
)
from saleor.graphql.core.doc_category import DOC_CATEGORY_CHECKOUT
from saleor.graphql.core.mutations import BaseMutation
from saleor.graphql.core.scalars import DateTime
from saleor.graphql.core.types.common import NonNullList
from saleor.permission.auth_filters import is_user

from ..error_codes import OciErrorCode
from ..punchout import ordering, sessions
from ..punchout.models import PunchoutSession
from .connections import BranchByIdLoader, OciBranch
from .errors import OciError
from .ids import pk_from_global_id
from .members import OciMember, OciOrderingBranch
from .plugin_config import active_plugin_config

if TYPE_CHECKING:
    from ..punchout.transfer import SentForm


class OciSession(graphene.ObjectType):
    id = graphene.ID(required=True, description="The punch-out session.")
    status = graphene.String(
        required=True, description="open, transferred or cancelled."
    )
    expires_at = DateTime(required=True, description="When the session closes.")
    protocol = graphene.String(
        required=True, description="oci, or cxml for a cXML PunchOutSetupRequest."
    )
    operation = graphene.String(
        required=True,
        description="What the procurement system asked for: create (a new cart), "
        "edit (the cart it holds, to change and send again) or inspect (the cart "
        "it holds, read-only: it cannot be changed or transferred).",
    )
    member = graphene.Field(
        OciMember,
        description="The orderer the procurement system named; null: the "
        "connection's own customer account shops.",
    )
    branch = graphene.Field(
        OciBranch, description="The branch the cart is ordered for."
    )
    cost_centre = graphene.String(
        required=True,
        description="The cost centre the cart is booked on; sent in the OCI form "
        "and used for the order when the purchase order names none.",
    )
    ordering_branches = NonNullList(
        OciOrderingBranch,
        required=True,
        description="The branches (with cost centres) the orderer may choose.",
    )

    class Meta:
        description = "A punch-out session opened from a procurement system."
        doc_category = DOC_CATEGORY_CHECKOUT

    @staticmethod
    def resolve_id(root: PunchoutSession, _info: ResolveInfo) -> str:
        return graphene.Node.to_global_id("OciSession", root.pk)

    @staticmethod
    def resolve_branch(root: PunchoutSession, info: ResolveInfo):
        if root.branch_id is None:
            return None
        return BranchByIdLoader(info.context).load(root.branch_id)

    @staticmethod
    def resolve_ordering_branches(root: PunchoutSession, info: ResolveInfo):
        connection = root.connection
        return ordering.branch_choices(
            connection.organisation_id,
            root.member,
            connection.branch_id,
            database=get_database_connection_name(info.context),
        )


class OciSessionTokenCreate(BaseMutation):
    token = graphene.String(description="Saleor access token of the buyer's account.")
    refresh_token = graphene.String(
        description="Saleor refresh token; it expires with the punch-out session."
    )
    csrf_token = graphene.String(description="CSRF token for tokenRefresh.")
    session = graphene.Field(OciSession)
    checkout = graphene.Field(
        Checkout, description="The session's own checkout: shop in this one."
    )

    class Arguments:
        code = graphene.String(
            required=True, description="The one-time oci_code from the punch-in."
        )

    class Meta:
        description = (
            "Exchange a punch-in's one-time code for Saleor tokens and the session's "
            "checkout. A code works once, within a minute of the punch-in."
        )
        doc_category = DOC_CATEGORY_CHECKOUT
        error_type_class = OciError

    @classmethod
    def perform_mutation(
        cls, _root, _info: ResolveInfo, /, *, code: str
    ) -> "OciSessionTokenCreate":
        issued = sessions.exchange_code(code)
        return cls(
            token=issued.token,
            refresh_token=issued.refresh_token,
            csrf_token=issued.csrf_token,
            session=issued.session,
            checkout=SyncWebhookControlContext(node=issued.checkout),
            errors=[],
        )


class OciFormField(graphene.ObjectType):
    name = graphene.String(required=True)
    value = graphene.String(required=True)

    class Meta:
        doc_category = DOC_CATEGORY_CHECKOUT


class OciFieldWarning(graphene.ObjectType):
    field = graphene.String(required=True, description="OCI field, e.g. DESCRIPTION.")
    line = graphene.Int(description="Cart line (1-based), if the field is a line's.")
    original = graphene.String(required=True, description="The value in the shop.")
    shortened = graphene.String(required=True, description="The value as sent.")
    rule = graphene.String(required=True, description="The rule that changed it.")

    class Meta:
        description = "A value sent shortened or with replaced characters."
        doc_category = DOC_CATEGORY_CHECKOUT


class OciReturnForm(graphene.ObjectType):
    hook_url = graphene.String(required=True, description="Where the form posts.")
    target = graphene.String(description="The frame it posts into (~TARGET).")
    fields = NonNullList(OciFormField, required=True)
    html = graphene.String(
        required=True, description="A complete page that submits the form at once."
    )
    warnings = NonNullList(OciFieldWarning, required=True)

    class Meta:
        description = "The OCI form that sends a cart back to the procurement system."
        doc_category = DOC_CATEGORY_CHECKOUT

    @staticmethod
    def resolve_hook_url(root: "SentForm", _info: ResolveInfo) -> str:
        return root.session.hook_url

    @staticmethod
    def resolve_target(root: "SentForm", _info: ResolveInfo) -> str | None:
        return root.session.target or None

    @staticmethod
    def resolve_fields(root: "SentForm", _info: ResolveInfo):
        return [OciFormField(name=name, value=value) for name, value in root.fields]

    @staticmethod
    def resolve_warnings(root: "SentForm", _info: ResolveInfo):
        return root.warnings


class OciTransfer(OciReturnForm):
    id = graphene.ID(
        required=True,
        description="The transfer's reference, as sent in NEW_ITEM-EXT_QUOTE_ID.",
    )

    budget_warnings = NonNullList(
        graphene.String,
        required=True,
        description="Soft budgets the cart goes over (it was sent all the same).",
    )

    class Meta:
        description = "A cart sent to the procurement system, kept as it was sent."
        doc_category = DOC_CATEGORY_CHECKOUT

    @staticmethod
    def resolve_id(root: "SentForm", _info: ResolveInfo) -> str:
        assert root.transfer is not None
        return root.transfer.reference


def _own_checkout(info: ResolveInfo, global_id: str, field: str):
    """The requesting buyer's checkout with that id, else a NOT_FOUND error.

    Someone else's checkout is reported as not found: its existence is not revealed.
    """
    not_found = ValidationError(
        {
            field: ValidationError(
                "Checkout not found.", code=OciErrorCode.NOT_FOUND.value
            )
        }
    )
    token = own_checkout_token(info, global_id, not_found)
    checkout = (
        checkout_models.Checkout.objects.select_related("channel")
        .filter(token=token, user=info.context.user)
        .first()
    )
    if checkout is None:
        raise not_found
    return checkout


def own_checkout_token(
    info: ResolveInfo, global_id: str, not_found: ValidationError
) -> uuid.UUID:
    """The token of the checkout ``global_id`` names, for a signed-in requester;
    ``not_found`` when it names no checkout or nobody is signed in (whose checkout
    it is, the caller's query decides)."""
    try:
        type_name, token = graphene.Node.from_global_id(global_id)
        checkout_token = uuid.UUID(token)
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise not_found from error
    user = info.context.user
    if type_name != "Checkout" or user is None or not user.is_authenticated:
        raise not_found
    return checkout_token


class OciCheckoutTransfer(BaseMutation):
    transfer = graphene.Field(OciTransfer)

    class Arguments:
        id = graphene.ID(required=True, description="The punch-out session's checkout.")

    class Meta:
        description = (
            "Send the punch-out cart back to the procurement system instead of "
            "completing the checkout: checks it, keeps it as it was sent and returns "
            "the OCI form. The session is closed afterwards."
        )
        doc_category = DOC_CATEGORY_CHECKOUT
        error_type_class = OciError

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str
    ) -> "OciCheckoutTransfer":
        from ..punchout import transfer

        checkout = _own_checkout(info, id, "id")
        config, manager = active_plugin_config(info)
        return cls(
            transfer=transfer.transfer_checkout(checkout, manager, config), errors=[]
        )


class OciCheckoutCancel(BaseMutation):
    form = graphene.Field(OciReturnForm, description="The empty-cart form.")

    class Arguments:
        id = graphene.ID(required=True, description="The punch-out session's checkout.")

    class Meta:
        description = (
            "Cancel the punch-out: close the session and return the OCI form "
            "without items, which tells the procurement system nothing was chosen."
        )
        doc_category = DOC_CATEGORY_CHECKOUT
        error_type_class = OciError

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str
    ) -> "OciCheckoutCancel":
        from ..punchout import transfer

        checkout = _own_checkout(info, id, "id")
        return cls(form=transfer.cancel_checkout(checkout), errors=[])


class OciGreetingCardSet(BaseMutation):
    checkout = graphene.Field(Checkout)

    class Arguments:
        checkout_id = graphene.ID(required=True)
        text = graphene.String(
            required=True, description="The card text; empty removes it."
        )
        line_id = graphene.ID(
            description="A checkout line: the card goes with that line only."
        )
        with_logo = graphene.Boolean(
            default_value=False,
            description="Print the organisation's (branch's) logo on the card.",
        )

    class Meta:
        description = (
            "Set the greeting card of a punch-out cart or of one of its lines: its "
            "text and whether the company logo is printed; it travels in the OCI "
            "long text and on to fulfilment. A text that does not fit the printed "
            "card (CARD_TEXT_TOO_LONG) or has characters its font cannot print "
            "(CARD_TEXT_UNSUPPORTED_CHARACTERS) is refused; nothing is shortened."
        )
        doc_category = DOC_CATEGORY_CHECKOUT
        error_type_class = OciError

    @classmethod
    def perform_mutation(
        cls,
        _root,
        info: ResolveInfo,
        /,
        *,
        checkout_id: str,
        text: str,
        line_id=None,
        with_logo: bool = False,
    ) -> "OciGreetingCardSet":
        from ..punchout import greeting_cards

        checkout = _own_checkout(info, checkout_id, "checkout_id")
        config, _manager = active_plugin_config(info)
        line_pk = _line_pk(line_id)
        greeting_cards.set_card_text(
            checkout, text, line_pk, with_logo=with_logo, card_format=config.cards
        )
        return cls(checkout=SyncWebhookControlContext(node=checkout), errors=[])


def _line_pk(line_id: str | None) -> str | None:
    """The checkout line's primary key from its global ID; None for no line."""
    if line_id is None:
        return None
    try:
        _type, line_pk = graphene.Node.from_global_id(line_id)
        uuid.UUID(line_pk)
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise ValidationError(
            {
                "line_id": ValidationError(
                    "Invalid line id.", code=OciErrorCode.INVALID.value
                )
            }
        ) from error
    return line_pk


class OciCheckoutOrderingSet(BaseMutation):
    session = graphene.Field(OciSession)

    class Arguments:
        id = graphene.ID(required=True, description="The punch-out session's checkout.")
        branch = graphene.ID(
            description="One of the session's ordering branches; null keeps it."
        )
        cost_centre = graphene.String(
            required=True,
            description="One of the branch's cost centres; empty for none.",
        )

    class Meta:
        description = (
            "Choose the branch and cost centre a punch-out cart is ordered for. "
            "Refused for a cost centre longer than the procurement system's field."
        )
        doc_category = DOC_CATEGORY_CHECKOUT
        error_type_class = OciError

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str, cost_centre: str, branch=None
    ) -> "OciCheckoutOrderingSet":
        session = _own_session(info, id)
        branch_pk = (
            None if branch is None else pk_from_global_id(branch, "OciBranch", "branch")
        )
        return cls(session=ordering.choose(session, branch_pk, cost_centre), errors=[])


def _own_session(info: ResolveInfo, checkout_id: str) -> PunchoutSession:
    checkout = _own_checkout(info, checkout_id, "id")
    session = (
        PunchoutSession.objects.select_related("connection", "member__user")
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
    return session


class PunchoutQueries(graphene.ObjectType):
    oci_session = graphene.Field(
        OciSession,
        checkout_id=graphene.ID(required=True, description="The session's checkout."),
        description="The punch-out session of the requester's own checkout; null "
        "for a checkout that is not the requester's or not a punch-out's.",
    )

    @staticmethod
    def resolve_oci_session(_root, info: ResolveInfo, *, checkout_id: str):
        try:
            type_name, token = graphene.Node.from_global_id(checkout_id)
            token = uuid.UUID(token)
        except (ValueError, TypeError, UnicodeDecodeError):
            return None
        if type_name != "Checkout" or not is_user(info.context):
            return None
        return (
            PunchoutSession.objects.using(get_database_connection_name(info.context))
            .select_related("connection", "member__user")
            .filter(checkout_id=token, checkout__user_id=info.context.user.pk)
            .first()
        )


class PunchoutMutations(graphene.ObjectType):
    oci_session_token_create = OciSessionTokenCreate.Field()
    oci_checkout_transfer = OciCheckoutTransfer.Field()
    oci_checkout_cancel = OciCheckoutCancel.Field()
    oci_greeting_card_set = OciGreetingCardSet.Field()
    oci_checkout_ordering_set = OciCheckoutOrderingSet.Field()
