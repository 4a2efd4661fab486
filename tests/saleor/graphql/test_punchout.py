"""Punch-out GraphQL as a storefront calls it."""

from datetime import timedelta

import graphene
import pytest
from django.utils import timezone
from freezegun import freeze_time
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.punchout import sessions
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer

from ..fixtures import HOOK_URL

SESSION_TOKEN_CREATE = """
mutation ($code: String!) {
  ociSessionTokenCreate(code: $code) {
    token refreshToken csrfToken
    session { id status expiresAt }
    checkout { id channel { slug } email lines { id } }
    errors { field code message }
  }
}
"""

ME = "{ me { email checkouts(first: 5) { edges { node { id } } } } }"


def _open(connection, lifetime_minutes=60):
    context = sessions.PunchInContext(hook_url=HOOK_URL, target="_top", okcode="ADDI")
    return sessions.open_session(connection, context, lifetime_minutes)


def _exchange(api_client, code):
    response = api_client.post_graphql(SESSION_TOKEN_CREATE, {"code": code})
    return get_graphql_content(response)["data"]["ociSessionTokenCreate"]


def test_code_gives_tokens_and_the_sessions_own_checkout(api_client, oci_connection):
    session, code = _open(oci_connection)

    result = _exchange(api_client, code)

    assert result["errors"] == []
    assert result["checkout"]["channel"]["slug"] == oci_connection.channel.slug
    assert result["checkout"]["email"] == oci_connection.customer.email
    assert result["session"]["status"] == "open"
    session.refresh_from_db()
    assert session.code_used_at is not None
    assert str(session.checkout_id) in _checkout_pk(result["checkout"]["id"])
    # The token is the customer's own Saleor token.
    api_client.token = result["token"]
    me = get_graphql_content(api_client.post_graphql(ME))["data"]["me"]
    assert me["email"] == oci_connection.customer.email


def test_two_punch_ins_of_one_buyer_get_two_checkouts(api_client, oci_connection):
    first = _exchange(api_client, _open(oci_connection)[1])
    second = _exchange(api_client, _open(oci_connection)[1])

    assert first["checkout"]["id"] != second["checkout"]["id"]
    assert first["session"]["id"] != second["session"]["id"]


def test_code_works_once(api_client, oci_connection):
    _session, code = _open(oci_connection)
    _exchange(api_client, code)

    result = _exchange(api_client, code)

    assert result["token"] is None
    assert result["errors"] == [
        {
            "field": "code",
            "code": "CODE_USED",
            "message": "This punch-out code was already used; punch in again from "
            "your procurement system.",
        }
    ]


def test_code_expires_after_a_minute(api_client, oci_connection):
    session, code = _open(oci_connection)

    with freeze_time(timezone.now() + timedelta(seconds=61)):
        result = _exchange(api_client, code)

    assert [error["code"] for error in result["errors"]] == ["CODE_EXPIRED"]
    session.refresh_from_db()
    assert session.checkout_id is None
    assert session.code_used_at is None


@pytest.mark.parametrize("code", ["", "not-a-code", "x" * 500])
def test_unknown_code_is_refused(api_client, oci_connection, code):
    result = _exchange(api_client, code)

    assert [error["code"] for error in result["errors"]] == ["CODE_INVALID"]
    assert not PunchoutSession.objects.exclude(checkout=None).exists()


def test_closed_session_gives_no_tokens(api_client, oci_connection):
    session, code = _open(oci_connection)
    session.status = PunchoutSession.Status.CANCELLED
    session.save(update_fields=["status"])

    result = _exchange(api_client, code)

    assert [error["code"] for error in result["errors"]] == ["SESSION_CLOSED"]


def test_refresh_token_expires_with_the_session(api_client, oci_connection):
    from saleor.core.jwt import jwt_decode

    session, code = _open(oci_connection, lifetime_minutes=30)
    result = _exchange(api_client, code)

    payload = jwt_decode(result["refreshToken"])
    assert abs(payload["exp"] - session.expires_at.timestamp()) <= 2


def _checkout_pk(global_id):
    return graphene.Node.from_global_id(global_id)[1]


TRANSFER = """
mutation ($id: ID!) {
  ociCheckoutTransfer(id: $id) {
    transfer { id fields { name value } }
    errors { field code message }
  }
}
"""
CANCEL = """
mutation ($id: ID!) {
  ociCheckoutCancel(id: $id) {
    form { hookUrl target html fields { name } }
    errors { field code message }
  }
}
"""
CARD_SET = """
mutation ($checkoutId: ID!, $text: String!, $lineId: ID) {
  ociGreetingCardSet(checkoutId: $checkoutId, text: $text, lineId: $lineId) {
    errors { field code message }
  }
}
"""


@pytest.fixture
def shopping(api_client, oci_connection):
    """A buyer signed in through a punch-out, with the session's checkout id."""
    session, code = _open(oci_connection)
    result = _exchange(api_client, code)
    api_client.token = result["token"]
    session.refresh_from_db()
    return session, result["checkout"]["id"]


def _add_variant(session, variant, quantity=1):
    from saleor.checkout.fetch import fetch_checkout_info
    from saleor.checkout.tests.utils import add_variant_to_checkout
    from saleor.plugins.manager import get_plugins_manager

    checkout = session.checkout
    info = fetch_checkout_info(checkout, [], get_plugins_manager(allow_replica=False))
    add_variant_to_checkout(info, variant, quantity)


def _call(api_client, query, variables, name):
    return get_graphql_content(api_client.post_graphql(query, variables))["data"][name]


def _codes(result):
    return [error["code"] for error in result["errors"]]


def test_empty_cart_is_not_transferred(api_client, shopping):
    session, checkout_id = shopping

    result = _call(api_client, TRANSFER, {"id": checkout_id}, "ociCheckoutTransfer")

    assert _codes(result) == ["EMPTY_CART"]
    session.refresh_from_db()
    assert session.status == PunchoutSession.Status.OPEN
    assert not Transfer.objects.exists()


def test_line_without_enough_stock_is_named(api_client, shopping, product):
    session, checkout_id = shopping
    variant = product.variants.get()
    _add_variant(session, variant, 2)
    variant.stocks.update(quantity=1)

    result = _call(api_client, TRANSFER, {"id": checkout_id}, "ociCheckoutTransfer")

    assert _codes(result) == ["INSUFFICIENT_STOCK"]
    assert product.name in result["errors"][0]["message"]
    assert not Transfer.objects.exists()


def test_expired_session_is_not_transferred(api_client, shopping, product):
    session, checkout_id = shopping
    _add_variant(session, product.variants.get())
    # Expire the session, not the buyer's (5-minute) access token.
    PunchoutSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    result = _call(api_client, TRANSFER, {"id": checkout_id}, "ociCheckoutTransfer")

    assert _codes(result) == ["SESSION_EXPIRED"]
    assert not Transfer.objects.exists()


def test_another_buyers_checkout_is_not_found(
    api_client, shopping, product, staff_user
):
    session, checkout_id = shopping
    _add_variant(session, product.variants.get())
    from saleor.core.jwt import create_access_token

    api_client.token = create_access_token(staff_user)

    result = _call(api_client, TRANSFER, {"id": checkout_id}, "ociCheckoutTransfer")

    assert _codes(result) == ["NOT_FOUND"]
    assert not Transfer.objects.exists()


def test_anonymous_caller_gets_not_found(api_client, shopping):
    _session, checkout_id = shopping
    api_client.token = None

    result = _call(api_client, TRANSFER, {"id": checkout_id}, "ociCheckoutTransfer")

    assert _codes(result) == ["NOT_FOUND"]


@pytest.mark.parametrize("bad_id", ["", "not-an-id", "UHJvZHVjdDox"])
def test_malformed_checkout_id_is_not_found(api_client, shopping, bad_id):
    result = _call(api_client, TRANSFER, {"id": bad_id}, "ociCheckoutTransfer")

    assert _codes(result) == ["NOT_FOUND"]


def test_ordinary_checkout_of_the_buyer_is_not_a_punch_out(
    api_client, shopping, checkout_with_item, oci_connection
):
    checkout_with_item.user = oci_connection.customer
    checkout_with_item.save(update_fields=["user"])
    checkout_id = graphene.Node.to_global_id("Checkout", checkout_with_item.pk)

    result = _call(api_client, TRANSFER, {"id": checkout_id}, "ociCheckoutTransfer")

    assert _codes(result) == ["NOT_PUNCHOUT_CHECKOUT"]


def test_cancel_returns_the_empty_form_and_closes_the_session(
    api_client, shopping, product
):
    session, checkout_id = shopping
    _add_variant(session, product.variants.get())

    result = _call(api_client, CANCEL, {"id": checkout_id}, "ociCheckoutCancel")

    assert result["errors"] == []
    assert result["form"]["fields"] == []
    assert result["form"]["hookUrl"] == HOOK_URL
    assert 'name="~OKCODE" value="ADDI"' in result["form"]["html"]
    session.refresh_from_db()
    assert session.status == PunchoutSession.Status.CANCELLED
    again = _call(api_client, TRANSFER, {"id": checkout_id}, "ociCheckoutTransfer")
    assert _codes(again) == ["SESSION_CLOSED"]


def test_card_text_is_kept_privately_on_the_checkout(api_client, shopping):
    session, checkout_id = shopping

    result = _call(
        api_client,
        CARD_SET,
        {"checkoutId": checkout_id, "text": " Fijne feestdagen "},
        "ociGreetingCardSet",
    )

    assert result["errors"] == []
    storage = session.checkout.metadata_storage
    storage.refresh_from_db()
    assert storage.private_metadata == {"oci.greeting_card": "Fijne feestdagen"}


def test_too_long_card_text_is_refused(api_client, shopping):
    session, checkout_id = shopping

    result = _call(
        api_client,
        CARD_SET,
        {"checkoutId": checkout_id, "text": "x" * 1001},
        "ociGreetingCardSet",
    )

    assert [(error["field"], error["code"]) for error in result["errors"]] == [
        ("text", "INVALID")
    ]


def test_card_for_a_line_of_another_checkout_is_refused(
    api_client, shopping, checkout_with_item
):
    _session, checkout_id = shopping
    foreign_line = checkout_with_item.lines.first()
    line_id = graphene.Node.to_global_id("CheckoutLine", foreign_line.pk)

    result = _call(
        api_client,
        CARD_SET,
        {"checkoutId": checkout_id, "text": "Hallo", "lineId": line_id},
        "ociGreetingCardSet",
    )

    assert [(error["field"], error["code"]) for error in result["errors"]] == [
        ("lineId", "NOT_FOUND")
    ]
    foreign_line.refresh_from_db()
    assert foreign_line.private_metadata == {}


@pytest.mark.parametrize("change", [{"is_active": False}, {"is_staff": True}])
def test_customer_account_unfit_for_punch_out_gets_no_tokens(
    api_client, oci_connection, change
):
    session, code = _open(oci_connection)
    type(oci_connection.customer).objects.filter(pk=oci_connection.customer_id).update(
        **change
    )

    result = _exchange(api_client, code)

    assert result["token"] is None
    assert _codes(result) == ["INVALID"]
    session.refresh_from_db()
    assert session.checkout_id is None
