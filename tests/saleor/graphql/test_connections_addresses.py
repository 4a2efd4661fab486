"""Delivery and invoice addresses of organisations and branches, set by staff.

Through Saleor's own /graphql/ over HTTP, with real staff and customer tokens.
"""

import graphene
import pytest
from saleor.account.models import Address
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation

ADDRESS = (
    "firstName lastName companyName streetAddress1 city postalCode country { code }"
)
ERRORS = "errors { field code message }"
ORGANISATION_CREATE = f"""
mutation ($input: OciOrganisationCreateInput!) {{
  ociOrganisationCreate(input: $input) {{
    organisation {{
      id deliveryAddress {{ {ADDRESS} }} invoiceAddress {{ {ADDRESS} }}
    }} {ERRORS}
  }}
}}
"""
ORGANISATION_UPDATE = f"""
mutation ($id: ID!, $input: OciOrganisationInput!) {{
  ociOrganisationUpdate(id: $id, input: $input) {{
    organisation {{
      id deliveryAddress {{ {ADDRESS} }} invoiceAddress {{ {ADDRESS} }}
    }} {ERRORS}
  }}
}}
"""
BRANCH_CREATE = f"""
mutation ($input: OciBranchCreateInput!) {{
  ociBranchCreate(input: $input) {{
    branch {{
      id deliveryAddress {{ {ADDRESS} }} invoiceAddress {{ {ADDRESS} }}
    }} {ERRORS}
  }}
}}
"""
BRANCH_UPDATE = f"""
mutation ($id: ID!, $input: OciBranchInput!) {{
  ociBranchUpdate(id: $id, input: $input) {{
    branch {{
      id deliveryAddress {{ {ADDRESS} }} invoiceAddress {{ {ADDRESS} }}
    }} {ERRORS}
  }}
}}
"""
ORGANISATIONS = f"""
query {{
  ociOrganisations {{
    name invoiceAddress {{ {ADDRESS} }} deliveryAddress {{ city }}
    branches {{ name deliveryAddress {{ {ADDRESS} }} invoiceAddress {{ city }} }}
  }}
}}
"""

GEMEENTE = {
    "companyName": "Gemeente Utrecht",
    "firstName": "Crediteurenadministratie",
    "streetAddress1": "Stadsplateau 1",
    "city": "Utrecht",
    "postalCode": "3521 AZ",
    "country": "NL",
}
MAGAZIJN = {
    "companyName": "Gemeente Utrecht",
    "streetAddress1": "Europalaan 20",
    "city": "Utrecht",
    "postalCode": "3526 KS",
    "country": "NL",
}


def gid(type_name: str, pk: int) -> str:
    return graphene.Node.to_global_id(type_name, pk)


@pytest.fixture
def manager_api_client(staff_api_client, permission_manage_plugins):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    return staff_api_client


def _post(client, query, variables):
    return get_graphql_content(client.post_graphql(query, variables))["data"]


def _shown(address: dict) -> dict:
    """An input address as the Address type shows it (Saleor normalises case)."""
    return {
        "firstName": address.get("firstName", ""),
        "lastName": "",
        "companyName": address["companyName"],
        "streetAddress1": address["streetAddress1"],
        "city": address["city"].upper(),
        "postalCode": address["postalCode"],
        "country": {"code": address["country"]},
    }


def _snapshot():
    return (
        list(Address.objects.order_by("pk").values()),
        list(BuyerOrganisation.objects.order_by("pk").values()),
        list(Branch.objects.order_by("pk").values()),
    )


# --- organisations ---------------------------------------------------------------


def test_organisation_is_created_with_both_addresses(manager_api_client):
    payload = _post(
        manager_api_client,
        ORGANISATION_CREATE,
        {
            "input": {
                "name": "Gemeente Utrecht",
                "invoiceAddress": GEMEENTE,
                "deliveryAddress": MAGAZIJN,
            }
        },
    )["ociOrganisationCreate"]

    assert payload["errors"] == []
    assert payload["organisation"]["invoiceAddress"] == _shown(GEMEENTE)
    assert payload["organisation"]["deliveryAddress"] == _shown(MAGAZIJN)
    organisation = BuyerOrganisation.objects.get(name="Gemeente Utrecht")
    assert organisation.invoice_address.postal_code == "3521 AZ"
    assert organisation.delivery_address.street_address_1 == "Europalaan 20"
    assert organisation.invoice_address_id != organisation.delivery_address_id


def test_organisation_address_is_set_replaced_in_place_and_removed(
    manager_api_client, oci_organisation
):
    organisation_id = gid("OciOrganisation", oci_organisation.pk)

    set_ = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"invoiceAddress": GEMEENTE}},
    )["ociOrganisationUpdate"]
    assert set_["errors"] == []
    assert set_["organisation"]["invoiceAddress"] == _shown(GEMEENTE)
    assert set_["organisation"]["deliveryAddress"] is None
    oci_organisation.refresh_from_db()
    first_row = oci_organisation.invoice_address_id

    moved = {**GEMEENTE, "streetAddress1": "Postbus 16200", "postalCode": "3500 CE"}
    replaced = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"invoiceAddress": moved}},
    )["ociOrganisationUpdate"]
    assert replaced["errors"] == []
    assert replaced["organisation"]["invoiceAddress"]["postalCode"] == "3500 CE"
    oci_organisation.refresh_from_db()
    # Edited in place: the organisation's own row, no orphan left behind.
    assert oci_organisation.invoice_address_id == first_row
    assert Address.objects.get(pk=first_row).street_address_1 == "Postbus 16200"

    # Another setting alone leaves the address as it is.
    kept = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"invoiceEmail": "facturen@utrecht.example"}},
    )["ociOrganisationUpdate"]
    assert kept["organisation"]["invoiceAddress"]["postalCode"] == "3500 CE"

    removed = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"invoiceAddress": None}},
    )["ociOrganisationUpdate"]
    assert removed["errors"] == []
    assert removed["organisation"]["invoiceAddress"] is None
    oci_organisation.refresh_from_db()
    assert oci_organisation.invoice_address_id is None
    assert not Address.objects.filter(pk=first_row).exists()


def test_wrong_dutch_postcode_is_refused_with_code_and_nothing_written(
    manager_api_client, oci_organisation
):
    before = _snapshot()

    payload = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {
            "id": gid("OciOrganisation", oci_organisation.pk),
            "input": {
                "name": "Gemeente Utrecht",
                "invoiceAddress": {**GEMEENTE, "postalCode": "35210"},
                "deliveryAddress": MAGAZIJN,
            },
        },
    )["ociOrganisationUpdate"]

    assert payload["organisation"] is None
    [error] = payload["errors"]
    assert (error["field"], error["code"]) == ("invoiceAddress.postalCode", "INVALID")
    assert "postal code '35210'" in error["message"]
    assert "NL" in error["message"]
    assert _snapshot() == before


def test_every_problem_of_every_address_is_reported_at_once(
    manager_api_client, oci_organisation
):
    before = _snapshot()

    payload = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {
            "id": gid("OciOrganisation", oci_organisation.pk),
            "input": {
                "invoiceEmail": "not-an-address",
                "invoiceAddress": {**GEMEENTE, "city": ""},
                "deliveryAddress": {"streetAddress1": "Europalaan 20"},
            },
        },
    )["ociOrganisationUpdate"]

    found = {(error["field"], error["code"]) for error in payload["errors"]}
    assert found == {
        ("invoiceEmail", "INVALID"),
        ("invoiceAddress.city", "REQUIRED"),
        ("deliveryAddress.country", "REQUIRED"),
    }
    assert _snapshot() == before


def test_skipping_validation_is_refused(manager_api_client, oci_organisation):
    payload = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {
            "id": gid("OciOrganisation", oci_organisation.pk),
            "input": {
                "invoiceAddress": {
                    **GEMEENTE,
                    "postalCode": "nonsense",
                    "skipValidation": True,
                }
            },
        },
    )["ociOrganisationUpdate"]

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("invoiceAddress.skipValidation", "INVALID")
    ]
    oci_organisation.refresh_from_db()
    assert oci_organisation.invoice_address_id is None


def test_a_customers_address_book_row_is_never_changed(
    manager_api_client, oci_organisation, customer_user
):
    # An organisation pointed at a customer's address (e.g. by hand in the ORM).
    shared = customer_user.default_billing_address
    original = Address.objects.filter(pk=shared.pk).values().get()
    oci_organisation.invoice_address = shared
    oci_organisation.save()
    organisation_id = gid("OciOrganisation", oci_organisation.pk)

    payload = _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"invoiceAddress": GEMEENTE}},
    )["ociOrganisationUpdate"]
    assert payload["errors"] == []
    oci_organisation.refresh_from_db()
    assert oci_organisation.invoice_address_id != shared.pk
    assert Address.objects.filter(pk=shared.pk).values().get() == original

    _post(
        manager_api_client,
        ORGANISATION_UPDATE,
        {"id": organisation_id, "input": {"invoiceAddress": None}},
    )
    # Removing the organisation's own copy leaves the customer's alone.
    assert Address.objects.filter(pk=shared.pk).values().get() == original


# --- branches ------------------------------------------------------------------


def test_branch_addresses_are_created_replaced_removed_and_listed(
    manager_api_client, oci_organisation
):
    created = _post(
        manager_api_client,
        BRANCH_CREATE,
        {
            "input": {
                "organisation": gid("OciOrganisation", oci_organisation.pk),
                "name": "Stadskantoor",
                "deliveryAddress": MAGAZIJN,
            }
        },
    )["ociBranchCreate"]
    assert created["errors"] == []
    assert created["branch"]["deliveryAddress"] == _shown(MAGAZIJN)
    assert created["branch"]["invoiceAddress"] is None
    branch_id = created["branch"]["id"]

    updated = _post(
        manager_api_client,
        BRANCH_UPDATE,
        {
            "id": branch_id,
            "input": {"invoiceAddress": GEMEENTE, "deliveryAddress": None},
        },
    )["ociBranchUpdate"]
    assert updated["errors"] == []
    assert updated["branch"]["invoiceAddress"] == _shown(GEMEENTE)
    assert updated["branch"]["deliveryAddress"] is None
    branch = Branch.objects.get(name="Stadskantoor")
    assert branch.delivery_address_id is None
    assert branch.invoice_address.street_address_1 == "Stadsplateau 1"

    listed = _post(manager_api_client, ORGANISATIONS, None)["ociOrganisations"]
    [organisation] = listed
    assert organisation["invoiceAddress"] is None
    [listed_branch] = organisation["branches"]
    assert listed_branch == {
        "name": "Stadskantoor",
        "deliveryAddress": None,
        "invoiceAddress": {"city": "UTRECHT"},
    }


def test_invalid_branch_address_is_refused_and_nothing_written(
    manager_api_client, oci_branch
):
    before = _snapshot()

    payload = _post(
        manager_api_client,
        BRANCH_UPDATE,
        {
            "id": gid("OciBranch", oci_branch.pk),
            "input": {
                "name": "Nieuwe naam",
                "deliveryAddress": {**MAGAZIJN, "postalCode": "ABCDEF"},
            },
        },
    )["ociBranchUpdate"]

    assert payload["branch"] is None
    [error] = payload["errors"]
    assert (error["field"], error["code"]) == ("deliveryAddress.postalCode", "INVALID")
    assert "'ABCDEF'" in error["message"]
    assert _snapshot() == before


def test_new_branch_with_an_invalid_address_is_not_created(
    manager_api_client, oci_organisation
):
    before = _snapshot()

    payload = _post(
        manager_api_client,
        BRANCH_CREATE,
        {
            "input": {
                "organisation": gid("OciOrganisation", oci_organisation.pk),
                "name": "Stadskantoor",
                "invoiceAddress": {**GEMEENTE, "country": "DE"},
            }
        },
    )["ociBranchCreate"]

    assert payload["branch"] is None
    assert ("invoiceAddress.postalCode", "INVALID") in [
        (e["field"], e["code"]) for e in payload["errors"]
    ]
    assert _snapshot() == before


# --- permissions ---------------------------------------------------------------


@pytest.mark.parametrize(
    "client_fixture", ["user_api_client", "staff_api_client", "app_api_client"]
)
def test_setting_an_address_needs_manage_plugins(request, client_fixture, oci_branch):
    client = request.getfixturevalue(client_fixture)
    before = _snapshot()

    for query, variables in (
        (
            ORGANISATION_UPDATE,
            {
                "id": gid("OciOrganisation", oci_branch.organisation_id),
                "input": {"invoiceAddress": GEMEENTE},
            },
        ),
        (
            BRANCH_UPDATE,
            {
                "id": gid("OciBranch", oci_branch.pk),
                "input": {"deliveryAddress": MAGAZIJN},
            },
        ),
        (
            BRANCH_CREATE,
            {
                "input": {
                    "organisation": gid("OciOrganisation", oci_branch.organisation_id),
                    "name": "Stadskantoor",
                    "invoiceAddress": GEMEENTE,
                }
            },
        ),
    ):
        content = client.post_graphql(query, variables).json()
        assert content["errors"][0]["extensions"]["exception"]["code"] == (
            "PermissionDenied"
        )

    assert _snapshot() == before
