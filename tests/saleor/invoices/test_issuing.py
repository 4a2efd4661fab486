"""Saleor's invoiceRequest on orders placed via OCI: numbered, valid UBL invoices."""

import base64
import datetime
import io
import re
from decimal import Decimal

import graphene
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from lxml import etree
from PIL import Image
from saleor.core import JobStatus
from saleor.graphql.tests.utils import get_graphql_content
from saleor.invoice.models import Invoice
from saleor.order import OrderEvents, OrderStatus

from saleor_oci_plugin.buyers.models import InvoiceFormat, InvoicingPreference
from saleor_oci_plugin.invoices.issuing import FAILURE_KEY
from saleor_oci_plugin.invoices.models import InvoiceNumberSeries, IssuedDocument
from saleor_oci_plugin.invoices.ubl import embedded_pdf
from saleor_oci_plugin.invoices.validation import validate_ubl
from saleor_oci_plugin.printing.raster import pdf_text
from saleor_oci_plugin.punchout import connections

from .conftest import BUYER_RULES, SELLER, configure_plugin

INVOICE_REQUEST = """
mutation ($orderId: ID!, $number: String) {
  invoiceRequest(orderId: $orderId, number: $number) {
    invoice { id number status url message privateMetadata { key value } }
    errors { field code message }
  }
}
"""
NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _request(client, order, number=None):
    response = client.post_graphql(
        INVOICE_REQUEST,
        {"orderId": graphene.Node.to_global_id("Order", order.pk), "number": number},
    )
    result = get_graphql_content(response)["data"]["invoiceRequest"]
    assert result["errors"] == []
    return result["invoice"]


def _number(sequence):
    return f"OCI-{timezone.localdate().year}-{sequence:05d}"


def _texts(root, path):
    return [node.text for node in root.xpath(path, namespaces=NS)]


def _used_sequences():
    return sum(series.last_sequence for series in InvoiceNumberSeries.objects.all())


def test_invoice_of_a_po_order_is_numbered_valid_ubl_with_the_po_references(
    staff, seller_configured, oci_order
):
    result = _request(staff, oci_order)

    assert result["status"] == JobStatus.SUCCESS.upper()
    assert result["number"] == _number(1)
    assert result["url"].endswith(f"/invoices/{_number(1)}.xml")
    invoice = Invoice.objects.get(order=oci_order)
    assert invoice.status == JobStatus.SUCCESS
    assert invoice.number == _number(1)
    xml = invoice.invoice_file.read()
    document = IssuedDocument.objects.get()
    assert document.invoice == invoice
    assert document.xml.encode() == xml
    assert document.validation_result["valid"] is True

    # The file itself passes the UBL 2.1 schema and EN 16931.
    assert validate_ubl(xml).is_valid

    root = etree.fromstring(xml)
    assert _texts(root, "/inv:Invoice/cbc:ID") == [_number(1)]
    assert _texts(root, "cac:OrderReference/cbc:ID") == ["4500012345"]
    assert _texts(root, "cbc:BuyerReference") == ["Afdeling Inkoop"]
    assert _texts(root, "cbc:AccountingCost") == ["KP-4711"]
    lines = root.xpath("cac:InvoiceLine", namespaces=NS)
    order_lines = list(oci_order.lines.all())
    assert len(lines) == len(order_lines) == 2
    assert [_texts(line, "cac:OrderLineReference/cbc:LineID") for line in lines] == [
        ["10"],
        ["20"],
    ]
    assert [_texts(line, "cbc:AccountingCost") for line in lines] == [
        ["KP-471"],
        ["KP-472"],
    ]
    nzi = [
        line.xpath(
            "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode",
            namespaces=NS,
        )[0]
        for line in lines
    ]
    assert [(code.text, code.get("listID")) for code in nzi] == [
        (order_line.metadata["oci.nzi_code"], "ZZZ") for order_line in order_lines
    ]
    assert [Decimal(_texts(line, "cbc:LineExtensionAmount")[0]) for line in lines] == [
        order_line.total_price_net_amount for order_line in order_lines
    ]

    # Totals are the Saleor order's, to the cent.
    totals = "cac:LegalMonetaryTotal/cbc:"
    assert Decimal(_texts(root, totals + "TaxExclusiveAmount")[0]) == (
        oci_order.total_net_amount
    )
    assert Decimal(_texts(root, totals + "PayableAmount")[0]) == (
        oci_order.total_gross_amount
    )
    assert Decimal(_texts(root, "cac:TaxTotal/cbc:TaxAmount")[0]) == (
        oci_order.total_gross_amount - oci_order.total_net_amount
    )
    # Paid by SEPA transfer to the configured IBAN, due after the payment terms.
    assert _texts(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == ["58"]
    assert _texts(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == [
        "NL91ABNA0417164300"
    ]
    assert _texts(root, "cbc:DueDate") == [
        (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    ]
    assert "4500012345" in document.html
    # Saleor records the generated invoice on the order, as for its own plugin.
    assert oci_order.events.filter(
        type=OrderEvents.INVOICE_GENERATED, parameters__invoice_number=_number(1)
    ).exists()


def _flat(text):
    return re.sub(r"\s+", " ", text)


def _logo_png():
    output = io.BytesIO()
    Image.new("RGB", (300, 100), (230, 120, 40)).save(output, format="PNG")
    return output.getvalue()


def _images(pdf):
    return len(re.findall(rb"/Subtype\s*/Image", pdf))


def test_the_issued_ubl_carries_its_pdf_copy_and_still_validates(
    staff, seller_configured, oci_order
):
    result = _request(staff, oci_order)

    document = IssuedDocument.objects.get()
    xml = Invoice.objects.get(order=oci_order).invoice_file.read()
    root = etree.fromstring(xml)
    (binary,) = root.xpath(
        "cac:AdditionalDocumentReference/cac:Attachment/"
        "cbc:EmbeddedDocumentBinaryObject",
        namespaces=NS,
    )
    assert binary.get("mimeCode") == "application/pdf"
    assert binary.get("filename") == f"{result['number']}.pdf"
    assert _texts(root, "cac:AdditionalDocumentReference/cbc:ID") == [result["number"]]
    pdf = base64.b64decode(binary.text)
    assert pdf == embedded_pdf(document.xml.encode())
    pages = pdf_text(pdf)
    assert len(pages) == 1
    text = _flat(pages[0])
    assert f"Invoice {result['number']}" in text
    assert "Purchase order 4500012345" in text
    assert "Cost centre KP-4711" in text
    assert f"Amount due USD {oci_order.total_gross_amount:,.2f}" in text
    for order_line in oci_order.lines.all():
        assert order_line.metadata["oci.nzi_code"] in text
    assert "IBAN NL91 ABNA 0417 1643 00" in text
    # No logo configured, none drawn.
    assert _images(pdf) == 0
    # What was validated and stored is the document with its PDF.
    assert document.validation_result["valid"] is True
    result = validate_ubl(xml)
    assert result.is_valid
    assert result.failures == ()


def test_the_configured_seller_logo_is_on_the_pdf(staff, oci_order):
    logo = default_storage.save("logos/vlinder.png", ContentFile(_logo_png()))
    configure_plugin(**SELLER, seller_logo=logo)

    assert _request(staff, oci_order)["status"] == "SUCCESS"

    pdf = embedded_pdf(IssuedDocument.objects.get().xml.encode())
    assert _images(pdf) == 1


def test_a_logo_gone_from_storage_leaves_the_pdf_without_it_not_the_invoice(
    staff, oci_order, caplog
):
    logo = default_storage.save("logos/vlinder.png", ContentFile(_logo_png()))
    configure_plugin(**SELLER, seller_logo=logo)
    default_storage.delete(logo)

    assert _request(staff, oci_order)["status"] == "SUCCESS"

    pdf = embedded_pdf(IssuedDocument.objects.get().xml.encode())
    assert _images(pdf) == 0
    assert "seller logo" in caplog.text


def _tax_subtotals(root):
    return [
        (
            _texts(subtotal, "cac:TaxCategory/cbc:ID")[0],
            _texts(subtotal, "cac:TaxCategory/cbc:Percent")[0],
            Decimal(_texts(subtotal, "cbc:TaxAmount")[0]),
        )
        for subtotal in root.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=NS)
    ]


def test_next_invoice_gets_the_next_number_and_an_order_is_invoiced_once(
    staff, seller_configured, vat_21_percent, make_transfer, place_order
):
    # 2 x 12.50 and 2 x 13.50 at 21 %: VAT 5.25 + 5.67 = 10.92 either way rounded.
    first_order = place_order(make_transfer(quantities=(2, 2)))
    second_order = place_order(make_transfer(quantities=(2, 2)), po_number="4500012346")

    first = _request(staff, first_order)
    # A number asked for by the caller would break the series: it is noted only.
    second = _request(staff, second_order, number="MY-OWN-1")
    again = _request(staff, first_order)

    assert (first["status"], first["number"]) == ("SUCCESS", _number(1))
    assert (second["status"], second["number"]) == ("SUCCESS", _number(2))
    private = {item["key"]: item["value"] for item in second["privateMetadata"]}
    assert private["oci.requested_number"] == "MY-OWN-1"
    root = etree.fromstring(IssuedDocument.objects.get(number=_number(2)).xml.encode())
    assert _texts(root, "cac:OrderReference/cbc:ID") == ["4500012346"]
    assert _tax_subtotals(root) == [("S", "21", Decimal("10.92"))]
    assert Decimal(_texts(root, "cac:LegalMonetaryTotal/cbc:PayableAmount")[0]) == (
        second_order.total_gross_amount
    )
    # A second invoice for one order would bill it twice.
    assert again["status"] == "FAILED"
    assert again["number"] is None
    assert f"already invoiced as {_number(1)}" in again["message"]
    assert _used_sequences() == 2


def test_vat_is_rounded_once_per_rate_so_order_and_invoice_agree(
    staff, seller_configured, vat_21_percent, make_transfer, place_order
):
    # 3 x 12.50 and 1 x 13.50 at 21 %: rounding per line would give 7.88 + 2.84 =
    # 10.72; EN 16931 rounds once on the rate's total (51.00 x 21 % = 10.71), and so
    # does the order placed from the PO.
    order = place_order(make_transfer(quantities=(3, 1)))

    result = _request(staff, order)

    assert result["status"] == "SUCCESS"
    root = etree.fromstring(IssuedDocument.objects.get(order=order).xml.encode())
    assert _tax_subtotals(root) == [("S", "21", Decimal("10.71"))]
    assert order.total_gross_amount == Decimal("61.71")


def test_order_totals_that_differ_from_the_invoice_are_refused_with_the_difference(
    staff, seller_configured, vat_21_percent, make_transfer, place_order
):
    order = place_order(make_transfer(quantities=(3, 1)))
    # As if the order had been changed by hand after it was placed.
    order.total_gross_amount += Decimal("0.01")
    order.save(update_fields=["total_gross_amount"])

    result = _request(staff, order)

    assert result["status"] == "FAILED"
    reason = _private(result)[FAILURE_KEY]
    assert "total due 61.71 vs the order's 61.72" in reason
    _assert_nothing_issued(order)


def _private(result):
    return {item["key"]: item["value"] for item in result["privateMetadata"]}


def _assert_nothing_issued(order):
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == JobStatus.FAILED
    assert invoice.number is None
    assert not invoice.invoice_file
    assert not IssuedDocument.objects.exists()
    assert _used_sequences() == 0
    assert order.events.filter(type=OrderEvents.INVOICE_REQUESTED).exists()
    assert not order.events.filter(type=OrderEvents.INVOICE_GENERATED).exists()


def test_missing_seller_iban_fails_clearly_and_uses_no_number(staff, oci_order):
    configure_plugin(**{**SELLER, "seller_iban": ""})

    result = _request(staff, oci_order)

    assert result["status"] == "FAILED"
    assert result["url"] is None
    assert "IBAN (seller_iban)" in result["message"]
    assert "IBAN (seller_iban)" in _private(result)[FAILURE_KEY]
    _assert_nothing_issued(oci_order)

    # Once configured, the order's invoice gets the series' first number.
    configure_plugin(**SELLER)
    assert _request(staff, oci_order)["number"] == _number(1)


def test_invoice_failing_a_configured_rule_set_is_not_issued(
    staff, oci_order, tmp_path
):
    rules = tmp_path / "buyer-rules.xslt"
    rules.write_text(BUYER_RULES, encoding="utf-8")
    configure_plugin(**SELLER, invoice_extra_rule_sets=f"\n{rules}\n")

    result = _request(staff, oci_order)

    assert result["status"] == "FAILED"
    assert "failed validation" in result["message"]
    assert "ZO-01: Ziekenhuis Oost books only buyer references" in result["message"]
    _assert_nothing_issued(oci_order)


def test_peppol_buyer_without_endpoint_is_refused_before_validation(
    staff, seller_configured, oci_order, oci_organisation
):
    oci_organisation.invoice_format = InvoiceFormat.PEPPOL_BIS_3
    oci_organisation.save()

    result = _request(staff, oci_order)

    assert result["status"] == "FAILED"
    assert "buyer electronic address (BT-49) is missing" in result["message"]
    _assert_nothing_issued(oci_order)


MUNICIPALITY_OIN = "00000001001234567000"


@pytest.mark.parametrize("invoice_format", list(InvoiceFormat))
def test_public_body_is_invoiced_with_its_oin(
    staff, seller_configured, oci_order, oci_organisation, invoice_format
):
    # A municipality (gemeente) is known by its OIN, also as its Peppol endpoint.
    connections.update_organisation(
        oci_organisation,
        {
            "name": "Gemeente Oost",
            "legal_id": MUNICIPALITY_OIN,
            "legal_id_scheme": "0190",
            "peppol_endpoint_id": MUNICIPALITY_OIN,
            "peppol_endpoint_scheme": "0190",
            "invoice_format": invoice_format,
        },
    )

    result = _request(staff, oci_order)

    assert result["status"] == JobStatus.SUCCESS.upper(), result["message"]
    xml = Invoice.objects.get(order=oci_order).invoice_file.read()
    assert validate_ubl(xml).is_valid
    assert IssuedDocument.objects.get().validation_result["valid"] is True
    root = etree.fromstring(xml)
    customer = root.xpath("cac:AccountingCustomerParty/cac:Party", namespaces=NS)[0]
    company_ids = customer.xpath("cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS)
    assert [(node.text, node.get("schemeID")) for node in company_ids] == [
        (MUNICIPALITY_OIN, "0190")
    ]
    endpoints = customer.xpath("cbc:EndpointID", namespaces=NS)
    assert [(node.text, node.get("schemeID")) for node in endpoints] == [
        (MUNICIPALITY_OIN, "0190")
    ]
    # The seller keeps its KvK number.
    supplier_ids = root.xpath(
        "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
        namespaces=NS,
    )
    assert [(node.text, node.get("schemeID")) for node in supplier_ids] == [
        ("30123456", "0106")
    ]


def test_buyer_invoiced_periodically_gets_no_per_order_invoice(
    staff, seller_configured, oci_order, oci_organisation
):
    oci_organisation.invoicing_preference = InvoicingPreference.PERIODIC_CONSOLIDATED
    oci_organisation.save()

    result = _request(staff, oci_order)

    assert result["status"] == "FAILED"
    assert "Ziekenhuis Oost is invoiced periodically" in result["message"]
    _assert_nothing_issued(oci_order)


def test_order_not_placed_through_oci_is_left_to_other_plugins(
    staff, seller_configured, order_with_lines, oci_connection
):
    # The shop has a connection, so the plugin answers invoice requests at all.
    response = staff.post_graphql(
        INVOICE_REQUEST,
        {"orderId": graphene.Node.to_global_id("Order", order_with_lines.pk)},
    )

    result = get_graphql_content(response)["data"]["invoiceRequest"]
    # No plugin answered: Saleor's pending invoice stays as it was.
    assert result["invoice"] is None
    invoice = Invoice.objects.get(order=order_with_lines)
    assert (invoice.status, invoice.number, invoice.message) == (
        JobStatus.PENDING,
        None,
        None,
    )
    assert invoice.private_metadata == {}
    assert not IssuedDocument.objects.exists()
    assert _used_sequences() == 0


def test_cancelled_order_is_not_invoiced(staff, seller_configured, oci_order):
    oci_order.status = OrderStatus.CANCELED
    oci_order.save(update_fields=["status"])

    result = _request(staff, oci_order)

    assert result["status"] == "FAILED"
    assert f"Order {oci_order.number} is cancelled." in result["message"]
    _assert_nothing_issued(oci_order)


SALEOR_INVOICE_REQUEST = """
mutation ($orderId: ID!) {
  invoiceRequest(orderId: $orderId) { invoice { status } errors { code } }
}
"""


def test_shop_without_connections_keeps_saleors_answer(
    staff_api_client, permission_group_manage_orders, order_with_lines
):
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order_id = graphene.Node.to_global_id("Order", order_with_lines.pk)

    response = staff_api_client.post_graphql(
        SALEOR_INVOICE_REQUEST, {"orderId": order_id}
    )

    result = get_graphql_content(response)["data"]["invoiceRequest"]
    assert result["errors"] == [{"code": "NO_INVOICE_PLUGIN"}]
    assert not Invoice.objects.exists()
