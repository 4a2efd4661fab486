"""ociCheckoutTransfer next to Saleor's own checkoutComplete, through /graphql/.

For carts of 1, 10 and 100 lines: the database queries of each mutation and its
median time over a few runs, measured in the same process and database. Run with
bench/run-saleor (it is a pytest module so that it can use Saleor's fixtures).
"""

import statistics
import time

import graphene
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from saleor.checkout.fetch import fetch_checkout_info
from saleor.checkout.models import Checkout
from saleor.checkout.tests.utils import add_variant_to_checkout
from saleor.core.jwt import create_access_token
from saleor.graphql.tests.utils import get_graphql_content
from saleor.plugins.manager import get_plugins_manager

from saleor_oci_plugin.punchout import sessions
from tests.saleor.fixtures import HOOK_URL

SIZES = (1, 10, 100)
RUNS = 3

TRANSFER = """mutation ($id: ID!) { ociCheckoutTransfer(id: $id) {
  transfer { id } errors { code message } } }"""
COMPLETE = """mutation ($id: ID!) { checkoutComplete(id: $id) {
  order { id } errors { code message } } }"""


def _fill(checkout, variants):
    info = fetch_checkout_info(checkout, [], get_plugins_manager(allow_replica=False))
    for variant in variants:
        add_variant_to_checkout(info, variant, 2)


def _punch_out_checkout(oci_connection, variants) -> Checkout:
    session, code = sessions.open_session(
        oci_connection, sessions.PunchInContext(hook_url=HOOK_URL), 60
    )
    checkout = sessions.exchange_code(code).checkout
    _fill(checkout, variants)
    return checkout


def _ordinary_checkout(customer, channel, variants, address, checkout_delivery):
    checkout = Checkout.objects.create(
        user=customer,
        email=customer.email,
        channel=channel,
        currency=channel.currency_code,
        shipping_address=address,
        billing_address=address.get_copy(),
    )
    _fill(checkout, variants)
    checkout.assigned_delivery = checkout_delivery(checkout)
    checkout.delivery_methods_stale_at = timezone.now() + timezone.timedelta(hours=1)
    checkout.save()
    return checkout


def _measure(api_client, query, checkout, name):
    checkout_id = graphene.Node.to_global_id("Checkout", checkout.pk)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        content = get_graphql_content(
            api_client.post_graphql(query, {"id": checkout_id})
        )
        elapsed = time.perf_counter() - started
    errors = content["data"][name]["errors"]
    assert not errors, errors  # a failed run would measure the wrong thing
    return elapsed, len(queries)


def test_transfer_against_checkout_complete(
    api_client, oci_connection, make_variants, address, checkout_delivery
):
    customer = oci_connection.customer
    channel = oci_connection.channel
    channel.allow_unpaid_orders = True
    channel.save(update_fields=["allow_unpaid_orders"])
    api_client.token = create_access_token(customer)
    variants = make_variants(max(SIZES))
    # Warm up both paths (caches, lazy imports) before measuring.
    _measure(
        api_client,
        TRANSFER,
        _punch_out_checkout(oci_connection, variants[:1]),
        "ociCheckoutTransfer",
    )
    _measure(
        api_client,
        COMPLETE,
        _ordinary_checkout(customer, channel, variants[:1], address, checkout_delivery),
        "checkoutComplete",
    )

    print("\n lines | transfer ms  queries | checkoutComplete ms  queries | ratio")
    for size in SIZES:
        transfer_runs, complete_runs = [], []
        for _ in range(RUNS):
            transfer_runs.append(
                _measure(
                    api_client,
                    TRANSFER,
                    _punch_out_checkout(oci_connection, variants[:size]),
                    "ociCheckoutTransfer",
                )
            )
            complete_runs.append(
                _measure(
                    api_client,
                    COMPLETE,
                    _ordinary_checkout(
                        customer, channel, variants[:size], address, checkout_delivery
                    ),
                    "checkoutComplete",
                )
            )
        transfer_ms = statistics.median(run[0] for run in transfer_runs) * 1000
        complete_ms = statistics.median(run[0] for run in complete_runs) * 1000
        print(
            f" {size:5d} | {transfer_ms:11.1f} {transfer_runs[-1][1]:8d} |"
            f" {complete_ms:19.1f} {complete_runs[-1][1]:8d} |"
            f" {transfer_ms / complete_ms:5.2f}"
        )


PO_CREATE = """mutation ($input: OciPurchaseOrderInput!) {
  ociPurchaseOrderCreate(input: $input) {
  order { id } errors { code message line } } }"""


def _po_input(oci_connection, transfer, number):
    return {
        "connection": graphene.Node.to_global_id("OciConnection", oci_connection.pk),
        "orderNumber": f"45000{number:05d}",
        "transferId": transfer.reference,
        "lines": [
            {
                "lineNumber": str(position),
                "sku": line["sku"],
                "quantity": line["quantity"],
                "unitPrice": line["unit_price_net"],
            }
            for position, line in enumerate(transfer.snapshot, start=1)
        ],
    }


def _transferred(oci_connection, variants):
    from saleor_oci_plugin.configuration import config_from_items
    from saleor_oci_plugin.punchout import transfer

    checkout = _punch_out_checkout(oci_connection, variants)
    manager = get_plugins_manager(allow_replica=False)
    return transfer.transfer_checkout(checkout, manager, config_from_items([])).transfer


def test_purchase_order_against_checkout_complete(
    api_client,
    app_api_client,
    permission_manage_orders,
    oci_connection,
    make_variants,
    address,
    checkout_delivery,
):
    customer = oci_connection.customer
    channel = oci_connection.channel
    channel.allow_unpaid_orders = True
    channel.save(update_fields=["allow_unpaid_orders"])
    api_client.token = create_access_token(customer)
    app_api_client.app.permissions.add(permission_manage_orders)
    variants = make_variants(max(SIZES), prefix="POB")
    numbers = iter(range(1, 1000))

    def po_run(size):
        transfer = _transferred(oci_connection, variants[:size])
        variables = {"input": _po_input(oci_connection, transfer, next(numbers))}
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            content = get_graphql_content(
                app_api_client.post_graphql(PO_CREATE, variables)
            )
            elapsed = time.perf_counter() - started
        errors = content["data"]["ociPurchaseOrderCreate"]["errors"]
        assert not errors, errors
        return elapsed, len(queries)

    po_run(1)
    _measure(
        api_client,
        COMPLETE,
        _ordinary_checkout(customer, channel, variants[:1], address, checkout_delivery),
        "checkoutComplete",
    )
    print("\n lines | PO create ms  queries | checkoutComplete ms  queries | ratio")
    for size in SIZES:
        po_runs = [po_run(size) for _ in range(RUNS)]
        complete_runs = [
            _measure(
                api_client,
                COMPLETE,
                _ordinary_checkout(
                    customer, channel, variants[:size], address, checkout_delivery
                ),
                "checkoutComplete",
            )
            for _ in range(RUNS)
        ]
        po_ms = statistics.median(run[0] for run in po_runs) * 1000
        complete_ms = statistics.median(run[0] for run in complete_runs) * 1000
        print(
            f" {size:5d} | {po_ms:12.1f} {po_runs[-1][1]:8d} |"
            f" {complete_ms:19.1f} {complete_runs[-1][1]:8d} |"
            f" {po_ms / complete_ms:5.2f}"
        )
