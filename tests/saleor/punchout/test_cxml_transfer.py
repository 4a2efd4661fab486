"""The PunchOutOrderMessage form of a cXML session: cancel, and cxml-base64."""

from decimal import Decimal

from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.punchout.cxml_documents import read_order_message
from tests.core.punchout.dtd import dtd_errors
from tests.saleor.cxml_helpers import (
    CANCEL,
    RETURN_URL,
    posted_message,
    shop_cart,
    start_session,
)
from tests.saleor.invoices.conftest import (  # noqa: F401 (fixtures)
    SELLER,
    configure_plugin,
    staff,
    vat_21_percent,
)


def test_cancel_returns_an_empty_message_with_the_cookie(
    client, api_client, cxml_connection, gift_boxes
):
    cxml_connection.cxml_form_field = "cxml-base64"
    cxml_connection.save(update_fields=["cxml_form_field"])
    session = start_session(client, api_client, buyer_cookie="cancel-me")
    form = get_graphql_content(
        api_client.post_graphql(CANCEL, {"id": session["checkout"]["id"]})
    )["data"]["ociCheckoutCancel"]["form"]
    action, document = posted_message(form["html"], "cxml-base64")
    assert action == RETURN_URL
    assert dtd_errors(document) == []
    message = read_order_message(document)
    assert (message.buyer_cookie, message.lines, message.total) == (
        "cancel-me",
        (),
        Decimal(0),
    )


def test_the_base64_field_carries_the_same_message(
    client, api_client, cxml_connection, gift_boxes
):
    cxml_connection.cxml_form_field = "both"
    cxml_connection.save(update_fields=["cxml_form_field"])
    sent, _, plain = shop_cart(client, api_client, gift_boxes)
    _, decoded = posted_message(sent["html"], "cxml-base64")
    assert decoded == plain


def test_an_edit_that_supersedes_a_cart_ends_its_budget_hold(oci_transfer):
    """The edited cart's new transfer replaces the old one: the old cart's hold
    stops counting against the budgets before the new cart is checked."""
    import datetime

    from django.utils import timezone

    from saleor_oci_plugin.buyers.models import BudgetEntry
    from saleor_oci_plugin.punchout import cxml_transfer, sessions
    from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer

    connection = oci_transfer.session.connection
    now = timezone.now()
    hold = BudgetEntry.objects.create(
        kind=BudgetEntry.Kind.HOLD,
        organisation_id=connection.organisation_id,
        amount=Decimal("50.00"),
        currency=oci_transfer.currency,
        booked_at=now,
        expires_at=now + datetime.timedelta(days=30),
        transfer=oci_transfer,
    )
    edit, _code = sessions.open_session(
        connection, sessions.PunchInContext(hook_url="https://srm.example/hook"), 60
    )
    edit.operation = PunchoutSession.Operation.EDIT
    edit.cxml_context = {"items": [{"transfer_id": oci_transfer.reference}]}
    edit.save()
    new = Transfer.objects.create(
        session=edit,
        currency=oci_transfer.currency,
        snapshot=[],
        content_hash="",
        fields=[],
    )

    assert cxml_transfer.supersede(edit, new) == 1

    hold.refresh_from_db()
    assert hold.released_at is not None
    oci_transfer.refresh_from_db()
    assert oci_transfer.superseded_by == new
