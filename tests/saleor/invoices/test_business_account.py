"""Issue #11 walked through HTTP, without an ORM step, from organisation to invoice.

Staff create an organisation with addresses, its connection and its admin; the
admin (signed in with the password set through the invitation) invites an orderer
and adds a branch with two cost centres and an invoice address; an SAP-style
punch-in names the orderer; the orderer picks a cost centre and transfers; the PO,
without a cost centre, becomes the orderer's order on that cost centre; the
organisation's consolidated run issues the invoice that shows it.
"""

from urllib.parse import parse_qs, urlsplit

import graphene
from django.core import mail
from django.utils import timezone
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import Order

from saleor_oci_plugin.buyers.models import Member
from saleor_oci_plugin.punchout.models import Transfer
from saleor_oci_plugin.purchase_orders.placing import COST_CENTRE_KEY

from ..fixtures import HOOK_URL
from ..graphql.test_purchase_orders import PO_CREATE, _input
from ..test_round_trip import TRANSFER, _add
from .conftest import SELLER, configure_plugin
from .test_graphql_runs import OCI_INVOICE_RUN

PUNCHIN_URL = "/plugins/global/oci.punchout/punchin"
PORTAL = "https://www.example.com/portal/set-password"
PASSWORD = "srm-connection-secret-1"
ERRORS = "errors { field code message }"
ADDRESS = {
    "companyName": "Gemeente Utrecht",
    "streetAddress1": "Stadsplateau 1",
    "postalCode": "3521 AZ",
    "city": "Utrecht",
    "country": "NL",
}


def _gql(client, query, variables=None):
    content = get_graphql_content(client.post_graphql(query, variables))["data"]
    (payload,) = content.values()
    if isinstance(payload, dict) and "errors" in payload:
        assert payload["errors"] == [], payload["errors"]
    return payload


def _invitation_link(email: str) -> dict[str, str]:
    (message,) = [message for message in mail.outbox if message.to == [email]]
    link = next(word for word in message.body.split() if word.startswith(PORTAL))
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


def _signed_in(api_client_class, email: str, password: str):
    """An API client with the token of a password sign-in (Saleor's tokenCreate)."""
    client = api_client_class(user=None)
    token = _gql(
        client,
        """mutation ($e: String!, $p: String!) {
             tokenCreate(email: $e, password: $p) { token errors { field code } }
           }""",
        {"e": email, "p": password},
    )["token"]
    client.token = token
    return client


def test_business_account_from_organisation_to_consolidated_invoice(
    client,
    api_client,
    staff_api_client,
    permission_manage_plugins,
    permission_group_manage_orders,
    integrator,
    channel_USD,
    customer_user,
    make_variants,
    vat_21_percent,
):
    configure_plugin(**SELLER)
    staff = staff_api_client
    staff.user.user_permissions.add(permission_manage_plugins)
    permission_group_manage_orders.user_set.add(staff.user)
    ApiClient = type(api_client)

    # Staff: the organisation with its addresses, its connection and its admin.
    organisation = _gql(
        staff,
        f"""mutation ($input: OciOrganisationCreateInput!) {{
              ociOrganisationCreate(input: $input) {{ organisation {{ id }} {ERRORS} }}
            }}""",
        {
            "input": {
                "name": "Gemeente Utrecht",
                "legalId": "00000001001299992000",
                "legalIdScheme": "OIN",
                "invoiceAddress": ADDRESS,
                "deliveryAddress": {**ADDRESS, "streetAddress1": "Magazijnweg 4"},
            }
        },
    )["organisation"]["id"]
    _gql(
        staff,
        f"""mutation ($input: OciConnectionCreateInput!) {{
              ociConnectionCreate(input: $input) {{ connection {{ id }} {ERRORS} }}
            }}""",
        {
            "input": {
                "organisation": organisation,
                "name": "SRM",
                "loginName": "utrecht-srm",
                "password": PASSWORD,
                "channel": graphene.Node.to_global_id("Channel", channel_USD.pk),
                "customer": graphene.Node.to_global_id("User", customer_user.pk),
                "hookUrlAllowlist": ["https://srm.hospital.example"],
                "storefrontUrl": "https://shop.example.com/punchout",
            }
        },
    )
    invite = f"""mutation ($input: OciMemberInviteInput!) {{
                   ociMemberInvite(input: $input) {{ member {{ id }} {ERRORS} }}
                 }}"""
    _gql(
        staff,
        invite,
        {
            "input": {
                "organisation": organisation,
                "email": "inkoop@utrecht.example",
                "role": "ADMIN",
                "redirectUrl": PORTAL,
            }
        },
    )
    link = _invitation_link("inkoop@utrecht.example")
    _gql(
        api_client,
        """mutation ($e: String!, $t: String!) {
             setPassword(email: $e, token: $t, password: "Beheer-2026!") {
               errors { field code message } }
           }""",
        {"e": link["email"], "t": link["token"]},
    )

    # The admin, signed in with that password: a branch with two cost centres
    # and an invoice address, an orderer, and consolidated invoicing.
    admin = _signed_in(ApiClient, "inkoop@utrecht.example", "Beheer-2026!")
    branch = _gql(
        admin,
        f"""mutation ($input: OciBranchCreateInput!) {{
              ociBranchCreate(input: $input) {{ branch {{ id }} {ERRORS} }}
            }}""",
        {
            "input": {
                "name": "Stadskantoor",
                "code": "SK",
                "costCentres": [
                    {"code": "KP-100", "name": "Burgerzaken"},
                    {"code": "KP-200", "name": "Wijkbureaus"},
                ],
                "defaultCostCentre": "KP-100",
                "invoiceAddress": {**ADDRESS, "streetAddress1": "Stadsplateau 2"},
            }
        },
    )["branch"]["id"]
    _gql(
        admin,
        invite,
        {
            "input": {
                "email": "besteller@utrecht.example",
                "branches": [branch],
                "defaultBranch": branch,
                "externalId": "PVRIES",
                "redirectUrl": PORTAL,
            }
        },
    )
    _gql(
        admin,
        f"""mutation ($id: ID!) {{
              ociOrganisationUpdate(id: $id,
                input: {{invoicingPreference: PERIODIC_CONSOLIDATED}})
              {{ organisation {{ id }} {ERRORS} }}
            }}""",
        {"id": organisation},
    )

    # SAP SRM punches in with the shared login and the person's system fields.
    response = client.get(
        PUNCHIN_URL,
        {
            "USERNAME": "UTRECHT-SRM",
            "PASSWORD": PASSWORD,
            "HOOK_URL": HOOK_URL,
            "~OKCODE": "ADDI",
            "~TARGET": "_top",
            "USER_ID": "pvries",
            "USER_EMAIL": "besteller@utrecht.example",
        },
    )
    assert response.status_code == 303
    code = parse_qs(urlsplit(response["Location"]).query)["oci_code"][0]
    issued = _gql(
        api_client,
        """mutation ($code: String!) { ociSessionTokenCreate(code: $code) {
             token checkout { id } session { member { email } costCentre }
             errors { code } } }""",
        {"code": code},
    )
    assert issued["session"] == {
        "member": {"email": "besteller@utrecht.example"},
        "costCentre": "KP-100",
    }
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
            for v in make_variants(2)
        ],
    )
    _gql(
        api_client,
        f"""mutation ($id: ID!) {{
              ociCheckoutOrderingSet(id: $id, costCentre: "KP-200")
              {{ session {{ costCentre }} {ERRORS} }}
            }}""",
        {"id": checkout_id},
    )
    _gql(api_client, TRANSFER, {"id": checkout_id})

    # The approved PO names no cost centre and no address.
    transfer = Transfer.objects.get()
    connection = transfer.session.connection
    po = _input(connection, transfer)
    for key in ("costCentre", "deliveryAddress"):
        po.pop(key)
    for line in po["lines"]:
        line.pop("costCentre")
    _gql(integrator, PO_CREATE, {"input": po})
    order = Order.objects.get()
    orderer = Member.objects.get(external_id="PVRIES")
    assert order.user == orderer.user
    assert order.metadata[COST_CENTRE_KEY] == "KP-200"
    assert order.shipping_address.street_address_1 == "Magazijnweg 4"

    # The admin sees the order, and who ordered it on which cost centre.
    orders = _gql(
        admin,
        """{ ociOrganisationOrders(first: 10) { totalCount edges { node {
             number poNumber costCentre ordererEmail branch { code }
             lines { sku quantity } } } } }""",
    )
    assert orders["totalCount"] == 1
    (listed,) = [edge["node"] for edge in orders["edges"]]
    assert listed["number"] == str(order.number)
    assert listed["poNumber"] == po["orderNumber"]
    assert (listed["costCentre"], listed["ordererEmail"]) == (
        "KP-200",
        "besteller@utrecht.example",
    )
    assert listed["branch"] == {"code": "SK"}
    assert sorted(line["quantity"] for line in listed["lines"]) == [2, 2]

    # The organisation's consolidated run, started over GraphQL.
    today = timezone.localdate().isoformat()
    run = _gql(
        staff,
        OCI_INVOICE_RUN,
        {"start": today, "end": today, "organisationId": organisation},
    )["run"]
    assert run["failures"] == []
    (invoice,) = run["invoices"]
    xml = _gql(
        staff,
        "query ($id: ID) { ociInvoices(orderId: $id) { number xml } }",
        {"id": graphene.Node.to_global_id("Order", order.pk)},
    )[0]
    assert xml["number"] == invoice["number"]
    assert "<cbc:AccountingCost>KP-200</cbc:AccountingCost>" in xml["xml"]
    assert 'schemeID="0190">00000001001299992000' in xml["xml"]
