"""The branch and cost centre a punch-out cart is ordered for, from choice to order."""

import graphene
import pytest
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import Order

from saleor_oci_plugin import oci
from saleor_oci_plugin.buyers.models import Branch, CostCentre
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer
from saleor_oci_plugin.purchase_orders.placing import BRANCH_KEY, COST_CENTRE_KEY

from ..graphql.test_purchase_orders import PO_CREATE, _input
from ..test_round_trip import TRANSFER, _add, _form_fields, _punch_in

TOKEN_CREATE = """
mutation ($code: String!) {
  ociSessionTokenCreate(code: $code) { token checkout { id } errors { code } }
}
"""
ORDERING_SET = """
mutation ($id: ID!, $branch: ID, $costCentre: String!) {
  ociCheckoutOrderingSet(id: $id, branch: $branch, costCentre: $costCentre) {
    session { branch { code } costCentre }
    errors { field code message }
  }
}
"""
SESSION = """
query ($id: ID!) {
  ociSession(checkoutId: $id) {
    costCentre branch { code } member { email branches { code } }
    orderingBranches { branch { code } costCentres { code isDefault } }
  }
}
"""


@pytest.fixture
def cost_centres(oci_branch, oci_organisation):
    """Two cost centres at Noord; a second branch, Zuid, with one of its own."""
    CostCentre.objects.create(branch=oci_branch, code="KP-4711")
    CostCentre.objects.create(branch=oci_branch, code="KP-0815", name="Keuken")
    zuid = Branch.objects.create(
        organisation=oci_organisation, name="Locatie Zuid", code="ZUID"
    )
    CostCentre.objects.create(branch=zuid, code="KP-9000")
    return zuid


@pytest.fixture
def shopping(client, api_client, oci_connection, oci_orderer, cost_centres):
    """The orderer punched in, with one line in the cart."""

    def start(variants):
        code = _punch_in(client, oci_connection, extra={"USER_ID": "JJANSEN"})
        issued = get_graphql_content(
            api_client.post_graphql(TOKEN_CREATE, {"code": code})
        )["data"]["ociSessionTokenCreate"]
        api_client.token = issued["token"]
        checkout_id = issued["checkout"]["id"]
        _add(
            api_client,
            checkout_id,
            [
                {
                    "variantId": graphene.Node.to_global_id("ProductVariant", v.pk),
                    "quantity": 2,
                }
                for v in variants
            ],
        )
        return checkout_id

    return start


def _choose(api_client, checkout_id, cost_centre, branch=None):
    return get_graphql_content(
        api_client.post_graphql(
            ORDERING_SET,
            {
                "id": checkout_id,
                "costCentre": cost_centre,
                "branch": branch and graphene.Node.to_global_id("OciBranch", branch.pk),
            },
        )
    )["data"]["ociCheckoutOrderingSet"]


def test_the_orderer_sees_the_choices_and_picks_another_branch(
    api_client, shopping, make_variants, cost_centres, oci_orderer
):
    oci_orderer.branches.clear()
    checkout_id = shopping(make_variants(1))
    session = get_graphql_content(
        api_client.post_graphql(SESSION, {"id": checkout_id})
    )["data"]["ociSession"]
    # The orderer is given no branches: every branch of the organisation.
    assert [choice["branch"]["code"] for choice in session["orderingBranches"]] == [
        "NOORD",
        "ZUID",
    ]
    assert (session["branch"]["code"], session["costCentre"]) == ("NOORD", "KP-4711")
    assert session["member"] == {"email": oci_orderer.user.email, "branches": []}

    chosen = _choose(api_client, checkout_id, "KP-9000", cost_centres)

    assert chosen["errors"] == []
    assert chosen["session"] == {"branch": {"code": "ZUID"}, "costCentre": "KP-9000"}


def test_cost_centre_travels_in_the_form_and_becomes_the_orders(
    api_client, shopping, make_variants, oci_connection, oci_orderer, integrator
):
    checkout_id = shopping(make_variants(2))
    assert _choose(api_client, checkout_id, "KP-0815")["errors"] == []

    sent = get_graphql_content(api_client.post_graphql(TRANSFER, {"id": checkout_id}))[
        "data"
    ]["ociCheckoutTransfer"]["transfer"]

    decoded = oci.decode_cart(_form_fields(sent["html"]))
    assert [item.cust_field5 for item in decoded.items] == ["KP-0815", "KP-0815"]

    # The approved PO names no cost centre: the order takes the orderer's choice,
    # and it is the orderer's own order.
    transfer = Transfer.objects.get()
    po = _input(oci_connection, transfer)
    po.pop("costCentre")
    for line in po["lines"]:
        line.pop("costCentre")
    result = get_graphql_content(integrator.post_graphql(PO_CREATE, {"input": po}))[
        "data"
    ]["ociPurchaseOrderCreate"]
    assert result["errors"] == []
    order = Order.objects.get()
    assert order.user == oci_orderer.user
    assert order.user_email == oci_orderer.user.email
    assert order.metadata[COST_CENTRE_KEY] == "KP-0815"
    assert order.metadata[BRANCH_KEY] == str(oci_orderer.default_branch_id)


def test_a_cost_centre_on_the_po_wins(
    api_client, shopping, make_variants, oci_connection, integrator
):
    checkout_id = shopping(make_variants(1))
    get_graphql_content(api_client.post_graphql(TRANSFER, {"id": checkout_id}))

    po = _input(oci_connection, Transfer.objects.get(), costCentre="ERP-77")
    get_graphql_content(integrator.post_graphql(PO_CREATE, {"input": po}))

    assert Order.objects.get().metadata[COST_CENTRE_KEY] == "ERP-77"


def test_a_cost_centre_the_branch_does_not_have_is_refused(
    api_client, shopping, make_variants
):
    checkout_id = shopping(make_variants(1))

    result = _choose(api_client, checkout_id, "KP-9000")  # Zuid's, not Noord's

    assert result["errors"] == [
        {
            "field": "costCentre",
            "code": "INVALID",
            "message": "Cost centre 'KP-9000' is not one of the branch's cost centres.",
        }
    ]
    assert PunchoutSession.objects.get().cost_centre == "KP-4711"


def test_a_cost_centre_too_long_for_the_field_is_refused_when_chosen(
    api_client, shopping, make_variants, oci_connection, oci_branch
):
    CostCentre.objects.create(branch=oci_branch, code="KP-1234567890-ABCDEFGHIJ")
    oci_connection.cost_centre_field = "CUST_FIELD3"  # 10 characters
    oci_connection.save()
    checkout_id = shopping(make_variants(1))

    result = _choose(api_client, checkout_id, "KP-1234567890-ABCDEFGHIJ")

    (error,) = result["errors"]
    assert (error["field"], error["code"]) == ("costCentre", "INVALID")
    assert "longer than the 10 characters" in error["message"]
    assert PunchoutSession.objects.get().cost_centre == "KP-4711"


def test_a_branch_the_orderer_may_not_order_for_is_not_found(
    api_client, shopping, make_variants, oci_orderer, oci_branch, other_organisation
):
    oci_orderer.branches.set([oci_branch])
    checkout_id = shopping(make_variants(1))

    for branch in (
        Branch.objects.get(code="ZUID"),
        other_organisation.branches.get(),
    ):
        result = _choose(api_client, checkout_id, "", branch)
        assert [(e["field"], e["code"]) for e in result["errors"]] == [
            ("branch", "NOT_FOUND")
        ]
    assert PunchoutSession.objects.get().branch_id == oci_branch.pk


def test_the_choice_cannot_change_after_the_transfer(
    api_client, shopping, make_variants
):
    checkout_id = shopping(make_variants(1))
    get_graphql_content(api_client.post_graphql(TRANSFER, {"id": checkout_id}))

    result = _choose(api_client, checkout_id, "KP-0815")

    assert [error["code"] for error in result["errors"]] == ["SESSION_CLOSED"]
    assert PunchoutSession.objects.get().cost_centre == "KP-4711"


def test_someone_elses_session_is_not_shown(user_api_client, shopping, make_variants):
    checkout_id = shopping(make_variants(1))

    content = get_graphql_content(
        user_api_client.post_graphql(SESSION, {"id": checkout_id})
    )

    assert content["data"]["ociSession"] is None


def test_someone_elses_checkout_is_not_found(
    api_client, user_api_client, shopping, make_variants
):
    checkout_id = shopping(make_variants(1))

    result = get_graphql_content(
        user_api_client.post_graphql(
            ORDERING_SET, {"id": checkout_id, "costCentre": "KP-0815"}
        )
    )["data"]["ociCheckoutOrderingSet"]

    assert [error["code"] for error in result["errors"]] == ["NOT_FOUND"]


def test_a_connection_whose_cost_centre_and_nzi_fields_coincide_is_refused(
    oci_connection,
):
    from django.core.exceptions import ValidationError

    from saleor_oci_plugin.punchout import connections as service

    with pytest.raises(ValidationError) as error:
        service.update_connection(oci_connection, {"nzi_field": "CUST_FIELD5"})

    assert "already carries the NZI code" in str(error.value)
    oci_connection.refresh_from_db()
    assert oci_connection.nzi_field == "MATGROUP"
