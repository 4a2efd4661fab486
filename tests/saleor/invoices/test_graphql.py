"""ociInvoices: the issued UBL invoices, for staff and ERP integrators' Apps."""

import json

import graphene
import pytest
from lxml import etree
from saleor.graphql.tests.utils import assert_no_permission, get_graphql_content

OCI_INVOICES = """
query ($orderId: ID, $limit: Int) {
  ociInvoices(orderId: $orderId, limit: $limit) {
    id number kind issueDate currency payableAmount orderId invoiceId connectionId
    customization validationResult xml html url
  }
}
"""
INVOICE_REQUEST = """
mutation ($orderId: ID!) {
  invoiceRequest(orderId: $orderId) { invoice { id number status } }
}
"""


def _order_id(order):
    return graphene.Node.to_global_id("Order", order.pk)


@pytest.fixture
def invoiced_order(staff, seller_configured, oci_order):
    response = staff.post_graphql(INVOICE_REQUEST, {"orderId": _order_id(oci_order)})
    invoice = get_graphql_content(response)["data"]["invoiceRequest"]["invoice"]
    assert invoice["status"] == "SUCCESS"
    return oci_order, invoice


def test_staff_reads_an_orders_invoice_with_its_ubl(
    staff, invoiced_order, oci_connection, make_transfer, place_order
):
    order, invoice = invoiced_order
    not_invoiced = place_order(make_transfer(), po_number="4500099999")

    response = staff.post_graphql(OCI_INVOICES, {"orderId": _order_id(order)})
    other = staff.post_graphql(OCI_INVOICES, {"orderId": _order_id(not_invoiced)})

    [document] = get_graphql_content(response)["data"]["ociInvoices"]
    assert get_graphql_content(other)["data"]["ociInvoices"] == []
    assert document["number"] == invoice["number"]
    assert document["kind"] == "invoice"
    assert document["orderId"] == _order_id(order)
    assert document["invoiceId"] == invoice["id"]
    assert document["connectionId"] == graphene.Node.to_global_id(
        "OciConnection", oci_connection.pk
    )
    assert document["customization"].endswith("urn:fdc:nen.nl:nlcius:v1.0")
    assert document["payableAmount"] == float(order.total_gross_amount)
    validation = json.loads(document["validationResult"])
    assert validation["valid"] is True
    assert validation["rule_sets"] == ["EN16931-UBL-validation.xslt"]
    root = etree.fromstring(document["xml"].encode())
    assert (
        root.findtext(
            "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID"
        )
        == (invoice["number"])
    )
    assert document["url"].endswith(f"{invoice['number']}.xml")
    assert invoice["number"] in document["html"]


def test_an_app_with_manage_orders_lists_invoices(
    app_api_client, permission_manage_orders, invoiced_order
):
    app_api_client.app.permissions.add(permission_manage_orders)

    response = app_api_client.post_graphql(OCI_INVOICES, {"limit": 10})

    documents = get_graphql_content(response)["data"]["ociInvoices"]
    assert [document["number"] for document in documents] == [
        invoiced_order[1]["number"]
    ]


def test_without_manage_orders_invoices_are_refused(staff, invoiced_order):
    staff.user.user_permissions.clear()
    staff.user.groups.clear()

    response = staff.post_graphql(OCI_INVOICES)

    assert_no_permission(response)


def test_a_malformed_order_id_is_a_graphql_error(
    staff_api_client, permission_manage_orders
):
    response = staff_api_client.post_graphql(
        OCI_INVOICES,
        {"orderId": "not-an-id"},
        permissions=[permission_manage_orders],
    )

    assert response.status_code == 200
    assert "Invalid ID: not-an-id" in response.json()["errors"][0]["message"]
