"""The transfer's gate: what the assortment and budget checks cost in queries
(the issue's goal: at most 3, whatever the size of the cart), and that a loaded
cart is judged as the catalogue's SQL rule judges the same variants."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.checkout.fetch import fetch_checkout_info, fetch_checkout_lines
from saleor.checkout.tests.utils import add_variant_to_checkout
from saleor.plugins.manager import get_plugins_manager
from saleor.product.models import Category, ProductVariantChannelListing

from saleor_oci_plugin import oci
from saleor_oci_plugin.buyers.models import Assortment, AssortmentLayer, Budget
from saleor_oci_plugin.punchout import gate, sessions
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer
from saleor_oci_plugin.punchout.offer import Offer

from ..assortment_helpers import LINES_ADD, TRANSFER, call, hide, in_collection, line
from ..assortment_helpers import shop as punch_in_and_shop
from ..fixtures import HOOK_URL

STOREFRONT = "https://shop.example.com/punchout"


@pytest.fixture(autouse=True)
def storefront(oci_connection):
    oci_connection.storefront_url = STOREFRONT
    oci_connection.save(update_fields=["storefront_url"])


def limit(organisation, branch, variants):
    """A shop assortment (a collection, a category with its subcategories, a
    price cap), an admin's narrowing and a branch's; budgets of all three
    scopes, hard and soft."""
    collection = in_collection("All", variants)
    shop_layer = Assortment.objects.create(
        organisation=organisation, max_unit_price=Decimal(1000)
    )
    shop_layer.collections.add(collection)
    shop_layer.categories.add(variants[0].product.category)
    Assortment.objects.create(
        organisation=organisation, layer=AssortmentLayer.ORGANISATION
    ).excluded_products.add(variants[-1].product_id)
    Assortment.objects.create(organisation=organisation, branch=branch).products.add(
        *[variant.product_id for variant in variants]
    )
    for scope in ({}, {"branch": branch}):
        Budget.objects.create(
            organisation=organisation,
            amount=Decimal(10**9),
            currency="USD",
            hard=not scope,
            **scope,
        )


def transfer_queries(client, api_client, variants) -> int:
    """The queries of one ociCheckoutTransfer of a cart of these variants."""
    checkout_id = punch_in_and_shop(client, api_client)
    added = call(
        api_client,
        LINES_ADD,
        {"id": checkout_id, "lines": [line(variant) for variant in variants]},
    )
    assert added["errors"] == []
    with CaptureQueriesContext(connection) as queries:
        result = call(api_client, TRANSFER, {"id": checkout_id})
    assert result["errors"] == []
    return len(queries)


def test_assortment_and_budget_checks_add_no_query_to_the_transfer(
    client, api_client, oci_organisation, oci_branch, make_variants
):
    variants = make_variants(101)
    offered = variants[:100]
    transfer_queries(client, api_client, offered[:1])  # caches filled once
    without = {
        size: transfer_queries(client, api_client, offered[:size]) for size in (1, 100)
    }

    limit(oci_organisation, oci_branch, variants)
    with_checks = {
        size: transfer_queries(client, api_client, offered[:size]) for size in (1, 100)
    }

    # The checks run with or without assortments and budgets, at the same cost:
    # the offer (one query), the budgets with their use, the hold.
    assert with_checks == without
    assert with_checks[1] == with_checks[100]


def cart_session(oci_connection, variants) -> PunchoutSession:
    session, code = sessions.open_session(
        oci_connection, sessions.PunchInContext(hook_url=HOOK_URL), 60
    )
    checkout = sessions.exchange_code(code).checkout
    info = fetch_checkout_info(checkout, [], get_plugins_manager(allow_replica=False))
    for variant in variants:
        add_variant_to_checkout(info, variant, 1)
    # As the transfer reads it: with its organisation (locked).
    return PunchoutSession.objects.select_related("connection__organisation").get(
        pk=session.pk
    )


def test_the_checks_cost_three_queries_for_1_and_100_lines(
    oci_organisation,
    oci_branch,
    oci_connection,
    make_variants,
    django_assert_num_queries,
):
    variants = make_variants(101)
    limit(oci_organisation, oci_branch, variants)
    for size in (1, 100):
        session = cart_session(oci_connection, variants[:size])
        lines, _unavailable = fetch_checkout_lines(session.checkout)
        with django_assert_num_queries(1):
            prices = gate.check_cart(session, lines)
        cart = [
            oci.CartItem(
                line_number=number,
                sku=item.variant.sku,
                description="x",
                quantity=Decimal(1),
                unit_price=prices.unit_prices[item.line.pk],
                currency="USD",
            )
            for number, item in enumerate(lines, start=1)
        ]
        transfer = Transfer.objects.create(
            session=session, currency="USD", snapshot=[], content_hash="x", fields=[]
        )
        with django_assert_num_queries(2):
            gate.hold_budget(transfer, session, cart)


def test_a_loaded_cart_is_judged_as_the_catalogue_judges_its_variants(
    oci_organisation, oci_branch, oci_connection, make_variants, category
):
    """offers_line (the transfer, on loaded lines) and variants() (SQL: the
    catalogue, background search, adding lines) are one rule."""
    variants = make_variants(8)
    child = Category.objects.create(name="Vases", slug="vases", parent=category)
    variants[1].product.category = child
    variants[1].product.save(update_fields=["category"])
    variants[2].product.category = Category.objects.create(name="Other", slug="o")
    variants[2].product.save(update_fields=["category"])
    hide(variants[3])  # hidden, not named: refused
    hide(variants[4])  # hidden, named by the shop layer's products: offered
    ProductVariantChannelListing.objects.filter(variant=variants[5]).update(
        price_amount=Decimal(2000), discounted_price_amount=Decimal(2000)
    )
    shop_layer = Assortment.objects.create(
        organisation=oci_organisation, max_unit_price=Decimal(1000)
    )
    shop_layer.categories.add(category)  # with its subcategories
    shop_layer.products.add(variants[4].product_id, variants[2].product_id)
    Assortment.objects.create(
        organisation=oci_organisation, branch=oci_branch
    ).excluded_products.add(variants[6].product_id)
    session = cart_session(oci_connection, variants)
    lines, _unavailable = fetch_checkout_lines(session.checkout)

    offer = Offer.of(
        oci_connection,
        oci_branch.pk,
        {item.product.category_id for item in lines},
    )
    import django.utils.timezone

    now = django.utils.timezone.now()
    by_line = {item.variant.sku for item in lines if offer.offers_line(item, now)}
    by_sql = set(offer.variants().values_list("sku", flat=True))

    assert by_line == by_sql
    assert by_line == {
        variants[n].sku for n in (0, 1, 2, 4, 7)
    }  # 3 hidden, 5 above the cap, 6 excluded by the branch
