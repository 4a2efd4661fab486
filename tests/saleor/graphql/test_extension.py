"""The plugin's fields are part of Saleor's own /graphql/ schema."""

from saleor.graphql.tests.utils import get_graphql_content

INTROSPECT_ROOTS = """
query {
  query: __type(name: "Query") { fields { name } }
  mutation: __type(name: "Mutation") { fields { name } }
  error: __type(name: "OciErrorCode") { enumValues { name } }
}
"""


def test_introspection_shows_the_plugin_fields_beside_saleors(api_client):
    content = get_graphql_content(api_client.post_graphql(INTROSPECT_ROOTS))

    queries = {field["name"] for field in content["data"]["query"]["fields"]}
    assert {"ociConnectionsPaged", "checkout", "products"} <= queries
    codes = {value["name"] for value in content["data"]["error"]["enumValues"]}
    assert {"CODE_USED", "SESSION_EXPIRED", "INVALID"} <= codes


def test_plugin_query_needs_its_permission(staff_api_client):
    response = staff_api_client.post_graphql("{ ociConnections { id } }")

    content = response.json()
    assert content["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
