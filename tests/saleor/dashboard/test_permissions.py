"""Every GraphQL call the console makes is refused to a token lacking its permission.

The token is the one Saleor issues for an extension (``appExtension.accessToken``):
the intersection of the extension's and the staff member's permissions.
"""

import json
import re
from pathlib import Path

import pytest
from saleor.app.models import AppExtension
from saleor.core.jwt import create_access_token_for_app_extension

import saleor_oci_plugin.dashboard
from saleor_oci_plugin.dashboard import install

from .conftest import PUBLIC_URL

ID = "T2NpQ29ubmVjdGlvbjox"  # OciConnection:1; any ID: permissions come first
# Each root field the console calls, with the smallest call of it.
CALLS = {
    "ociOrganisationsPaged": "{ ociOrganisationsPaged(first: 1) { totalCount } }",
    "ociConnectionsPaged": "{ ociConnectionsPaged(first: 1) { totalCount } }",
    "ociMembers": "{ ociMembers(first: 1) { totalCount } }",
    "ociOrganisationCreate": 'mutation { ociOrganisationCreate(input: {name: "X"}) '
    "{ errors { code } } }",
    "ociBranchCreate": 'mutation { ociBranchCreate(input: {name: "X", organisation: '
    f'"{ID}"}}) {{ errors {{ code }} }} }}',
    "ociOrganisationUpdate": f'mutation {{ ociOrganisationUpdate(id: "{ID}", input: '
    '{invoiceAddress: {city: "X"}}) { errors { code } } }',
    "ociBranchUpdate": f'mutation {{ ociBranchUpdate(id: "{ID}", input: '
    '{deliveryAddress: {city: "X"}}) { errors { code } } }',
    "ociMemberInvite": 'mutation { ociMemberInvite(input: {email: "x@example.com", '
    f'organisation: "{ID}", redirectUrl: "https://www.example.com/"}}) '
    "{ errors { code } } }",
    "ociMemberUpdate": f'mutation {{ ociMemberUpdate(id: "{ID}", input: '
    "{isActive: false}) { errors { code } } }",
    # The file part is never read: permissions come first.
    "ociLogoUpload": f'mutation {{ ociLogoUpload(organisation: "{ID}", image: "0") '
    "{ errors { code } } }",
    "ociLogoDelete": f'mutation {{ ociLogoDelete(organisation: "{ID}") '
    "{ errors { code } } }",
    "ociConnectionCreate": "mutation { ociConnectionCreate(input: {organisation: "
    f'"{ID}", name: "X", loginName: "x", channel: "{ID}", customer: "{ID}", '
    'password: "x"}) { errors { code } } }',
    "ociConnectionUpdate": f'mutation {{ ociConnectionUpdate(id: "{ID}", input: '
    '{password: "x"}) { errors { code } } }',
    "ociConnectionOrderTokenCreate": "mutation { ociConnectionOrderTokenCreate("
    f'id: "{ID}") {{ errors {{ code }} }} }}',
    "ociConnectionTestPunchIn": f'mutation {{ ociConnectionTestPunchIn(id: "{ID}") '
    "{ errors { code } url } }",
    "ociPurchaseOrdersPaged": "{ ociPurchaseOrdersPaged(first: 1) { totalCount } }",
    "ociInboundMessagesPaged": "{ ociInboundMessagesPaged(first: 1) { totalCount } }",
    "ociInvoiceRunsPaged": "{ ociInvoiceRunsPaged(first: 1) { totalCount } }",
    "ociInvoiceRun": 'mutation { ociInvoiceRun(periodStart: "2026-01-01", '
    'periodEnd: "2026-01-31") { errors { code } } }',
    "ociInvoicesPaged": "{ ociInvoicesPaged(first: 1) { totalCount } }",
    "ociInvoiceSend": f'mutation {{ ociInvoiceSend(id: "{ID}") {{ errors {{ code }} '
    "} }",
    "ociCreditNoteCreate": f'mutation {{ ociCreditNoteCreate(orderId: "{ID}") '
    "{ errors { code } } }",
}


def test_the_list_covers_every_plugin_field_the_console_calls():
    source = (
        Path(saleor_oci_plugin.dashboard.__file__).parent / "static" / "console.js"
    ).read_text()

    assert set(re.findall(r"[{(\s](oci[A-Z]\w+)\(", source)) == set(CALLS)


@pytest.fixture
def token_without_permissions(
    staff_user,
    permission_manage_plugins,
    permission_manage_orders,
    permission_manage_users,
):
    """A staff member who has every permission, through an extension of none."""
    staff_user.user_permissions.add(
        permission_manage_plugins, permission_manage_orders, permission_manage_users
    )
    app = install.install(PUBLIC_URL).app
    extension = AppExtension.objects.create(
        app=app, label="bare", url=f"{PUBLIC_URL}/x", mount="navigation_orders"
    )
    return create_access_token_for_app_extension(
        app_extension=extension, permissions=[], user=staff_user, app=app
    )


@pytest.mark.parametrize("field", sorted(CALLS))
def test_each_call_is_refused_without_its_permission(
    client, token_without_permissions, field
):
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": CALLS[field]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_without_permissions}",
    )

    errors = response.json().get("errors") or []
    assert [error["extensions"]["exception"]["code"] for error in errors] == [
        "PermissionDenied"
    ], response.json()
