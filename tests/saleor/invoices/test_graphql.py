"""ociInvoices: the issued UBL invoices, for staff, ERP integrators' Apps and the
buyer's own customer account."""

import base64
import json

import graphene
import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from lxml import etree
from saleor.account.models import User
from saleor.graphql.tests.utils import assert_no_permission, get_graphql_content
from saleor.order.models import Order

from saleor_oci_plugin.buyers.models import BuyerOrganisation
from saleor_oci_plugin.invoices.models import InvoicedOrder, IssuedDocument
from saleor_oci_plugin.printing.raster import pdf_text
from saleor_oci_plugin.punchout.models import Connection

OCI_INVOICES = """
query ($orderId: ID, $limit: Int) {
  ociInvoices(orderId: $orderId, limit: $limit) {
    id number kind issueDate currency payableAmount orderId invoiceId connectionId
    customization validationResult xml html pdf url
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
    # The PDF copy the UBL carries, ready to save as <number>.pdf.
    assert (
        f"Invoice {invoice['number']}" in pdf_text(base64.b64decode(document["pdf"]))[0]
    )


def test_a_document_issued_before_pdf_copies_has_none(staff, invoiced_order):
    document = IssuedDocument.objects.get()
    root = etree.fromstring(document.xml.encode())
    for reference in root.findall(
        "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
        "AdditionalDocumentReference"
    ):
        root.remove(reference)
    document.xml = etree.tostring(root, encoding="unicode")
    document.save(update_fields=["xml"])

    response = staff.post_graphql(OCI_INVOICES)

    [listed] = get_graphql_content(response)["data"]["ociInvoices"]
    assert listed["pdf"] is None


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


# --- the buyer's own invoices, and their delivery ---------------------------------

BUYER_INVOICES = """
query ($orderId: ID) {
  ociInvoices(orderId: $orderId) { number kind orderId xml pdf sentAt sentTo }
}
"""
DELIVERY = "query { ociInvoices { number sentAt sentTo deliveryError } }"


@pytest.fixture
def other_organisations_documents(invoiced_order, oci_connection, channel_USD):
    """Documents of another organisation, and one of an earlier kind that names
    its organisation only through its connection (its own and another's)."""
    other = BuyerOrganisation.objects.create(name="Gemeente West")
    other_connection = Connection.objects.create(
        organisation=other,
        name="Gemeente West SRM",
        login_name="gemeente-west",
        password=make_password("another-S3cret!"),
        channel=channel_USD,
        customer=User.objects.create(email="inkoop@gemeente-west.example"),
    )
    issued = IssuedDocument.objects.get()

    def copy(number, **links):
        document = IssuedDocument.objects.get(pk=issued.pk)
        document.pk = None
        document.invoice = document.order = document.branch = None
        document.number = number
        document.sequence += 1000 + IssuedDocument.objects.count()
        for name, value in links.items():
            setattr(document, name, value)
        document.save()
        return document

    return {
        "other": copy("GW-1", organisation=other, connection=other_connection),
        "other_earlier": copy("GW-0", organisation=None, connection=other_connection),
        "own_earlier": copy("ZO-0", organisation=None, connection=oci_connection),
    }


def test_the_organisations_customer_sees_its_own_invoices_only(
    user_api_client, invoiced_order, other_organisations_documents
):
    order, invoice = invoiced_order

    response = user_api_client.post_graphql(BUYER_INVOICES)
    for_order = user_api_client.post_graphql(
        BUYER_INVOICES, {"orderId": _order_id(order)}
    )

    documents = get_graphql_content(response)["data"]["ociInvoices"]
    assert sorted(document["number"] for document in documents) == sorted(
        [invoice["number"], other_organisations_documents["own_earlier"].number]
    )
    [own] = get_graphql_content(for_order)["data"]["ociInvoices"]
    assert own["number"] == invoice["number"]
    assert own["orderId"] == _order_id(order)
    assert etree.fromstring(own["xml"].encode()) is not None
    assert f"Invoice {invoice['number']}" in pdf_text(base64.b64decode(own["pdf"]))[0]
    # Not e-mailed: the buyer has no invoice address yet.
    assert (own["sentAt"], own["sentTo"]) == (None, "")


def test_an_order_of_another_organisation_shows_its_customer_nothing(
    user_api_client, other_organisations_documents
):
    other = other_organisations_documents["other"]
    other.order = Order.objects.get()
    other.save(update_fields=["order"])
    IssuedDocument.objects.exclude(pk=other.pk).update(order=None)
    InvoicedOrder.objects.all().delete()

    response = user_api_client.post_graphql(
        BUYER_INVOICES, {"orderId": _order_id(other.order)}
    )

    assert get_graphql_content(response)["data"]["ociInvoices"] == []


def test_delivery_errors_are_for_staff_only(
    staff, user_api_client, invoiced_order, oci_organisation
):
    _, invoice = invoiced_order

    staff_view = get_graphql_content(staff.post_graphql(DELIVERY))
    buyer_view = user_api_client.post_graphql(DELIVERY).json()

    [document] = staff_view["data"]["ociInvoices"]
    assert document == {
        "number": invoice["number"],
        "sentAt": None,
        "sentTo": "",
        "deliveryError": f"No invoice e-mail address for {oci_organisation.name} / "
        "Locatie Noord; set one to have invoices e-mailed.",
    }
    [seen] = buyer_view["data"]["ociInvoices"]
    assert seen["number"] == invoice["number"]
    assert seen["deliveryError"] is None
    [error] = buyer_view["errors"]
    assert error["path"] == ["ociInvoices", 0, "deliveryError"]
    assert error["extensions"]["exception"]["code"] == "PermissionDenied"


def test_a_sent_invoice_shows_when_and_to_whom(staff, user_api_client, invoiced_order):
    sent_at = timezone.now()
    IssuedDocument.objects.update(
        sent_at=sent_at, sent_to="crediteuren@ziekenhuis-oost.example"
    )

    response = user_api_client.post_graphql(BUYER_INVOICES)

    [document] = get_graphql_content(response)["data"]["ociInvoices"]
    assert document["sentAt"] == sent_at.isoformat()
    assert document["sentTo"] == "crediteuren@ziekenhuis-oost.example"


def test_a_customer_of_no_connection_is_refused(user2_api_client, invoiced_order):
    response = user2_api_client.post_graphql(BUYER_INVOICES)

    assert_no_permission(response)


def test_anonymous_visitors_are_refused(api_client, invoiced_order):
    response = api_client.post_graphql(BUYER_INVOICES)

    assert_no_permission(response)


def test_an_app_without_manage_orders_is_refused(app_api_client, invoiced_order):
    response = app_api_client.post_graphql(BUYER_INVOICES)

    assert_no_permission(response)
