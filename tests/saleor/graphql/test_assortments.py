"""Assortments through GraphQL and the punch-in URL: what a buyer is offered in
the catalogue, the background functions, adding lines and the transfer, and at
one price everywhere."""

from decimal import Decimal

import graphene
import pytest
from django.contrib.auth.hashers import make_password
from saleor.product.models import ProductVariantChannelListing
from saleor.tax import TaxCalculationStrategy
from saleor.tax.models import TaxClassCountryRate

from saleor_oci_plugin.buyers.models import Assortment, AssortmentLayer, Branch
from saleor_oci_plugin.punchout.models import Connection, PunchoutSession, Transfer

from ..assortment_helpers import (
    ASSORTMENT_SET,
    CATALOGUE,
    LINES_ADD,
    TRANSFER,
    background,
    background_items,
    call,
    catalogue_skus,
    form_prices,
    hide,
    in_collection,
    line,
    punch_in,
    shop,
)
from ..fixtures import BUYER_PASSWORD

STOREFRONT = "https://shop.example.com/punchout"


@pytest.fixture(autouse=True)
def storefront(oci_connection):
    oci_connection.storefront_url = STOREFRONT
    oci_connection.save(update_fields=["storefront_url"])


@pytest.fixture
def variants(make_variants):
    """GIFT-0000 .. GIFT-0004 at 12.50 .. 16.50 (prices entered with tax, 0 % in
    the US, so net = listing price)."""
    return make_variants(5)


@pytest.fixture
def gifts(oci_organisation, variants):
    """The organisation limited to the 'Gifts' collection (GIFT-0000..0002) and a
    maximum unit price of 13.50: GIFT-0000 and GIFT-0001."""
    collection = in_collection("Gifts", variants[:3])
    assortment = Assortment.objects.create(
        organisation=oci_organisation, max_unit_price=Decimal("13.50")
    )
    assortment.collections.add(collection)
    return assortment


def _skus(variants):
    return [variant.sku for variant in variants]


# ------------------------------------------------------------------ catalogue
def test_catalogue_lists_only_the_assortment(client, api_client, gifts, variants):
    checkout_id = shop(client, api_client)

    result = call(api_client, CATALOGUE, {"checkoutId": checkout_id, "first": 10})

    assert result["totalCount"] == 2
    nodes = [edge["node"] for edge in result["edges"]]
    assert [node["variants"][0]["sku"] for node in nodes] == ["GIFT-0000", "GIFT-0001"]
    assert [node["variants"][0]["unitPrice"] for node in nodes] == [
        {"amount": 12.5, "currency": "USD"},
        {"amount": 13.5, "currency": "USD"},
    ]
    assert nodes[0]["product"]["slug"] == "gift-box-0"


def test_catalogue_without_assortment_is_the_channel(client, api_client, variants):
    checkout_id = shop(client, api_client)
    assert catalogue_skus(api_client, checkout_id) == _skus(variants)


def test_catalogue_pages_and_searches(client, api_client, variants):
    checkout_id = shop(client, api_client)

    first = call(api_client, CATALOGUE, {"checkoutId": checkout_id, "first": 2})
    second = call(
        api_client,
        CATALOGUE,
        {
            "checkoutId": checkout_id,
            "first": 2,
            "after": first["pageInfo"]["endCursor"],
        },
    )

    assert first["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["name"] for edge in second["edges"]] == [
        "Gift box 2",
        "Gift box 3",
    ]
    assert catalogue_skus(api_client, checkout_id, search="box 4") == ["GIFT-0004"]
    assert catalogue_skus(api_client, checkout_id, search="GIFT-0003") == ["GIFT-0003"]


def test_catalogue_filters_by_category_with_subcategories(
    client, api_client, variants, category
):
    from saleor.product.models import Category, Product

    child = Category.objects.create(name="Flowers", slug="flowers", parent=category)
    other = Category.objects.create(name="Other", slug="other")
    Product.objects.filter(pk=variants[0].product_id).update(category=child)
    Product.objects.filter(pk=variants[1].product_id).update(category=other)
    checkout_id = shop(client, api_client)

    in_parent = catalogue_skus(
        api_client,
        checkout_id,
        category=graphene.Node.to_global_id("Category", category.pk),
    )

    assert in_parent == ["GIFT-0000", "GIFT-0002", "GIFT-0003", "GIFT-0004"]


def test_catalogue_of_someone_elses_checkout_is_empty(
    client, api_client, variants, staff_api_client
):
    checkout_id = shop(client, api_client)
    result = call(staff_api_client, CATALOGUE, {"checkoutId": checkout_id, "first": 10})
    assert result["totalCount"] == 0


def test_catalogue_costs_the_same_queries_for_any_page_size(
    client, api_client, make_variants, gifts, django_assert_max_num_queries
):
    from django.db import connection as database
    from django.test.utils import CaptureQueriesContext

    make_variants(30, prefix="MORE")
    checkout_id = shop(client, api_client)
    counts = []
    for first in (1, 20):
        with CaptureQueriesContext(database) as queries:
            call(api_client, CATALOGUE, {"checkoutId": checkout_id, "first": first})
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --------------------------------------------------------- background functions
def test_background_search_finds_only_the_assortment(client, gifts, variants):
    items = background_items(
        background(client, "BACKGROUND_SEARCH", SEARCHSTRING="Gift")
    )
    assert [item.vendormat for item in items] == ["GIFT-0000", "GIFT-0001"]


def test_validate_refuses_a_product_outside_the_assortment(client, gifts, variants):
    # In the collection but above the price cap, and outside the collection.
    for sku in ("GIFT-0002", "GIFT-0004"):
        response = background(client, "VALIDATE", PRODUCTID=sku, QUANTITY="1")
        assert response.status_code == 404
    assert background_items(
        background(client, "VALIDATE", PRODUCTID="GIFT-0001", QUANTITY="1")
    )[0].price == Decimal("13.50")


def test_excluded_product_is_never_offered(client, oci_organisation, variants):
    assortment = Assortment.objects.create(organisation=oci_organisation)
    assortment.excluded_products.add(variants[1].product_id)
    items = background_items(
        background(client, "BACKGROUND_SEARCH", SEARCHSTRING="Gift")
    )
    assert [item.vendormat for item in items] == [
        "GIFT-0000",
        "GIFT-0002",
        "GIFT-0003",
        "GIFT-0004",
    ]


# ------------------------------------------------------------- hidden products
def test_hidden_product_is_offered_to_the_organisation_naming_it_only(
    client,
    api_client,
    oci_organisation,
    variants,
    other_organisation,
    channel_USD,
    customer_user,
):
    hidden = variants[4]
    hide(hidden)
    assortment = Assortment.objects.create(organisation=oci_organisation)
    assortment.products.add(hidden.product_id, variants[0].product_id)
    Connection.objects.create(
        organisation=other_organisation,
        name="West",
        login_name="west-srm",
        password=make_password(BUYER_PASSWORD),
        hook_url_allowlist=["https://srm.hospital.example"],
        channel=channel_USD,
        customer=customer_user,
        storefront_url=STOREFRONT,
    )

    checkout_id = shop(client, api_client)
    assert catalogue_skus(api_client, checkout_id) == ["GIFT-0000", "GIFT-0004"]
    assert (
        background(client, "VALIDATE", PRODUCTID="GIFT-0004", QUANTITY="1")
    ).status_code == 200
    # Nobody else: another organisation, nor the public listing.
    assert (
        background(
            client, "VALIDATE", login="west-srm", PRODUCTID="GIFT-0004", QUANTITY="1"
        ).status_code
        == 404
    )
    other_checkout = shop(client, api_client, login="west-srm")
    assert "GIFT-0004" not in catalogue_skus(api_client, other_checkout)


def test_an_admins_layer_cannot_offer_a_hidden_product(
    client, api_client, oci_organisation, variants
):
    hide(variants[4])
    Assortment.objects.create(
        organisation=oci_organisation, layer=AssortmentLayer.ORGANISATION
    ).products.add(variants[4].product_id)
    checkout_id = shop(client, api_client)
    assert catalogue_skus(api_client, checkout_id) == []


# --------------------------------------------------------------------- branches
def test_branch_narrows_the_organisations_assortment(
    client, api_client, gifts, oci_branch, variants
):
    branch = Assortment.objects.create(
        organisation=gifts.organisation, branch=oci_branch
    )
    branch.excluded_products.add(variants[0].product_id)
    other_branch = Branch.objects.create(
        organisation=gifts.organisation, name="Zuid", code="ZUID"
    )

    # The connection's branch: background functions and its sessions.
    items = background_items(
        background(client, "BACKGROUND_SEARCH", SEARCHSTRING="Gift")
    )
    assert [item.vendormat for item in items] == ["GIFT-0001"]
    checkout_id = shop(client, api_client)
    assert catalogue_skus(api_client, checkout_id) == ["GIFT-0001"]
    # A session ordering for another branch gets the organisation's.
    PunchoutSession.objects.update(branch=other_branch)
    assert catalogue_skus(api_client, checkout_id) == ["GIFT-0000", "GIFT-0001"]


# ------------------------------------------------------------ adding, transfer
def test_line_outside_is_refused_at_adding(client, api_client, gifts, variants):
    checkout_id = shop(client, api_client)

    result = call(
        api_client,
        LINES_ADD,
        {"id": checkout_id, "lines": [line(variants[0]), line(variants[3], 2)]},
    )

    assert result["checkout"] is None
    assert [(e["code"], e["line"], e["field"]) for e in result["errors"]] == [
        ("NOT_IN_ASSORTMENT", "2", "lines")
    ]
    assert "GIFT-0003" in result["errors"][0]["message"]
    assert not PunchoutSession.objects.get().checkout.lines.exists()

    added = call(
        api_client, LINES_ADD, {"id": checkout_id, "lines": [line(variants[0], 3)]}
    )
    assert added["errors"] == []
    assert added["checkout"]["lines"] == [
        {"quantity": 3, "variant": {"sku": "GIFT-0000"}}
    ]


def test_adding_refuses_unknown_variants_and_closed_sessions(
    client, api_client, variants
):
    checkout_id = shop(client, api_client)
    unknown = {
        "variantId": graphene.Node.to_global_id("ProductVariant", 0),
        "quantity": 1,
    }
    result = call(api_client, LINES_ADD, {"id": checkout_id, "lines": [unknown]})
    assert [(e["code"], e["line"]) for e in result["errors"]] == [("NOT_FOUND", "1")]

    variants[0].stocks.update(quantity=1)
    too_many = call(
        api_client, LINES_ADD, {"id": checkout_id, "lines": [line(variants[0], 2)]}
    )
    assert [e["code"] for e in too_many["errors"]] == ["INSUFFICIENT_STOCK"]

    PunchoutSession.objects.update(status=PunchoutSession.Status.CANCELLED)
    closed = call(
        api_client, LINES_ADD, {"id": checkout_id, "lines": [line(variants[0])]}
    )
    assert [e["code"] for e in closed["errors"]] == ["SESSION_CLOSED"]


def test_line_outside_is_refused_at_transfer(client, api_client, gifts, variants):
    # A storefront that adds with Saleor's own checkoutLinesAdd gets past adding;
    # the transfer is the hard gate.
    from saleor.checkout.fetch import fetch_checkout_info
    from saleor.checkout.tests.utils import add_variant_to_checkout
    from saleor.plugins.manager import get_plugins_manager

    checkout_id = shop(client, api_client)
    checkout = PunchoutSession.objects.get().checkout
    info = fetch_checkout_info(checkout, [], get_plugins_manager(allow_replica=False))
    add_variant_to_checkout(info, variants[0], 1)
    add_variant_to_checkout(info, variants[2], 1)

    result = call(api_client, TRANSFER, {"id": checkout_id})

    assert result["transfer"] is None
    assert [(e["code"], e["line"]) for e in result["errors"]] == [
        ("NOT_IN_ASSORTMENT", "2")
    ]
    assert not Transfer.objects.exists()
    assert PunchoutSession.objects.get().status == "open"


# ----------------------------------------------------------- managing them
def test_staff_set_the_shop_layer_and_an_admin_only_narrows(
    staff_api_client,
    permission_manage_plugins,
    oci_organisation,
    oci_admin,
    member_api_client,
    variants,
    client,
    api_client,
):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    product_ids = [
        graphene.Node.to_global_id("Product", variant.product_id)
        for variant in variants[:3]
    ]
    result = call(
        staff_api_client,
        ASSORTMENT_SET,
        {
            "input": {
                "organisation": graphene.Node.to_global_id(
                    "OciOrganisation", oci_organisation.pk
                ),
                "products": product_ids,
            }
        },
    )
    assert result["errors"] == []
    assert result["assortment"]["layer"] == "shop"

    admin = member_api_client(oci_admin)
    # The admin tries to widen to GIFT-0004: the shop's layer still applies.
    narrowed = call(
        admin,
        ASSORTMENT_SET,
        {
            "input": {
                "products": [
                    product_ids[0],
                    graphene.Node.to_global_id("Product", variants[4].product_id),
                ]
            }
        },
    )
    assert narrowed["errors"] == []
    assert narrowed["assortment"]["layer"] == "organisation"

    checkout_id = shop(client, api_client)
    assert catalogue_skus(api_client, checkout_id) == ["GIFT-0000"]


def test_assortment_set_refuses_others_and_unknown_ids(
    oci_admin, member_api_client, other_organisation, oci_orderer
):
    admin = member_api_client(oci_admin)
    other = graphene.Node.to_global_id("OciOrganisation", other_organisation.pk)
    result = call(admin, ASSORTMENT_SET, {"input": {"organisation": other}})
    assert [e["code"] for e in result["errors"]] == ["NOT_FOUND"]

    unknown = call(
        admin,
        ASSORTMENT_SET,
        {"input": {"collections": [graphene.Node.to_global_id("Collection", 0)]}},
    )
    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [
        ("collections", "NOT_FOUND")
    ]
    assert not Assortment.objects.exists()

    orderer = member_api_client(oci_orderer)
    response = orderer.post_graphql(ASSORTMENT_SET, {"input": {}})
    assert "PermissionDenied" in str(response.json()["errors"])


# ------------------------------------------------------------ the one price
@pytest.fixture
def prices_with_tax(channel_USD, default_tax_class, variants):
    """Flat rates, prices entered with tax, 9 % in the channel's country; GIFT-0000
    listed at 27.25 (25.00 net)."""
    configuration = channel_USD.tax_configuration
    configuration.tax_calculation_strategy = TaxCalculationStrategy.FLAT_RATES
    configuration.charge_taxes = True
    configuration.prices_entered_with_tax = True
    configuration.save()
    configuration.country_exceptions.all().delete()
    TaxClassCountryRate.objects.create(
        country="US", rate=9, tax_class=default_tax_class
    )
    ProductVariantChannelListing.objects.filter(variant=variants[0]).update(
        price_amount=Decimal("27.25"), discounted_price_amount=Decimal("27.25")
    )
    return variants[0]


def test_one_unit_price_everywhere_with_prices_entered_with_tax(
    client, api_client, prices_with_tax
):
    validated = background_items(
        background(client, "VALIDATE", PRODUCTID="GIFT-0000", QUANTITY="2")
    )
    searched = background_items(
        background(client, "BACKGROUND_SEARCH", SEARCHSTRING="GIFT-0000")
    )
    checkout_id = shop(client, api_client)
    listed = call(api_client, CATALOGUE, {"checkoutId": checkout_id, "first": 1})
    call(
        api_client, LINES_ADD, {"id": checkout_id, "lines": [line(prices_with_tax, 2)]}
    )
    transferred = call(api_client, TRANSFER, {"id": checkout_id})

    assert transferred["errors"] == []
    fields = [(f["name"], f["value"]) for f in transferred["transfer"]["fields"]]
    assert validated[0].price == Decimal("25.00")
    assert searched[0].price == Decimal("25.00")
    assert listed["edges"][0]["node"]["variants"][0]["unitPrice"]["amount"] == 25.0
    assert form_prices(fields) == [Decimal("25.00")]
    # The PO is matched against that same price.
    assert Transfer.objects.get().snapshot[0]["unit_price_net"] == "25.00"


def test_price_cap_compares_the_net_price(client, oci_organisation, prices_with_tax):
    # 27.25 with tax is 25.00 net: within a cap of 25, out of one of 24.99.
    assortment = Assortment.objects.create(
        organisation=oci_organisation, max_unit_price=Decimal("25")
    )
    ok = background(client, "VALIDATE", PRODUCTID="GIFT-0000", QUANTITY="1")
    assert ok.status_code == 200
    assortment.max_unit_price = Decimal("24.99")
    assortment.save()
    refused = background(client, "VALIDATE", PRODUCTID="GIFT-0000", QUANTITY="1")
    assert refused.status_code == 404


def test_catalogue_promotion_lowers_the_one_price(client, api_client, variants):
    ProductVariantChannelListing.objects.filter(variant=variants[0]).update(
        discounted_price_amount=Decimal("10.00")
    )
    checkout_id = shop(client, api_client)
    listed = call(api_client, CATALOGUE, {"checkoutId": checkout_id, "first": 1})
    validated = background_items(
        background(client, "VALIDATE", PRODUCTID="GIFT-0000", QUANTITY="1")
    )
    assert listed["edges"][0]["node"]["variants"][0]["unitPrice"]["amount"] == 10.0
    assert validated[0].price == Decimal("10.00")


# -------------------------------------------------------------- inactive channel
def test_inactive_channel_refuses_punch_in_with_a_clear_page(client, channel_USD):
    channel_USD.is_active = False
    channel_USD.save(update_fields=["is_active"])

    response = punch_in(client)

    assert response.status_code == 503
    text = response.content.decode()
    assert "Shop closed" in text
    assert "sales channel is inactive" in text
    assert not PunchoutSession.objects.exists()


def test_inactive_channel_refuses_adding_and_transfer(
    client, api_client, variants, channel_USD
):
    checkout_id = shop(client, api_client)
    call(api_client, LINES_ADD, {"id": checkout_id, "lines": [line(variants[0])]})
    channel_USD.is_active = False
    channel_USD.save(update_fields=["is_active"])

    added = call(
        api_client, LINES_ADD, {"id": checkout_id, "lines": [line(variants[1])]}
    )
    transferred = call(api_client, TRANSFER, {"id": checkout_id})

    assert [e["code"] for e in added["errors"]] == ["CHANNEL_INACTIVE"]
    assert [e["code"] for e in transferred["errors"]] == ["CHANNEL_INACTIVE"]
    assert not Transfer.objects.exists()
