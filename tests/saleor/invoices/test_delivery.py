"""E-mailing issued invoices and credit notes: delivery.py and its Celery task.

Saleor's test settings send mail through Django's locmem backend (``mail.outbox``)
and run Celery tasks eagerly, retries included. A document is e-mailed once its
transaction commits: Saleor's test client runs those callbacks after each request.
"""

import datetime
import smtplib
from email.message import Message

import graphene
import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from lxml import etree
from saleor.account.models import Address
from saleor.core import JobStatus
from saleor.graphql.tests.utils import assert_no_permission, get_graphql_content
from saleor.invoice import InvoiceEvents
from saleor.invoice.models import Invoice, InvoiceEvent
from saleor.order import OrderEvents
from saleor.order.models import OrderEvent

from saleor_oci_plugin.buyers.models import InvoicingPreference
from saleor_oci_plugin.invoices.delivery import (
    DeliveryFailed,
    recipient,
    send_after_commit,
    send_document,
)
from saleor_oci_plugin.invoices.models import InvoicedOrder, IssuedDocument
from saleor_oci_plugin.invoices.periodic import carry_out, create_run
from saleor_oci_plugin.invoices.tasks import (
    SEND_RETRIES,
    invoicing_configuration,
    send_document_task,
)
from saleor_oci_plugin.invoices.ubl import embedded_pdf
from saleor_oci_plugin.printing.raster import pdf_text

BRANCH_EMAIL = "crediteuren.noord@ziekenhuis-oost.example"
ORGANISATION_EMAIL = "crediteuren@ziekenhuis-oost.example"
INVOICE_REQUEST = """
mutation ($orderId: ID!) {
  invoiceRequest(orderId: $orderId) { invoice { number status } errors { code } }
}
"""
CREDIT_NOTE_CREATE = """
mutation ($orderId: ID!) {
  ociCreditNoteCreate(orderId: $orderId) { creditNote { number } errors { code } }
}
"""
ORDER_CANCEL = """
mutation ($id: ID!) { orderCancel(id: $id) { errors { code message } } }
"""


class MailServerDown(BaseEmailBackend):
    """An e-mail backend whose server refuses every message, as smtplib reports it."""

    attempts = 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def mail_server_down(settings):
    MailServerDown.attempts = 0
    settings.EMAIL_BACKEND = f"{__name__}.{MailServerDown.__qualname__}"
    return MailServerDown


@pytest.fixture
def addresses(oci_organisation, oci_branch):
    """Both the branch and its organisation have an invoice address."""
    oci_organisation.invoice_email = ORGANISATION_EMAIL
    oci_organisation.save(update_fields=["invoice_email"])
    oci_branch.invoice_email = BRANCH_EMAIL
    oci_branch.save(update_fields=["invoice_email"])


@pytest.fixture
def request_invoice(staff, seller_configured):
    """Request an order's invoice over GraphQL (Saleor's test client runs what
    waits for the request's transaction to commit)."""

    def request(order):
        response = staff.post_graphql(
            INVOICE_REQUEST, {"orderId": _gid("Order", order.pk)}
        )
        invoice = get_graphql_content(response)["data"]["invoiceRequest"]["invoice"]
        assert invoice["status"] == JobStatus.SUCCESS.upper()
        return IssuedDocument.objects.get(number=invoice["number"])

    return request


def _gid(type_name, pk):
    return graphene.Node.to_global_id(type_name, pk)


def _attachments(message) -> dict[str, tuple[str, bytes]]:
    """The files of the MIME message as sent: name -> (content type, bytes)."""
    parts: list[Message] = list(message.message().walk())
    return {
        part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
        for part in parts
        if part.get_filename()
    }


def test_an_invoice_is_emailed_to_its_branch_with_the_ubl_pdf_and_rendering(
    addresses, request_invoice, oci_order, settings
):
    document = request_invoice(oci_order)

    [message] = mail.outbox
    assert message.to == [BRANCH_EMAIL]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    attachments = _attachments(message)
    assert list(attachments) == [
        f"{document.number}.xml",
        f"{document.number}.pdf",
        f"{document.number}.html",
    ]
    # The PDF copy the UBL carries, as a file of its own.
    content_type, pdf = attachments[f"{document.number}.pdf"]
    assert content_type == "application/pdf"
    assert pdf == embedded_pdf(document.xml.encode())
    assert pdf.startswith(b"%PDF-")
    assert f"Invoice {document.number}" in pdf_text(pdf)[0]
    content_type, xml = attachments[f"{document.number}.xml"]
    assert content_type == "application/xml"
    assert xml == document.xml.encode()
    assert etree.fromstring(xml).findtext(
        "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID"
    ) == (document.number)
    content_type, html = attachments[f"{document.number}.html"]
    assert content_type == "text/html"
    assert html.decode() == document.html

    # What accounts payable looks for first, without opening the files.
    assert message.subject == (
        f"Invoice {document.number} from Cadeauhuis De Vlinder B.V., purchase "
        "order 4500012345"
    )
    due_date = document.issue_date + datetime.timedelta(days=30)
    for text in (
        f"Invoice number:   {document.number}",
        "Purchase order:   4500012345",
        "Your reference:   Afdeling Inkoop",
        "Cost centre:      KP-4711",
        f"Amount due:       USD {document.payable_amount:,.2f}",
        f"Due date:         {due_date.isoformat()}",
        "IBAN:             NL91ABNA0417164300",
    ):
        assert text in message.body
    text = " ".join(message.body.split())
    assert text.startswith(
        f"Invoice {document.number} from Cadeauhuis De Vlinder B.V. to Ziekenhuis "
        "Oost / Locatie Noord."
    )
    assert f"Attached: {document.number}.xml, the e-invoice (SI-UBL 2.0, UBL 2.1)" in (
        text
    )
    assert f"{document.number}.pdf, the same document as a PDF" in text
    assert max(len(line) for line in message.body.splitlines()) <= 80

    document.refresh_from_db()
    assert document.sent_at is not None
    assert document.sent_to == BRANCH_EMAIL
    assert document.delivery_error == ""


def test_saleor_records_the_invoice_as_sent_on_the_invoice_and_the_order(
    addresses, request_invoice, oci_order
):
    document = request_invoice(oci_order)

    sent = InvoiceEvent.objects.get(type=InvoiceEvents.SENT)
    assert sent.invoice_id == document.invoice_id
    assert sent.parameters == {"email": BRANCH_EMAIL}
    assert (sent.user_id, sent.app_id) == (None, None)
    order_event = OrderEvent.objects.get(type=OrderEvents.INVOICE_SENT)
    assert order_event.order_id == oci_order.pk
    assert order_event.parameters == {"email": BRANCH_EMAIL}


def test_a_branch_without_an_address_gets_its_organisations(
    oci_organisation, request_invoice, oci_order
):
    oci_organisation.invoice_email = ORGANISATION_EMAIL
    oci_organisation.save(update_fields=["invoice_email"])

    document = request_invoice(oci_order)

    [message] = mail.outbox
    assert message.to == [ORGANISATION_EMAIL]
    document.refresh_from_db()
    assert document.sent_to == ORGANISATION_EMAIL


def test_without_any_address_nothing_is_sent_and_the_reason_is_kept(
    request_invoice, oci_order
):
    document = request_invoice(oci_order)

    assert mail.outbox == []
    document.refresh_from_db()
    assert document.sent_at is None
    assert document.delivery_error == (
        "No invoice e-mail address for Ziekenhuis Oost / Locatie Noord; set one "
        "to have invoices e-mailed."
    )
    # The invoice itself is issued all the same, and no "sent" is recorded.
    assert Invoice.objects.get(order=oci_order).status == JobStatus.SUCCESS
    assert not InvoiceEvent.objects.filter(type=InvoiceEvents.SENT).exists()


def test_a_mail_server_that_is_down_is_retried_then_given_up_on(
    addresses, mail_server_down, request_invoice, oci_order
):
    document = request_invoice(oci_order)

    # The first try and every retry (eager Celery runs them at once).
    assert mail_server_down.attempts == SEND_RETRIES + 1
    document.refresh_from_db()
    assert document.sent_at is None
    assert document.sent_to == ""
    assert document.delivery_error == (
        f"Sending to {BRANCH_EMAIL} failed: SMTPServerDisconnected: Connection "
        "unexpectedly closed. Gave up; the document was not sent."
    )
    invoice = Invoice.objects.get(order=oci_order)
    assert invoice.status == JobStatus.SUCCESS
    assert invoice.number == document.number
    assert not InvoiceEvent.objects.filter(type=InvoiceEvents.SENT).exists()


def test_a_failed_attempt_before_the_last_says_it_will_be_retried(
    addresses, mail_server_down, request_invoice, oci_order
):
    document = request_invoice(oci_order)

    with pytest.raises(DeliveryFailed):
        send_document(document.pk, last_attempt=False)

    document.refresh_from_db()
    assert document.delivery_error.endswith("It will be tried again.")


def test_once_the_server_is_back_a_new_attempt_sends_and_clears_the_error(
    addresses, mail_server_down, request_invoice, oci_order, settings
):
    document = request_invoice(oci_order)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    send_document_task.delay(document.pk)

    [message] = mail.outbox
    assert message.to == [BRANCH_EMAIL]
    document.refresh_from_db()
    assert document.sent_to == BRANCH_EMAIL
    assert document.delivery_error == ""


def test_a_document_is_not_sent_twice(addresses, request_invoice, oci_order):
    document = request_invoice(oci_order)
    sent_at = IssuedDocument.objects.get(pk=document.pk).sent_at

    # A redelivered task message, and a second call.
    send_document_task.delay(document.pk)
    send_document(document.pk)

    assert len(mail.outbox) == 1
    assert IssuedDocument.objects.get(pk=document.pk).sent_at == sent_at
    assert InvoiceEvent.objects.filter(type=InvoiceEvents.SENT).count() == 1
    assert OrderEvent.objects.filter(type=OrderEvents.INVOICE_SENT).count() == 1


def test_a_deleted_document_is_not_sent(db):
    send_document(987654)

    assert mail.outbox == []


def test_a_document_whose_transaction_is_rolled_back_is_never_sent(
    addresses, request_invoice, oci_order, django_capture_on_commit_callbacks
):
    document = request_invoice(oci_order)
    IssuedDocument.objects.filter(pk=document.pk).update(sent_at=None)
    mail.outbox.clear()

    def issue_then_fail():
        with transaction.atomic():
            send_after_commit(document)
            raise RuntimeError("the request failed after all")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        issue_then_fail()

    assert callbacks == []
    assert mail.outbox == []


def test_a_credit_note_is_emailed_when_staff_issue_it(
    addresses, staff, request_invoice, oci_order
):
    invoice = request_invoice(oci_order)

    response = staff.post_graphql(
        CREDIT_NOTE_CREATE, {"orderId": _gid("Order", oci_order.pk)}
    )

    number = get_graphql_content(response)["data"]["ociCreditNoteCreate"]["creditNote"][
        "number"
    ]
    _, message = mail.outbox
    assert message.to == [BRANCH_EMAIL]
    assert message.subject == (
        f"Credit note {number} from Cadeauhuis De Vlinder B.V., crediting invoice "
        f"{invoice.number}"
    )
    assert f"Credits invoice:    {invoice.number}" in message.body
    assert f"Amount credited:    USD {invoice.payable_amount:,.2f}" in message.body
    assert "Due date" not in message.body
    assert list(_attachments(message)) == [
        f"{number}.xml",
        f"{number}.pdf",
        f"{number}.html",
    ]
    credit_note = IssuedDocument.objects.get(number=number)
    assert credit_note.sent_to == BRANCH_EMAIL
    # Saleor's invoice that shows the credit note on the order is marked sent too.
    assert InvoiceEvent.objects.filter(
        type=InvoiceEvents.SENT, invoice_id=credit_note.invoice_id
    ).exists()


def test_the_credit_note_of_a_cancelled_order_is_emailed(
    addresses, staff, request_invoice, oci_order
):
    request_invoice(oci_order)

    # Saleor calls the order_cancelled hook once the cancellation has committed;
    # the credit note it issues is e-mailed once its own transaction has.
    response = staff.post_graphql(ORDER_CANCEL, {"id": _gid("Order", oci_order.pk)})

    assert get_graphql_content(response)["data"]["orderCancel"]["errors"] == []
    credit_note = IssuedDocument.objects.get(kind=IssuedDocument.Kind.CREDIT_NOTE)
    assert [message.subject.split(" from ")[0] for message in mail.outbox] == [
        f"Invoice {credit_note.credited_invoice.number}",
        f"Credit note {credit_note.number}",
    ]
    assert f"Note:               Order {oci_order.number} was cancelled." in (
        mail.outbox[1].body
    )
    credit_note.refresh_from_db()
    assert credit_note.sent_to == BRANCH_EMAIL


def test_a_consolidated_invoice_goes_to_the_organisation_naming_every_order(
    addresses, oci_organisation, seller_configured, make_transfer, place_order
):
    oci_organisation.invoicing_preference = InvoicingPreference.PERIODIC_CONSOLIDATED
    oci_organisation.invoice_address = Address.objects.create(
        company_name="Ziekenhuis Oost, Crediteuren",
        street_address_1="Postbus 1000",
        city="Utrecht",
        postal_code="3500 AA",
        country="NL",
    )
    oci_organisation.save(update_fields=["invoicing_preference", "invoice_address"])
    orders = [
        place_order(make_transfer(), po_number=po_number)
        for po_number in ("4500012345", "4500012346")
    ]
    today = timezone.localdate()
    run = carry_out(
        create_run(today, today, requested_by="test"), invoicing_configuration()
    )
    [document] = run.documents.all()
    assert document.branch is None

    send_document(document.pk)

    [message] = mail.outbox
    # A consolidated invoice is the organisation's, not one branch's.
    assert message.to == [ORGANISATION_EMAIL]
    assert message.subject == (
        f"Invoice {document.number} from Cadeauhuis De Vlinder B.V., "
        f"{today.isoformat()} to {today.isoformat()}"
    )
    assert "Purchase orders:  4500012345, 4500012346" in message.body
    assert f"Invoicing period: {today.isoformat()} to {today.isoformat()}" in (
        message.body
    )
    # Saleor's invoice on each order it bills, and each order, record the mail.
    billed = InvoicedOrder.objects.filter(document=document)
    assert set(
        InvoiceEvent.objects.filter(type=InvoiceEvents.SENT).values_list(
            "invoice_id", flat=True
        )
    ) == {row.invoice_id for row in billed}
    assert len(billed) == 2
    assert set(
        OrderEvent.objects.filter(type=OrderEvents.INVOICE_SENT).values_list(
            "order_id", flat=True
        )
    ) == {order.pk for order in orders}


def test_a_document_issued_before_it_named_its_organisation_goes_to_its_connections(
    addresses, request_invoice, oci_order
):
    document = request_invoice(oci_order)
    document.organisation = None
    document.branch = None

    assert recipient(document) == ORGANISATION_EMAIL


def test_a_document_of_no_known_organisation_says_so(
    addresses, request_invoice, oci_order
):
    document = request_invoice(oci_order)
    IssuedDocument.objects.filter(pk=document.pk).update(
        organisation=None, branch=None, connection=None, sent_at=None
    )

    send_document(document.pk)

    document.refresh_from_db()
    assert document.sent_at is None
    assert document.delivery_error.startswith("No buyer organisation is recorded")


INVOICE_SEND = """
mutation ($id: ID!) {
  ociInvoiceSend(id: $id) {
    invoice { number sentTo sentAt deliveryError }
    errors { field code message }
  }
}
"""


def _send(client, document):
    response = client.post_graphql(
        INVOICE_SEND, {"id": _gid("OciInvoice", document.pk)}
    )
    return get_graphql_content(response)["data"]["ociInvoiceSend"]


def test_staff_send_an_invoice_once_its_branch_has_an_address(
    staff, request_invoice, oci_order, oci_branch
):
    document = request_invoice(oci_order)
    without_address = _send(staff, document)
    oci_branch.invoice_email = BRANCH_EMAIL
    oci_branch.save(update_fields=["invoice_email"])

    sent = _send(staff, document)
    again = _send(staff, document)

    assert [(e["field"], e["code"]) for e in without_address["errors"]] == [
        ("id", "REQUIRED")
    ]
    assert (
        "No invoice e-mail address for Ziekenhuis Oost"
        in (without_address["errors"][0]["message"])
    )
    assert sent["errors"] == []
    assert sent["invoice"]["number"] == document.number
    # The Celery task sends it once the request's work has committed.
    assert [message.to for message in mail.outbox] == [[BRANCH_EMAIL]]
    document.refresh_from_db()
    assert (document.sent_to, document.delivery_error) == (BRANCH_EMAIL, "")
    # Once sent, not again.
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("id", "INVALID")]
    assert f"was e-mailed to {BRANCH_EMAIL}" in again["errors"][0]["message"]
    assert len(mail.outbox) == 1


def test_sending_needs_manage_orders_and_a_known_document(
    staff, staff_api_client, request_invoice, oci_order
):
    document = request_invoice(oci_order)
    unknown = staff.post_graphql(
        INVOICE_SEND, {"id": _gid("OciInvoice", document.pk + 1000)}
    )
    malformed = staff.post_graphql(INVOICE_SEND, {"id": "nonsense"})

    result = get_graphql_content(unknown)["data"]["ociInvoiceSend"]
    assert [e["code"] for e in result["errors"]] == ["NOT_FOUND"]
    result = get_graphql_content(malformed)["data"]["ociInvoiceSend"]
    assert [e["code"] for e in result["errors"]] == ["GRAPHQL_ERROR"]
    staff.user.groups.clear()
    assert_no_permission(
        staff.post_graphql(INVOICE_SEND, {"id": _gid("OciInvoice", document.pk)})
    )
    assert mail.outbox == []
