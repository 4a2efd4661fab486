"""Organisations, branches and connections through Saleor's own /graphql/."""

import json

import graphene
import pytest
from django.contrib.auth.hashers import check_password
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation
from saleor_oci_plugin.punchout.models import Connection

NEW_PASSWORD = "umc-srm-secret-2024"

ORGANISATION_FIELDS = """
  id name kvkNumber vatNumber invoiceFormat invoicingPreference
  branches { id name code invoicingPreference }
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
    branch {{ id name code organisation {{ id }} }} {ERRORS}
  }}
}}
"""
BRANCH_UPDATE = f"""
mutation ($id: ID!, $input: OciBranchInput!) {{
  ociBranchUpdate(id: $id, input: $input) {{
    branch {{ id name code defaultCostCentre invoicingPreference }} {ERRORS}
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
        (CONNECTION_DELETE, {"id": gid("OciConnection", connection.pk)}),
        (ORGANISATIONS, None),
        (CONNECTIONS, None),
    ]


@pytest.mark.parametrize("client_fixture", ["staff_api_client", "app_api_client"])
def test_everything_needs_manage_plugins(
    request, client_fixture, oci_connection, channel_USD, customer_user
):
    client = request.getfixturevalue(client_fixture)
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
                "kvkNumber": "12345678",
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
            "kvkNumber": "12345678",
            "vatNumber": "",
            "invoiceFormat": "PEPPOL_BIS_3",
            "invoicingPreference": "PER_ORDER",
            "branches": [
                {
                    "id": branch["branch"]["id"],
                    "name": "Noord",
                    "code": "N1",
                    "invoicingPreference": None,
                }
            ],
        }
    ]


def test_invalid_organisation_is_refused_with_a_code(manager_api_client):
    payload = _post(
        manager_api_client,
        ORGANISATION_CREATE,
        {"input": {"name": "Ziekenhuis Oost", "kvkNumber": "1234"}},
    )["ociOrganisationCreate"]

    assert payload["organisation"] is None
    assert _errors(payload) == [("kvkNumber", "INVALID")]
    assert payload["errors"][0]["message"]
    assert not BuyerOrganisation.objects.exists()


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
