"""Budgets over GraphQL: managed by staff and organisation admins, each with its
use in the current period; the punch-out buyer's own budgets for the storefront."""

from decimal import Decimal

import graphene
from django.core.exceptions import ValidationError
from saleor.core.db.connection import allow_writer
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import get_database_connection_name
from saleor.graphql.core.doc_category import DOC_CATEGORY_CHECKOUT
from saleor.graphql.core.scalars import DateTime, PositiveDecimal
from saleor.graphql.core.types import BaseInputObjectType
from saleor.graphql.core.types.common import NonNullList

from ..buyers import budgets
from ..buyers.models import Branch, Budget, BudgetPeriod, BuyerOrganisation, Member
from ..error_codes import OciErrorCode
from ..punchout.models import PunchoutSession
from .access import (
    OrganisationManagerMutation,
    managed_instance,
    managed_organisation_id,
)
from .errors import OciError
from .ids import pk_from_global_id
from .punchout import _own_checkout

OciBudgetPeriod = graphene.Enum.from_enum(BudgetPeriod)
# Budget.amount holds 12 digits before the decimal point.
MAX_AMOUNT = Decimal(10**12)


class OciBudget(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    branch_id = graphene.ID(description="Null: not limited to a branch.")
    member_id = graphene.ID(description="Null: not limited to a member.")
    member_email = graphene.String(description="The member's e-mail, if any.")
    period = graphene.String(required=True, description="month, quarter or year.")
    amount = graphene.Float(required=True, description="Per period, net.")
    currency = graphene.String(required=True)
    hard = graphene.Boolean(
        required=True,
        description="Hard: a transfer over what is left is refused; soft: it "
        "goes through with a warning.",
    )
    period_start = DateTime(required=True)
    period_end = DateTime(required=True, description="Excluded.")
    period_label = graphene.String(required=True, description="E.g. December 2026.")
    spent = graphene.Float(
        required=True, description="Orders placed from POs less credit notes."
    )
    held = graphene.Float(required=True, description="Open holds of transfers.")
    left = graphene.Float(required=True)
    summary = graphene.String(
        required=True,
        description='E.g. "EUR 412.00 of EUR 1,000.00 left in December 2026".',
    )

    class Meta:
        description = "A budget and its use in the current period."
        doc_category = DOC_CATEGORY_CHECKOUT

    @staticmethod
    def resolve_id(root: budgets.BudgetUse, _info):
        return graphene.Node.to_global_id("OciBudget", root.budget.pk)

    @staticmethod
    def resolve_name(root: budgets.BudgetUse, _info):
        return root.budget.name

    @staticmethod
    def resolve_branch_id(root: budgets.BudgetUse, _info):
        pk = root.budget.branch_id
        return None if pk is None else graphene.Node.to_global_id("OciBranch", pk)

    @staticmethod
    def resolve_member_id(root: budgets.BudgetUse, _info):
        pk = root.budget.member_id
        return None if pk is None else graphene.Node.to_global_id("OciMember", pk)

    @staticmethod
    def resolve_member_email(root: budgets.BudgetUse, _info):
        member = root.budget.member  # read with the budget (select_related)
        return None if member is None else member.user.email

    @staticmethod
    def resolve_period(root: budgets.BudgetUse, _info):
        return root.budget.period

    @staticmethod
    def resolve_amount(root: budgets.BudgetUse, _info):
        return root.budget.amount

    @staticmethod
    def resolve_currency(root: budgets.BudgetUse, _info):
        return root.budget.currency

    @staticmethod
    def resolve_hard(root: budgets.BudgetUse, _info):
        return root.budget.hard

    @staticmethod
    def resolve_period_start(root: budgets.BudgetUse, _info):
        return root.start

    @staticmethod
    def resolve_period_end(root: budgets.BudgetUse, _info):
        return root.end

    @staticmethod
    def resolve_period_label(root: budgets.BudgetUse, _info):
        return root.label

    @staticmethod
    def resolve_summary(root: budgets.BudgetUse, _info):
        return root.summary()


class OciBudgetInput(BaseInputObjectType):
    id = graphene.ID(description="A budget to change; else a new one.")
    organisation = graphene.ID(description="Staff name it; an admin's own.")
    branch = graphene.ID(description="Limit it to a branch.")
    member = graphene.ID(description="Limit it to a member.")
    name = graphene.String()
    period = OciBudgetPeriod()
    amount = PositiveDecimal()
    currency = graphene.String(description="ISO 4217, e.g. EUR.")
    hard = graphene.Boolean()
    hold_days = graphene.Int(
        description="The organisation's hold time of transfers (days, 1 to 365)."
    )

    class Meta:
        doc_category = DOC_CATEGORY_CHECKOUT


class OciBudgetSet(OrganisationManagerMutation):
    budget = graphene.Field(OciBudget)

    class Arguments:
        input = OciBudgetInput(required=True)

    class Meta:
        description = (
            "Create or change a budget of an organisation, a branch or a member "
            "(staff with MANAGE_PLUGINS, or the organisation's admin)."
        )
        doc_category = DOC_CATEGORY_CHECKOUT
        error_type_class = OciError

    @classmethod
    def perform_mutation(cls, _root, info: ResolveInfo, /, *, input: dict):
        if input.get("id"):
            budget = managed_instance(info, Budget, input["id"], "OciBudget")
        else:
            organisation_id = managed_organisation_id(info, input.get("organisation"))
            missing = [f for f in ("amount", "currency") if input.get(f) is None]
            if missing:
                raise ValidationError(
                    {
                        field: ValidationError(
                            "Required for a new budget.",
                            code=OciErrorCode.REQUIRED.value,
                        )
                        for field in missing
                    }
                )
            budget = Budget(organisation_id=organisation_id)
        organisation_id = budget.organisation_id
        if input.get("branch") is not None:
            pk = pk_from_global_id(input["branch"], "OciBranch", "branch")
            _own(Branch, pk, organisation_id, "branch", input["branch"])
            budget.branch_id = pk
        if input.get("member") is not None:
            pk = pk_from_global_id(input["member"], "OciMember", "member")
            _own(Member, pk, organisation_id, "member", input["member"])
            budget.member_id = pk
        for field in ("name", "period", "hard"):
            if input.get(field) is not None:
                setattr(budget, field, input[field])
        if input.get("amount") is not None:
            amount = Decimal(input["amount"]).quantize(Decimal("0.01"))
            if amount >= MAX_AMOUNT:
                raise ValidationError(
                    {
                        "amount": ValidationError(
                            f"At most {MAX_AMOUNT - Decimal('0.01'):,}.",
                            code=OciErrorCode.INVALID.value,
                        )
                    }
                )
            budget.amount = amount
        if input.get("currency") is not None:
            currency = input["currency"].upper()
            if len(currency) != 3 or not currency.isalpha():
                raise ValidationError(
                    {
                        "currency": ValidationError(
                            "A three-letter ISO 4217 code, e.g. EUR.",
                            code=OciErrorCode.INVALID.value,
                        )
                    }
                )
            budget.currency = currency
        hold_days = input.get("hold_days")
        if hold_days is not None:
            if not 1 <= hold_days <= 365:
                raise ValidationError(
                    {
                        "hold_days": ValidationError(
                            "Between 1 and 365 days.", code=OciErrorCode.INVALID.value
                        )
                    }
                )
            BuyerOrganisation.objects.filter(pk=organisation_id).update(
                budget_hold_days=hold_days
            )
        budget.save()
        return cls(budget=budgets.uses([budget])[0], errors=[])


def _own(model, pk: int, organisation_id: int, field: str, global_id: str) -> None:
    if not model.objects.filter(pk=pk, organisation_id=organisation_id).exists():
        raise ValidationError(
            {
                field: ValidationError(
                    f"Nothing of the organisation has the ID {global_id}.",
                    code=OciErrorCode.NOT_FOUND.value,
                )
            }
        )


class OciBudgetDelete(OrganisationManagerMutation):
    ok = graphene.Boolean()

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Remove a budget (staff, or the organisation's admin)."
        doc_category = DOC_CATEGORY_CHECKOUT
        error_type_class = OciError

    @classmethod
    def perform_mutation(cls, _root, info: ResolveInfo, /, *, id: str):
        managed_instance(info, Budget, id, "OciBudget").delete()
        return cls(ok=True, errors=[])


class BudgetQueries(graphene.ObjectType):
    oci_budgets = NonNullList(
        OciBudget,
        required=True,
        organisation=graphene.ID(description="Staff name it; an admin's own."),
        description="An organisation's budgets with their use in the current "
        "period (staff with MANAGE_PLUGINS, or the organisation's admin): the "
        "admin portal's view.",
    )
    oci_checkout_budgets = NonNullList(
        OciBudget,
        required=True,
        checkout_id=graphene.ID(required=True),
        description="The budgets the punch-out cart counts against (its "
        "organisation's, branch's and orderer's), for the storefront to show what "
        "is left. Empty for a checkout that is not the requester's punch-out's.",
    )

    @staticmethod
    def resolve_oci_budgets(_root, info: ResolveInfo, organisation=None):
        organisation_id = managed_organisation_id(info, organisation)
        database = get_database_connection_name(info.context)
        rows = list(
            Budget.objects.using(database)
            .select_related("member__user")
            .filter(organisation_id=organisation_id)
            .order_by("pk")
        )
        return budgets.uses(rows, database=database)

    @staticmethod
    def resolve_oci_checkout_budgets(_root, info: ResolveInfo, checkout_id: str):
        with allow_writer():
            try:
                checkout = _own_checkout(info, checkout_id, "checkout_id")
            except ValidationError:
                return []
            session = (
                PunchoutSession.objects.select_related("connection")
                .filter(checkout_id=checkout.pk)
                .first()
            )
            if session is None:
                return []
            rows = list(
                Budget.objects.select_related("member__user")
                .filter(
                    budgets.applicable(
                        session.connection.organisation_id,
                        session.branch_id,
                        session.member_id,
                    ),
                    currency=checkout.currency,
                )
                .order_by("pk")
            )
            return budgets.uses(rows)


class BudgetMutations(graphene.ObjectType):
    oci_budget_set = OciBudgetSet.Field()
    oci_budget_delete = OciBudgetDelete.Field()
