"""Periodic invoices per branch and consolidated per organisation, on PostgreSQL."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone
from lxml import etree
from saleor.account.models import Address
from saleor.core import JobStatus
from saleor.invoice.models import Invoice
from saleor.order import OrderEvents, OrderStatus
from saleor.order.models import Order
from saleor.tests.utils import prepare_test_db_connections

from saleor_oci_plugin.buyers.models import Branch, InvoicingPreference
from saleor_oci_plugin.invoices import periodic
from saleor_oci_plugin.invoices.credit_notes import issue_credit_note
from saleor_oci_plugin.invoices.models import (
    InvoicedOrder,
    InvoiceNumberSeries,
    InvoiceRun,
    IssuedDocument,
)
from saleor_oci_plugin.invoices.periodic import (
    PeriodInvalid,
    carry_out,
    create_run,
    previous_month,
)
from saleor_oci_plugin.invoices.tasks import invoicing_configuration
from saleor_oci_plugin.invoices.validation import validate_ubl
from saleor_oci_plugin.purchase_orders.placing import BRANCH_KEY

from .conftest import BUYER_RULES, SELLER, configure_plugin

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
TODAY = timezone.localdate()


def _texts(xml: str, path: str) -> list[str]:
    return [
        node.text for node in etree.fromstring(xml.encode()).xpath(path, namespaces=NS)
    ]


def _run(organisation=None, start=TODAY, end=TODAY) -> InvoiceRun:
    run = create_run(start, end, organisation=organisation, requested_by="test")
    return carry_out(run, invoicing_configuration())


def _used_sequences() -> int:
    return sum(series.last_sequence for series in InvoiceNumberSeries.objects.all())


def _assert_nothing_invoiced(orders) -> None:
    assert not InvoicedOrder.objects.filter(order__in=orders).exists()
    assert not Invoice.objects.filter(order__in=orders).exists()


@pytest.fixture
def second_branch(oci_organisation):
    return Branch.objects.create(
        organisation=oci_organisation,
        name="Locatie Zuid",
        code="ZUID",
        default_cost_centre="KP-5200",
    )


@pytest.fixture
def head_office():
    return Address.objects.create(
        company_name="Ziekenhuis Oost, Crediteuren",
        street_address_1="Postbus 1000",
        city="Utrecht",
        postal_code="3500 AA",
        country="NL",
    )


@pytest.fixture
def for_branch():
    """Mark an order as placed for a branch (as a PO naming a ship-to branch does)."""

    def assign(order: Order, branch: Branch) -> Order:
        order.store_value_in_metadata({BRANCH_KEY: str(branch.pk)})
        order.save(update_fields=["metadata"])
        return order

    return assign


@pytest.fixture
def invoiced_periodically(oci_organisation, seller_configured):
    def prefer(preference: str) -> None:
        oci_organisation.invoicing_preference = preference
        oci_organisation.save(update_fields=["invoicing_preference"])

    return prefer


def test_consolidated_run_bills_two_branches_in_one_valid_invoice(
    oci_organisation,
    oci_branch,
    second_branch,
    head_office,
    invoiced_periodically,
    make_transfer,
    place_order,
    for_branch,
):
    invoiced_periodically(InvoicingPreference.PERIODIC_CONSOLIDATED)
    oci_organisation.invoice_address = head_office
    oci_organisation.save(update_fields=["invoice_address"])
    north_1 = place_order(make_transfer(quantities=(3, 1)), po_number="4500000001")
    north_2 = place_order(make_transfer(quantities=(2, 2)), po_number="4500000002")
    south = for_branch(
        place_order(make_transfer(quantities=(1, 5)), po_number="4500000003"),
        second_branch,
    )
    orders = [north_1, north_2, south]

    run = _run()

    assert run.status == InvoiceRun.Status.DONE
    assert run.failures == []
    document = IssuedDocument.objects.get()
    assert document.run == run
    assert document.organisation == oci_organisation
    assert document.branch is None
    assert (document.period_start, document.period_end) == (TODAY, TODAY)
    assert document.number == f"OCI-{TODAY.year}-00001"
    # Each order is billed once, by this document, and shows it in Saleor.
    billed = InvoicedOrder.objects.filter(document=document)
    assert sorted(billed.values_list("order_id", flat=True)) == sorted(
        order.pk for order in orders
    )
    invoices = Invoice.objects.filter(order__in=orders)
    assert invoices.count() == 3
    assert {invoice.number for invoice in invoices} == {document.number}
    assert {invoice.status for invoice in invoices} == {JobStatus.SUCCESS}
    assert {invoice.invoice_file.name for invoice in invoices} == {
        document.invoice.invoice_file.name
    }
    for order in orders:
        assert order.events.filter(type=OrderEvents.INVOICE_GENERATED).count() == 1

    xml = document.xml
    assert validate_ubl(xml.encode()).is_valid
    # Several POs: no BT-13 (nor BT-132), the POs as supporting documents.
    assert _texts(xml, "/inv:Invoice/cac:OrderReference/cbc:ID") == []
    assert _texts(xml, "//cac:OrderLineReference/cbc:LineID") == []
    assert _texts(xml, "/inv:Invoice/cac:AdditionalDocumentReference/cbc:ID") == [
        "4500000001",
        "4500000002",
        "4500000003",
        # The last one carries the invoice's PDF copy.
        document.number,
    ]
    assert etree.fromstring(xml.encode()).xpath(
        "/inv:Invoice/cac:AdditionalDocumentReference/cac:Attachment/"
        "cbc:EmbeddedDocumentBinaryObject/@filename",
        namespaces=NS,
    ) == [f"{document.number}.pdf"]
    assert _texts(xml, "/inv:Invoice/cbc:BuyerReference") == ["Afdeling Inkoop"]
    assert _texts(xml, "/inv:Invoice/cac:InvoicePeriod/cbc:StartDate") == [
        TODAY.isoformat()
    ]
    assert _texts(xml, "//cac:AccountingCustomerParty//cbc:StreetName") == [
        "Postbus 1000"
    ]
    # Six lines, each naming its PO line and order, with its own cost centre.
    notes = _texts(xml, "//cac:InvoiceLine/cbc:Note")
    assert notes[0] == f"PO 4500000001 line 10, order {north_1.number}"
    assert notes[5] == f"PO 4500000003 line 20, order {south.number}"
    assert (
        _texts(xml, "//cac:InvoiceLine/cbc:AccountingCost")
        == [
            "KP-471",
            "KP-472",
        ]
        * 3
    )
    assert len(_texts(xml, "//cac:InvoiceLine//cbc:ItemClassificationCode")) == 6
    # Amounts: the orders' net exactly; VAT computed once per rate.
    net = sum((order.total_net_amount for order in orders), Decimal(0))
    assert _texts(xml, "//cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") == [str(net)]
    gross = sum((order.total_gross_amount for order in orders), Decimal(0))
    assert abs(document.payable_amount - gross) <= Decimal("0.01") * len(orders)


def test_per_branch_run_issues_one_invoice_per_branch(
    oci_branch,
    second_branch,
    invoiced_periodically,
    make_transfer,
    place_order,
    for_branch,
):
    invoiced_periodically(InvoicingPreference.PERIODIC_PER_BRANCH)
    north = [
        place_order(make_transfer(), po_number="4500000011"),
        place_order(make_transfer(), po_number="4500000012"),
    ]
    south = for_branch(
        place_order(make_transfer(), po_number="4500000013"), second_branch
    )

    run = _run()

    assert run.status == InvoiceRun.Status.DONE
    documents = {document.branch: document for document in run.documents.all()}
    assert set(documents) == {oci_branch, second_branch}
    assert sorted(document.sequence for document in documents.values()) == [1, 2]
    north_invoice = documents[oci_branch]
    assert sorted(
        north_invoice.invoiced_orders.values_list("order_id", flat=True)
    ) == sorted(order.pk for order in north)
    assert validate_ubl(north_invoice.xml.encode()).is_valid
    # One order in the south group: referenced like a per-order invoice.
    south_xml = documents[second_branch].xml
    assert validate_ubl(south_xml.encode()).is_valid
    assert _texts(south_xml, "/inv:Invoice/cac:OrderReference/cbc:ID") == ["4500000013"]
    assert _texts(south_xml, "//cac:OrderLineReference/cbc:LineID") == ["10", "20"]
    assert documents[second_branch].order == south


def test_running_a_period_again_or_a_per_order_request_issues_nothing_twice(
    staff, invoiced_periodically, make_transfer, place_order
):
    invoiced_periodically(InvoicingPreference.PERIODIC_CONSOLIDATED)
    order = place_order(make_transfer())
    first = _run()
    assert first.documents.count() == 1

    again = _run()

    assert again.status == InvoiceRun.Status.DONE
    assert again.documents.count() == 0
    assert _used_sequences() == 1
    assert Invoice.objects.filter(order=order).count() == 1
    # A later order of the same period is invoiced by the next run, alone.
    later = place_order(make_transfer(), po_number="4500000099")
    third = _run()
    assert [
        list(document.invoiced_orders.values_list("order_id", flat=True))
        for document in third.documents.all()
    ] == [[later.pk]]


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_one_period_at_once_bill_each_order_once(
    seller_configured, oci_organisation, make_transfer, place_order, media_root
):
    oci_organisation.invoicing_preference = InvoicingPreference.PERIODIC_CONSOLIDATED
    oci_organisation.save()
    orders = [
        place_order(make_transfer(), po_number=f"45000001{n:02d}") for n in range(4)
    ]
    runs = [create_run(TODAY, TODAY) for _ in range(2)]
    config = invoicing_configuration()
    barrier = threading.Barrier(len(runs))
    errors: list[Exception] = []

    def work(run: InvoiceRun) -> None:
        prepare_test_db_connections()
        try:
            barrier.wait()
            carry_out(run, config)
        except Exception as error:
            errors.append(error)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=work, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert IssuedDocument.objects.count() == 1
    assert InvoicedOrder.objects.count() == len(orders)
    assert InvoiceNumberSeries.objects.get().last_sequence == 1
    assert Invoice.objects.count() == len(orders)
    statuses = set(InvoiceRun.objects.values_list("status", flat=True))
    assert statuses == {InvoiceRun.Status.DONE}


def test_only_periodic_buyers_confirmed_orders_placed_in_the_period_are_billed(
    oci_organisation,
    second_branch,
    invoiced_periodically,
    make_transfer,
    place_order,
    for_branch,
):
    invoiced_periodically(InvoicingPreference.PERIODIC_CONSOLIDATED)
    billed = place_order(make_transfer(), po_number="4500000021")
    last_month = place_order(make_transfer(), po_number="4500000022")
    Order.objects.filter(pk=last_month.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    cancelled = place_order(make_transfer(), po_number="4500000023")
    Order.objects.filter(pk=cancelled.pk).update(status=OrderStatus.CANCELED)
    unconfirmed = place_order(make_transfer(), po_number="4500000024")
    Order.objects.filter(pk=unconfirmed.pk).update(status=OrderStatus.UNCONFIRMED)
    # A branch that chose one invoice per order keeps it.
    second_branch.invoicing_preference = InvoicingPreference.PER_ORDER
    second_branch.save()
    per_order = for_branch(
        place_order(make_transfer(), po_number="4500000025"), second_branch
    )

    run = _run()

    assert list(InvoicedOrder.objects.values_list("order_id", flat=True)) == [billed.pk]
    _assert_nothing_invoiced([last_month, cancelled, unconfirmed, per_order])
    assert run.documents.count() == 1


def test_a_group_that_fails_is_listed_and_leaves_nothing_while_others_are_issued(
    oci_organisation,
    second_branch,
    invoiced_periodically,
    make_transfer,
    place_order,
    for_branch,
    tmp_path,
):
    invoiced_periodically(InvoicingPreference.PERIODIC_PER_BRANCH)
    north = place_order(make_transfer(), po_number="4500000031")
    # The south branch's order has its own buyer reference "ZO-..."; north's
    # "Afdeling Inkoop" fails the buyer's rule set.
    south = for_branch(
        place_order(make_transfer(), po_number="4500000032", buyer_reference="ZO-ZUID"),
        second_branch,
    )
    rules = tmp_path / "buyer-rules.xslt"
    rules.write_text(BUYER_RULES, encoding="utf-8")
    configure_plugin(**SELLER, invoice_extra_rule_sets=str(rules))

    run = _run()

    assert run.status == InvoiceRun.Status.DONE_WITH_FAILURES
    assert [failure["orders"] for failure in run.failures] == [[str(north.number)]]
    assert run.failures[0]["group"] == "Ziekenhuis Oost / Locatie Noord"
    assert (
        "ZO-01: Ziekenhuis Oost books only buyer references"
        in (run.failures[0]["reason"])
    )
    _assert_nothing_invoiced([north])
    document = run.documents.get()
    assert document.order == south
    # The failed group used no number: the issued invoice has the first.
    assert document.sequence == 1
    assert _used_sequences() == 1


def test_group_without_any_invoice_address_is_refused_with_the_reason(
    invoiced_periodically, oci_organisation, make_transfer, place_order
):
    invoiced_periodically(InvoicingPreference.PERIODIC_CONSOLIDATED)
    first = place_order(make_transfer(), po_number="4500000041")
    second = place_order(make_transfer(), po_number="4500000042")
    # Two different bill-to addresses and no organisation address: no buyer address.
    second.billing_address.street_address_1 = "Postbus 2"
    second.billing_address.save()

    run = _run()

    assert run.status == InvoiceRun.Status.DONE_WITH_FAILURES
    assert (
        "The organisation Ziekenhuis Oost has no invoice address"
        in (run.failures[0]["reason"])
    )
    _assert_nothing_invoiced([first, second])
    assert _used_sequences() == 0


def test_credit_note_for_one_order_of_a_consolidated_invoice(
    invoiced_periodically, make_transfer, place_order
):
    invoiced_periodically(InvoicingPreference.PERIODIC_CONSOLIDATED)
    first = place_order(make_transfer(quantities=(3, 1)), po_number="4500000051")
    second = place_order(make_transfer(quantities=(2, 2)), po_number="4500000052")
    _run()
    consolidated = IssuedDocument.objects.get()
    invoice = Invoice.objects.create(order=second, status=JobStatus.PENDING)

    credit_note = issue_credit_note(second, invoice, invoicing_configuration())

    assert credit_note.credited_invoice == consolidated
    assert credit_note.payable_amount == second.total_gross_amount
    assert {entry["order"] for entry in credit_note.lines} == {str(second.pk)}
    xml = credit_note.xml
    assert validate_ubl(xml.encode()).is_valid
    assert _texts(
        xml, "//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
    ) == [consolidated.number]
    # The other order's lines are still open to credit; this one's are not.
    again = Invoice.objects.create(order=second, status=JobStatus.PENDING)
    with pytest.raises(Exception, match="credited in full"):
        issue_credit_note(second, again, invoicing_configuration())
    other = Invoice.objects.create(order=first, status=JobStatus.PENDING)
    assert (
        issue_credit_note(first, other, invoicing_configuration()).payable_amount
        == first.total_gross_amount
    )


def test_periods_are_checked():
    with pytest.raises(PeriodInvalid, match="ends .* before it starts"):
        create_run(TODAY, TODAY - datetime.timedelta(days=1))
    with pytest.raises(PeriodInvalid, match="longer than 366 days"):
        create_run(TODAY - datetime.timedelta(days=400), TODAY)
    assert previous_month(datetime.date(2026, 1, 15)) == (
        datetime.date(2025, 12, 1),
        datetime.date(2025, 12, 31),
    )
    assert previous_month(datetime.date(2026, 3, 1)) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 28),
    )


def test_consolidated_vat_is_rounded_once_per_rate_and_bounded_by_the_orders(
    invoiced_periodically, vat_21_percent, make_transfer, place_order
):
    invoiced_periodically(InvoicingPreference.PERIODIC_CONSOLIDATED)
    # 1 x 12.50 + 2 x 13.50 = 39.50 at 21 %: 8.295, so each order's VAT is 8.30;
    # the invoice rounds once on 79.00: 16.59, a cent below the orders' 16.60.
    orders = [
        place_order(make_transfer(quantities=(1, 2)), po_number=f"45000002{n}")
        for n in (1, 2)
    ]
    assert [order.total_gross_amount for order in orders] == [Decimal("47.80")] * 2

    run = _run()

    document = run.documents.get()
    xml = document.xml
    assert _texts(xml, "/inv:Invoice/cac:TaxTotal/cbc:TaxAmount") == ["16.59"]
    assert _texts(xml, "//cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") == ["79.00"]
    assert document.payable_amount == Decimal("95.59")
    assert validate_ubl(xml.encode()).is_valid


def test_crediting_a_consolidated_invoice_order_by_order_ends_at_its_amount(
    invoiced_periodically, vat_21_percent, make_transfer, place_order
):
    invoiced_periodically(InvoicingPreference.PERIODIC_CONSOLIDATED)
    # As above: two orders of 47.80 each (8.30 VAT), one invoice of 95.59.
    orders = [
        place_order(make_transfer(quantities=(1, 2)), po_number=f"45000003{n}")
        for n in (1, 2)
    ]
    consolidated = _run().documents.get()
    assert consolidated.payable_amount == Decimal("95.59")
    credit_notes = []

    for order in orders:
        invoice = Invoice.objects.create(order=order, status=JobStatus.PENDING)
        credit_notes.append(
            issue_credit_note(order, invoice, invoicing_configuration())
        )

    # The first leaves the other order open: no rounding. The second closes the
    # invoice: its own VAT (8.30), and -0.01 to end at the invoice's amount.
    first, second = credit_notes
    assert first.payable_amount == Decimal("47.80")
    assert "PayableRoundingAmount" not in first.xml
    assert _texts(second.xml, "//cac:TaxTotal/cbc:TaxAmount") == ["8.30"]
    assert _texts(second.xml, "//cbc:PayableRoundingAmount") == ["-0.01"]
    assert second.payable_amount == Decimal("47.79")
    assert first.payable_amount + second.payable_amount == consolidated.payable_amount
    for credit_note in credit_notes:
        assert validate_ubl(credit_note.xml.encode()).is_valid


def test_orders_whose_amounts_were_changed_by_hand_are_not_invoiced(
    invoiced_periodically, vat_21_percent, make_transfer, place_order
):
    invoiced_periodically(InvoicingPreference.PERIODIC_CONSOLIDATED)
    kept = place_order(make_transfer(quantities=(1, 2)), po_number="4500000231")
    changed = place_order(make_transfer(quantities=(1, 2)), po_number="4500000232")
    # VAT raised by 5 cents: more than rounding can explain.
    changed.total_gross_amount += Decimal("0.05")
    changed.save(update_fields=["total_gross_amount"])

    run = _run()

    assert run.status == InvoiceRun.Status.DONE_WITH_FAILURES
    assert "total VAT 16.59 vs the orders' 16.65" in run.failures[0]["reason"]
    _assert_nothing_invoiced([kept, changed])


def test_a_bug_in_one_group_is_reported_and_the_other_groups_are_issued(
    monkeypatch,
    second_branch,
    invoiced_periodically,
    make_transfer,
    place_order,
    for_branch,
):
    invoiced_periodically(InvoicingPreference.PERIODIC_PER_BRANCH)
    north = place_order(make_transfer(), po_number="4500000241")
    south = for_branch(
        place_order(make_transfer(), po_number="4500000242"), second_branch
    )
    build = periodic.build_group_document

    def build_failing_for_north(group, *args, **kwargs):
        if group.branch != second_branch:
            raise KeyError("a bug")
        return build(group, *args, **kwargs)

    monkeypatch.setattr(periodic, "build_group_document", build_failing_for_north)

    run = _run()

    assert run.status == InvoiceRun.Status.DONE_WITH_FAILURES
    [failure] = run.failures
    assert failure["orders"] == [str(north.number)]
    assert failure["reason"].startswith("Internal error (KeyError)")
    _assert_nothing_invoiced([north])
    assert run.documents.get().order == south
    assert _used_sequences() == 1


def test_a_run_that_cannot_even_group_its_orders_fails_instead_of_hanging(
    monkeypatch, seller_configured
):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(periodic, "invoice_groups", broken)

    run = _run()

    assert run.status == InvoiceRun.Status.FAILED
    assert run.finished_at is not None
    assert run.failures[0]["reason"].startswith("Internal error (RuntimeError)")
