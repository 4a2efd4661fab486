"""The orderer behind a punch-in, named in further parameters of the punch-in URL."""

import pytest
from saleor.account.models import User
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.buyers.models import Member, MemberRole
from saleor_oci_plugin.models import InboundMessage
from saleor_oci_plugin.punchout.identity import NOT_A_MEMBER
from saleor_oci_plugin.punchout.models import PunchoutSession

from ..fixtures import make_member
from .test_views import PUNCHIN_URL, _code_from, _params

TOKEN_CREATE = """
mutation ($code: String!) {
  ociSessionTokenCreate(code: $code) {
    token
    session { member { email role } branch { code } costCentre }
    checkout { id email }
    errors { code message }
  }
}
"""


@pytest.fixture(autouse=True)
def storefront_configured(oci_connection):
    oci_connection.storefront_url = "https://shop.example.com/punchout"
    oci_connection.save(update_fields=["storefront_url"])


def _refusal(response) -> str:
    return response.content.decode()


def test_a_known_orderer_shops_as_their_own_account(client, api_client, oci_orderer):
    response = client.get(
        PUNCHIN_URL, _params(USER_ID="jjansen", USER_EMAIL="ignored@example.com")
    )

    assert response.status_code == 303
    session = PunchoutSession.objects.get()
    assert session.member == oci_orderer
    # The member's default branch and that branch's default cost centre.
    assert (session.branch_id, session.cost_centre) == (
        oci_orderer.default_branch_id,
        "KP-4711",
    )
    issued = get_graphql_content(
        api_client.post_graphql(TOKEN_CREATE, {"code": _code_from(response)})
    )["data"]["ociSessionTokenCreate"]
    assert issued["errors"] == []
    assert issued["session"]["member"] == {
        "email": "orderer@ziekenhuis-oost.example",
        "role": "ORDERER",
    }
    assert issued["checkout"]["email"] == "orderer@ziekenhuis-oost.example"
    assert issued["session"]["costCentre"] == "KP-4711"


def test_an_unknown_orderer_is_created_just_in_time(client, oci_connection):
    response = client.get(
        PUNCHIN_URL,
        _params(
            USER_ID="PVRIES",
            EMAIL="P.de.Vries@Ziekenhuis-Oost.example",
            FIRST_NAME="Pieter",
            LAST_NAME="de Vries",
        ),
    )

    assert response.status_code == 303
    member = Member.objects.select_related("user").get(external_id="PVRIES")
    assert member.organisation_id == oci_connection.organisation_id
    assert member.role == MemberRole.ORDERER
    assert list(member.branches.all()) == [oci_connection.branch]
    assert member.default_branch == oci_connection.branch
    assert member.user.email == "p.de.vries@ziekenhuis-oost.example"
    assert (member.user.first_name, member.user.last_name) == ("Pieter", "de Vries")
    # Not a password account until the organisation invites them.
    assert not member.user.has_usable_password()
    # The next punch-in finds the same person by user id.
    client.get(PUNCHIN_URL, _params(USER_ID="pvries"))
    assert Member.objects.count() == 1
    assert {session.member_id for session in PunchoutSession.objects.all()} == {
        member.pk
    }


def test_without_identity_parameters_the_connections_customer_shops(
    client, api_client, oci_connection
):
    response = client.get(PUNCHIN_URL, _params())

    session = PunchoutSession.objects.get()
    assert session.member is None
    issued = get_graphql_content(
        api_client.post_graphql(TOKEN_CREATE, {"code": _code_from(response)})
    )["data"]["ociSessionTokenCreate"]
    assert issued["checkout"]["email"] == oci_connection.customer.email
    assert issued["session"]["member"] is None


def test_the_identity_names_can_be_configured(client, oci_connection, oci_orderer):
    oci_connection.identity_parameters = {"user_id": ["SY_UNAME"]}
    oci_connection.save()

    response = client.get(PUNCHIN_URL, _params(SY_UNAME="JJANSEN"))

    assert response.status_code == 303
    assert PunchoutSession.objects.get().member == oci_orderer


@pytest.mark.parametrize(
    ("who", "detail"),
    [
        ("staff", "is a staff account"),
        ("customer", "is not a member"),
        ("other organisation", "is a member of another organisation"),
    ],
)
def test_the_identity_never_names_someone_outside_the_organisation(
    client, oci_connection, staff_user, customer_user, other_organisation, who, detail
):
    email = {
        "staff": staff_user.email,
        "customer": customer_user.email,
        "other organisation": other_organisation.members.get().user.email,
    }[who]
    before = Member.objects.count()

    response = client.get(PUNCHIN_URL, _params(USER_EMAIL=email, USER_ID="X1"))

    assert response.status_code == 403
    # The same words for all three: nothing about who has an account here.
    assert NOT_A_MEMBER.split(".")[0] in _refusal(response)
    assert not PunchoutSession.objects.exists()
    assert Member.objects.count() == before
    record = InboundMessage.objects.get()
    assert record.http_status == 403
    assert detail in record.detail


def test_a_deactivated_member_cannot_punch_in(client, oci_orderer):
    oci_orderer.is_active = False
    oci_orderer.save()

    response = client.get(PUNCHIN_URL, _params(USER_ID="JJANSEN"))

    assert response.status_code == 403
    assert "deactivated" in _refusal(response)
    assert not PunchoutSession.objects.exists()


def test_unknown_orderer_is_refused_where_creating_them_is_off(client, oci_connection):
    oci_connection.create_unknown_orderers = False
    oci_connection.save()

    response = client.get(
        PUNCHIN_URL, _params(USER_ID="NEW1", USER_EMAIL="new1@ziekenhuis-oost.example")
    )

    assert response.status_code == 403
    assert "administrator to invite you" in _refusal(response)
    assert not User.objects.filter(email="new1@ziekenhuis-oost.example").exists()
    assert not PunchoutSession.objects.exists()


def test_an_unknown_orderer_without_e_mail_is_refused(client, oci_connection):
    response = client.get(PUNCHIN_URL, _params(USER_ID="NOMAIL"))

    assert response.status_code == 400
    assert "no e-mail address" in _refusal(response)
    assert not Member.objects.filter(external_id="NOMAIL").exists()


def test_an_invalid_e_mail_is_refused(client, oci_connection):
    response = client.get(PUNCHIN_URL, _params(USER_EMAIL="not an address"))

    assert response.status_code == 400
    assert "not a valid address" in _refusal(response)


def test_user_id_and_e_mail_of_two_people_are_refused(
    client, oci_orderer, oci_organisation
):
    make_member(oci_organisation, "other@ziekenhuis-oost.example", external_id="OTHER")

    response = client.get(
        PUNCHIN_URL,
        _params(USER_EMAIL="other@ziekenhuis-oost.example", USER_ID="SOMEONE"),
    )

    assert response.status_code == 403
    assert "belong to different people" in _refusal(response)


def test_background_functions_carry_no_person(client, oci_connection, make_variants):
    make_variants(1)

    response = client.get(
        PUNCHIN_URL,
        _params(
            FUNCTION="BACKGROUND_SEARCH",
            SEARCHSTRING="Gift",
            HOOK_URL=None,
            USER_EMAIL="someone-new@ziekenhuis-oost.example",
        ),
    )

    assert response.status_code == 200
    assert not User.objects.filter(email="someone-new@ziekenhuis-oost.example").exists()
