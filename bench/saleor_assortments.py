"""What assortments and budgets cost, on a channel of 10,000 products.

* ociCatalogue (HTTP, punch-out token): first page, a later page and a search,
  without an assortment and with one (a collection of 5,000 products and a
  maximum unit price): median time and database queries.
* ociCheckoutTransfer of 1 and 100 lines (HTTP): without assortment and budget,
  and with both; and the queries of the two checks themselves (the assortment
  gate with the one price rule, and the budget check-and-hold).

Prints figures; asserts nothing about time. Run with bench/run-saleor.
"""

import statistics
import time
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.checkout.fetch import fetch_checkout_info, fetch_checkout_lines
from saleor.checkout.tests.utils import add_variant_to_checkout
from saleor.graphql.tests.fixtures import ApiClient
from saleor.graphql.tests.utils import get_graphql_content
from saleor.plugins.manager import get_plugins_manager
from saleor.product.models import Collection, CollectionProduct

from saleor_oci_plugin import oci
from saleor_oci_plugin.buyers.models import Assortment, Budget
from saleor_oci_plugin.punchout import gate
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer
from tests.saleor.fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL

PUNCHIN_URL = "/plugins/global/oci.punchout/punchin"
PRODUCTS = 10_000
RUNS = 5
TOKEN_CREATE = """mutation ($code: String!) { ociSessionTokenCreate(code: $code) {
  token checkout { id } errors { code } } }"""
CATALOGUE = """query ($id: ID!, $after: String, $search: String) {
  ociCatalogue(checkoutId: $id, first: 50, after: $after, search: $search) {
    totalCount pageInfo { endCursor }
    edges { node { id name product { thumbnail(size: 64) { url } }
      variants { id sku unitPrice { amount currency } } } } } }"""
TRANSFER = """mutation ($id: ID!) { ociCheckoutTransfer(id: $id) {
  transfer { id } errors { code message } } }"""


def _timed(call):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
    return result, elapsed, len(queries)


def _median(call):
    runs = [_timed(call) for _ in range(RUNS)]
    return (
        runs[-1][0],
        statistics.median(run[1] for run in runs) * 1000,
        runs[-1][2],
    )


def _shop(client):
    response = client.get(
        PUNCHIN_URL,
        {"USERNAME": BUYER_LOGIN, "PASSWORD": BUYER_PASSWORD, "HOOK_URL": HOOK_URL},
    )
    assert response.status_code == 303, response.content
    code = parse_qs(urlsplit(response["Location"]).query)["oci_code"][0]
    api = ApiClient(user=None)
    issued = get_graphql_content(api.post_graphql(TOKEN_CREATE, {"code": code}))[
        "data"
    ]["ociSessionTokenCreate"]
    api.token = issued["token"]
    return api, issued["checkout"]["id"]


def _catalogue_figures(client):
    api, checkout_id = _shop(client)

    def page(**variables):
        def call():
            content = get_graphql_content(
                api.post_graphql(CATALOGUE, {"id": checkout_id, **variables})
            )
            return content["data"]["ociCatalogue"]

        return call

    first, first_ms, first_queries = _median(page())
    _later, later_ms, later_queries = _median(
        page(after=first["pageInfo"]["endCursor"])
    )
    _found, search_ms, search_queries = _median(page(search="box 77"))
    return first["totalCount"], [
        ("first page", first_ms, first_queries),
        ("second page", later_ms, later_queries),
        ("search 'box 77'", search_ms, search_queries),
    ]


def test_catalogue_of_10000_products_with_and_without_an_assortment(
    client, oci_connection, oci_organisation, make_variants
):
    oci_connection.storefront_url = "https://shop.example.com/punchout"
    oci_connection.save(update_fields=["storefront_url"])
    variants = make_variants(PRODUCTS)
    without_count, without = _catalogue_figures(client)

    collection = Collection.objects.create(name="Gifts", slug="gifts")
    CollectionProduct.objects.bulk_create(
        CollectionProduct(collection=collection, product_id=variant.product_id)
        for variant in variants[::2]
    )
    assortment = Assortment.objects.create(
        organisation=oci_organisation, max_unit_price=Decimal("5000")
    )
    assortment.collections.add(collection)
    with_count, with_ = _catalogue_figures(client)

    print(
        f"\nociCatalogue, {PRODUCTS:,} products, pages of 50 (HTTP, median of "
        f"{RUNS}); listed without assortment {without_count:,}, with "
        f"{with_count:,} (a collection of 5,000 and a price cap)"
    )
    print(f"{'':>16} | {'without':>16} | {'with assortment':>16} | ratio")
    print(f"{'':>16} | {'ms':>7} {'queries':>8} | {'ms':>7} {'queries':>8} |")
    for (name, ms, queries), (_n, ms_with, queries_with) in zip(
        without, with_, strict=True
    ):
        print(
            f"{name:>16} | {ms:7.1f} {queries:8d} | {ms_with:7.1f} "
            f"{queries_with:8d} | {ms_with / ms:4.2f}x"
        )


def _cart(oci_connection, variants):
    """A punch-out session whose checkout holds one of each variant."""
    from saleor_oci_plugin.punchout import sessions

    session, code = sessions.open_session(
        oci_connection, sessions.PunchInContext(hook_url=HOOK_URL), 60
    )
    checkout = sessions.exchange_code(code).checkout
    info = fetch_checkout_info(checkout, [], get_plugins_manager(allow_replica=False))
    for variant in variants:
        add_variant_to_checkout(info, variant, 1)
    # As the transfer holds it: with its connection and organisation.
    return PunchoutSession.objects.select_related("connection__organisation").get(
        pk=session.pk
    )


def _transfer_via_http(session):
    api = ApiClient(user=session.checkout.user)
    import graphene

    checkout_id = graphene.Node.to_global_id("Checkout", session.checkout.token)

    def call():
        content = get_graphql_content(api.post_graphql(TRANSFER, {"id": checkout_id}))
        result = content["data"]["ociCheckoutTransfer"]
        assert result["errors"] == [], result
        return result

    return _timed(call)


def _checks(session):
    """Queries of the two checks alone (the gate with its prices; the budget)."""
    lines, _ = fetch_checkout_lines(session.checkout)
    _prices, _t, gate_queries = _timed(lambda: gate.check_cart(session, lines))
    items = [
        oci.CartItem(
            line_number=n,
            sku=str(n),
            description="x",
            quantity=Decimal(1),
            unit_price=Decimal(1),
            currency="USD",
        )
        for n in range(1, len(lines) + 1)
    ]
    fake = PunchoutSession.objects.select_related("connection__organisation").get(
        pk=session.pk
    )
    transfer = Transfer(
        session=fake, currency="USD", snapshot=[], fields=[], content_hash="x"
    )
    from django.db import transaction

    with transaction.atomic():
        transfer.save()
        _w, _t2, budget_queries = _timed(
            lambda: gate.hold_budget(transfer, fake, items)
        )
        transaction.set_rollback(True)
    return gate_queries, budget_queries


def test_transfer_checks_for_1_and_100_lines(
    oci_connection, oci_organisation, make_variants
):
    variants = make_variants(100, prefix="TRF")
    rows = []
    for assortment_and_budget in (False, True):
        if assortment_and_budget:
            collection = Collection.objects.create(name="All", slug="all")
            CollectionProduct.objects.bulk_create(
                CollectionProduct(collection=collection, product_id=v.product_id)
                for v in variants
            )
            Assortment.objects.create(
                organisation=oci_organisation, max_unit_price=Decimal(1000)
            ).collections.add(collection)
            Budget.objects.create(
                organisation=oci_organisation,
                amount=Decimal(10**9),
                currency="USD",
                name="Big",
            )
        for size in (1, 100):
            checks = _checks(_cart(oci_connection, variants[:size]))
            _result, seconds, queries = _transfer_via_http(
                _cart(oci_connection, variants[:size])
            )
            rows.append((assortment_and_budget, size, seconds * 1000, queries, checks))
    print("\nociCheckoutTransfer (HTTP), one run each")
    print(
        f"{'assortment+budget':>18} {'lines':>6} {'ms':>8} {'queries':>8} | "
        f"{'gate q':>6} {'budget q':>8}"
    )
    for with_, size, ms, queries, (gate_q, budget_q) in rows:
        print(
            f"{'yes' if with_ else 'no':>18} {size:6d} {ms:8.1f} {queries:8d} | "
            f"{gate_q:6d} {budget_q:8d}"
        )
