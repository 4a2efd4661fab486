"""Credit notes of invoiced OCI orders: ociCreditNoteCreate and cancellations."""

import base64
import re
from decimal import Decimal

import graphene
import pytest
from django.utils import timezone
from lxml import etree
from saleor.core import JobStatus
from saleor.graphql.tests.utils import assert_no_permission, get_graphql_content
from saleor.invoice.models import Invoice
from saleor.order import OrderEvents, OrderStatus
from saleor.order.models import OrderEvent

from saleor_oci_plugin.invoices.credit_notes import credit_cancelled_order
from saleor_oci_plugin.invoices.models import InvoiceNumberSeries, IssuedDocument
from saleor_oci_plugin.invoices.ubl import embedded_pdf, round_money
from saleor_oci_plugin.invoices.validation import validate_ubl
from saleor_oci_plugin.printing.raster import pdf_text

INVOICE_REQUEST = """
mutation ($orderId: ID!) {
  invoiceRequest(orderId: $orderId) { invoice { number status } errors { code } }
}
"""
CREDIT_NOTE_CREATE = """
mutation ($orderId: ID!, $lines: [OciCreditNoteLineInput!], $note: String) {
  ociCreditNoteCreate(orderId: $orderId, lines: $lines, note: $note) {
    creditNote { number kind payableAmount invoiceId xml pdf url }
    errors { field code message }
  }
}
"""
ORDER_CANCEL = """
mutation ($id: ID!) { orderCancel(id: $id) { errors { code message } } }
"""
NS = {
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _gid(type_name, pk):
    return graphene.Node.to_global_id(type_name, pk)


def _credit(client, order, lines=None, note=None):
    response = client.post_graphql(
        CREDIT_NOTE_CREATE,
        {
            "orderId": _gid("Order", order.pk),
            "lines": [
                {"orderLineId": _gid("OrderLine", line.pk), "quantity": quantity}
                for line, quantity in lines
            ]
            if lines is not None
            else None,
            "note": note,
        },
    )
    return get_graphql_content(response)["data"]["ociCreditNoteCreate"]


def _texts(root, path):
    return [node.text for node in root.xpath(path, namespaces=NS)]


def _amount(root, path):
    [text] = _texts(root, path)
    return Decimal(text)


def _year():
    return timezone.localdate().year


def _credit_note_sequence():
    series = InvoiceNumberSeries.objects.filter(prefix="OCI-CN-").first()
    return series.last_sequence if series else 0


@pytest.fixture
def invoiced_order(staff, seller_configured, oci_order):
    response = staff.post_graphql(
        INVOICE_REQUEST, {"orderId": _gid("Order", oci_order.pk)}
    )
    invoice = get_graphql_content(response)["data"]["invoiceRequest"]["invoice"]
    assert invoice["status"] == "SUCCESS"
    return oci_order


def test_a_partial_credit_note_is_valid_ubl_referring_to_the_invoice(
    staff, vat_21_percent, invoiced_order
):
    order = invoiced_order
    invoice = IssuedDocument.objects.get(order=order, kind="invoice")
    first, _ = order.lines.all()
    assert first.quantity == 3
    assert first.tax_rate == Decimal("0.21")

    result = _credit(staff, order, [(first, 2)], note="Two boxes arrived damaged.")

    assert result["errors"] == []
    credit_note = result["creditNote"]
    assert credit_note["kind"] == "credit_note"
    assert credit_note["number"] == f"OCI-CN-{_year()}-00001"
    xml = credit_note["xml"].encode()
    assert validate_ubl(xml).is_valid
    root = etree.fromstring(xml)
    assert root.tag == f"{{{NS['cn']}}}CreditNote"
    assert _texts(root, "cbc:CreditNoteTypeCode") == ["381"]
    assert _texts(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == [
        invoice.number
    ]
    # Same PO number, buyer reference and cost centres as the invoice.
    assert _texts(root, "cac:OrderReference/cbc:ID") == ["4500012345"]
    assert _texts(root, "cbc:BuyerReference") == ["Afdeling Inkoop"]
    assert _texts(root, "cbc:AccountingCost") == ["KP-4711"]
    assert _texts(root, "cbc:Note") == ["Two boxes arrived damaged."]
    [line] = root.xpath("cac:CreditNoteLine", namespaces=NS)
    assert _texts(line, "cbc:CreditedQuantity") == ["2"]
    assert _texts(line, "cac:OrderLineReference/cbc:LineID") == ["10"]
    assert _texts(line, "cbc:AccountingCost") == ["KP-471"]
    assert _texts(
        line, "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode"
    ) == [first.metadata["oci.nzi_code"]]
    # Two thirds of the first order line, positive, with 21 % VAT on top.
    net = round_money(first.total_price_net_amount * 2 / 3)
    assert net > 0
    assert _amount(line, "cbc:LineExtensionAmount") == net
    assert _amount(root, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") == net
    gross = net + round_money(net * Decimal("0.21"))
    assert _amount(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == gross
    assert Decimal(str(credit_note["payableAmount"])) == gross
    # Its PDF copy, embedded in the UBL that passed validation, says the same.
    pdf = base64.b64decode(credit_note["pdf"])
    assert pdf == embedded_pdf(xml)
    text = re.sub(r"\s+", " ", pdf_text(pdf)[0])
    assert f"Credit note {credit_note['number']}" in text
    assert f"Corrects invoice {invoice.number}" in text
    assert "Purchase order 4500012345" in text
    assert f"Amount credited USD {gross:,.2f}" in text
    assert "Two boxes arrived damaged." in text
    assert validate_ubl(xml).failures == ()

    # Attached to a Saleor invoice of the order, beside the invoice itself.
    saleor_invoice = Invoice.objects.get(number=credit_note["number"])
    assert saleor_invoice.order_id == order.pk
    assert saleor_invoice.status == JobStatus.SUCCESS
    assert saleor_invoice.invoice_file.read() == xml
    assert credit_note["invoiceId"] == _gid("Invoice", saleor_invoice.pk)
    assert credit_note["url"].endswith(f"{credit_note['number']}.xml")
    assert OrderEvent.objects.filter(
        order=order,
        type=OrderEvents.INVOICE_GENERATED,
        parameters__invoice_number=credit_note["number"],
    ).exists()

    # The last piece of the line takes the next number of the credit note series;
    # the invoice series is untouched.
    rest = _credit(staff, order, [(first, 1)])
    assert rest["errors"] == []
    assert rest["creditNote"]["number"] == f"OCI-CN-{_year()}-00002"
    assert InvoiceNumberSeries.objects.get(prefix="OCI-").last_sequence == 1


def test_crediting_more_than_invoiced_is_refused_and_writes_nothing(
    staff, invoiced_order
):
    order = invoiced_order
    first, _ = order.lines.all()
    invoices_before = Invoice.objects.filter(order=order).count()
    events_before = OrderEvent.objects.filter(order=order).count()

    result = _credit(staff, order, [(first, first.quantity + 1)])

    assert result["creditNote"] is None
    [error] = result["errors"]
    assert error["code"] == "CREDIT_EXCEEDS_INVOICE"
    assert error["field"] == "lines"
    assert not IssuedDocument.objects.filter(kind="credit_note").exists()
    assert Invoice.objects.filter(order=order).count() == invoices_before
    assert OrderEvent.objects.filter(order=order).count() == events_before
    assert _credit_note_sequence() == 0


def test_a_line_of_another_order_is_not_found(
    staff, invoiced_order, make_transfer, place_order
):
    other = place_order(make_transfer(), po_number="4500099999")

    result = _credit(staff, invoiced_order, [(other.lines.first(), 1)])

    assert [error["code"] for error in result["errors"]] == ["NOT_FOUND"]
    assert not IssuedDocument.objects.filter(kind="credit_note").exists()


def test_an_order_not_invoiced_is_refused(
    staff, seller_configured, oci_order, order_with_lines
):
    for order in (oci_order, order_with_lines):
        result = _credit(staff, order)

        assert result["creditNote"] is None
        assert [error["code"] for error in result["errors"]] == ["NOT_INVOICED"]
    assert not Invoice.objects.exists()
    assert not IssuedDocument.objects.exists()


def test_without_manage_orders_credit_notes_are_refused(staff_api_client, oci_order):
    response = staff_api_client.post_graphql(
        CREDIT_NOTE_CREATE, {"orderId": _gid("Order", oci_order.pk)}
    )

    assert_no_permission(response)


def test_cancelling_an_invoiced_order_credits_the_whole_invoice(
    staff, invoiced_order, django_capture_on_commit_callbacks
):
    order = invoiced_order
    invoice = IssuedDocument.objects.get(order=order, kind="invoice")

    # Saleor calls the plugins' order_cancelled hook once the cancellation commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post_graphql(ORDER_CANCEL, {"id": _gid("Order", order.pk)})
    assert get_graphql_content(response)["data"]["orderCancel"]["errors"] == []

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED
    credit_note = IssuedDocument.objects.get(kind="credit_note")
    assert credit_note.number == f"OCI-CN-{_year()}-00001"
    assert credit_note.credited_invoice == invoice
    assert credit_note.payable_amount == invoice.payable_amount
    assert credit_note.invoice.status == JobStatus.SUCCESS
    assert credit_note.invoice.order_id == order.pk
    root = etree.fromstring(credit_note.xml.encode())
    assert _texts(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == [
        invoice.number
    ]
    invoice_root = etree.fromstring(invoice.xml.encode())
    assert len(root.xpath("cac:CreditNoteLine", namespaces=NS)) == len(
        invoice_root.xpath("cac:InvoiceLine", namespaces=NS)
    )
    assert _texts(root, "cbc:Note") == [f"Order {order.number} was cancelled."]

    # Credited in full: running the hook again issues nothing and records no failure.
    invoices_before = Invoice.objects.count()
    credit_cancelled_order(order, _plugin_config())
    assert IssuedDocument.objects.filter(kind="credit_note").count() == 1
    assert Invoice.objects.count() == invoices_before


def test_cancelling_an_order_not_invoiced_issues_nothing(
    staff, seller_configured, oci_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post_graphql(ORDER_CANCEL, {"id": _gid("Order", oci_order.pk)})

    assert get_graphql_content(response)["data"]["orderCancel"]["errors"] == []
    assert not Invoice.objects.exists()
    assert not IssuedDocument.objects.exists()


def _plugin_config():
    from saleor.plugins.manager import get_plugins_manager

    from saleor_oci_plugin import PLUGIN_ID

    plugin = get_plugins_manager(allow_replica=False).get_plugin(PLUGIN_ID)
    return plugin.config.invoicing


def _rounding(root):
    return _texts(root, "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount")


def test_partial_credit_notes_then_the_rest_end_at_the_invoice_amount(
    staff, vat_21_percent, invoiced_order
):
    # 3 x 12.50 and 1 x 13.50 at 21 %: the invoice's VAT is 21 % of 51.00, 10.71.
    # Credited one piece at a time, each 12.50 carries 2.625 -> 2.63 VAT, and the
    # 13.50 left carries 2.835 -> 2.84: the credit notes' VAT would be 10.73.
    order = invoiced_order
    invoice = IssuedDocument.objects.get(order=order, kind="invoice")
    first, _ = order.lines.all()
    assert invoice.payable_amount == Decimal("61.71")

    partial = [_credit(staff, order, [(first, 1)]) for _ in range(3)]

    for result in partial:
        assert result["errors"] == []
        root = etree.fromstring(result["creditNote"]["xml"].encode())
        assert _rounding(root) == []
        assert _amount(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == Decimal(
            "15.13"
        )

    rest = _credit(staff, order, note="The rest was returned.")

    assert rest["errors"] == []
    xml = rest["creditNote"]["xml"].encode()
    root = etree.fromstring(xml)
    # The VAT stays what the credit note's own lines give (BR-S-09, BR-CO-14);
    # the two cents go into the rounding amount (BT-114, BR-CO-16).
    assert _amount(root, "cac:TaxTotal/cbc:TaxAmount") == Decimal("2.84")
    monetary = "cac:LegalMonetaryTotal/cbc:"
    assert _amount(root, monetary + "TaxInclusiveAmount") == Decimal("16.34")
    assert _rounding(root) == ["-0.02"]
    assert _amount(root, monetary + "PayableAmount") == Decimal("16.32")
    assert Decimal(str(rest["creditNote"]["payableAmount"])) == Decimal("16.32")
    credit_notes = IssuedDocument.objects.filter(kind="credit_note")
    assert credit_notes.count() == 4
    assert sum(note.payable_amount for note in credit_notes) == invoice.payable_amount
    for note in credit_notes:
        result = validate_ubl(note.xml.encode())
        assert result.is_valid, result.fatal
    # Nothing is left to credit.
    again = _credit(staff, order)
    assert [error["code"] for error in again["errors"]] == ["CREDIT_EXCEEDS_INVOICE"]


def test_crediting_the_rest_in_one_go_needs_no_rounding(
    staff, vat_21_percent, invoiced_order
):
    invoice = IssuedDocument.objects.get(order=invoiced_order, kind="invoice")

    result = _credit(staff, invoiced_order)

    assert result["errors"] == []
    root = etree.fromstring(result["creditNote"]["xml"].encode())
    assert _rounding(root) == []
    assert _amount(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == (
        invoice.payable_amount
    )
    assert _amount(root, "cac:TaxTotal/cbc:TaxAmount") == Decimal("10.71")


@pytest.mark.parametrize("closing", ["every open line named", "order cancelled"])
def test_the_credit_note_closing_the_invoice_is_rounded_however_it_is_made(
    staff, vat_21_percent, invoiced_order, django_capture_on_commit_callbacks, closing
):
    order = invoiced_order
    invoice = IssuedDocument.objects.get(order=order, kind="invoice")
    first, second = order.lines.all()
    assert _credit(staff, order, [(first, 1)])["errors"] == []  # 15.13

    if closing == "order cancelled":
        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post_graphql(ORDER_CANCEL, {"id": _gid("Order", order.pk)})
        assert get_graphql_content(response)["data"]["orderCancel"]["errors"] == []
    else:
        assert _credit(staff, order, [(first, 2), (second, 1)])["errors"] == []

    # 2 x 12.50 + 13.50 = 38.50 with 8.085 -> 8.09 VAT: 46.59, a cent too many.
    closing_note = IssuedDocument.objects.filter(kind="credit_note").first()
    root = etree.fromstring(closing_note.xml.encode())
    assert _amount(root, "cac:TaxTotal/cbc:TaxAmount") == Decimal("8.09")
    assert _rounding(root) == ["-0.01"]
    assert closing_note.payable_amount == Decimal("46.58")
    assert validate_ubl(closing_note.xml.encode()).is_valid
    assert closing_note.invoice.status == JobStatus.SUCCESS
    assert (
        sum(n.payable_amount for n in IssuedDocument.objects.filter(kind="credit_note"))
        == invoice.payable_amount
    )
    # The rounding is shown on the credit note's page too.
    assert "<th>Rounding</th>" in closing_note.html


def test_a_difference_rounding_cannot_explain_is_refused_as_before(
    staff, vat_21_percent, invoiced_order
):
    order = invoiced_order
    first, _ = order.lines.all()
    assert _credit(staff, order, [(first, 1)])["errors"] == []  # 15.13
    # One credit note of one VAT rate: a cent of rounding at most, not three.
    IssuedDocument.objects.filter(kind="invoice").update(
        payable_amount=Decimal("61.68")
    )

    result = _credit(staff, order)

    assert result["creditNote"] is None
    [error] = result["errors"]
    assert error["code"] == "CREDIT_EXCEEDS_INVOICE"
    assert "46.59" in error["message"]  # 2 x 12.50 + 13.50 with VAT, unrounded
    assert IssuedDocument.objects.filter(kind="credit_note").count() == 1


def test_a_credit_note_gives_back_budget_room(
    staff, invoiced_order, make_transfer, oci_organisation
):
    from django.core.exceptions import ValidationError

    from saleor_oci_plugin.buyers import budgets
    from saleor_oci_plugin.buyers.models import Budget

    spent = invoiced_order.total_net_amount  # 51.00
    budget = Budget.objects.create(
        organisation=oci_organisation,
        name="Gifts",
        amount=spent + Decimal("30"),
        currency=invoiced_order.currency,
    )
    with pytest.raises(ValidationError) as refused:
        make_transfer()  # another 51.00
    assert refused.value.message_dict["budget"][0].startswith("Budget 'Gifts'")

    result = _credit(staff, invoiced_order)

    assert result["errors"] == []
    [use] = budgets.uses([budget])
    assert use.spent == Decimal(0)
    assert make_transfer() is not None
