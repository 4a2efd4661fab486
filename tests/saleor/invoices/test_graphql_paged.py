"""ociInvoicesPaged: the connection sibling of ociInvoices, with its visibility."""

# The fixtures imported from test_graphql are pytest fixtures, used as arguments.
# ruff: noqa: F811

import graphene
from django.db import connection as database
from django.test.utils import CaptureQueriesContext
from saleor.graphql.tests.utils import assert_no_permission, get_graphql_content

from saleor_oci_plugin.invoices.models import IssuedDocument

# The fixtures that issue an invoice and give other organisations documents.
from .test_graphql import (  # noqa: F401
    invoiced_order,
    other_organisations_documents,
)

PAGED = """
query ($first: Int, $after: String, $orderId: ID) {
  ociInvoicesPaged(first: $first, after: $after, orderId: $orderId) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { number orderIds url xml } }
  }
}
"""
PLAIN = "query ($orderId: ID) { ociInvoices(orderId: $orderId) { number } }"


def _page(client, **variables) -> dict:
    response = client.post_graphql(PAGED, variables)
    return get_graphql_content(response)["data"]["ociInvoicesPaged"]


def _numbers(page: dict) -> list[str]:
    return [edge["node"]["number"] for edge in page["edges"]]


def test_the_buyers_customer_pages_through_its_own_invoices_only(
    user_api_client, invoiced_order, other_organisations_documents
):
    _order, invoice = invoiced_order
    own_earlier = other_organisations_documents["own_earlier"].number

    first = _page(user_api_client, first=1)
    second = _page(user_api_client, first=1, after=first["pageInfo"]["endCursor"])

    assert first["totalCount"] == 2
    assert first["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": second["pageInfo"]["endCursor"],
    }
    paged = _numbers(first) + _numbers(second)
    assert sorted(paged) == sorted([invoice["number"], own_earlier])
    # The deprecated list still answers, with the same rows in the same order.
    plain = get_graphql_content(user_api_client.post_graphql(PLAIN))["data"]
    assert [row["number"] for row in plain["ociInvoices"]] == paged


def test_staff_filter_by_order(staff, invoiced_order, other_organisations_documents):
    order, invoice = invoiced_order
    order_id = graphene.Node.to_global_id("Order", order.pk)

    page = _page(staff, first=10, orderId=order_id)

    assert _numbers(page) == [invoice["number"]]
    assert page["edges"][0]["node"]["orderIds"] == [order_id]
    assert _page(staff, first=10)["totalCount"] == 4


def test_others_are_refused_as_by_the_plain_list(
    api_client, user2_api_client, app_api_client, invoiced_order
):
    for client in (api_client, user2_api_client, app_api_client):
        assert_no_permission(client.post_graphql(PAGED, {"first": 1}))


def test_a_page_costs_the_same_queries_however_many_invoices(
    staff, invoiced_order, other_organisations_documents
):
    issued = IssuedDocument.objects.filter(invoice__isnull=False).get()
    for number in range(6):
        document = IssuedDocument.objects.get(pk=issued.pk)
        document.pk = None
        document.invoice = document.order = None
        document.number = f"EXTRA-{number}"
        document.sequence += 2000 + number
        document.save()

    def queries(first: int) -> int:
        with CaptureQueriesContext(database) as captured:
            assert len(_page(staff, first=first)["edges"]) == first
        return len(captured)

    queries(1)  # the first request also loads the requester's permissions
    assert queries(2) == queries(9)
