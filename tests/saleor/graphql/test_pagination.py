"""Saleor-style lists (graphql/pagination.py): the *Paged connection siblings.

Over HTTP through Saleor's /graphql/, with real staff, App and customer tokens.
"""

import graphene
import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection as database
from django.test.utils import CaptureQueriesContext
from saleor.graphql.tests.utils import assert_no_permission, get_graphql_content

from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation
from saleor_oci_plugin.models import InboundMessage
from saleor_oci_plugin.punchout.models import Connection
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
INBOUND_PAGED = f"""
query ($first: Int, $after: String, $last: Int, $before: String) {{
  ociInboundMessagesPaged(first: $first, after: $after, last: $last, before: $before) {{
    totalCount {PAGE_INFO} edges {{ cursor node {{ id path httpStatus }} }}
  }}
}}
"""
INBOUND_PLAIN = "query { ociInboundMessages { id } }"
PURCHASE_ORDERS_PAGED = f"""
query ($first: Int, $after: String, $status: String) {{
  ociPurchaseOrdersPaged(first: $first, after: $after, status: $status) {{
    totalCount {PAGE_INFO} edges {{ node {{ orderNumber status }} }}
  }}
}}
"""
PURCHASE_ORDERS_PLAIN = """
query ($status: String) { ociPurchaseOrders(status: $status) { orderNumber } }
"""
CONNECTIONS_PAGED = f"""
query ($first: Int, $after: String, $organisation: ID) {{
  ociConnectionsPaged(first: $first, after: $after, organisation: $organisation) {{
    totalCount {PAGE_INFO}
    edges {{
      node {{
        loginName organisation {{ name }} branch {{ code }}
        channel {{ slug }} customer {{ email }}
      }}
    }}
  }}
}}
"""
CONNECTIONS_PLAIN = """
query ($organisation: ID) { ociConnections(organisation: $organisation) { loginName } }
"""
ORGANISATIONS_PAGED = f"""
query ($first: Int, $after: String) {{
  ociOrganisationsPaged(first: $first, after: $after) {{
    totalCount {PAGE_INFO}
    edges {{ node {{ name invoiceAddress {{ city }} branches {{ code }} }} }}
  }}
}}
"""
ORGANISATIONS_PLAIN = "query { ociOrganisations { name } }"
INVOICE_RUNS_PAGED = f"""
query ($first: Int) {{
  ociInvoiceRunsPaged(first: $first) {{ totalCount {PAGE_INFO} }}
}}
"""
DEPRECATIONS = """
query {
  __type(name: "Query") {
    fields(includeDeprecated: true) { name isDeprecated deprecationReason }
  }
}
"""
SIBLINGS = {
    "ociInvoices": "ociInvoicesPaged",
    "ociInvoiceRuns": "ociInvoiceRunsPaged",
    "ociPurchaseOrders": "ociPurchaseOrdersPaged",
    "ociInboundMessages": "ociInboundMessagesPaged",
    "ociOrganisations": "ociOrganisationsPaged",
    "ociConnections": "ociConnectionsPaged",
}


def gid(type_name: str, pk: int) -> str:
    return graphene.Node.to_global_id(type_name, pk)


def _data(response) -> dict:
    return get_graphql_content(response)["data"]


@pytest.fixture
def plugin_manager(staff_api_client, permission_manage_plugins):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    return staff_api_client


@pytest.fixture
def order_manager(staff_api_client, permission_group_manage_orders):
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    return staff_api_client


def _messages(count: int) -> list[InboundMessage]:
    return [
        InboundMessage.objects.create(
            method="POST",
            path=f"/plugins/global/oci.punchout/orders/cxml/{number}",
            http_status=200,
            outcome="accepted",
        )
        for number in range(count)
    ]


def _walk(client, query, field, page_size, **variables) -> tuple[list, list]:
    """Every page of a paged field with first/after: (edges, pageInfos)."""
    edges: list = []
    infos: list = []
    after = None
    while True:
        page = _data(
            client.post_graphql(
                query, {"first": page_size, "after": after, **variables}
            )
        )[field]
        edges.extend(page["edges"])
        infos.append(page["pageInfo"])
        if not page["pageInfo"]["hasNextPage"]:
            return edges, infos
        after = page["pageInfo"]["endCursor"]
        assert len(infos) < 20, "paging does not end"


# --- paging ---------------------------------------------------------------------


def test_inbound_messages_are_paged_with_first_and_after(order_manager):
    _messages(7)

    edges, infos = _walk(
        order_manager, INBOUND_PAGED, "ociInboundMessagesPaged", page_size=3
    )

    plain = _data(order_manager.post_graphql(INBOUND_PLAIN))["ociInboundMessages"]
    # The same rows in the same order (newest first) as the deprecated list.
    assert [edge["node"]["id"] for edge in edges] == [row["id"] for row in plain]
    assert len(edges) == 7
    assert [info["hasNextPage"] for info in infos] == [True, True, False]
    assert [info["hasPreviousPage"] for info in infos] == [False, True, True]
    assert infos[0]["startCursor"] == edges[0]["cursor"]
    assert infos[0]["endCursor"] == edges[2]["cursor"]
    assert infos[2]["endCursor"] == edges[6]["cursor"]


def test_last_and_before_page_backwards(order_manager):
    _messages(5)
    everything = _data(order_manager.post_graphql(INBOUND_PAGED, {"first": 5}))[
        "ociInboundMessagesPaged"
    ]["edges"]

    page = _data(
        order_manager.post_graphql(
            INBOUND_PAGED, {"last": 2, "before": everything[3]["cursor"]}
        )
    )["ociInboundMessagesPaged"]

    assert [edge["node"]["id"] for edge in page["edges"]] == [
        edge["node"]["id"] for edge in everything[1:3]
    ]
    assert page["pageInfo"]["hasPreviousPage"] is True
    assert page["totalCount"] == 5


def test_paging_needs_first_or_last_and_keeps_saleors_page_limit(order_manager):
    _messages(1)

    without = order_manager.post_graphql(INBOUND_PAGED, {}).json()
    too_many = order_manager.post_graphql(INBOUND_PAGED, {"first": 101}).json()
    bad_cursor = order_manager.post_graphql(
        INBOUND_PAGED, {"first": 1, "after": "not-a-cursor"}
    ).json()

    assert "You must provide a `first` or `last`" in without["errors"][0]["message"]
    assert "exceeds the `first` limit of 100" in too_many["errors"][0]["message"]
    assert bad_cursor["errors"][0]["message"] == "Received cursor is invalid."


def test_purchase_orders_keep_their_status_filter(order_manager, oci_connection):
    for number, status in enumerate(["placed", "refused", "placed", "placed"]):
        ReceivedPurchaseOrder.objects.create(
            connection=oci_connection,
            order_number=f"45000000{number}",
            source="graphql",
            status=status,
            data={},
        )

    edges, infos = _walk(
        order_manager,
        PURCHASE_ORDERS_PAGED,
        "ociPurchaseOrdersPaged",
        page_size=2,
        status="placed",
    )

    plain = _data(
        order_manager.post_graphql(PURCHASE_ORDERS_PLAIN, {"status": "placed"})
    )["ociPurchaseOrders"]
    assert [edge["node"]["orderNumber"] for edge in edges] == [
        row["orderNumber"] for row in plain
    ]
    assert [edge["node"]["orderNumber"] for edge in edges] == [
        "450000003",
        "450000002",
        "450000000",
    ]
    assert len(infos) == 2


def _connections(channel, customer, count: int) -> None:
    """``count`` connections over organisations whose names sort otherwise than
    their IDs, each organisation with a branch."""
    for number in range(count):
        organisation, _ = BuyerOrganisation.objects.get_or_create(
            name=f"Organisatie {'CBA'[number % 3]}"
        )
        branch, _ = Branch.objects.get_or_create(
            organisation=organisation, name="Hoofdvestiging", code="HQ"
        )
        Connection.objects.create(
            organisation=organisation,
            branch=branch,
            name=f"SRM {number:02d}",
            login_name=f"srm-{number:02d}",
            password=make_password("S3cret!punch-in"),
            channel=channel,
            customer=customer,
        )


def test_connections_are_paged_in_the_plain_lists_order(
    plugin_manager, channel_USD, customer_user
):
    _connections(channel_USD, customer_user, 7)

    edges, infos = _walk(
        plugin_manager, CONNECTIONS_PAGED, "ociConnectionsPaged", page_size=2
    )

    plain = _data(plugin_manager.post_graphql(CONNECTIONS_PLAIN))["ociConnections"]
    logins = [edge["node"]["loginName"] for edge in edges]
    assert logins == [row["loginName"] for row in plain]
    assert [edge["node"]["organisation"]["name"] for edge in edges] == sorted(
        edge["node"]["organisation"]["name"] for edge in edges
    )
    assert len(logins) == 7 == len(set(logins))
    assert len(infos) == 4


def test_connections_keep_their_organisation_filter(
    plugin_manager, channel_USD, customer_user
):
    _connections(channel_USD, customer_user, 6)
    organisation = BuyerOrganisation.objects.get(name="Organisatie B")

    edges, _infos = _walk(
        plugin_manager,
        CONNECTIONS_PAGED,
        "ociConnectionsPaged",
        page_size=1,
        organisation=gid("OciOrganisation", organisation.pk),
    )

    assert [edge["node"]["loginName"] for edge in edges] == ["srm-01", "srm-04"]
    bad = plugin_manager.post_graphql(
        CONNECTIONS_PAGED, {"first": 1, "organisation": gid("Order", 1)}
    ).json()
    assert bad["errors"]


def test_organisations_are_paged_by_name(plugin_manager, channel_USD, customer_user):
    _connections(channel_USD, customer_user, 3)

    edges, infos = _walk(
        plugin_manager, ORGANISATIONS_PAGED, "ociOrganisationsPaged", page_size=2
    )

    plain = _data(plugin_manager.post_graphql(ORGANISATIONS_PLAIN))["ociOrganisations"]
    assert [edge["node"]["name"] for edge in edges] == [row["name"] for row in plain]
    assert [edge["node"]["name"] for edge in edges] == [
        "Organisatie A",
        "Organisatie B",
        "Organisatie C",
    ]
    assert edges[0]["node"]["branches"] == [{"code": "HQ"}]


# --- queries do not grow with the rows --------------------------------------------


def _queries(client, query, variables) -> int:
    with CaptureQueriesContext(database) as captured:
        get_graphql_content(client.post_graphql(query, variables))
    return len(captured)


def test_a_page_of_connections_costs_the_same_queries_however_long(
    plugin_manager, channel_USD, customer_user
):
    _connections(channel_USD, customer_user, 12)
    first_page = _data(plugin_manager.post_graphql(CONNECTIONS_PAGED, {"first": 2}))
    after = first_page["ociConnectionsPaged"]["pageInfo"]["endCursor"]

    small = _queries(plugin_manager, CONNECTIONS_PAGED, {"first": 2})
    large = _queries(plugin_manager, CONNECTIONS_PAGED, {"first": 10})
    later = _queries(plugin_manager, CONNECTIONS_PAGED, {"first": 10, "after": after})

    assert small == large == later


def test_a_page_of_messages_or_organisations_costs_the_same_queries(
    plugin_manager, order_manager, channel_USD, customer_user
):
    _messages(12)
    _connections(channel_USD, customer_user, 12)
    # The first request also loads the requester's permissions and the like.
    _queries(order_manager, INBOUND_PAGED, {"first": 1})

    assert _queries(order_manager, INBOUND_PAGED, {"first": 2}) == _queries(
        order_manager, INBOUND_PAGED, {"first": 12}
    )
    assert _queries(plugin_manager, ORGANISATIONS_PAGED, {"first": 1}) == _queries(
        plugin_manager, ORGANISATIONS_PAGED, {"first": 3}
    )


# --- permissions and deprecations ----------------------------------------------


@pytest.mark.parametrize(
    "client_fixture",
    ["api_client", "user_api_client", "staff_api_client", "app_api_client"],
)
@pytest.mark.parametrize(
    ("query", "needs"),
    [
        (INBOUND_PAGED, "MANAGE_ORDERS or MANAGE_PLUGINS"),
        (PURCHASE_ORDERS_PAGED, "MANAGE_ORDERS"),
        (INVOICE_RUNS_PAGED, "MANAGE_ORDERS"),
        (CONNECTIONS_PAGED, "MANAGE_PLUGINS"),
        (ORGANISATIONS_PAGED, "MANAGE_PLUGINS"),
    ],
)
def test_paged_fields_keep_their_permissions(request, client_fixture, query, needs):
    client = request.getfixturevalue(client_fixture)
    _messages(1)

    assert_no_permission(client.post_graphql(query, {"first": 1}))


def test_manage_plugins_does_not_read_purchase_orders(plugin_manager):
    assert_no_permission(plugin_manager.post_graphql(PURCHASE_ORDERS_PAGED))
    # ... but reads the inbound messages, as the plain list lets it.
    _messages(2)
    page = _data(plugin_manager.post_graphql(INBOUND_PAGED, {"first": 5}))
    assert page["ociInboundMessagesPaged"]["totalCount"] == 2


def test_plain_lists_are_deprecated_in_favour_of_their_siblings(api_client):
    fields = {
        field["name"]: field
        for field in _data(api_client.post_graphql(DEPRECATIONS))["__type"]["fields"]
    }

    for plain, paged in SIBLINGS.items():
        assert fields[plain]["isDeprecated"] is True, plain
        assert f"`{paged}`" in fields[plain]["deprecationReason"]
        assert fields[paged]["isDeprecated"] is False


def test_a_customer_account_of_no_organisation_sees_no_paged_invoices(
    user_api_client,
):
    response = user_api_client.post_graphql(
        "query { ociInvoicesPaged(first: 5) { totalCount } }"
    )

    assert_no_permission(response)
