"""``ociConnectionTestPunchIn``: staff try the storefront as a connection."""

from urllib.parse import parse_qs, urlsplit

import graphene

from saleor_oci_plugin.punchout import sessions

from ..dashboard.conftest import PUBLIC_URL, console_configured  # noqa: F401

MUTATION = """
mutation($id: ID!) {
  ociConnectionTestPunchIn(id: $id) { url errors { field code message } }
}
"""


def test_staff_open_a_one_time_session_without_the_password(
    staff_api_client,
    permission_manage_plugins,
    oci_connection,
    console_configured,  # noqa: F811
):
    oci_connection.storefront_url = "https://shop.example.com/punchout"
    oci_connection.save(update_fields=["storefront_url"])
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    id = graphene.Node.to_global_id("OciConnection", oci_connection.pk)

    answer = staff_api_client.post_graphql(MUTATION, {"id": id}).json()
    result = answer["data"]["ociConnectionTestPunchIn"]

    assert result["errors"] == []
    url = urlsplit(result["url"])
    assert url.netloc == "shop.example.com"
    code = parse_qs(url.query)["oci_code"][0]
    tokens = sessions.exchange_code(code)
    assert tokens.session.connection == oci_connection
    assert tokens.session.hook_url == (
        f"{PUBLIC_URL}/plugins/global/oci.punchout/dashboard/test-return"
    )


def test_without_a_storefront_the_error_names_it(
    staff_api_client,
    permission_manage_plugins,
    oci_connection,
    console_configured,  # noqa: F811
):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    id = graphene.Node.to_global_id("OciConnection", oci_connection.pk)

    result = staff_api_client.post_graphql(MUTATION, {"id": id}).json()["data"][
        "ociConnectionTestPunchIn"
    ]

    assert result["url"] is None
    assert result["errors"][0]["field"] == "id"
    assert "storefront" in result["errors"][0]["message"]
