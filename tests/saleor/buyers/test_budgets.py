"""Budgets through the punch-in URL and GraphQL: hard ones refuse the transfer
that would exceed them, soft ones warn; holds, orders, cancellations and periods;
two transfers at once for the last room (real PostgreSQL, separate connections)."""

import datetime
import threading
from decimal import Decimal

import graphene
import pytest
from django.db import connections
from django.utils import timezone
from freezegun import freeze_time
from saleor.tests.utils import prepare_test_db_connections

from saleor_oci_plugin.buyers import budgets
from saleor_oci_plugin.buyers.models import Budget, BudgetEntry
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer

from ..assortment_helpers import LINES_ADD, TRANSFER, call, line, shop

STOREFRONT = "https://shop.example.com/punchout"

BUDGETS = """
query ($organisation: ID) {
  ociBudgets(organisation: $organisation) {
    name period amount currency hard spent held left periodLabel summary
  }
}
"""
CHECKOUT_BUDGETS = """
query ($checkoutId: ID!) {
  ociCheckoutBudgets(checkoutId: $checkoutId) { name left summary hard }
}
"""
BUDGET_SET = """
mutation ($input: OciBudgetInput!) {
  ociBudgetSet(input: $input) {
    budget { name period amount currency hard left }
    errors { field code message }
  }
}
"""
TRANSFER_WARNINGS = """
mutation ($id: ID!) {
  ociCheckoutTransfer(id: $id) {
    transfer { id budgetWarnings }
    errors { field code message }
  }
}
"""


@pytest.fixture(autouse=True)
def storefront(oci_connection):
    oci_connection.storefront_url = STOREFRONT
    oci_connection.save(update_fields=["storefront_url"])


@pytest.fixture
def gift(make_variants):
    """GIFT-0000 at 12.50 net (the fixture channel takes no tax out)."""
    return make_variants(1)[0]


def monthly(organisation, amount, **fields):
    return Budget.objects.create(
        organisation=organisation,
        name=fields.pop("name", "Gifts"),
        amount=Decimal(amount),
        currency="USD",
        **fields,
    )


def cart(client, api_client, variant, quantity):
    checkout_id = shop(client, api_client)
    result = call(
        api_client, LINES_ADD, {"id": checkout_id, "lines": [line(variant, quantity)]}
    )
    assert result["errors"] == []
    return checkout_id


def test_hard_budget_refuses_the_transfer_that_would_exceed_it(
    client, api_client, oci_organisation, gift
):
    monthly(oci_organisation, "100")
    first = call(api_client, TRANSFER, {"id": cart(client, api_client, gift, 6)})
    assert first["errors"] == []  # 75.00 of 100

    second = call(api_client, TRANSFER, {"id": cart(client, api_client, gift, 3)})

    assert second["transfer"] is None
    [error] = second["errors"]
    assert error["code"] == "BUDGET_EXCEEDED"
    month = timezone.localdate().strftime("%B %Y")
    assert error["message"] == (
        f"Budget 'Gifts': USD 25.00 of USD 100.00 left in {month}, this cart is "
        "USD 37.50."
    )
    assert Transfer.objects.count() == 1
    assert PunchoutSession.objects.filter(status="open").count() == 1
    # Exactly what is left still goes.
    third = call(api_client, TRANSFER, {"id": cart(client, api_client, gift, 2)})
    assert third["errors"] == []


def test_soft_budget_warns_and_lets_the_transfer_through(
    client, api_client, oci_organisation, gift
):
    monthly(oci_organisation, "20", hard=False, name="Kerst")

    result = call(
        api_client, TRANSFER_WARNINGS, {"id": cart(client, api_client, gift, 2)}
    )

    assert result["errors"] == []
    [warning] = result["transfer"]["budgetWarnings"]
    assert "Budget 'Kerst': USD 20.00 of USD 20.00 left" in warning
    assert "this cart is USD 25.00" in warning


def test_an_expired_hold_frees_room(client, api_client, oci_organisation, gift):
    monthly(oci_organisation, "30")
    oci_organisation.budget_hold_days = 2
    oci_organisation.save(update_fields=["budget_hold_days"])
    start = timezone.now().replace(day=10)
    with freeze_time(start):
        assert (
            call(api_client, TRANSFER, {"id": cart(client, api_client, gift, 2)})[
                "errors"
            ]
            == []
        )
    with freeze_time(start + datetime.timedelta(days=1)):
        refused = call(api_client, TRANSFER, {"id": cart(client, api_client, gift, 2)})
    assert [e["code"] for e in refused["errors"]] == ["BUDGET_EXCEEDED"]
    with freeze_time(start + datetime.timedelta(days=3)):
        passed = call(api_client, TRANSFER, {"id": cart(client, api_client, gift, 2)})
    assert passed["errors"] == []


def test_a_hold_counts_in_the_month_it_was_made(oci_organisation, oci_transfer):
    budget = monthly(oci_organisation, "1000")
    [hold] = BudgetEntry.objects.filter(kind="hold")
    assert hold.amount == Decimal("51.00")  # 3 x 12.50 + 13.50
    now = timezone.now()
    [this_month] = budgets.uses([budget], now)
    [next_month] = budgets.uses([budget], now + datetime.timedelta(days=32))
    assert (this_month.held, next_month.held) == (Decimal("51.00"), Decimal(0))


def test_branch_and_member_budgets_apply_to_their_own_carts_only(
    client, api_client, oci_organisation, oci_branch, oci_orderer, gift
):
    from saleor_oci_plugin.buyers.models import Branch

    other_branch = Branch.objects.create(organisation=oci_organisation, name="Zuid")
    monthly(oci_organisation, "10", branch=other_branch, name="Zuid")
    monthly(oci_organisation, "10", member=oci_orderer, name="Jansen")
    # The connection's customer, for the connection's branch: neither applies.
    assert (
        call(api_client, TRANSFER, {"id": cart(client, api_client, gift, 2)})["errors"]
        == []
    )
    # The orderer punching in by user id: their own budget applies.
    checkout_id = shop(client, api_client, USER_ID="JJANSEN")
    call(api_client, LINES_ADD, {"id": checkout_id, "lines": [line(gift, 1)]})
    refused = call(api_client, TRANSFER, {"id": checkout_id})
    assert [e["code"] for e in refused["errors"]] == ["BUDGET_EXCEEDED"]
    assert "Jansen" in refused["errors"][0]["message"]


def test_orders_count_instead_of_their_hold_and_cancelling_frees_room(
    oci_organisation, oci_transfer, integrator, oci_connection
):
    from saleor.plugins.manager import get_plugins_manager

    from saleor_oci_plugin.purchase_orders.dataclasses import (
        PurchaseOrder,
        PurchaseOrderLine,
    )
    from saleor_oci_plugin.purchase_orders.placing import (
        cancel_purchase_order,
        place_purchase_order,
    )

    budget = monthly(oci_organisation, "1000")
    po = PurchaseOrder(
        order_number="4500000001",
        currency="USD",
        transfer_id=oci_transfer.reference,
        lines=tuple(
            PurchaseOrderLine(
                line_number=str(number),
                sku=item["sku"],
                quantity=Decimal(item["quantity"]),
                unit=item["unit"],
                unit_price=Decimal(item["unit_price_net"]),
            )
            for number, item in enumerate(oci_transfer.snapshot, start=1)
        ),
    )
    manager = get_plugins_manager(allow_replica=False)
    order = place_purchase_order(oci_connection, po, "graphql", manager).order

    [use] = budgets.uses([budget])
    assert (use.spent, use.held) == (order.total_net_amount, Decimal(0))
    assert use.spent == Decimal("51.00")

    cancel_purchase_order(oci_connection, "4500000001", manager)
    [use] = budgets.uses([budget])
    assert (use.spent, use.held) == (Decimal(0), Decimal(0))


# ------------------------------------------------------------------- GraphQL
def test_admin_manages_budgets_and_sees_their_use(
    oci_admin, member_api_client, oci_organisation, oci_transfer
):
    admin = member_api_client(oci_admin)
    created = call(
        admin,
        BUDGET_SET,
        {
            "input": {
                "name": "December",
                "amount": "1000",
                "currency": "usd",
                "period": "MONTH",
                "holdDays": 14,
            }
        },
    )
    assert created["errors"] == []
    assert created["budget"]["left"] == 949.0  # the transfer's hold

    [budget] = call(admin, BUDGETS, {})
    month = timezone.localdate().strftime("%B %Y")
    assert budget["summary"] == f"USD 949.00 of USD 1,000.00 left in {month}"
    assert (budget["held"], budget["spent"]) == (51.0, 0.0)
    oci_organisation.refresh_from_db()
    assert oci_organisation.budget_hold_days == 14


def test_budget_set_refuses_bad_input_and_others(
    oci_admin, member_api_client, other_organisation, oci_orderer
):
    admin = member_api_client(oci_admin)
    missing = call(admin, BUDGET_SET, {"input": {"name": "x"}})
    assert sorted((e["field"], e["code"]) for e in missing["errors"]) == [
        ("amount", "REQUIRED"),
        ("currency", "REQUIRED"),
    ]
    bad = call(admin, BUDGET_SET, {"input": {"amount": "5", "currency": "EURO"}})
    assert [e["code"] for e in bad["errors"]] == ["INVALID"]
    # More than the column holds: refused, not a database error.
    huge = call(admin, BUDGET_SET, {"input": {"amount": "1e12", "currency": "EUR"}})
    assert [(e["field"], e["code"]) for e in huge["errors"]] == [("amount", "INVALID")]
    other = call(
        admin,
        BUDGET_SET,
        {
            "input": {
                "organisation": graphene.Node.to_global_id(
                    "OciOrganisation", other_organisation.pk
                ),
                "amount": "5",
                "currency": "EUR",
            }
        },
    )
    assert [e["code"] for e in other["errors"]] == ["NOT_FOUND"]
    assert not Budget.objects.exists()
    orderer = member_api_client(oci_orderer)
    response = orderer.post_graphql(BUDGET_SET, {"input": {"amount": "5"}})
    assert "PermissionDenied" in str(response.json()["errors"])


def test_storefront_reads_what_is_left(client, api_client, oci_organisation, gift):
    monthly(oci_organisation, "1000", name="Kerst")
    checkout_id = shop(client, api_client)

    [budget] = call(api_client, CHECKOUT_BUDGETS, {"checkoutId": checkout_id})

    month = timezone.localdate().strftime("%B %Y")
    assert budget["summary"] == f"USD 1,000.00 of USD 1,000.00 left in {month}"
    assert budget["hard"] is True


def test_transfer_budget_check_costs_two_queries_for_any_cart(
    oci_organisation, oci_connection, oci_branch, oci_orderer, django_assert_num_queries
):
    from saleor_oci_plugin import oci
    from saleor_oci_plugin.punchout import gate, sessions

    monthly(oci_organisation, "100000")
    monthly(oci_organisation, "100000", branch=oci_branch, period="quarter")
    monthly(oci_organisation, "100000", member=oci_orderer, hard=False)
    for size in (1, 100):
        opened, _code = sessions.open_session(
            oci_connection,
            sessions.PunchInContext(hook_url="https://srm.hospital.example/h"),
            60,
        )
        opened.branch, opened.member = oci_branch, oci_orderer
        opened.save(update_fields=["branch", "member"])
        # As the transfer reads it (with its organisation, locked).
        session = PunchoutSession.objects.select_related(
            "connection__organisation"
        ).get(pk=opened.pk)
        transfer = Transfer.objects.create(
            session=session, currency="USD", snapshot=[], content_hash="x", fields=[]
        )
        items = [
            oci.CartItem(
                line_number=n,
                sku=f"S{n}",
                description="x",
                quantity=Decimal(1),
                unit_price=Decimal("1.00"),
                currency="USD",
            )
            for n in range(1, size + 1)
        ]
        # The budgets with their use; the hold.
        with django_assert_num_queries(2):
            assert gate.hold_budget(transfer, session, items) == ()
    assert [use.held for use in budgets.uses(list(Budget.objects.all()))] == [
        Decimal(101)
    ] * 3


# --------------------------------------------------------------- concurrency
@pytest.mark.django_db(transaction=True)
def test_two_transfers_at_once_for_the_last_room_one_passes(
    oci_organisation, oci_connection, make_variants
):
    from saleor.checkout.fetch import fetch_checkout_info
    from saleor.checkout.tests.utils import add_variant_to_checkout
    from saleor.plugins.manager import get_plugins_manager

    from saleor_oci_plugin.configuration import config_from_items
    from saleor_oci_plugin.punchout import sessions, transfer

    [gift] = make_variants(1)
    monthly(oci_organisation, "30")  # room for one cart of 25.00, not two
    manager = get_plugins_manager(allow_replica=False)
    checkouts = []
    for _ in range(2):
        _session, code = sessions.open_session(
            oci_connection,
            sessions.PunchInContext(hook_url="https://srm.hospital.example/h"),
            60,
        )
        checkout = sessions.exchange_code(code).checkout
        add_variant_to_checkout(fetch_checkout_info(checkout, [], manager), gift, 2)
        checkouts.append(checkout)
    barrier = threading.Barrier(2)
    outcomes = []

    def send(checkout):
        prepare_test_db_connections()
        try:
            barrier.wait()
            try:
                transfer.transfer_checkout(
                    checkout,
                    get_plugins_manager(allow_replica=False),
                    config_from_items([]),
                )
                outcomes.append("sent")
            except Exception as error:
                outcomes.append(str(getattr(error, "message_dict", error)))
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=send, args=(c,)) for c in checkouts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("sent") == 1
    [refused] = [outcome for outcome in outcomes if outcome != "sent"]
    assert "USD 5.00 of USD 30.00 left" in refused
    assert Transfer.objects.count() == 1
    assert BudgetEntry.objects.filter(kind="hold").count() == 1


def test_budget_delete_refuses_another_organisations_budget(
    oci_admin, member_api_client, other_organisation, oci_organisation
):
    theirs = monthly(other_organisation, "10")
    ours = monthly(oci_organisation, "10")
    delete = """mutation ($id: ID!) { ociBudgetDelete(id: $id) {
      ok errors { code } } }"""
    admin = member_api_client(oci_admin)

    refused = call(
        admin, delete, {"id": graphene.Node.to_global_id("OciBudget", theirs.pk)}
    )
    deleted = call(
        admin, delete, {"id": graphene.Node.to_global_id("OciBudget", ours.pk)}
    )

    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    assert deleted == {"ok": True, "errors": []}
    assert list(Budget.objects.all()) == [theirs]
