"""ociInvoiceRun and ociInvoiceRuns: periodic invoicing started by staff over HTTP."""

import datetime
from dataclasses import replace

import graphene
from django.utils import timezone
from saleor.graphql.tests.utils import assert_no_permission, get_graphql_content
from saleor.plugins.models import PluginConfiguration

from saleor_oci_plugin import PLUGIN_ID
from saleor_oci_plugin.buyers.models import InvoicingPreference
from saleor_oci_plugin.invoices.models import InvoiceRun, IssuedDocument

from .conftest import HOSPITAL_BILL_TO

OCI_INVOICE_RUN = """
mutation ($start: Date!, $end: Date!, $organisationId: ID) {
  ociInvoiceRun(
    periodStart: $start, periodEnd: $end, organisationId: $organisationId
  ) {
    run {
      id periodStart periodEnd organisationId status requestedBy
      invoices { number orderIds periodStart periodEnd runId }
      failures { group orders reason }
    }
    errors { field code message }
  }
}
"""
OCI_INVOICE_RUNS = """
query { ociInvoiceRuns { id status invoices { number } failures { reason } } }
"""
OCI_INVOICES = """
query ($orderId: ID) { ociInvoices(orderId: $orderId) { number orderIds } }
"""
TODAY = timezone.localdate().isoformat()


def _run(client, start=TODAY, end=TODAY, organisation_id=None):
    response = client.post_graphql(
        OCI_INVOICE_RUN,
        {"start": start, "end": end, "organisationId": organisation_id},
    )
    return get_graphql_content(response)["data"]["ociInvoiceRun"]


def _global_id(type_name, pk):
    return graphene.Node.to_global_id(type_name, pk)


def test_staff_run_issues_the_consolidated_invoice_and_lists_it(
    staff, seller_configured, oci_organisation, make_transfer, place_order
):
    oci_organisation.invoicing_preference = InvoicingPreference.PERIODIC_CONSOLIDATED
    oci_organisation.save()
    orders = [
        place_order(make_transfer(), po_number="4500000071"),
        place_order(make_transfer(), po_number="4500000072"),
    ]

    result = _run(
        staff, organisation_id=_global_id("OciOrganisation", oci_organisation.pk)
    )

    assert result["errors"] == []
    run = result["run"]
    assert run["status"] == "DONE"
    assert run["requestedBy"] == staff.user.email
    assert run["organisationId"] == _global_id("OciOrganisation", oci_organisation.pk)
    [invoice] = run["invoices"]
    assert sorted(invoice["orderIds"]) == sorted(
        _global_id("Order", order.pk) for order in orders
    )
    assert invoice["periodStart"] == invoice["periodEnd"] == TODAY
    assert invoice["runId"] == run["id"]
    # Each order finds the invoice that billed it.
    for order in orders:
        response = staff.post_graphql(
            OCI_INVOICES, {"orderId": _global_id("Order", order.pk)}
        )
        found = get_graphql_content(response)["data"]["ociInvoices"]
        assert [document["number"] for document in found] == [invoice["number"]]
    runs = get_graphql_content(staff.post_graphql(OCI_INVOICE_RUNS))["data"]
    assert runs["ociInvoiceRuns"] == [
        {
            "id": run["id"],
            "status": "DONE",
            "invoices": [{"number": invoice["number"]}],
            "failures": [],
        }
    ]


def test_a_run_that_cannot_invoice_a_group_reports_why(
    staff, seller_configured, oci_organisation, make_transfer, place_order
):
    oci_organisation.invoicing_preference = InvoicingPreference.PERIODIC_CONSOLIDATED
    oci_organisation.save()
    first = place_order(make_transfer(), po_number="4500000081")
    second = place_order(make_transfer(), po_number="4500000082")
    second.billing_address.city = "Amersfoort"
    second.billing_address.save()

    run = _run(staff)["run"]

    assert run["status"] == "DONE_WITH_FAILURES"
    assert run["invoices"] == []
    [failure] = run["failures"]
    assert failure["group"] == "Ziekenhuis Oost (all branches)"
    assert failure["orders"] == [str(first.number), str(second.number)]
    assert "has no invoice address" in failure["reason"]


def test_a_period_ending_before_it_starts_is_refused(staff, seller_configured):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    result = _run(staff, end=yesterday)

    assert result["run"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("periodEnd", "INVALID")
    ]
    assert not InvoiceRun.objects.exists()


def test_an_unknown_or_malformed_organisation_is_refused(staff, seller_configured):
    unknown = _run(staff, organisation_id=_global_id("OciOrganisation", 999999))
    malformed = _run(staff, organisation_id="not-an-id")

    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [
        ("organisationId", "NOT_FOUND")
    ]
    assert [(e["field"], e["code"]) for e in malformed["errors"]] == [
        ("organisationId", "GRAPHQL_ERROR")
    ]
    assert not InvoiceRun.objects.exists()


def test_with_the_plugin_switched_off_no_run_is_started(staff, seller_configured):
    PluginConfiguration.objects.filter(identifier=PLUGIN_ID).update(active=False)

    result = _run(staff)

    assert [e["code"] for e in result["errors"]] == ["INVALID"]
    assert "switched off" in result["errors"][0]["message"]
    assert not InvoiceRun.objects.exists()


def test_without_manage_orders_runs_are_refused(staff_api_client, seller_configured):
    response = staff_api_client.post_graphql(
        OCI_INVOICE_RUN, {"start": TODAY, "end": TODAY, "organisationId": None}
    )
    assert_no_permission(response)
    assert_no_permission(staff_api_client.post_graphql(OCI_INVOICE_RUNS))
    assert not InvoiceRun.objects.exists()
    assert not IssuedDocument.objects.exists()


ORGANISATION_UPDATE = """
mutation ($id: ID!, $input: OciOrganisationInput!) {
  ociOrganisationUpdate(id: $id, input: $input) {
    organisation { invoicingPreference invoiceAddress { postalCode } }
    errors { field code message }
  }
}
"""
OCI_INVOICE_XML = """
query ($orderId: ID) { ociInvoices(orderId: $orderId) { number xml } }
"""


def test_consolidated_run_uses_an_invoice_address_set_only_through_graphql(
    staff,
    permission_manage_plugins,
    seller_configured,
    oci_organisation,
    make_transfer,
    place_order,
):
    """Issue #11: a municipality's consolidated run was refused for want of an
    invoice address that nothing but the ORM could set."""
    staff.user.user_permissions.add(permission_manage_plugins)
    organisation_id = _global_id("OciOrganisation", oci_organisation.pk)

    def update(changes):
        response = staff.post_graphql(
            ORGANISATION_UPDATE, {"id": organisation_id, "input": changes}
        )
        payload = get_graphql_content(response)["data"]["ociOrganisationUpdate"]
        assert payload["errors"] == []
        return payload["organisation"]

    update({"invoicingPreference": "PERIODIC_CONSOLIDATED"})
    # Two orders billed to different addresses: only the organisation's own
    # invoice address can head their consolidated invoice.
    first = place_order(make_transfer(), po_number="4500000091")
    second = place_order(
        make_transfer(),
        po_number="4500000092",
        billing_address=replace(
            HOSPITAL_BILL_TO, city="Amersfoort", postcode="3811 AA"
        ),
    )

    refused = _run(staff, organisation_id=organisation_id)["run"]
    assert refused["invoices"] == []
    [failure] = refused["failures"]
    assert "has no invoice address" in failure["reason"]

    shown = update(
        {
            "invoiceAddress": {
                "companyName": "Gemeente Utrecht",
                "streetAddress1": "Stadsplateau 1",
                "postalCode": "3521 AZ",
                "city": "Utrecht",
                "country": "NL",
            }
        }
    )
    assert shown["invoiceAddress"] == {"postalCode": "3521 AZ"}

    run = _run(staff, organisation_id=organisation_id)["run"]

    assert run["status"] == "DONE"
    assert run["failures"] == []
    [invoice] = run["invoices"]
    assert sorted(invoice["orderIds"]) == sorted(
        _global_id("Order", order.pk) for order in (first, second)
    )
    response = staff.post_graphql(
        OCI_INVOICE_XML, {"orderId": _global_id("Order", first.pk)}
    )
    [document] = get_graphql_content(response)["data"]["ociInvoices"]
    assert document["number"] == invoice["number"]
    buyer = document["xml"].split("AccountingCustomerParty", 2)[1]
    assert "Stadsplateau 1" in buyer
    assert "3521 AZ" in buyer
    assert "Postbus 85500" not in buyer
