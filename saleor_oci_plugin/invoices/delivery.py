"""E-mailing issued invoices and credit notes to the buyer's accounts payable.

Every stored document is sent once, by a Celery task on Saleor's workers, never
inside the request that issued it: ``send_after_commit`` queues the task when the
document's transaction commits (a rolled-back document is never sent). The mail
goes through Saleor's mail settings, i.e. Django's configured e-mail backend and
``DEFAULT_FROM_EMAIL``, to the branch's invoice address, else the organisation's
(a consolidated invoice has no branch). It carries the UBL (``<number>.xml``,
what the buyer's system books, with the PDF copy embedded), the PDF copy
(``<number>.pdf``, what a person reads, prints or files) and the HTML rendering
(``<number>.html``), and a short text with what an accounts-payable clerk
looks for first: number, purchase order(s) or period, amount and due date.

What happened is kept on the document: ``sent_at`` and ``sent_to`` once sent, or
``delivery_error`` saying why not. Without an address nothing is sent and nothing
is retried; a backend failure is retried with growing pauses (the task's
settings, ``tasks.send_document_task``). Sending holds the document's row lock
and ``sent_at`` is set in the same transaction, so a redelivered task message or
a second call sends nothing once it has gone. Once sent, Saleor's events are
recorded as its own invoice mails record them: "invoice sent" on each Saleor
invoice that shows the document and on each order it bills.
"""

import datetime
import logging
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from lxml import etree
from saleor.invoice import events as invoice_events
from saleor.order import events as order_events

from ..buyers.models import BuyerOrganisation
from .models import IssuedDocument
from .ubl import CAC_NS, CBC_NS, PDF_MIME_CODE, embedded_pdf

logger = logging.getLogger(__name__)

XML_CONTENT_TYPE = "application/xml"
HTML_CONTENT_TYPE = "text/html"
# Sending holds the document's row lock: a mail server that never answers must
# not hold it for ever where the shop has set no EMAIL_TIMEOUT.
SEND_TIMEOUT_SECONDS = 60
_NS = {"cac": CAC_NS, "cbc": CBC_NS}
# Plain-text mail is read best in lines of at most 72 characters.
_TEXT_WIDTH = 72
_SPECIFICATIONS = {
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0": "SI-UBL 2.0",
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0": (
        "Peppol BIS Billing 3.0"
    ),
}


class DeliveryFailed(Exception):
    """The mail backend did not take the message; ``delivery_error`` says why."""


def send_after_commit(document: IssuedDocument) -> None:
    """E-mail ``document`` from a Celery task once its transaction has committed.

    Never raises into the caller: a broker that cannot take the task is logged
    (``robust``), and the document stays issued, unsent.
    """
    document_pk = document.pk

    def enqueue_delivery() -> None:
        # tasks.py imports this module (through periodic.py), so not at the top.
        from .tasks import send_document_task

        send_document_task.delay(document_pk)

    transaction.on_commit(enqueue_delivery, robust=True)


def send_document(document_pk: int, *, last_attempt: bool = True) -> None:
    """Send the document unless it has gone already; record what happened.

    Raises ``DeliveryFailed`` when the backend failed (the error is recorded
    first), so that the task tries again; ``last_attempt`` only changes what the
    recorded error says. A document without a recipient is not an error to retry.
    """
    failure = _send_once(document_pk, last_attempt=last_attempt)
    if failure:
        # Raised after the transaction has committed, so the recorded error stays.
        raise DeliveryFailed(failure)


def _send_once(document_pk: int, *, last_attempt: bool) -> str | None:
    """One attempt under the document's row lock; the failure, if it failed."""
    with transaction.atomic():
        document = (
            IssuedDocument.objects.select_for_update().filter(pk=document_pk).first()
        )
        if document is None or document.sent_at is not None:
            # Deleted, or sent already: a redelivered task message, a second call.
            return None
        address = recipient(document)
        if not address:
            document.delivery_error = no_recipient_reason(document)
            document.save(update_fields=["delivery_error"])
            return None
        try:
            build_message(document, address).send()
        except Exception as error:
            # Any backend (SMTP, an API service, a misconfigured one) fails its
            # own way; none of it may reach the request, and all of it is kept
            # for staff and worth another try.
            logger.warning(
                "E-mailing %s to %s failed", document.number, address, exc_info=True
            )
            failure = (
                f"Sending to {address} failed: {type(error).__name__}: {error}. "
                + (
                    "Gave up; the document was not sent."
                    if last_attempt
                    else "It will be tried again."
                )
            )
            document.delivery_error = failure
            document.save(update_fields=["delivery_error"])
            return failure
        document.sent_at = timezone.now()
        document.sent_to = address
        document.delivery_error = ""
        document.save(update_fields=["sent_at", "sent_to", "delivery_error"])
        _record_saleor_events(document, address)
        return None


def recipient(document: IssuedDocument) -> str:
    """Where the document goes: its branch's invoice address, else its organisation's.

    Empty when neither has one.
    """
    branch = document.branch
    if branch is not None and branch.invoice_email:
        return branch.invoice_email
    organisation = document_organisation(document)
    return organisation.invoice_email if organisation is not None else ""


def document_organisation(document: IssuedDocument) -> BuyerOrganisation | None:
    """The organisation the document was issued to.

    Documents issued before ``IssuedDocument.organisation`` existed name it only
    through their connection.
    """
    if document.organisation is not None:
        return document.organisation
    connection = document.connection
    return connection.organisation if connection is not None else None


def build_message(document: IssuedDocument, address: str) -> EmailMessage:
    """The mail of ``document`` to ``address``: a short text and both files."""
    summary = _Summary.of(document)
    message = EmailMessage(
        subject=summary.subject(),
        body=summary.body(),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=get_connection(
            timeout=settings.EMAIL_TIMEOUT or SEND_TIMEOUT_SECONDS
        ),
    )
    xml = document.xml.encode()
    message.attach(f"{document.number}.xml", xml, XML_CONTENT_TYPE)
    # Documents issued before PDF copies existed have none.
    pdf = embedded_pdf(xml)
    if pdf is not None:
        message.attach(f"{document.number}.pdf", pdf, PDF_MIME_CODE)
    message.attach(f"{document.number}.html", document.html, HTML_CONTENT_TYPE)
    return message


def no_recipient_reason(document: IssuedDocument) -> str:
    organisation = document_organisation(document)
    if organisation is None:
        return (
            "No buyer organisation is recorded for this document, so there is no "
            "invoice e-mail address to send it to."
        )
    buyer = organisation.name
    if document.branch is not None:
        buyer += f" / {document.branch.name}"
    return f"No invoice e-mail address for {buyer}; set one to have invoices e-mailed."


def _record_saleor_events(document: IssuedDocument, address: str) -> None:
    """Saleor's "invoice sent" on its invoices and orders that show the document.

    Sent by the shop itself, not on a person's or an App's request: no user or
    App is named.
    """
    billed = list(document.invoiced_orders.values_list("invoice_id", "order_id"))
    invoice_ids = _present([document.invoice_id, *(row[0] for row in billed)])
    order_ids = _present([document.order_id, *(row[1] for row in billed)])
    for invoice_id in invoice_ids:
        invoice_events.notification_invoice_sent_event(
            user_id=None, app_id=None, invoice_id=invoice_id, customer_email=address
        )
    for order_id in order_ids:
        order_events.event_invoice_sent_notification(
            order_id=order_id, user_id=None, app_id=None, email=address
        )


def _present[T](values: Iterable[T | None]) -> list[T]:
    """The values that are not None, each once, in their order."""
    return list(dict.fromkeys(value for value in values if value is not None))


@dataclass(frozen=True)
class _Summary:
    """What the mail's subject and text say, read from the document as issued."""

    title: str
    number: str
    issue_date: datetime.date
    seller: str
    buyer: str
    amount: str
    specification: str
    purchase_orders: tuple[str, ...]
    buyer_reference: str
    cost_centre: str
    period: str
    due_date: str
    iban: str
    payment_terms: str
    credited_invoice: str
    notes: str
    has_pdf: bool

    @classmethod
    def of(cls, document: IssuedDocument) -> "_Summary":
        root = etree.fromstring(document.xml.encode())
        organisation = document_organisation(document)
        buyer = organisation.name if organisation is not None else ""
        if document.branch is not None:
            buyer += f" / {document.branch.name}"
        period = ""
        if document.period_start and document.period_end:
            period = (
                f"{document.period_start.isoformat()} to "
                f"{document.period_end.isoformat()}"
            )
        credited = document.credited_invoice
        return cls(
            title=document.get_kind_display(),
            number=document.number,
            issue_date=document.issue_date,
            seller=_text(
                root,
                "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/"
                "cbc:RegistrationName",
            ),
            buyer=buyer
            or _text(
                root,
                "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/"
                "cbc:RegistrationName",
            ),
            amount=f"{document.currency} {document.payable_amount:,.2f}",
            specification=_SPECIFICATIONS.get(document.customization, "UBL 2.1"),
            # A consolidated invoice lists its purchase orders as supporting
            # documents (BT-122); a per-order one has its PO as BT-13.
            purchase_orders=tuple(
                _present(
                    node.text
                    for node in root.xpath(
                        "cac:OrderReference/cbc:ID"
                        # Not the reference that carries the PDF copy.
                        " | cac:AdditionalDocumentReference"
                        "[not(cac:Attachment)]/cbc:ID",
                        namespaces=_NS,
                    )
                )
            ),
            buyer_reference=_text(root, "cbc:BuyerReference"),
            cost_centre=_text(root, "cbc:AccountingCost"),
            period=period,
            # An invoice's BT-9; a credit note carries one only with payment means.
            due_date=_text(root, "cbc:DueDate")
            or _text(root, "cac:PaymentMeans/cbc:PaymentDueDate"),
            iban=_text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"),
            payment_terms=_text(root, "cac:PaymentTerms/cbc:Note"),
            credited_invoice=credited.number if credited is not None else "",
            # Why a credit note was issued, e.g. "Order 12 was cancelled."
            notes=" ".join(
                (node.text or "").strip()
                for node in root.xpath("cbc:Note", namespaces=_NS)
            ),
            has_pdf=bool(
                root.xpath(
                    "cac:AdditionalDocumentReference/cac:Attachment", namespaces=_NS
                )
            ),
        )

    def subject(self) -> str:
        if self.credited_invoice:
            about = f"crediting invoice {self.credited_invoice}"
        elif len(self.purchase_orders) == 1:
            about = f"purchase order {self.purchase_orders[0]}"
        elif self.period:
            about = self.period
        else:
            about = f"{len(self.purchase_orders)} purchase orders"
        return f"{self.title} {self.number} from {self.seller}, {about}"

    def body(self) -> str:
        is_credit_note = bool(self.credited_invoice)
        several_orders = len(self.purchase_orders) > 1
        rows = [
            (f"{self.title} number", self.number),
            ("Issue date", self.issue_date.isoformat()),
            ("Credits invoice", self.credited_invoice),
            ("Note", self.notes),
            ("Invoicing period", self.period),
            (
                "Purchase orders" if several_orders else "Purchase order",
                ", ".join(self.purchase_orders),
            ),
            ("Your reference", self.buyer_reference),
            ("Cost centre", self.cost_centre),
            ("Amount credited" if is_credit_note else "Amount due", self.amount),
            ("Due date", self.due_date),
            ("IBAN", self.iban),
            ("Payment", self.payment_terms),
        ]
        # One column width per kind of document, whichever rows it has.
        width = max(len(label) for label, _ in rows) + 2
        table = "\n".join(
            f"{label + ':':<{width}}{value}" for label, value in rows if value
        )
        opening = f"{self.title} {self.number} from {self.seller} to {self.buyer}."
        attached = (
            f"Attached: {self.number}.xml, the e-invoice ({self.specification}, "
            f"UBL 2.1) for your accounts payable system, "
            + (
                f"{self.number}.pdf, the same document as a PDF (also embedded "
                f"in the e-invoice), and {self.number}.html, a copy to read in a "
                "browser."
                if self.has_pdf
                else f"and {self.number}.html, a copy to read or print."
            )
        )
        return (
            f"{textwrap.fill(opening, _TEXT_WIDTH)}\n\n{table}\n\n"
            f"{textwrap.fill(attached, _TEXT_WIDTH)}\n"
        )


def _text(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=_NS)
    return (found[0].text or "").strip() if found else ""
