"""VALIDATE, BACKGROUND_SEARCH and DETAIL on the punch-in URL, called as an ERP does."""

import datetime
import html
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection as database
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from saleor.product.models import (
    Product,
    ProductChannelListing,
    ProductVariant,
    ProductVariantChannelListing,
)
from saleor.warehouse.models import Reservation, Stock

from saleor_oci_plugin import oci
from saleor_oci_plugin.punchout.background import SEARCH_LIMIT, TRUNCATED_HEADER

from ..fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL

PUNCHIN_URL = "/plugins/global/oci.punchout/punchin"
FORM = "application/x-www-form-urlencoded"
LONG_AGO = datetime.datetime(1999, 1, 1, tzinfo=datetime.UTC)


def call(client, method="get", **parameters):
    """Call the punch-in URL as a procurement system does, logged in."""
    query = {"USERNAME": BUYER_LOGIN, "PASSWORD": BUYER_PASSWORD, **parameters}
    if method == "post":
        return client.post(PUNCHIN_URL, urlencode(query), content_type=FORM)
    return client.get(PUNCHIN_URL, query)


def validate(client, sku, quantity="2", method="get", **parameters):
    return call(
        client,
        method,
        FUNCTION="VALIDATE",
        PRODUCTID=sku,
        QUANTITY=quantity,
        HOOK_URL=HOOK_URL,
        **parameters,
    )


def search(client, text, **parameters):
    return call(client, FUNCTION="BACKGROUND_SEARCH", SEARCHSTRING=text, **parameters)


def detail(client, sku):
    return call(client, FUNCTION="DETAIL", PRODUCTID=sku, HOOK_URL=HOOK_URL)


def items_of(response, charset="UTF-8"):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == f"{FORM}; charset={charset}"
    fields = oci.decode_background_answer(response.content, charset=charset)
    return oci.decode_cart(fields).items


def page_html(response):
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response.content.decode("utf-8")


def page_text(response):
    """The page as a person reads it (the messages, unescaped)."""
    return html.unescape(page_html(response))


def variant_of(product):
    return product.variants.get()


def create_products(count, *, prefix, product_type, category, warehouse, channel):
    """``count`` available products of one variant each, named ``<prefix> 000``..."""
    products = Product.objects.bulk_create(
        Product(
            name=f"{prefix} {index:03}",
            slug=f"{prefix.lower()}-{index}",
            product_type=product_type,
            category=category,
        )
        for index in range(count)
    )
    ProductChannelListing.objects.bulk_create(
        ProductChannelListing(
            product=product,
            channel=channel,
            is_published=True,
            visible_in_listings=True,
            available_for_purchase_at=LONG_AGO,
            currency=channel.currency_code,
        )
        for product in products
    )
    variants = ProductVariant.objects.bulk_create(
        ProductVariant(product=product, sku=f"{prefix.upper()}-{index:03}")
        for index, product in enumerate(products)
    )
    ProductVariantChannelListing.objects.bulk_create(
        ProductVariantChannelListing(
            variant=variant,
            channel=channel,
            price_amount=Decimal(index + 1),
            currency=channel.currency_code,
        )
        for index, variant in enumerate(variants)
    )
    Stock.objects.bulk_create(
        Stock(warehouse=warehouse, product_variant=variant, quantity=100)
        for variant in variants
    )
    return products


# ---------------------------------------------------------------------- VALIDATE
def test_validate_answers_the_item_with_price_quantity_and_nzi_code(
    client, oci_connection, product
):
    product.store_value_in_metadata({"nzi_code": "NZI-7"})
    product.save(update_fields=["metadata"])

    response = validate(client, "123", quantity="2")

    [item] = items_of(response)
    assert item.index == 1
    assert item.vendormat == "123"
    assert item.ext_product_id == "123"
    assert item.description == "Test product"
    assert item.quantity == Decimal(2)
    assert item.price == Decimal("10.00")
    assert item.currency == "USD"
    assert item.unit == "PCE"
    assert item.matgroup == "NZI-7"
    assert item.ext_quote_id == ""  # a background answer belongs to no transfer


def test_validate_by_post_answers_the_same(client, oci_connection, product):
    [item] = items_of(validate(client, "123", quantity="3", method="post"))
    assert (item.vendormat, item.quantity, item.price) == ("123", 3, Decimal("10.00"))


def test_validate_prices_with_the_catalogue_promotion(client, oci_connection, product):
    # Saleor writes a promotion's effect into the listing's discounted price.
    ProductVariantChannelListing.objects.filter(variant__product=product).update(
        discounted_price_amount=Decimal("8.50")
    )
    [item] = items_of(validate(client, "123"))
    assert item.price == Decimal("8.50")


def test_validate_prefers_the_connections_nzi_override(client, oci_connection, product):
    product.store_value_in_metadata({"nzi_code": "NZI-7"})
    product.save(update_fields=["metadata"])
    oci_connection.nzi_overrides = {"products": {"123": "NZI123"}}
    oci_connection.save(update_fields=["nzi_overrides"])

    [item] = items_of(validate(client, "123"))
    assert item.matgroup == "NZI123"


def test_validate_answers_in_the_punchin_charset(client, oci_connection, product):
    product.name = "Pinzette für Ärzte"
    product.save(update_fields=["name"])

    response = validate(client, "123", HTTP_CONTENT_CHARSET="ISO-8859-1")

    assert b"Pinzette+f%FCr+%C4rzte" in response.content
    [item] = items_of(response, charset="ISO-8859-1")
    assert item.description == "Pinzette für Ärzte"


def test_validate_finds_a_variant_without_sku_by_the_id_sent_for_it(
    client, oci_connection, product
):
    variant = variant_of(product)
    variant.sku = None
    variant.save(update_fields=["sku"])

    [item] = items_of(validate(client, str(variant.pk)))
    assert item.vendormat == str(variant.pk)
    assert item.price == Decimal("10.00")


@pytest.mark.parametrize("sku", ["no-such-sku", "12", "1234", "9" * 40])
def test_validate_refuses_an_unknown_sku(client, oci_connection, product, sku):
    response = validate(client, sku)
    assert response.status_code == 404
    assert "Product not found" in page_text(response)
    assert f"No product with SKU {sku!r} is offered" in page_text(response)
    assert b"NEW_ITEM" not in response.content


def test_validate_refuses_a_product_id_with_a_nul_character(
    client, oci_connection, product
):
    response = validate(client, "12\x003")
    assert response.status_code == 404
    assert "No product with SKU '12\\x003' is offered" in page_text(response)


def test_background_functions_refuse_an_inactive_channel_plainly(
    client, oci_connection, product, channel_USD
):
    channel_USD.is_active = False
    channel_USD.save(update_fields=["is_active"])
    for response in (validate(client, "123"), search(client, "Test")):
        assert response.status_code == 503
        assert "Shop closed" in page_text(response)
        assert "sales channel is inactive" in page_text(response)
        assert not items_of_page(response)


def items_of_page(response):
    """The NEW_ITEM fields a refusal page carries (none)."""
    return [name for name in page_html(response).split() if "NEW_ITEM" in name]


def test_validate_finds_a_variant_with_sku_only_by_its_sku(
    client, oci_connection, product
):
    response = validate(client, str(variant_of(product).pk))
    assert response.status_code == 404


def test_validate_refuses_a_product_of_another_channel(
    client, oci_connection, product, channel_PLN
):
    oci_connection.channel = channel_PLN
    oci_connection.save(update_fields=["channel"])

    response = validate(client, "123")

    assert response.status_code == 404
    assert "No product with SKU '123' is offered" in page_text(response)


@pytest.mark.parametrize(
    "change",
    [{"is_published": False}, {"visible_in_listings": False}],
    ids=["unpublished", "hidden"],
)
def test_validate_refuses_a_product_customers_cannot_see(
    client, oci_connection, product, change
):
    ProductChannelListing.objects.filter(product=product).update(**change)
    response = validate(client, "123")
    assert response.status_code == 404
    assert "Product not found" in page_text(response)


@pytest.mark.parametrize(
    "available_at",
    [None, timezone.now() + datetime.timedelta(days=1)],
    ids=["never", "tomorrow"],
)
def test_validate_refuses_a_product_not_yet_available_for_purchase(
    client, oci_connection, product, available_at
):
    ProductChannelListing.objects.filter(product=product).update(
        available_for_purchase_at=available_at
    )
    response = validate(client, "123")
    assert response.status_code == 409
    assert "Test product (SKU 123) is not available for purchase." in page_text(
        response
    )


def test_validate_refuses_more_than_the_stock(client, oci_connection, product):
    response = validate(client, "123", quantity="11")  # 10 in stock
    assert response.status_code == 409
    assert "Not enough stock" in page_text(response)
    assert "Test product (SKU 123): 11 asked, 10 available." in page_text(response)
    [item] = items_of(validate(client, "123", quantity="10"))
    assert item.quantity == 10


def test_validate_counts_stock_reserved_by_other_checkouts(
    client, oci_connection, product, checkout_line, site_settings
):
    site_settings.reserve_stock_duration_authenticated_user = 10
    site_settings.save(update_fields=["reserve_stock_duration_authenticated_user"])
    Reservation.objects.create(
        checkout_line=checkout_line,
        stock=Stock.objects.get(product_variant__product=product),
        quantity_reserved=8,
        reserved_until=timezone.now() + datetime.timedelta(minutes=10),
    )

    response = validate(client, "123", quantity="3")

    assert response.status_code == 409
    assert "3 asked, 2 available." in page_text(response)


def test_validate_refuses_more_than_the_limit_per_customer(
    client, oci_connection, product
):
    ProductVariant.objects.filter(product=product).update(quantity_limit_per_customer=5)
    response = validate(client, "123", quantity="6")
    assert response.status_code == 409
    assert "Quantity over limit" in page_text(response)
    assert "Cannot add more than 5 times this item" in page_text(response)


@pytest.mark.parametrize("quantity", ["1.5", "0,25"])
def test_validate_refuses_a_fractional_quantity(
    client, oci_connection, product, quantity
):
    response = validate(client, "123", quantity=quantity)
    assert response.status_code == 400
    assert "is not a whole number; this shop sells whole units." in page_text(response)


def test_validate_refuses_a_quantity_too_long_for_oci(
    client, oci_connection, product, site_settings
):
    site_settings.limit_quantity_per_checkout = None
    site_settings.save(update_fields=["limit_quantity_per_checkout"])
    ProductVariant.objects.filter(product=product).update(track_inventory=False)

    response = validate(client, "123", quantity="1" + "0" * 15)

    assert response.status_code == 400
    assert "QUANTITY (item 1): 1000000000000000 does not fit" in page_text(response)
    assert items_of(validate(client, "123", quantity="40"))[0].quantity == 40


def test_validate_says_when_the_connection_cannot_describe_the_product(
    client, oci_connection, product
):
    product.store_value_in_metadata({"oci_unit": "furlong"})
    product.save(update_fields=["metadata"])

    response = validate(client, "123")

    assert response.status_code == 503
    assert "UNIT (item 1): unit 'furlong' has no OCI code" in page_text(response)


def test_validate_refuses_a_wrong_password(client, oci_connection, product):
    response = validate(client, "123", PASSWORD="wrong")
    assert response.status_code == 401
    assert "Unknown login name or wrong password." in page_text(response)
    assert b"NEW_ITEM" not in response.content


# ------------------------------------------------------------- BACKGROUND_SEARCH
def test_search_answers_the_matching_products_by_name(
    client, oci_connection, product_list
):
    items = items_of(search(client, "test PRODUCT"))
    assert [item.description for item in items] == [
        "Test product 1",
        "Test product 2",
        "Test product 3",
    ]
    assert [item.index for item in items] == [1, 2, 3]
    assert [item.price for item in items] == [Decimal(10), Decimal(20), Decimal(30)]
    assert {item.quantity for item in items} == {Decimal(1)}
    assert [item.vendormat for item in items] == [
        variant_of(product).sku for product in product_list
    ]


def test_search_needs_every_word(client, oci_connection, product_list):
    product_list[1].name = "Test product blue"
    product_list[1].save(update_fields=["name"])
    ProductVariant.objects.filter(product=product_list[2]).update(name="Blue")

    items = items_of(search(client, "BLUE product"))

    assert [item.description for item in items] == [
        "Test product 3 Blue",  # product name and variant name match
        "Test product blue",
    ]


def test_search_matches_the_sku_case_insensitively(
    client, oci_connection, product_list
):
    sku = variant_of(product_list[2]).sku
    items = items_of(search(client, sku[4:12].upper()))
    assert [item.vendormat for item in items] == [sku]


def test_search_carries_nzi_codes_from_metadata_and_overrides(
    client, oci_connection, product_list
):
    first, second, third = product_list
    first.store_value_in_metadata({"nzi_code": "NZI-1"})
    first.save(update_fields=["metadata"])
    oci_connection.nzi_overrides = {"products": {variant_of(second).sku: "NZI123"}}
    oci_connection.save(update_fields=["nzi_overrides"])

    items = items_of(search(client, "product"))

    assert [item.matgroup for item in items] == ["NZI-1", "NZI123", ""]


def test_search_finds_nothing_with_an_empty_answer(
    client, oci_connection, product_list
):
    response = search(client, "stethoscope")
    assert items_of(response) == ()
    assert response.content == b""
    assert TRUNCATED_HEADER not in response


def test_search_with_a_nul_character_finds_nothing(
    client, oci_connection, product_list
):
    assert items_of(search(client, "product\x00")) == ()


def test_search_leaves_out_products_that_are_not_available(
    client, oci_connection, product_list, channel_PLN
):
    out_of_stock, not_for_sale, hidden = product_list
    Stock.objects.filter(product_variant__product=out_of_stock).update(quantity=0)
    ProductChannelListing.objects.filter(product=not_for_sale).update(
        available_for_purchase_at=None
    )
    ProductChannelListing.objects.filter(product=hidden).update(
        visible_in_listings=False
    )
    create_products(
        1,
        prefix="Test product PLN",
        product_type=out_of_stock.product_type,
        category=out_of_stock.category,
        warehouse=Stock.objects.first().warehouse,
        channel=channel_PLN,
    )
    visible = create_products(
        1,
        prefix="Test product visible",
        product_type=out_of_stock.product_type,
        category=out_of_stock.category,
        warehouse=Stock.objects.first().warehouse,
        channel=oci_connection.channel,
    )

    items = items_of(search(client, "product"))

    assert [item.description for item in items] == [visible[0].name]


def test_search_leaves_out_a_product_the_connection_cannot_describe(
    client, oci_connection, product_list
):
    product_list[1].store_value_in_metadata({"oci_unit": "furlong"})
    product_list[1].save(update_fields=["metadata"])

    items = items_of(search(client, "product"))

    assert [(item.index, item.description) for item in items] == [
        (1, "Test product 1"),
        (2, "Test product 3"),
    ]


def test_search_answers_at_most_the_limit_and_says_so(
    client, oci_connection, product_type, category, warehouse, channel_USD
):
    create_products(
        SEARCH_LIMIT + 5,
        prefix="Gauze",
        product_type=product_type,
        category=category,
        warehouse=warehouse,
        channel=channel_USD,
    )

    response = search(client, "gauze")

    items = items_of(response)
    assert len(items) == SEARCH_LIMIT
    assert items[0].description == "Gauze 000"
    assert items[-1].description == f"Gauze {SEARCH_LIMIT - 1:03}"
    assert f"more than {SEARCH_LIMIT} products match" in response[TRUNCATED_HEADER]


def test_search_queries_do_not_grow_with_the_results(
    client, oci_connection, product_type, category, warehouse, channel_USD
):
    oci_connection.nzi_overrides = {"categories": {category.slug: "NZI-CAT"}}
    oci_connection.save(update_fields=["nzi_overrides"])
    make = {
        "product_type": product_type,
        "category": category,
        "warehouse": warehouse,
        "channel": channel_USD,
    }
    create_products(2, prefix="Gauze", **make)
    search(client, "gauze")  # the first request loads what Django caches

    with CaptureQueriesContext(database) as few:
        few_items = items_of(search(client, "gauze"))
    create_products(30, prefix="Gauze extra", **make)
    with CaptureQueriesContext(database) as many:
        many_items = items_of(search(client, "gauze"))

    assert (len(few_items), len(many_items)) == (2, 32)
    assert {item.matgroup for item in many_items} == {"NZI-CAT"}
    assert len(many.captured_queries) == len(few.captured_queries)


def test_validate_takes_a_fixed_number_of_queries(
    client, oci_connection, product, django_assert_max_num_queries
):
    validate(client, "123")
    with django_assert_max_num_queries(16):
        items_of(validate(client, "123"))


# ------------------------------------------------------------------------ DETAIL
def test_detail_shows_the_product_escaped(client, oci_connection, product):
    product.name = "Handschoen <nitril> & co"
    product.description = {
        "blocks": [{"type": "paragraph", "data": {"text": "Maat M, <b>poedervrij</b>"}}]
    }
    product.save(update_fields=["name", "description"])

    response = detail(client, "123")

    assert response.status_code == 200
    text = page_html(response)
    assert "<h1>Handschoen &lt;nitril&gt; &amp; co</h1>" in text
    assert "<dd>123</dd>" in text
    assert "<dd>USD 10.00 excl. VAT</dd>" in text
    assert "<dd>In stock</dd>" in text
    assert "<p>Maat M, poedervrij</p>" in text


def test_detail_says_when_the_product_is_out_of_stock(client, oci_connection, product):
    Stock.objects.filter(product_variant__product=product).update(quantity=0)
    assert "<dd>Out of stock</dd>" in page_html(detail(client, "123"))


def test_detail_says_when_the_product_is_not_for_sale(client, oci_connection, product):
    ProductChannelListing.objects.filter(product=product).update(
        available_for_purchase_at=None
    )
    assert "<dd>Not available for purchase</dd>" in page_html(detail(client, "123"))


def test_detail_of_an_unknown_product_is_a_404_page(client, oci_connection, product):
    response = detail(client, "<nope>")
    assert response.status_code == 404
    assert "No product with SKU &#x27;&lt;nope&gt;&#x27; is offered" in page_html(
        response
    )
