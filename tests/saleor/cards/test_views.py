"""The card PDF URL: staff with MANAGE_ORDERS get the PDF, nobody else does."""

from saleor.core.jwt import create_access_token

from saleor_oci_plugin.cards.models import GreetingCard
from saleor_oci_plugin.cards.printing import pdf_path

from .test_records import ordered_cards  # noqa: F401 (a fixture)


def _url():
    return pdf_path(GreetingCard.objects.get(with_logo=True).pdf_name)


def test_staff_with_manage_orders_get_the_card_pdf(
    ordered_cards,  # noqa: F811
    client,
    staff_api_client,
    permission_manage_orders,
):
    staff_api_client.user.user_permissions.add(permission_manage_orders)

    response = client.get(
        _url(),
        HTTP_AUTHORIZATION=f"Bearer {create_access_token(staff_api_client.user)}",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_a_customer_token_is_refused(
    ordered_cards,  # noqa: F811
    client,
    user_api_client,
):
    response = client.get(
        _url(), HTTP_AUTHORIZATION=f"Bearer {create_access_token(user_api_client.user)}"
    )

    assert response.status_code == 403


def test_staff_without_manage_orders_are_refused(
    ordered_cards,  # noqa: F811
    client,
    staff_api_client,
):
    response = client.get(
        _url(),
        HTTP_AUTHORIZATION=f"Bearer {create_access_token(staff_api_client.user)}",
    )

    assert response.status_code == 403


def test_no_or_a_forged_token_is_unauthorised(ordered_cards, client):  # noqa: F811
    assert client.get(_url()).status_code == 401
    forged = client.get(_url(), HTTP_AUTHORIZATION="Bearer not.a.token")
    assert forged.status_code == 401


def test_names_outside_the_card_directory_are_not_found(
    ordered_cards,  # noqa: F811
    client,
    staff_api_client,
    permission_manage_orders,
):
    staff_api_client.user.user_permissions.add(permission_manage_orders)
    auth = f"Bearer {create_access_token(staff_api_client.user)}"

    for name in ("..%2F..%2Fsecret.pdf", "../x.pdf", "nope.pdf", "card.txt"):
        response = client.get(
            f"/plugins/global/oci.punchout/cards/{name}", HTTP_AUTHORIZATION=auth
        )
        assert response.status_code == 404, name
