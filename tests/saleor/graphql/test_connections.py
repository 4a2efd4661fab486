"""Organisations, branches and connections through Saleor's own /graphql/."""

import json
from decimal import Decimal

import graphene
import pytest
from django.contrib.auth.hashers import check_password, make_password
from graphql import get_default_backend
from lxml import etree
from saleor.graphql.api import schema
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import Order
from saleor.webhook.observability.obfuscation import (
    MASK,
    anonymize_gql_operation_response,
    validate_sensitive_fields_map,
)
from saleor.webhook.observability.sensitive_data import SENSITIVE_GQL_FIELDS
from saleor.webhook.observability.utils import GraphQLOperationResponse

from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation
from saleor_oci_plugin.machine_secrets import KEYED_PREFIX, check_machine_secret
from saleor_oci_plugin.punchout.models import Connection
from saleor_oci_plugin.purchase_orders.views import hash_order_token

from ..purchase_orders.documents import (
    ARIBA_IDENTITY,
    SHARED_SECRET,
    cxml_order_request,
)

NEW_PASSWORD = "umc-srm-secret-2024"
UBL_URL = "/plugins/global/oci.punchout/orders/ubl"
CXML_URL = "/plugins/global/oci.punchout/orders/cxml"
# Saleor's test settings store passwords as they are; tests of hashing use this.
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"

ORGANISATION_FIELDS = """
  id name legalId legalIdScheme kvkNumber vatNumber invoiceFormat
  invoicingPreference invoiceEmail
  branches { id name code invoicingPreference invoiceEmail }
"""
CONNECTION_FIELDS = """
  id name isActive loginName
  organisation { id name }
  branch { id code }
  parameterAliases { username password }
  hookUrlAllowlist allowHttpHookUrl allowSapeventHookUrl
  ociVersion fieldMapping unitMap { unit code } nziField
  nziOverrides { products { key code } categories { key code } }
  pricePrecision storefrontUrl sessionLifetimeMinutes failedLogins lockedUntil
  channel { id slug }
  customer { id email }
  allowQuantityChanges priceTolerancePercent allowDirectOrders
  cxmlIdentity hasCxmlSharedSecret hasOrderToken
"""
ERRORS = "errors { field code message }"

ORGANISATION_CREATE = f"""
mutation ($input: OciOrganisationCreateInput!) {{
  ociOrganisationCreate(input: $input) {{
    organisation {{ {ORGANISATION_FIELDS} }} {ERRORS}
  }}
}}
"""
ORGANISATION_UPDATE = f"""
mutation ($id: ID!, $input: OciOrganisationInput!) {{
  ociOrganisationUpdate(id: $id, input: $input) {{
    organisation {{ {ORGANISATION_FIELDS} }} {ERRORS}
  }}
}}
"""
BRANCH_CREATE = f"""
mutation ($input: OciBranchCreateInput!) {{
  ociBranchCreate(input: $input) {{
    branch {{ id name code invoiceEmail organisation {{ id }} }} {ERRORS}
  }}
}}
"""
BRANCH_UPDATE = f"""
mutation ($id: ID!, $input: OciBranchInput!) {{
  ociBranchUpdate(id: $id, input: $input) {{
    branch {{
      id name code defaultCostCentre invoicingPreference invoiceEmail
    }} {ERRORS}
  }}
}}
"""
CONNECTION_CREATE = f"""
mutation ($input: OciConnectionCreateInput!) {{
  ociConnectionCreate(input: $input) {{
    connection {{ {CONNECTION_FIELDS} }} {ERRORS}
  }}
}}
"""
CONNECTION_UPDATE = f"""
mutation ($id: ID!, $input: OciConnectionInput!) {{
  ociConnectionUpdate(id: $id, input: $input) {{
    connection {{ {CONNECTION_FIELDS} }} {ERRORS}
  }}
}}
"""
CONNECTION_DELETE = f"""
mutation ($id: ID!) {{
  ociConnectionDelete(id: $id) {{ connection {{ id loginName }} {ERRORS} }}
}}
"""
ORDER_TOKEN_CREATE = f"""
mutation ($id: ID!) {{
  ociConnectionOrderTokenCreate(id: $id) {{
    token connection {{ id hasOrderToken }} {ERRORS}
  }}
}}
"""
ORDER_TOKEN_REVOKE = f"""
mutation ($id: ID!) {{
  ociConnectionOrderTokenRevoke(id: $id) {{
    connection {{ id hasOrderToken }} {ERRORS}
  }}
}}
"""
ORGANISATIONS = f"query {{ ociOrganisations {{ {ORGANISATION_FIELDS} }} }}"
CONNECTIONS = f"""
query ($organisation: ID) {{
  ociConnections(organisation: $organisation) {{ {CONNECTION_FIELDS} }}
}}
"""


def gid(type_name: str, pk: int) -> str:
    return graphene.Node.to_global_id(type_name, pk)


@pytest.fixture
def manager_api_client(staff_api_client, permission_manage_plugins):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    return staff_api_client


@pytest.fixture
def other_organisation(db):
    return BuyerOrganisation.objects.create(name="Gemeente West")


@pytest.fixture
def other_branch(other_organisation):
    return Branch.objects.create(organisation=other_organisation, name="Stadhuis")


def _connection_input(organisation, channel, customer, /, **overrides) -> dict:
    data = {
        "organisation": gid("OciOrganisation", organisation.pk),
        "name": "UMC SRM",
        "loginName": "umc-srm",
        "password": NEW_PASSWORD,
        "channel": gid("Channel", channel.pk),
        "customer": gid("User", customer.pk),
        "hookUrlAllowlist": ["https://srm.umc.example/sap/bc"],
    }
    data.update(overrides)
    return data


def _post(client, query, variables=None):
    return get_graphql_content(client.post_graphql(query, variables))["data"]


def _errors(payload) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


# --- permissions ---------------------------------------------------------------


def _every_operation(organisation, connection, channel, customer):
    return [
        (ORGANISATION_CREATE, {"input": {"name": "Nieuw"}}),
        (
            ORGANISATION_UPDATE,
            {"id": gid("OciOrganisation", organisation.pk), "input": {"name": "Nieuw"}},
        ),
        (
            BRANCH_CREATE,
            {
                "input": {
                    "organisation": gid("OciOrganisation", organisation.pk),
                    "name": "Nieuw",
                }
            },
        ),
        (
            BRANCH_UPDATE,
            {"id": gid("OciBranch", connection.branch_id), "input": {"name": "Nieuw"}},
        ),
        (
            CONNECTION_CREATE,
            {"input": _connection_input(organisation, channel, customer)},
        ),
        (
            CONNECTION_UPDATE,
            {"id": gid("OciConnection", connection.pk), "input": {"name": "Nieuw"}},
        ),
        (ORDER_TOKEN_CREATE, {"id": gid("OciConnection", connection.pk)}),
        (ORDER_TOKEN_REVOKE, {"id": gid("OciConnection", connection.pk)}),
        (CONNECTION_DELETE, {"id": gid("OciConnection", connection.pk)}),
        (ORGANISATIONS, None),
        (CONNECTIONS, None),
    ]


@pytest.mark.parametrize("client_fixture", ["staff_api_client", "app_api_client"])
def test_everything_needs_manage_plugins(
    request, client_fixture, oci_connection, channel_USD, customer_user
):
    client = request.getfixturevalue(client_fixture)
    # A token to revoke, so that a revocation without permission would show.
    Connection.objects.filter(pk=oci_connection.pk).update(
        order_token_hash=hash_order_token("an-existing-token")
    )
    before = (
        list(BuyerOrganisation.objects.values()),
        list(Branch.objects.values()),
        list(Connection.objects.values()),
    )

    for query, variables in _every_operation(
        oci_connection.organisation, oci_connection, channel_USD, customer_user
    ):
        content = client.post_graphql(query, variables).json()
        assert content["errors"][0]["extensions"]["exception"]["code"] == (
            "PermissionDenied"
        ), query

    after = (
        list(BuyerOrganisation.objects.values()),
        list(Branch.objects.values()),
        list(Connection.objects.values()),
    )
    assert after == before


def test_app_with_manage_plugins_creates_a_connection(
    app_api_client,
    permission_manage_plugins,
    oci_organisation,
    channel_USD,
    customer_user,
):
    app_api_client.app.permissions.add(permission_manage_plugins)

    payload = _post(
        app_api_client,
        CONNECTION_CREATE,
        {"input": _connection_input(oci_organisation, channel_USD, customer_user)},
    )["ociConnectionCreate"]

    assert payload["errors"] == []
    assert payload["connection"]["loginName"] == "umc-srm"
    assert Connection.objects.filter(login_name="umc-srm").exists()


# --- organisations and branches ------------------------------------------------


def test_organisation_and_branch_are_created_and_listed(manager_api_client):
    organisation = _post(
        manager_api_client,
        ORGANISATION_CREATE,
        {
            "input": {
                "name": "Ziekenhuis Oost",
                "legalId": "12345678",
                "invoiceFormat": "PEPPOL_BIS_3",
            }
        },
    )["ociOrganisationCreate"]
    assert organisation["errors"] == []
    organisation_id = organisation["organisation"]["id"]

    branch = _post(
        manager_api_client,
        BRANCH_CREATE,
        {"input": {"organisation": organisation_id, "name": "Noord", "code": "N1"}},
    )["ociBranchCreate"]
    assert branch["errors"] == []
    assert branch["branch"]["organisation"]["id"] == organisation_id

    listed = _post(manager_api_client, ORGANISATIONS)["ociOrganisations"]
    assert listed == [
        {
            "id": organisation_id,
            "name": "Ziekenhuis Oost",
            "legalId": "12345678",
            "legalIdScheme": "KVK",
            "kvkNumber": "12345678",
            "vatNumber": "",
            "invoiceFormat": "PEPPOL_BIS_3",
            "invoicingPreference": "PER_ORDER",
            "invoiceEmail": "",
            "branches": [
                {
                    "id": branch["branch"]["id"],
                    "name": "Noord",
                    "code": "N1",
                    "invoicingPreference": None,
                    "invoiceEmail": "",
                }
            ],
        }
    ]


@pytest.mark.parametrize(
    ("legal_id", "field"),
    [
        ({"legalId": "1234"}, "legalId"),
        ({"legalId": "00000001001234567000"}, "legalId"),  # an OIN, scheme KVK
        ({"legalId": "12345678", "legalIdScheme": "OIN"}, "legalId"),
        ({"legalId": "0000000100123456700X", "legalIdScheme": "OIN"}, "legalId"),
        ({"kvkNumber": "1234"}, "kvkNumber"),
    ],
)
def test_invalid_organisation_is_refused_with_a_code(
    manager_api_client, legal_id, field
):
    payload = _post(
        manager_api_client,
        ORGANISATION_CREATE,
        {"input": {"name": "Ziekenhuis Oost", **legal_id}},
    )["ociOrganisationCreate"]

    assert payload["organisation"] is None
    assert _errors(payload) == [(field, "INVALID")]
    assert payload["errors"][0]["message"]
    assert not BuyerOrganisation.objects.exists()


def test_public_body_is_created_and_changed_with_its_oin(
    manager_api_client, oci_organisation
):
    created = _post(
        manager_api_client,
        ORGANISATION_CREATE,
        {
            "input": {
                "name": "Gemeente West",
                "legalId": "00000001001234567000",
                "legalIdScheme": "OIN",
            }
        },
    )["ociOrganisationCreate"]
    assert created["errors"] == []
    assert {
        key: created["organisation"][key]
        for key in ("legalId", "legalIdScheme", "kvkNumber")
    } == {"legalId": "00000001001234567000", "legalIdScheme": "OIN", "kvkNumber": ""}
    organisation = BuyerOrganisation.objects.get(name="Gemeente West")
    assert (organisation.legal_id, organisation.legal_id_scheme) == (
        "00000001001234567000",
        "0190",
    )

    # A KvK organisation becomes a public body: the number and scheme together.
    organisation_id = gid("OciOrganisation", oci_organisation.pk)
    refused = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"legalIdScheme": "OIN"}},
    )["ociOrganisationUpdate"]
    assert _errors(refused) == [("legalIdScheme", "INVALID")]
    oci_organisation.refresh_from_db()
    assert oci_organisation.legal_id_scheme == "0106"

    updated = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {
            "id": organisation_id,
            "input": {"legalId": "00000001007654321000", "legalIdScheme": "OIN"},
        },
    )["ociOrganisationUpdate"]
    assert updated["errors"] == []
    assert updated["organisation"]["legalId"] == "00000001007654321000"
    assert updated["organisation"]["legalIdScheme"] == "OIN"

    # Its Peppol endpoint scheme does not follow: an OIN endpoint needs 0190.
    endpoint = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"peppolEndpointId": "00000001007654321000"}},
    )["ociOrganisationUpdate"]
    assert _errors(endpoint) == [("peppolEndpointId", "INVALID")]
    assert "0190" in endpoint["errors"][0]["message"]
    endpoint = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {
            "id": organisation_id,
            "input": {
                "peppolEndpointId": "00000001007654321000",
                "peppolEndpointScheme": "0190",
            },
        },
    )["ociOrganisationUpdate"]
    assert endpoint["errors"] == []


INTROSPECT_ORGANISATION = """
query {
  type: __type(name: "OciOrganisation") {
    fields(includeDeprecated: true) { name isDeprecated }
  }
}
"""


def test_deprecated_kvk_number_still_reads_and_writes_a_kvk_number(
    manager_api_client, oci_organisation
):
    fields = _post(manager_api_client, INTROSPECT_ORGANISATION)["type"]["fields"]
    deprecated = {field["name"] for field in fields if field["isDeprecated"]}
    assert "kvkNumber" in deprecated
    assert "legalId" not in deprecated

    created = _post(
        manager_api_client,
        ORGANISATION_CREATE,
        {"input": {"name": "Gemeente West", "kvkNumber": "87654321"}},
    )["ociOrganisationCreate"]
    assert created["errors"] == []
    assert created["organisation"]["legalId"] == "87654321"
    assert created["organisation"]["legalIdScheme"] == "KVK"

    both = _post(
        manager_api_client,
        ORGANISATION_CREATE,
        {"input": {"name": "X", "kvkNumber": "87654321", "legalIdScheme": "KVK"}},
    )["ociOrganisationCreate"]
    assert _errors(both) == [("kvkNumber", "INVALID")]

    # A client that knows only kvkNumber reads it empty for a public body, and
    # may send it back so: the OIN stays.
    oci_organisation.legal_id = "00000001001234567000"
    oci_organisation.legal_id_scheme = "0190"
    oci_organisation.save()
    organisation_id = gid("OciOrganisation", oci_organisation.pk)
    kept = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"kvkNumber": "", "vatNumber": "NL1B01"}},
    )["ociOrganisationUpdate"]
    assert kept["errors"] == []
    assert kept["organisation"]["kvkNumber"] == ""
    assert kept["organisation"]["legalId"] == "00000001001234567000"
    assert kept["organisation"]["vatNumber"] == "NL1B01"

    # A KvK number given replaces the OIN; emptied, it is removed.
    replaced = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"kvkNumber": "12345678"}},
    )["ociOrganisationUpdate"]
    assert replaced["organisation"]["legalIdScheme"] == "KVK"
    assert replaced["organisation"]["kvkNumber"] == "12345678"
    emptied = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"kvkNumber": None}},
    )["ociOrganisationUpdate"]
    assert emptied["organisation"]["legalId"] == ""


def test_organisation_update(manager_api_client, oci_organisation):
    organisation_id = gid("OciOrganisation", oci_organisation.pk)
    payload = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {
            "id": organisation_id,
            "input": {"invoicingPreference": "PERIODIC_CONSOLIDATED"},
        },
    )["ociOrganisationUpdate"]
    assert payload["errors"] == []
    assert payload["organisation"]["invoicingPreference"] == "PERIODIC_CONSOLIDATED"
    assert payload["organisation"]["name"] == "Ziekenhuis Oost"

    refused = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"name": ""}},
    )["ociOrganisationUpdate"]
    assert _errors(refused) == [("name", "REQUIRED")]
    oci_organisation.refresh_from_db()
    assert oci_organisation.name == "Ziekenhuis Oost"


def test_organisation_invoice_email_is_set_checked_and_cleared(
    manager_api_client, oci_organisation
):
    organisation_id = gid("OciOrganisation", oci_organisation.pk)
    created = _post(
        manager_api_client,
        ORGANISATION_CREATE,
        {"input": {"name": "Gemeente West", "invoiceEmail": " facturen@west.example "}},
    )["ociOrganisationCreate"]
    assert created["errors"] == []
    assert created["organisation"]["invoiceEmail"] == "facturen@west.example"

    updated = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"invoiceEmail": "crediteuren@oost.example"}},
    )["ociOrganisationUpdate"]
    assert updated["organisation"]["invoiceEmail"] == "crediteuren@oost.example"

    for refused_value in ("crediteuren", "a@oost.example, b@oost.example"):
        refused = _post(
            manager_api_client,
            ORGANISATION_UPDATE,
            {"id": organisation_id, "input": {"invoiceEmail": refused_value}},
        )["ociOrganisationUpdate"]
        assert _errors(refused) == [("invoiceEmail", "INVALID")]
    oci_organisation.refresh_from_db()
    assert oci_organisation.invoice_email == "crediteuren@oost.example"

    cleared = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"invoiceEmail": None}},
    )["ociOrganisationUpdate"]
    assert cleared["organisation"]["invoiceEmail"] == ""


def test_branch_invoice_email_is_set_checked_and_cleared(
    manager_api_client, oci_organisation, oci_branch
):
    created = _post(
        manager_api_client,
        BRANCH_CREATE,
        {
            "input": {
                "organisation": gid("OciOrganisation", oci_organisation.pk),
                "name": "Zuid",
                "invoiceEmail": "zuid@oost.example",
            }
        },
    )["ociBranchCreate"]
    assert created["errors"] == []
    assert created["branch"]["invoiceEmail"] == "zuid@oost.example"

    refused = _post(
        manager_api_client,
        BRANCH_CREATE,
        {
            "input": {
                "organisation": gid("OciOrganisation", oci_organisation.pk),
                "name": "West",
                "invoiceEmail": "west@",
            }
        },
    )["ociBranchCreate"]
    assert _errors(refused) == [("invoiceEmail", "INVALID")]
    assert not Branch.objects.filter(name="West").exists()

    branch_id = gid("OciBranch", oci_branch.pk)
    updated = _post(
        manager_api_client,
        BRANCH_UPDATE,
        {"id": branch_id, "input": {"invoiceEmail": "noord@oost.example"}},
    )["ociBranchUpdate"]
    assert updated["branch"]["invoiceEmail"] == "noord@oost.example"
    refused = _post(
        manager_api_client,
        BRANCH_UPDATE,
        {"id": branch_id, "input": {"invoiceEmail": "noord at oost.example"}},
    )["ociBranchUpdate"]
    assert _errors(refused) == [("invoiceEmail", "INVALID")]
    cleared = _post(
        manager_api_client,
        BRANCH_UPDATE,
        {"id": branch_id, "input": {"invoiceEmail": None}},
    )["ociBranchUpdate"]
    assert cleared["branch"]["invoiceEmail"] == ""
    oci_branch.refresh_from_db()
    assert oci_branch.invoice_email == ""


def test_branch_of_unknown_organisation_is_refused(manager_api_client):
    payload = _post(
        manager_api_client,
        BRANCH_CREATE,
        {"input": {"organisation": gid("OciOrganisation", 987654), "name": "Noord"}},
    )["ociBranchCreate"]

    assert _errors(payload) == [("organisation", "NOT_FOUND")]
    assert not Branch.objects.exists()


def test_branch_update_and_duplicate_code(manager_api_client, oci_branch):
    other = Branch.objects.create(
        organisation=oci_branch.organisation, name="Zuid", code="ZUID"
    )
    branch_id = gid("OciBranch", other.pk)

    refused = _post(
        manager_api_client, BRANCH_UPDATE, {"id": branch_id, "input": {"code": "NOORD"}}
    )["ociBranchUpdate"]
    assert _errors(refused) == [("code", "UNIQUE")]
    other.refresh_from_db()
    assert other.code == "ZUID"

    payload = _post(
        manager_api_client,
        BRANCH_UPDATE,
        {
            "id": branch_id,
            "input": {
                "defaultCostCentre": "KP-1",
                "invoicingPreference": "PERIODIC_PER_BRANCH",
            },
        },
    )["ociBranchUpdate"]
    assert payload["errors"] == []
    assert payload["branch"]["defaultCostCentre"] == "KP-1"
    assert payload["branch"]["invoicingPreference"] == "PERIODIC_PER_BRANCH"

    reset = _post(
        manager_api_client,
        BRANCH_UPDATE,
        {"id": branch_id, "input": {"invoicingPreference": None}},
    )["ociBranchUpdate"]
    assert reset["branch"]["invoicingPreference"] is None
    other.refresh_from_db()
    assert other.invoicing_preference == ""


# --- connections ---------------------------------------------------------------


def test_connection_is_created_with_saleors_channel_and_customer(
    manager_api_client, oci_organisation, oci_branch, channel_USD, customer_user
):
    payload = _post(
        manager_api_client,
        CONNECTION_CREATE,
        {
            "input": _connection_input(
                oci_organisation,
                channel_USD,
                customer_user,
                branch=gid("OciBranch", oci_branch.pk),
                parameterAliases={"username": ["loginname"]},
                fieldMapping=json.dumps({"fields": {"VENDOR": {"fixed": "100234"}}}),
                unitMap=[{"unit": "doos", "code": "BX"}],
                nziOverrides={"products": [{"key": "GB-01", "code": "4711"}]},
                ociVersion="V5_0",
                sessionLifetimeMinutes=30,
            )
        },
    )["ociConnectionCreate"]

    assert payload["errors"] == []
    connection = payload["connection"]
    assert connection["channel"] == {
        "id": gid("Channel", channel_USD.pk),
        "slug": channel_USD.slug,
    }
    assert connection["customer"] == {
        "id": gid("User", customer_user.pk),
        "email": customer_user.email,
    }
    assert connection["organisation"]["name"] == "Ziekenhuis Oost"
    assert connection["branch"]["code"] == "NOORD"
    assert connection["parameterAliases"] == {"username": ["loginname"], "password": []}
    assert json.loads(connection["fieldMapping"]) == {
        "fields": {"VENDOR": {"fixed": "100234"}}
    }
    assert connection["unitMap"] == [{"unit": "doos", "code": "BX"}]
    assert connection["nziOverrides"] == {
        "products": [{"key": "GB-01", "code": "4711"}],
        "categories": [],
    }
    assert connection["ociVersion"] == "V5_0"
    assert connection["sessionLifetimeMinutes"] == 30
    assert connection["storefrontUrl"] is None
    assert connection["isActive"] is True
    stored = Connection.objects.get(login_name="umc-srm")
    assert stored.oci_version == "5.0"
    assert stored.nzi_overrides == {"products": {"GB-01": "4711"}}
    assert check_password(NEW_PASSWORD, stored.password)


def test_password_can_be_written_but_never_read(
    manager_api_client, oci_organisation, channel_USD, customer_user
):
    response = manager_api_client.post_graphql(
        CONNECTION_CREATE,
        {"input": _connection_input(oci_organisation, channel_USD, customer_user)},
    )
    assert get_graphql_content(response)["data"]["ociConnectionCreate"]["errors"] == []
    stored_hash = Connection.objects.get(login_name="umc-srm").password
    assert NEW_PASSWORD not in response.content.decode()
    assert stored_hash not in response.content.decode()

    introspection = _post(
        manager_api_client, '{ __type(name: "OciConnection") { fields { name } } }'
    )
    names = {field["name"] for field in introspection["__type"]["fields"]}
    assert "loginName" in names
    assert not {name for name in names if "password" in name.lower()}


def _refusals(channel, other_branch, staff_user):
    return [
        ({"channel": gid("Channel", 987654)}, "channel", "NOT_FOUND"),
        ({"channel": gid("Product", channel.pk)}, "channel", "GRAPHQL_ERROR"),
        ({"customer": gid("User", 987654)}, "customer", "NOT_FOUND"),
        ({"customer": gid("User", staff_user.pk)}, "customer", "INVALID"),
        ({"organisation": gid("OciOrganisation", 987654)}, "organisation", "NOT_FOUND"),
        ({"loginName": "hospital-srm"}, "loginName", "UNIQUE"),
        ({"loginName": "Hospital-SRM"}, "loginName", "UNIQUE"),
        ({"password": "too-short"}, "password", "INVALID"),
        ({"storefrontUrl": "javascript:alert(1)"}, "storefrontUrl", "INVALID"),
        ({"hookUrlAllowlist": ["ftp://srm.example"]}, "hookUrlAllowlist", "INVALID"),
        ({"hookUrlAllowlist": ["http://srm.example"]}, "hookUrlAllowlist", "INVALID"),
        ({"branch": gid("OciBranch", other_branch.pk)}, "branch", "INVALID"),
        ({"branch": gid("OciBranch", 987654)}, "branch", "NOT_FOUND"),
        (
            {"fieldMapping": json.dumps({"fields": {"X": None}})},
            "fieldMapping",
            "INVALID",
        ),
        ({"nziField": "PRICE"}, "nziField", "INVALID"),
        ({"unitMap": [{"unit": "doos", "code": "CARTON"}]}, "unitMap", "INVALID"),
        (
            {
                "unitMap": [
                    {"unit": "doos", "code": "BX"},
                    {"unit": "doos", "code": "CT"},
                ]
            },
            "unitMap",
            "INVALID",
        ),
        (
            {"parameterAliases": {"password": ["HOOK_URL"]}},
            "parameterAliases",
            "INVALID",
        ),
        ({"pricePrecision": 7}, "pricePrecision", "INVALID"),
        ({"sessionLifetimeMinutes": 0}, "sessionLifetimeMinutes", "INVALID"),
        ({"sessionLifetimeMinutes": 1441}, "sessionLifetimeMinutes", "INVALID"),
        (
            {"nziOverrides": {"categories": [{"key": "roses", "code": "X" * 11}]}},
            "nziOverrides",
            "INVALID",
        ),
    ]


def test_every_refusal_has_its_code_and_writes_nothing(
    manager_api_client, oci_connection, other_branch, staff_user
):
    organisation = oci_connection.organisation
    channel, customer = oci_connection.channel, oci_connection.customer
    before = list(Connection.objects.values())

    for overrides, field, code in _refusals(channel, other_branch, staff_user):
        payload = _post(
            manager_api_client,
            CONNECTION_CREATE,
            {"input": _connection_input(organisation, channel, customer, **overrides)},
        )["ociConnectionCreate"]

        assert payload["connection"] is None, overrides
        assert _errors(payload) == [(field, code)], overrides
        assert payload["errors"][0]["message"], overrides
        assert list(Connection.objects.values()) == before, overrides


def test_field_mapping_that_is_not_json_is_refused_by_graphql(
    manager_api_client, oci_organisation, channel_USD, customer_user
):
    response = manager_api_client.post_graphql(
        CONNECTION_CREATE,
        {
            "input": _connection_input(
                oci_organisation, channel_USD, customer_user, fieldMapping="{not json"
            )
        },
    )

    # Saleor's JSONString refuses it while reading the variables: a request error.
    assert response.status_code == 400
    assert 'In field "fieldMapping"' in response.json()["errors"][0]["message"]
    assert not Connection.objects.exists()


def test_connection_update_changes_what_is_given(
    manager_api_client, oci_connection, channel_PLN
):
    oci_connection.failed_logins = 3
    oci_connection.save(update_fields=["failed_logins"])

    payload = _post(
        manager_api_client,
        CONNECTION_UPDATE,
        {
            "id": gid("OciConnection", oci_connection.pk),
            "input": {
                "isActive": False,
                "branch": None,
                "channel": gid("Channel", channel_PLN.pk),
                "hookUrlAllowlist": ["http://srm.test:8080"],
                "allowHttpHookUrl": True,
                "storefrontUrl": "https://shop.example.com/punchout",
                "unlock": True,
            },
        },
    )["ociConnectionUpdate"]

    assert payload["errors"] == []
    connection = payload["connection"]
    assert connection["isActive"] is False
    assert connection["branch"] is None
    assert connection["channel"]["slug"] == channel_PLN.slug
    assert connection["hookUrlAllowlist"] == ["http://srm.test:8080"]
    assert connection["storefrontUrl"] == "https://shop.example.com/punchout"
    assert connection["failedLogins"] == 0
    # Untouched settings stay.
    assert connection["name"] == "SRM production"
    assert connection["loginName"] == "hospital-srm"
    stored = Connection.objects.get(pk=oci_connection.pk)
    assert stored.password == oci_connection.password


def test_connection_update_sets_a_new_password(manager_api_client, oci_connection):
    payload = _post(
        manager_api_client,
        CONNECTION_UPDATE,
        {
            "id": gid("OciConnection", oci_connection.pk),
            "input": {"password": "another-long-secret"},
        },
    )["ociConnectionUpdate"]

    assert payload["errors"] == []
    stored = Connection.objects.get(pk=oci_connection.pk)
    assert check_password("another-long-secret", stored.password)


def test_null_empties_list_settings(manager_api_client, oci_connection):
    oci_connection.unit_map = {"doos": "BX"}
    oci_connection.save(update_fields=["unit_map"])

    payload = _post(
        manager_api_client,
        CONNECTION_UPDATE,
        {
            "id": gid("OciConnection", oci_connection.pk),
            "input": {"hookUrlAllowlist": None, "unitMap": None},
        },
    )["ociConnectionUpdate"]

    assert payload["errors"] == []
    stored = Connection.objects.get(pk=oci_connection.pk)
    assert (stored.hook_url_allowlist, stored.unit_map) == ([], {})


@pytest.mark.parametrize(
    ("connection_id", "changes", "field", "code"),
    [
        (None, {"password": None}, "password", "REQUIRED"),
        (None, {"loginName": ""}, "loginName", "REQUIRED"),
        (None, {"name": None}, "name", "REQUIRED"),
        (None, {"channel": None}, "channel", "REQUIRED"),
        (None, {"isActive": None}, "isActive", "REQUIRED"),
        (None, {"fieldMapping": None}, "fieldMapping", "INVALID"),
        (None, {"hookUrlAllowlist": ["https://*"]}, "hookUrlAllowlist", "INVALID"),
        (gid("OciConnection", 987654), {"name": "X"}, "id", "NOT_FOUND"),
        (gid("OciBranch", 1), {"name": "X"}, "id", "GRAPHQL_ERROR"),
        ("not-an-id", {"name": "X"}, "id", "GRAPHQL_ERROR"),
    ],
)
def test_refused_connection_update_writes_nothing(
    manager_api_client, oci_connection, connection_id, changes, field, code
):
    before = list(Connection.objects.values())

    payload = _post(
        manager_api_client,
        CONNECTION_UPDATE,
        {
            "id": connection_id or gid("OciConnection", oci_connection.pk),
            "input": {"storefrontUrl": "https://changed.example", **changes},
        },
    )["ociConnectionUpdate"]

    assert payload["connection"] is None
    assert _errors(payload) == [(field, code)]
    assert list(Connection.objects.values()) == before


def test_connection_delete(manager_api_client, oci_connection):
    connection_id = gid("OciConnection", oci_connection.pk)

    payload = _post(manager_api_client, CONNECTION_DELETE, {"id": connection_id})[
        "ociConnectionDelete"
    ]

    assert payload["errors"] == []
    assert payload["connection"] == {"id": connection_id, "loginName": "hospital-srm"}
    assert not Connection.objects.exists()

    again = _post(manager_api_client, CONNECTION_DELETE, {"id": connection_id})[
        "ociConnectionDelete"
    ]
    assert _errors(again) == [("id", "NOT_FOUND")]


def test_connections_are_listed_per_organisation(
    manager_api_client, oci_connection, other_organisation
):
    Connection.objects.create(
        organisation=other_organisation,
        name="West",
        login_name="west",
        password="!",
        channel=oci_connection.channel,
        customer=oci_connection.customer,
    )

    every = _post(manager_api_client, CONNECTIONS)["ociConnections"]
    assert {connection["loginName"] for connection in every} == {"hospital-srm", "west"}

    own = _post(
        manager_api_client,
        CONNECTIONS,
        {"organisation": gid("OciOrganisation", other_organisation.pk)},
    )["ociConnections"]
    assert [connection["loginName"] for connection in own] == ["west"]
    assert own[0]["organisation"]["name"] == "Gemeente West"


def test_listing_with_a_bad_organisation_id_is_a_graphql_error(manager_api_client):
    response = manager_api_client.post_graphql(
        CONNECTIONS, {"organisation": gid("Channel", 1)}
    )

    content = response.json()
    assert content["data"] is None
    assert "OciOrganisation" in content["errors"][0]["message"]


# --- purchase-order settings ---------------------------------------------------


def test_purchase_order_settings_are_created_and_shown(
    settings, manager_api_client, oci_organisation, channel_USD, customer_user
):
    settings.PASSWORD_HASHERS = [PBKDF2]
    response = manager_api_client.post_graphql(
        CONNECTION_CREATE,
        {
            "input": _connection_input(
                oci_organisation,
                channel_USD,
                customer_user,
                allowQuantityChanges=True,
                priceTolerancePercent=2.5,
                allowDirectOrders=True,
                cxmlIdentity=ARIBA_IDENTITY,
                cxmlSharedSecret=SHARED_SECRET,
            )
        },
    )

    payload = get_graphql_content(response)["data"]["ociConnectionCreate"]
    assert payload["errors"] == []
    connection = payload["connection"]
    assert connection["allowQuantityChanges"] is True
    assert connection["priceTolerancePercent"] == 2.5
    assert connection["allowDirectOrders"] is True
    assert connection["cxmlIdentity"] == ARIBA_IDENTITY
    assert connection["hasCxmlSharedSecret"] is True
    assert connection["hasOrderToken"] is False
    stored = Connection.objects.get(login_name="umc-srm")
    assert stored.price_tolerance_percent == Decimal("2.50")
    assert SHARED_SECRET not in stored.cxml_shared_secret
    assert stored.cxml_shared_secret.startswith(KEYED_PREFIX)
    assert check_machine_secret(SHARED_SECRET, stored.cxml_shared_secret).matches
    # Neither the secret nor its hash is ever in an answer.
    assert SHARED_SECRET not in response.content.decode()
    assert stored.cxml_shared_secret not in response.content.decode()


def test_connection_without_purchase_order_settings_shows_the_defaults(
    manager_api_client, oci_connection
):
    listed = _post(manager_api_client, CONNECTIONS)["ociConnections"][0]

    assert listed["allowQuantityChanges"] is False
    assert listed["priceTolerancePercent"] == 0
    assert listed["allowDirectOrders"] is False
    assert listed["cxmlIdentity"] is None
    assert listed["hasCxmlSharedSecret"] is False
    assert listed["hasOrderToken"] is False


def test_secrets_and_tokens_can_be_written_but_never_read(manager_api_client):
    introspection = _post(
        manager_api_client, '{ __type(name: "OciConnection") { fields { name } } }'
    )

    names = {field["name"] for field in introspection["__type"]["fields"]}
    assert {
        name
        for name in names
        if any(word in name.lower() for word in ("secret", "token", "hash"))
    } == {"hasCxmlSharedSecret", "hasOrderToken"}


def test_purchase_order_refusals_have_their_codes_and_write_nothing(
    manager_api_client, oci_connection
):
    Connection.objects.filter(pk=oci_connection.pk).update(cxml_identity=ARIBA_IDENTITY)
    organisation = oci_connection.organisation
    channel, customer = oci_connection.channel, oci_connection.customer
    before = list(Connection.objects.values())

    for overrides, field, code in [
        ({"priceTolerancePercent": -1}, "priceTolerancePercent", "INVALID"),
        ({"priceTolerancePercent": 100.01}, "priceTolerancePercent", "INVALID"),
        ({"priceTolerancePercent": 2.555}, "priceTolerancePercent", "INVALID"),
        ({"cxmlIdentity": "AN01\n000"}, "cxmlIdentity", "INVALID"),
        ({"cxmlIdentity": "A" * 256}, "cxmlIdentity", "INVALID"),
        ({"cxmlIdentity": ARIBA_IDENTITY.lower()}, "cxmlIdentity", "UNIQUE"),
        ({"cxmlSharedSecret": "fifteen-chars-x"}, "cxmlSharedSecret", "INVALID"),
        ({"cxmlSharedSecret": " " + SHARED_SECRET}, "cxmlSharedSecret", "INVALID"),
    ]:
        payload = _post(
            manager_api_client,
            CONNECTION_CREATE,
            {"input": _connection_input(organisation, channel, customer, **overrides)},
        )["ociConnectionCreate"]

        assert payload["connection"] is None, overrides
        assert _errors(payload) == [(field, code)], overrides
        assert SHARED_SECRET not in payload["errors"][0]["message"], overrides
        assert list(Connection.objects.values()) == before, overrides


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"priceTolerancePercent": None}, "priceTolerancePercent", "REQUIRED"),
        ({"priceTolerancePercent": 101}, "priceTolerancePercent", "INVALID"),
        ({"allowQuantityChanges": None}, "allowQuantityChanges", "REQUIRED"),
        ({"allowDirectOrders": None}, "allowDirectOrders", "REQUIRED"),
        ({"cxmlIdentity": "AN01\t000"}, "cxmlIdentity", "INVALID"),
        ({"cxmlSharedSecret": "short-secret"}, "cxmlSharedSecret", "INVALID"),
    ],
)
def test_refused_purchase_order_update_writes_nothing(
    manager_api_client, oci_connection, changes, field, code
):
    oci_connection.cxml_shared_secret = make_password(SHARED_SECRET)
    oci_connection.save(update_fields=["cxml_shared_secret"])
    before = list(Connection.objects.values())

    payload = _post(
        manager_api_client,
        CONNECTION_UPDATE,
        {
            "id": gid("OciConnection", oci_connection.pk),
            "input": {"allowDirectOrders": True, **changes},
        },
    )["ociConnectionUpdate"]

    assert payload["connection"] is None
    assert _errors(payload) == [(field, code)]
    assert list(Connection.objects.values()) == before


def test_shared_secret_is_kept_when_omitted_and_removed_by_null_or_empty(
    manager_api_client, oci_connection
):
    connection_id = gid("OciConnection", oci_connection.pk)

    def update(changes):
        payload = _post(
            manager_api_client,
            CONNECTION_UPDATE,
            {"id": connection_id, "input": changes},
        )["ociConnectionUpdate"]
        assert payload["errors"] == []
        return payload["connection"]

    assert update({"cxmlSharedSecret": SHARED_SECRET})["hasCxmlSharedSecret"] is True
    secret_hash = Connection.objects.get().cxml_shared_secret
    assert check_machine_secret(SHARED_SECRET, secret_hash).matches

    assert update({"allowDirectOrders": True})["hasCxmlSharedSecret"] is True
    assert Connection.objects.get().cxml_shared_secret == secret_hash

    assert update({"cxmlSharedSecret": None})["hasCxmlSharedSecret"] is False
    assert Connection.objects.get().cxml_shared_secret == ""

    update({"cxmlSharedSecret": SHARED_SECRET})
    assert update({"cxmlSharedSecret": ""})["hasCxmlSharedSecret"] is False
    assert Connection.objects.get().cxml_shared_secret == ""


def test_purchase_order_settings_are_updated_and_cleared(
    manager_api_client, oci_connection
):
    connection_id = gid("OciConnection", oci_connection.pk)

    payload = _post(
        manager_api_client,
        CONNECTION_UPDATE,
        {
            "id": connection_id,
            "input": {
                "allowQuantityChanges": True,
                "priceTolerancePercent": 100,
                "cxmlIdentity": f" {ARIBA_IDENTITY} ",
            },
        },
    )["ociConnectionUpdate"]
    assert payload["errors"] == []
    assert payload["connection"]["priceTolerancePercent"] == 100
    assert payload["connection"]["cxmlIdentity"] == ARIBA_IDENTITY

    cleared = _post(
        manager_api_client,
        CONNECTION_UPDATE,
        {"id": connection_id, "input": {"cxmlIdentity": None}},
    )["ociConnectionUpdate"]
    assert cleared["connection"]["cxmlIdentity"] is None
    stored = Connection.objects.get()
    assert (stored.cxml_identity, stored.allow_quantity_changes) == ("", True)
    assert stored.price_tolerance_percent == Decimal("100.00")


# --- order tokens --------------------------------------------------------------


def _issue_token(client, connection) -> dict:
    response = client.post_graphql(
        ORDER_TOKEN_CREATE, {"id": gid("OciConnection", connection.pk)}
    )
    payload = get_graphql_content(response)["data"]["ociConnectionOrderTokenCreate"]
    assert payload["errors"] == []
    return payload


def test_order_token_is_shown_once_and_stored_only_hashed(
    manager_api_client, oci_connection
):
    payload = _issue_token(manager_api_client, oci_connection)

    token = payload["token"]
    assert len(token) >= 43
    assert payload["connection"]["hasOrderToken"] is True
    stored = Connection.objects.values().get()
    assert stored["order_token_hash"] == hash_order_token(token)
    assert token not in str(stored)
    # Never again: the connection does not show it.
    listed = manager_api_client.post_graphql(CONNECTIONS)
    assert token not in listed.content.decode()
    assert stored["order_token_hash"] not in listed.content.decode()
    assert get_graphql_content(listed)["data"]["ociConnections"][0]["hasOrderToken"]


def test_new_order_token_replaces_the_old_one(manager_api_client, oci_connection):
    old = _issue_token(manager_api_client, oci_connection)["token"]

    new = _issue_token(manager_api_client, oci_connection)["token"]

    assert new != old
    assert Connection.objects.get().order_token_hash == hash_order_token(new)


def test_order_token_is_revoked(manager_api_client, oci_connection):
    _issue_token(manager_api_client, oci_connection)

    payload = _post(
        manager_api_client,
        ORDER_TOKEN_REVOKE,
        {"id": gid("OciConnection", oci_connection.pk)},
    )["ociConnectionOrderTokenRevoke"]

    assert payload["errors"] == []
    assert payload["connection"]["hasOrderToken"] is False
    assert Connection.objects.get().order_token_hash == ""


@pytest.mark.parametrize("mutation", [ORDER_TOKEN_CREATE, ORDER_TOKEN_REVOKE])
@pytest.mark.parametrize(
    ("connection_id", "code"),
    [
        (gid("OciConnection", 987654), "NOT_FOUND"),
        (gid("OciBranch", 1), "GRAPHQL_ERROR"),
        ("not-an-id", "GRAPHQL_ERROR"),
    ],
)
def test_order_token_of_an_unknown_connection_is_refused(
    manager_api_client, oci_connection, mutation, connection_id, code
):
    oci_connection.order_token_hash = hash_order_token("an-existing-token")
    oci_connection.save(update_fields=["order_token_hash"])
    before = list(Connection.objects.values())

    content = _post(manager_api_client, mutation, {"id": connection_id})
    payload = next(iter(content.values()))

    assert _errors(payload) == [("id", code)]
    assert payload["connection"] is None
    assert payload.get("token") is None
    assert list(Connection.objects.values()) == before


def test_observability_reports_hide_the_new_order_token(
    manager_api_client, oci_connection
):
    # Saleor reports API calls, answers included, to observability apps; it masks
    # the answers of operations that select a sensitive field.
    validate_sensitive_fields_map(SENSITIVE_GQL_FIELDS, schema)
    result = {"data": {"ociConnectionOrderTokenCreate": {"token": "new-token"}}}
    operation = GraphQLOperationResponse(
        query=get_default_backend().document_from_string(schema, ORDER_TOKEN_CREATE),
        result=result,
    )

    anonymize_gql_operation_response(operation, SENSITIVE_GQL_FIELDS)

    assert operation.result["data"] == MASK


# --- end to end: credentials set here open the order endpoints -----------------


def test_token_issued_here_authenticates_the_ubl_order_endpoint(
    manager_api_client, client, oci_connection
):
    token = _issue_token(manager_api_client, oci_connection)["token"]

    def post(bearer):
        return client.post(
            UBL_URL,
            b"not a UBL document",
            content_type="application/xml",
            HTTP_AUTHORIZATION=f"Bearer {bearer}",
        )

    # Past authentication, the body is read (and refused); a wrong token is not.
    assert post(token).status_code == 400
    assert post(token[:-1]).status_code == 401

    _post(
        manager_api_client,
        ORDER_TOKEN_REVOKE,
        {"id": gid("OciConnection", oci_connection.pk)},
    )
    assert post(token).status_code == 401


def _cxml_status(response) -> int:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    status = etree.fromstring(response.content, parser).find("Response/Status")
    return int(status.get("code"))


def test_shared_secret_set_here_authenticates_a_cxml_order(
    settings, manager_api_client, client, oci_transfer
):
    settings.PASSWORD_HASHERS = [PBKDF2]  # checked as in production
    connection = oci_transfer.session.connection
    payload = _post(
        manager_api_client,
        CONNECTION_UPDATE,
        {
            "id": gid("OciConnection", connection.pk),
            "input": {
                "cxmlIdentity": ARIBA_IDENTITY,
                "cxmlSharedSecret": SHARED_SECRET,
            },
        },
    )["ociConnectionUpdate"]
    assert payload["errors"] == []
    assert SHARED_SECRET not in Connection.objects.get().cxml_shared_secret

    wrong = client.post(
        CXML_URL,
        cxml_order_request(oci_transfer, secret=SHARED_SECRET + "x"),
        content_type="text/xml",
    )
    assert _cxml_status(wrong) == 401
    assert not Order.objects.exists()

    right = client.post(
        CXML_URL, cxml_order_request(oci_transfer), content_type="text/xml"
    )
    assert _cxml_status(right) == 200
    order = Order.objects.get()
    assert order.external_reference == f"oci:{connection.pk}:4500012345"


def test_staff_set_how_punch_in_names_the_orderer(manager_api_client, oci_connection):
    query = f"""
    mutation ($id: ID!, $input: OciConnectionInput!) {{
      ociConnectionUpdate(id: $id, input: $input) {{
        connection {{
          identityParameters {{ userId email firstName lastName }}
          identityParameterNames {{ userId email }}
          createUnknownOrderers costCentreField
        }}
        {ERRORS}
      }}
    }}
    """
    variables = {
        "id": graphene.Node.to_global_id("OciConnection", oci_connection.pk),
        "input": {
            "identityParameters": {"userId": ["SY_UNAME"]},
            "createUnknownOrderers": False,
            "costCentreField": "cust_field4",
        },
    }

    result = get_graphql_content(manager_api_client.post_graphql(query, variables))[
        "data"
    ]["ociConnectionUpdate"]

    assert result["errors"] == []
    connection = result["connection"]
    assert connection["identityParameters"] == {
        "userId": ["SY_UNAME"],
        "email": [],
        "firstName": [],
        "lastName": [],
    }
    assert connection["identityParameterNames"] == {
        "userId": ["SY_UNAME", "USER_ID", "USERID", "UNAME"],
        "email": ["USER_EMAIL", "EMAIL"],
    }
    assert (connection["createUnknownOrderers"], connection["costCentreField"]) == (
        False,
        "CUST_FIELD4",
    )

    # A name a login value already uses is refused on the identity setting.
    variables["input"] = {"identityParameters": {"email": ["PASSWORD"]}}
    refused = get_graphql_content(manager_api_client.post_graphql(query, variables))[
        "data"
    ]["ociConnectionUpdate"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("identityParameters", "INVALID")
    ]
    oci_connection.refresh_from_db()
    assert oci_connection.identity_parameters == {"user_id": ["SY_UNAME"]}


def test_staff_set_the_cxml_punch_out_settings(manager_api_client, oci_connection):
    query = f"""
    mutation ($id: ID!, $input: OciConnectionInput!) {{
      ociConnectionUpdate(id: $id, input: $input) {{
        connection {{
          protocol cxmlDomains cxmlFormField unspscAttribute unspscDefault
        }}
        {ERRORS}
      }}
    }}
    """
    variables = {
        "id": graphene.Node.to_global_id("OciConnection", oci_connection.pk),
        "input": {
            "protocol": "cxml",
            "cxmlDomains": ["NetworkID", " NetworkID "],
            "cxmlFormField": "both",
            "unspscAttribute": "unspsc-code",
            "unspscDefault": "14111500",
        },
    }

    result = get_graphql_content(manager_api_client.post_graphql(query, variables))[
        "data"
    ]["ociConnectionUpdate"]

    assert result["errors"] == []
    assert result["connection"] == {
        "protocol": "cxml",
        "cxmlDomains": ["NetworkID"],
        "cxmlFormField": "both",
        "unspscAttribute": "unspsc-code",
        "unspscDefault": "14111500",
    }

    variables["input"] = {
        "protocol": "ftp",
        "cxmlFormField": "cxml-xml",
        "unspscDefault": "12-34",
        "cxmlDomains": [""],
    }
    refused = get_graphql_content(manager_api_client.post_graphql(query, variables))[
        "data"
    ]["ociConnectionUpdate"]
    assert sorted((e["field"], e["code"]) for e in refused["errors"]) == [
        ("cxmlDomains", "INVALID"),
        ("cxmlFormField", "INVALID"),
        ("protocol", "INVALID"),
        ("unspscDefault", "INVALID"),
    ]
    oci_connection.refresh_from_db()
    assert oci_connection.protocol == "cxml"
