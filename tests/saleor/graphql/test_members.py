"""Members and organisation self-service through /graphql/, with real tokens."""

from urllib.parse import parse_qs, urlsplit

import graphene
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.account.models import User
from saleor.core.tokens import password_reset_token_generator
from saleor.graphql.tests.utils import (
    get_graphql_content,
    get_graphql_content_from_response,
)

from saleor_oci_plugin.buyers.models import Branch, CostCentre, Member, MemberRole
from saleor_oci_plugin.graphql.access import NOT_A_MANAGER, PUNCHOUT_CANNOT_MANAGE

from ..fixtures import make_member
from ..test_round_trip import TOKEN_CREATE, _punch_in

PORTAL = "https://www.example.com/portal/set-password"
ERRORS = "errors { field code message }"
MEMBER_FIELDS = """
  id email firstName lastName role isActive externalId canSignIn invitedAt
  branches { id code } defaultBranch { id } defaultCostCentre
  organisation { id name }
"""
INVITE = f"""
mutation ($input: OciMemberInviteInput!) {{
  ociMemberInvite(input: $input) {{ member {{ {MEMBER_FIELDS} }} delivery {ERRORS} }}
}}
"""
UPDATE = f"""
mutation ($id: ID!, $input: OciMemberUpdateInput!) {{
  ociMemberUpdate(id: $id, input: $input) {{ member {{ {MEMBER_FIELDS} }} {ERRORS} }}
}}
"""
MEMBERS = """
query ($organisation: ID, $first: Int, $after: String, $search: String) {
  ociMembers(organisation: $organisation, first: $first, after: $after,
             search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id email role branches { code } } }
  }
}
"""
ME = """
{
  ociMe {
    canManage punchout
    member { email role }
    organisation { name }
    orderingBranches { branch { code } costCentres { code name isDefault } }
  }
}
"""
BRANCH_CREATE = f"""
mutation ($input: OciBranchCreateInput!) {{
  ociBranchCreate(input: $input) {{
    branch {{ id name code defaultCostCentre
              costCentres {{ code name isDefault }} }}
    {ERRORS}
  }}
}}
"""
ORGANISATION_UPDATE = f"""
mutation ($id: ID!, $input: OciOrganisationInput!) {{
  ociOrganisationUpdate(id: $id, input: $input) {{
    organisation {{ id invoiceEmail invoicingPreference legalId }}
    {ERRORS}
  }}
}}
"""


def _id(type_name: str, pk: int) -> str:
    return graphene.Node.to_global_id(type_name, pk)


def _errors(response) -> list[str]:
    return [error["message"] for error in response.get("errors") or []]


@pytest.fixture
def manage_plugins_staff(staff_api_client, permission_manage_plugins):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    return staff_api_client


# --- invitations ------------------------------------------------------------------


def test_staff_invites_an_admin_who_sets_a_password_with_saleors_mutation(
    manage_plugins_staff, oci_organisation, oci_connection, api_client
):
    content = get_graphql_content(
        manage_plugins_staff.post_graphql(
            INVITE,
            {
                "input": {
                    "organisation": _id("OciOrganisation", oci_organisation.pk),
                    "email": "Inkoop.Admin@Ziekenhuis-Oost.example",
                    "firstName": "Ingrid",
                    "lastName": "Koopman",
                    "role": "ADMIN",
                    "redirectUrl": PORTAL,
                }
            },
        )
    )["data"]["ociMemberInvite"]

    assert content["errors"] == []
    member = content["member"]
    assert member["email"] == "inkoop.admin@ziekenhuis-oost.example"
    assert member["role"] == "ADMIN"
    assert member["canSignIn"] is False
    assert member["invitedAt"] is not None
    # No User emails plugin and no App on NOTIFY_USER here: the plugin mails it.
    assert content["delivery"] == "PLUGIN_MAIL"
    (message,) = mail.outbox
    assert message.to == ["inkoop.admin@ziekenhuis-oost.example"]
    link = next(word for word in message.body.split() if word.startswith(PORTAL))
    query = parse_qs(urlsplit(link).query)
    user = User.objects.get(email="inkoop.admin@ziekenhuis-oost.example")
    assert password_reset_token_generator.check_token(user, query["token"][0])

    # The link is Saleor's own: its setPassword mutation takes it.
    set_password = get_graphql_content(
        api_client.post_graphql(
            """
            mutation ($email: String!, $token: String!) {
              setPassword(email: $email, token: $token, password: "N3w-passw0rd!") {
                token errors { field code }
              }
            }
            """,
            {"email": query["email"][0], "token": query["token"][0]},
        )
    )["data"]["setPassword"]
    assert set_password["errors"] == []
    user.refresh_from_db()
    assert user.has_usable_password()


def test_invitation_link_must_go_to_an_allowed_client_host(
    manage_plugins_staff, oci_organisation, oci_connection
):
    content = get_graphql_content(
        manage_plugins_staff.post_graphql(
            INVITE,
            {
                "input": {
                    "organisation": _id("OciOrganisation", oci_organisation.pk),
                    "email": "someone@ziekenhuis-oost.example",
                    "redirectUrl": "https://phishing.example/set-password",
                }
            },
        )
    )["data"]["ociMemberInvite"]

    assert content["member"] is None
    (error,) = content["errors"]
    assert error["field"] == "redirectUrl"
    assert error["code"] == "INVALID"
    assert "ALLOWED_CLIENT_HOSTS" in error["message"]
    # Nothing half-written: no account, no member, no mail.
    assert not User.objects.filter(email="someone@ziekenhuis-oost.example").exists()
    assert mail.outbox == []


def test_admin_invites_an_orderer_into_their_own_organisation(
    member_api_client, oci_admin, oci_branch, oci_connection
):
    client = member_api_client(oci_admin)
    content = get_graphql_content(
        client.post_graphql(
            INVITE,
            {
                "input": {
                    "email": "besteller@ziekenhuis-oost.example",
                    "branches": [_id("OciBranch", oci_branch.pk)],
                    "defaultBranch": _id("OciBranch", oci_branch.pk),
                    "defaultCostCentre": "KP-4711",
                    "redirectUrl": PORTAL,
                }
            },
        )
    )["data"]["ociMemberInvite"]

    assert content["errors"] == []
    assert content["member"]["role"] == "ORDERER"
    assert content["member"]["organisation"]["name"] == "Ziekenhuis Oost"
    assert content["member"]["branches"] == [
        {"id": _id("OciBranch", oci_branch.pk), "code": "NOORD"}
    ]
    assert content["member"]["defaultCostCentre"] == "KP-4711"


def test_an_admin_cannot_take_over_an_existing_account(
    member_api_client, oci_admin, oci_connection, customer_user, other_organisation
):
    client = member_api_client(oci_admin)
    other_admin = other_organisation.members.get().user.email
    for email in (customer_user.email, other_admin):
        content = get_graphql_content(
            client.post_graphql(
                INVITE, {"input": {"email": email, "redirectUrl": PORTAL}}
            )
        )["data"]["ociMemberInvite"]
        (error,) = content["errors"]
        assert (error["field"], error["code"]) == ("email", "UNIQUE")
        # One message for every such address: nothing about who they are.
        assert "cannot be added to your organisation" in error["message"]
    assert not hasattr(User.objects.get(email=customer_user.email), "oci_member")


# --- who may manage --------------------------------------------------------------


def test_an_orderer_cannot_manage(member_api_client, oci_orderer):
    response = get_graphql_content_from_response(
        member_api_client(oci_orderer).post_graphql(
            INVITE,
            {"input": {"email": "x@ziekenhuis-oost.example", "redirectUrl": PORTAL}},
        )
    )

    assert _errors(response) == [NOT_A_MANAGER]
    assert response["errors"][0]["extensions"]["exception"]["code"] == (
        "PermissionDenied"
    )
    assert not Member.objects.filter(user__email="x@ziekenhuis-oost.example").exists()


def test_a_deactivated_admin_cannot_manage(member_api_client, oci_admin, oci_orderer):
    make_member(oci_admin.organisation, "second-admin@ziekenhuis-oost.example", "admin")
    oci_admin.is_active = False
    oci_admin.save()

    response = get_graphql_content_from_response(
        member_api_client(oci_admin).post_graphql(
            UPDATE,
            {"id": _id("OciMember", oci_orderer.pk), "input": {"role": "ADMIN"}},
        )
    )

    assert _errors(response) == [NOT_A_MANAGER]
    oci_orderer.refresh_from_db()
    assert oci_orderer.role == MemberRole.ORDERER


def test_a_punch_out_token_never_manages_even_for_an_admin(
    client, api_client, oci_connection, oci_admin, oci_orderer
):
    # The procurement system names the admin: they shop as themselves...
    code = _punch_in(client, oci_connection, extra={"USER_EMAIL": oci_admin.user.email})
    issued = get_graphql_content(
        api_client.post_graphql(
            TOKEN_CREATE.replace("token checkout", "token refreshToken checkout"),
            {"code": code},
        )
    )["data"]["ociSessionTokenCreate"]
    api_client.token = issued["token"]
    me = get_graphql_content(api_client.post_graphql(ME))["data"]["ociMe"]
    assert me["member"]["email"] == oci_admin.user.email
    assert (me["canManage"], me["punchout"]) == (False, True)

    # ...but cannot manage the organisation, not even after Saleor's tokenRefresh,
    # which drops every custom claim but the audience that marks the session.
    refreshed = get_graphql_content(
        api_client.post_graphql(
            "mutation ($t: String!) { tokenRefresh(refreshToken: $t) { token } }",
            {"t": issued["refreshToken"]},
        )
    )["data"]["tokenRefresh"]["token"]
    for token in (issued["token"], refreshed):
        api_client.token = token
        response = get_graphql_content_from_response(
            api_client.post_graphql(
                UPDATE,
                {"id": _id("OciMember", oci_orderer.pk), "input": {"role": "ADMIN"}},
            )
        )
        assert _errors(response) == [PUNCHOUT_CANNOT_MANAGE]
    oci_orderer.refresh_from_db()
    assert oci_orderer.role == MemberRole.ORDERER


def test_another_organisations_things_are_not_found(
    member_api_client, oci_admin, other_organisation
):
    client = member_api_client(oci_admin)
    other_member = other_organisation.members.get()
    other_branch = other_organisation.branches.get()

    update = get_graphql_content(
        client.post_graphql(
            UPDATE,
            {"id": _id("OciMember", other_member.pk), "input": {"isActive": False}},
        )
    )["data"]["ociMemberUpdate"]
    missing = get_graphql_content(
        client.post_graphql(
            UPDATE, {"id": _id("OciMember", 999999), "input": {"isActive": False}}
        )
    )["data"]["ociMemberUpdate"]
    # Exactly as for an ID that names nothing: no hint that it exists.
    assert [error["code"] for error in update["errors"]] == ["NOT_FOUND"]
    assert update["errors"][0]["message"].replace(
        _id("OciMember", other_member.pk), "X"
    ) == missing["errors"][0]["message"].replace(_id("OciMember", 999999), "X")
    other_member.refresh_from_db()
    assert other_member.is_active

    branch = get_graphql_content(
        client.post_graphql(
            """mutation ($id: ID!) { ociBranchUpdate(id: $id, input: {name: "Mine"})
                 { branch { id } errors { field code } } }""",
            {"id": _id("OciBranch", other_branch.pk)},
        )
    )["data"]["ociBranchUpdate"]
    assert branch["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    assert Branch.objects.get(pk=other_branch.pk).name == "Stadhuis"

    listing = get_graphql_content_from_response(
        client.post_graphql(
            MEMBERS, {"organisation": _id("OciOrganisation", other_organisation.pk)}
        )
    )
    assert listing["data"]["ociMembers"] is None
    assert _errors(listing) == [
        f"No OciOrganisation has the ID "
        f"{_id('OciOrganisation', other_organisation.pk)}."
    ]


# --- members ------------------------------------------------------------------------


def test_admin_lists_only_their_own_members_in_pages(
    member_api_client, oci_admin, oci_orderer, other_organisation
):
    client = member_api_client(oci_admin)
    first = get_graphql_content(client.post_graphql(MEMBERS, {"first": 1}))
    page = first["data"]["ociMembers"]
    assert page["totalCount"] == 2
    assert page["pageInfo"]["hasNextPage"] is True
    second = get_graphql_content(
        client.post_graphql(
            MEMBERS, {"first": 1, "after": page["pageInfo"]["endCursor"]}
        )
    )["data"]["ociMembers"]
    emails = {edge["node"]["email"] for edge in page["edges"] + second["edges"]}
    assert emails == {oci_admin.user.email, oci_orderer.user.email}
    assert second["pageInfo"]["hasNextPage"] is False


def test_member_list_pages_in_constant_queries(
    member_api_client, oci_admin, oci_branch
):
    def page_queries(count: int) -> int:
        for number in range(count):
            member = make_member(
                oci_admin.organisation, f"m{count}-{number}@ziekenhuis-oost.example"
            )
            member.branches.add(oci_branch)
        client = member_api_client(oci_admin)
        with CaptureQueriesContext(connection) as queries:
            content = get_graphql_content(client.post_graphql(MEMBERS, {"first": 100}))
        assert len(content["data"]["ociMembers"]["edges"]) == min(100, count + 1)
        return len(queries)

    page_queries(0)  # the first request also loads what Saleor caches
    few = page_queries(5)
    many = page_queries(150)
    assert many == few


def test_the_last_admin_cannot_step_down(member_api_client, oci_admin):
    content = get_graphql_content(
        member_api_client(oci_admin).post_graphql(
            UPDATE,
            {"id": _id("OciMember", oci_admin.pk), "input": {"role": "ORDERER"}},
        )
    )["data"]["ociMemberUpdate"]

    assert content["errors"] == [
        {
            "field": "role",
            "code": "INVALID",
            "message": "The organisation would have no active administrator left.",
        }
    ]
    oci_admin.refresh_from_db()
    assert oci_admin.role == MemberRole.ADMIN


def test_admin_deactivates_an_orderer_whose_orders_stay(
    member_api_client, oci_admin, oci_orderer
):
    content = get_graphql_content(
        member_api_client(oci_admin).post_graphql(
            UPDATE,
            {"id": _id("OciMember", oci_orderer.pk), "input": {"isActive": False}},
        )
    )["data"]["ociMemberUpdate"]

    assert content["errors"] == []
    assert content["member"]["isActive"] is False
    oci_orderer.user.refresh_from_db()
    assert oci_orderer.user.is_active  # the Saleor account and its orders stay


# --- branches, cost centres and the organisation ----------------------------------


def test_admin_adds_a_branch_with_two_cost_centres(member_api_client, oci_admin):
    content = get_graphql_content(
        member_api_client(oci_admin).post_graphql(
            BRANCH_CREATE,
            {
                "input": {
                    "name": "Locatie Zuid",
                    "code": "ZUID",
                    "costCentres": [
                        {"code": "KP-100", "name": "Verpleging"},
                        {"code": "KP-200", "name": "Facilitair"},
                    ],
                    "defaultCostCentre": "KP-200",
                }
            },
        )
    )["data"]["ociBranchCreate"]

    assert content["errors"] == []
    assert content["branch"]["defaultCostCentre"] == "KP-200"
    assert content["branch"]["costCentres"] == [
        {"code": "KP-100", "name": "Verpleging", "isDefault": False},
        {"code": "KP-200", "name": "Facilitair", "isDefault": True},
    ]
    branch = Branch.objects.get(code="ZUID")
    assert branch.organisation_id == oci_admin.organisation_id


def test_a_cost_centre_longer_than_the_connections_field_is_refused(
    member_api_client, oci_admin, oci_connection
):
    oci_connection.cost_centre_field = "CUST_FIELD4"  # 20 characters
    oci_connection.save()

    content = get_graphql_content(
        member_api_client(oci_admin).post_graphql(
            BRANCH_CREATE,
            {
                "input": {
                    "name": "Locatie Zuid",
                    "costCentres": [{"code": "KP-" + "9" * 20}],
                }
            },
        )
    )["data"]["ociBranchCreate"]

    (error,) = content["errors"]
    assert (error["field"], error["code"]) == ("costCentres", "INVALID")
    assert "longer than the 20 characters" in error["message"]
    assert "CUST_FIELD4" in error["message"]
    # Nothing half-written: the branch is not created without its cost centres.
    assert not Branch.objects.filter(name="Locatie Zuid").exists()
    assert not CostCentre.objects.filter(code__startswith="KP-999").exists()


def test_admin_changes_invoicing_settings_but_not_legal_identifiers(
    member_api_client, oci_admin
):
    client = member_api_client(oci_admin)
    organisation_id = _id("OciOrganisation", oci_admin.organisation_id)
    allowed = get_graphql_content(
        client.post_graphql(
            ORGANISATION_UPDATE,
            {
                "id": organisation_id,
                "input": {
                    "invoiceEmail": "crediteuren@ziekenhuis-oost.example",
                    "invoicingPreference": "PERIODIC_CONSOLIDATED",
                },
            },
        )
    )["data"]["ociOrganisationUpdate"]
    assert allowed["errors"] == []
    assert allowed["organisation"]["invoicingPreference"] == "PERIODIC_CONSOLIDATED"

    refused = get_graphql_content(
        client.post_graphql(
            ORGANISATION_UPDATE,
            {"id": organisation_id, "input": {"legalId": "87654321"}},
        )
    )["data"]["ociOrganisationUpdate"]
    assert refused["errors"] == [
        {
            "field": "legalId",
            "code": "STAFF_ONLY",
            "message": "Only shop staff can change this setting.",
        }
    ]
    oci_admin.organisation.refresh_from_db()
    assert oci_admin.organisation.legal_id == "12345678"


def test_orderer_reads_their_branches_and_cost_centres(member_api_client, oci_orderer):
    CostCentre.objects.create(branch=oci_orderer.default_branch, code="KP-4711")
    CostCentre.objects.create(
        branch=oci_orderer.default_branch, code="KP-0815", name="Keuken"
    )

    me = get_graphql_content(member_api_client(oci_orderer).post_graphql(ME))["data"][
        "ociMe"
    ]

    assert me["member"] == {"email": oci_orderer.user.email, "role": "ORDERER"}
    assert me["canManage"] is False
    assert me["orderingBranches"] == [
        {
            "branch": {"code": "NOORD"},
            "costCentres": [
                {"code": "KP-0815", "name": "Keuken", "isDefault": False},
                {"code": "KP-4711", "name": "", "isDefault": True},
            ],
        }
    ]
