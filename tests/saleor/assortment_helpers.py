"""Shared by the assortment and budget tests: a punch-in through the URL, the
storefront's GraphQL calls, and a shop with collections and a hidden product."""

from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlparse

from saleor.graphql.tests.utils import get_graphql_content
from saleor.product.models import (
    Collection,
    CollectionProduct,
    ProductChannelListing,
)

from saleor_oci_plugin import oci

from .fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL

PUNCHIN_URL = "/plugins/global/oci.punchout/punchin"
FORM = "application/x-www-form-urlencoded"

SESSION_TOKEN_CREATE = """
mutation ($code: String!) {
  ociSessionTokenCreate(code: $code) {
    token checkout { id } errors { field code message }
  }
}
"""
CATALOGUE = """
query ($checkoutId: ID!, $first: Int, $after: String, $search: String,
       $category: ID) {
  ociCatalogue(checkoutId: $checkoutId, first: $first, after: $after,
               search: $search, category: $category) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name
      product { slug thumbnail(size: 64) { url } }
      variants { id sku unitPrice { amount currency } }
    } }
  }
}
"""
LINES_ADD = """
mutation ($id: ID!, $lines: [OciCheckoutLineInput!]!) {
  ociCheckoutLinesAdd(id: $id, lines: $lines) {
    checkout { lines { quantity variant { sku } } }
    errors { field code message line }
  }
}
"""
TRANSFER = """
mutation ($id: ID!) {
  ociCheckoutTransfer(id: $id) {
    transfer { id fields { name value } }
    errors { field code message line }
  }
}
"""
ASSORTMENT_SET = """
mutation ($input: OciAssortmentInput!) {
  ociAssortmentSet(input: $input) {
    assortment { layer branchId products collections maxUnitPrice }
    errors { field code message }
  }
}
"""


def punch_in(client, login=BUYER_LOGIN, password=BUYER_PASSWORD, **parameters):
    """Punch in through the URL as an SRM does; the response."""
    query = {"USERNAME": login, "PASSWORD": password, "HOOK_URL": HOOK_URL}
    query.update(parameters)
    return client.post(PUNCHIN_URL, urlencode(query), content_type=FORM)


def shop(client, api_client, **parameters):
    """Punch in and exchange the code: the api_client is signed in; the checkout id."""
    api_client.token = None
    response = punch_in(client, **parameters)
    assert response.status_code == 303, response.content
    code = parse_qs(urlparse(response["Location"]).query)["oci_code"][0]
    result = call(api_client, SESSION_TOKEN_CREATE, {"code": code})
    api_client.token = result["token"]
    return result["checkout"]["id"]


def call(api_client, query, variables):
    content = get_graphql_content(api_client.post_graphql(query, variables))
    return next(iter(content["data"].values()))


def background(client, function, login=BUYER_LOGIN, **parameters):
    query = {
        "USERNAME": login,
        "PASSWORD": BUYER_PASSWORD,
        "FUNCTION": function,
        "HOOK_URL": HOOK_URL,
        **parameters,
    }
    return client.get(PUNCHIN_URL, query)


def background_items(response):
    assert response.status_code == 200, response.content
    fields = oci.decode_background_answer(response.content, charset="UTF-8")
    return oci.decode_cart(fields).items


def catalogue_skus(api_client, checkout_id, **variables):
    result = call(
        api_client, CATALOGUE, {"checkoutId": checkout_id, "first": 50, **variables}
    )
    return [
        variant["sku"]
        for edge in result["edges"]
        for variant in edge["node"]["variants"]
    ]


def line(variant, quantity=1):
    import graphene

    return {
        "variantId": graphene.Node.to_global_id("ProductVariant", variant.pk),
        "quantity": quantity,
    }


def in_collection(name, variants):
    collection = Collection.objects.create(name=name, slug=name.lower())
    CollectionProduct.objects.bulk_create(
        CollectionProduct(collection=collection, product_id=variant.product_id)
        for variant in variants
    )
    return collection


def hide(variant):
    ProductChannelListing.objects.filter(product_id=variant.product_id).update(
        visible_in_listings=False
    )


def form_prices(fields):
    return [
        Decimal(value) for name, value in fields if name.startswith("NEW_ITEM-PRICE[")
    ]
