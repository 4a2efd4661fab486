"""GraphQL for greeting cards: the buyer's live preview, and staff's cards of an
order, the day's print batch and a reprint."""

import base64
import datetime

import graphene
from django.core.exceptions import ValidationError
from saleor.core.utils import build_absolute_uri
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import get_database_connection_name
from saleor.graphql.core.doc_category import DOC_CATEGORY_CHECKOUT, DOC_CATEGORY_ORDERS
from saleor.graphql.core.fields import BaseField
from saleor.graphql.core.mutations import BaseMutation
from saleor.graphql.core.scalars import Date, DateTime
from saleor.graphql.core.types.common import NonNullList
from saleor.permission.enums import OrderPermissions

from ..cards.models import GreetingCard
from ..error_codes import OciErrorCode
from ..punchout.models import PunchoutSession
from .errors import OciError
from .ids import instance_or_error, uuid_from_global_id
from .pagination import connection_type, paged_field, paginate
from .plugin_config import active_plugin_config
from .punchout import own_checkout_token

PREVIEW_DPI = 96


def _pdf_url(pdf_name: str) -> str | None:
    from ..cards.printing import pdf_path

    return build_absolute_uri(pdf_path(pdf_name)) if pdf_name else None


class OciGreetingCard(graphene.ObjectType):
    id = graphene.ID(required=True)
    order_id = graphene.ID(required=True, description="The Saleor order.")
    order_number = graphene.String(required=True)
    line_id = graphene.ID(
        description="The order line the card goes with; null: the order's own card "
        "(or a line a changed PO removed)."
    )
    po_line_number = graphene.String(
        required=True, description="The PO's line number; empty for the order's card."
    )
    text = graphene.String(required=True, description="The text as printed.")
    with_logo = graphene.Boolean(required=True)
    logo_name = graphene.String(
        required=True,
        description="The logo's storage name when the order was placed; empty: none.",
    )
    pdf_url = graphene.String(
        description="The print-ready PDF (staff with MANAGE_ORDERS, Bearer token); "
        "null until rendered."
    )
    printed_at = DateTime(description="When it was last printed; null: not yet.")
    voided = graphene.Boolean(
        required=True,
        description="Not to be printed: its order was cancelled or its line removed.",
    )
    voided_at = DateTime()

    class Meta:
        description = "A greeting card to print for an order placed from a PO."
        doc_category = DOC_CATEGORY_ORDERS

    @staticmethod
    def resolve_id(root: GreetingCard, _info: ResolveInfo) -> str:
        return graphene.Node.to_global_id("OciGreetingCard", root.pk)

    @staticmethod
    def resolve_order_id(root: GreetingCard, _info: ResolveInfo) -> str:
        return graphene.Node.to_global_id("Order", root.order_id)

    @staticmethod
    def resolve_order_number(root: GreetingCard, _info: ResolveInfo) -> str:
        return str(root.order.number)

    @staticmethod
    def resolve_line_id(root: GreetingCard, _info: ResolveInfo) -> str | None:
        if root.order_line_id is None:
            return None
        return graphene.Node.to_global_id("OrderLine", root.order_line_id)

    @staticmethod
    def resolve_pdf_url(root: GreetingCard, _info: ResolveInfo) -> str | None:
        return _pdf_url(root.pdf_name)

    @staticmethod
    def resolve_voided(root: GreetingCard, _info: ResolveInfo) -> bool:
        return root.voided_at is not None


OciGreetingCardCountableConnection = connection_type(
    OciGreetingCard, doc_category=DOC_CATEGORY_ORDERS
)


class OciCardProblem(graphene.ObjectType):
    code = graphene.String(
        required=True,
        description="The error code ociGreetingCardSet would answer, e.g. "
        "CARD_TEXT_TOO_LONG.",
    )
    message = graphene.String(required=True)


class OciGreetingCardPreview(graphene.ObjectType):
    image = graphene.String(
        required=True,
        description="The card as printed, cut at the trim: a data: URL of a PNG "
        f"at {PREVIEW_DPI} dpi, rasterised from the print PDF.",
    )
    problems = NonNullList(
        OciCardProblem,
        required=True,
        description="Why ociGreetingCardSet would refuse this card; empty: it fits.",
    )

    class Meta:
        doc_category = DOC_CATEGORY_CHECKOUT


class OciGreetingCardBatch(graphene.ObjectType):
    date = Date(required=True)
    pdf_url = graphene.String(
        description="One PDF of all the cards, in order; null when none were due."
    )
    cards = NonNullList(OciGreetingCard, required=True)

    class Meta:
        doc_category = DOC_CATEGORY_ORDERS


class CardQueries(graphene.ObjectType):
    oci_greeting_card_preview = BaseField(
        OciGreetingCardPreview,
        checkout_id=graphene.ID(required=True, description="The punch-out checkout."),
        text=graphene.String(required=True),
        with_logo=graphene.Boolean(default_value=False),
        description="What a greeting card with this text will look like when "
        "printed (the print PDF rasterised), for the buyer's own punch-out "
        "checkout; with the problems that would refuse it. The text is not saved.",
        doc_category=DOC_CATEGORY_CHECKOUT,
    )
    oci_greeting_cards = paged_field(
        OciGreetingCardCountableConnection,
        order_id=graphene.ID(required=True, description="The Saleor order."),
        description="The greeting cards of an order, the order's own card first.",
        permissions=[OrderPermissions.MANAGE_ORDERS],
        doc_category=DOC_CATEGORY_ORDERS,
    )

    @staticmethod
    def resolve_oci_greeting_card_preview(
        _root, info: ResolveInfo, *, checkout_id: str, text: str, with_logo=False
    ) -> dict:
        from ..buyers import logos
        from ..cards import layout, records

        config, _manager = active_plugin_config(info)
        session = _own_session(info, checkout_id)
        text = layout.normalise_text(text.strip())
        problems = layout.text_problems(text, config.cards, with_logo)
        logo_name = (
            logos.effective_logo_name(session.connection.organisation, session.branch)
            if with_logo
            else ""
        )
        logo = records.open_logo(logo_name) if logo_name else None
        if with_logo and not logo_name:
            problems.append(
                layout.CardProblem(
                    OciErrorCode.CARD_LOGO_MISSING.value,
                    f"{session.connection.organisation.name} has no logo for cards "
                    "yet; ask the shop to add it, or order the card without.",
                )
            )
        png = layout.preview_png(
            layout.CardContent(text=text, logo=logo), config.cards, PREVIEW_DPI
        )
        return {
            "image": "data:image/png;base64," + base64.b64encode(png).decode(),
            "problems": [
                {"code": problem.code.upper(), "message": problem.message}
                for problem in problems
            ],
        }

    @staticmethod
    def resolve_oci_greeting_cards(
        _root, info: ResolveInfo, *, order_id: str, **kwargs
    ):
        order_pk = uuid_from_global_id(order_id, "Order", "orderId")
        cards = (
            GreetingCard.objects.using(get_database_connection_name(info.context))
            .filter(order_id=order_pk)
            .select_related("order")
        )
        return paginate(cards, info, kwargs, OciGreetingCardCountableConnection)


def _own_session(info: ResolveInfo, checkout_id: str) -> PunchoutSession:
    """The punch-out session of the requester's own checkout (read as queries
    read, from the replica); someone else's is not found."""
    not_found = ValidationError(
        "Punch-out checkout not found.", code=OciErrorCode.NOT_FOUND.value
    )
    checkout_pk = own_checkout_token(info, checkout_id, not_found)
    session = (
        PunchoutSession.objects.using(get_database_connection_name(info.context))
        .select_related("connection__organisation", "branch")
        .filter(checkout_id=checkout_pk, checkout__user_id=info.context.user.pk)
        .first()
    )
    if session is None:
        raise not_found
    return session


class OciGreetingCardsPrint(BaseMutation):
    batch = graphene.Field(OciGreetingCardBatch)

    class Arguments:
        date = Date(
            required=True,
            description="The day the orders were placed, in the shop's time zone "
            "(Django's TIME_ZONE setting).",
        )

    class Meta:
        description = (
            "Print the day's greeting cards: every card of that day's orders not "
            "printed yet and not voided, of orders not cancelled, as one PDF in "
            "order (order number, then line). The cards are marked printed."
        )
        doc_category = DOC_CATEGORY_ORDERS
        error_type_class = OciError
        permissions = (OrderPermissions.MANAGE_ORDERS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, date: datetime.date
    ) -> "OciGreetingCardsPrint":
        from ..cards.printing import print_day

        config, _manager = active_plugin_config(info)
        batch = print_day(date, config.cards)
        return cls(
            batch={
                "date": date,
                "pdf_url": _pdf_url(batch.pdf_name),
                "cards": batch.cards,
            },
            errors=[],
        )


class OciGreetingCardReprint(BaseMutation):
    card = graphene.Field(OciGreetingCard)

    class Arguments:
        id = graphene.ID(required=True, description="The card.")

    class Meta:
        description = (
            "Print one greeting card again: its PDF's URL, and it is marked printed "
            "now. A voided card is refused."
        )
        doc_category = DOC_CATEGORY_ORDERS
        error_type_class = OciError
        permissions = (OrderPermissions.MANAGE_ORDERS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str
    ) -> "OciGreetingCardReprint":
        from ..cards.printing import reprint

        card = instance_or_error(GreetingCard, id, "OciGreetingCard")
        config, _manager = active_plugin_config(info)
        try:
            reprint(card, config.cards)
        except ValueError as error:
            raise ValidationError(
                {"id": ValidationError(str(error), code=OciErrorCode.INVALID.value)}
            ) from error
        return cls(card=card, errors=[])


class CardMutations(graphene.ObjectType):
    oci_greeting_cards_print = OciGreetingCardsPrint.Field()
    oci_greeting_card_reprint = OciGreetingCardReprint.Field()
