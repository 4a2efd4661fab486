"""The HTTP client, against a stand-in GraphQL server on 127.0.0.1 (not Saleor)."""

import email.parser
import email.policy
import json
from decimal import Decimal

import pytest

from saleor_oci_plugin.storefront.graphql_client import (
    FilePart,
    GraphQLClient,
    SaleorUnavailable,
)


def test_stand_in_server_receives_query_variables_and_bearer_token(
    stand_in_graphql_server,
):
    stand_in_graphql_server.answer_json({"data": {"products": {"edges": []}}})
    client = GraphQLClient(stand_in_graphql_server.url, timeout=5)

    result = client.execute("query Q { x }", {"a": 1}, token="tok")

    assert result.data == {"products": {"edges": []}}
    (request,) = stand_in_graphql_server.requests
    assert request.path == "/graphql/"
    assert json.loads(request.body) == {"query": "query Q { x }", "variables": {"a": 1}}
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["Content-Type"] == "application/json"


def test_stand_in_server_without_token_gets_no_authorization(stand_in_graphql_server):
    stand_in_graphql_server.answer_json({"data": {}})
    GraphQLClient(stand_in_graphql_server.url, timeout=5).execute("query Q { x }")
    assert "Authorization" not in stand_in_graphql_server.requests[0].headers


def test_stand_in_server_prices_stay_exact_decimals(stand_in_graphql_server):
    stand_in_graphql_server.answer = lambda request: (
        200,
        {"Content-Type": "application/json"},
        b'{"data": {"amount": 12.10}}',
    )
    result = GraphQLClient(stand_in_graphql_server.url, timeout=5).execute("query Q{x}")
    assert result.data == {"amount": Decimal("12.10")}


def test_stand_in_server_http_400_with_errors_is_a_result(stand_in_graphql_server):
    stand_in_graphql_server.answer_json(
        {
            "errors": [
                {
                    "message": "Signature has expired",
                    "extensions": {"exception": {"code": "ExpiredSignatureError"}},
                }
            ]
        },
        status=400,
    )
    result = GraphQLClient(stand_in_graphql_server.url, timeout=5).execute("query Q{x}")
    assert result.data is None
    assert result.error_messages == ("Signature has expired",)
    assert result.token_expired


def test_stand_in_server_redirect_is_not_followed(stand_in_graphql_server):
    stand_in_graphql_server.answer = lambda request: (
        301,
        {"Location": "http://127.0.0.1:1/elsewhere"},
        b"",
    )
    with pytest.raises(SaleorUnavailable, match="redirect .*301.* to http://127"):
        GraphQLClient(stand_in_graphql_server.url, timeout=5).execute("query Q{x}")
    assert len(stand_in_graphql_server.requests) == 1


def test_stand_in_server_answer_that_is_not_graphql(stand_in_graphql_server):
    stand_in_graphql_server.answer = lambda request: (
        502,
        {"Content-Type": "text/html"},
        b"<h1>Bad gateway</h1>",
    )
    with pytest.raises(SaleorUnavailable, match="HTTP 502 without a GraphQL result"):
        GraphQLClient(stand_in_graphql_server.url, timeout=5).execute("query Q{x}")


def test_stand_in_server_too_slow_times_out(stand_in_graphql_server):
    stand_in_graphql_server.delay = 1.0
    stand_in_graphql_server.answer_json({"data": {}})
    with pytest.raises(SaleorUnavailable, match="within 0.2 seconds"):
        GraphQLClient(stand_in_graphql_server.url, timeout=0.2).execute("query Q{x}")


def test_nothing_listening_is_a_clear_error(closed_port):
    client = GraphQLClient(f"http://127.0.0.1:{closed_port}/graphql/", timeout=2)
    with pytest.raises(SaleorUnavailable, match="could not be reached"):
        client.execute("query Q{x}")


def test_multipart_request_follows_the_graphql_multipart_spec(stand_in_graphql_server):
    stand_in_graphql_server.answer_json({"data": {"ociLogoUpload": {"errors": []}}})
    client = GraphQLClient(stand_in_graphql_server.url, timeout=5)
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\r\n--oci-x\r\n"

    result = client.execute_multipart(
        "mutation M($branch: ID, $image: Upload!) { x }",
        {"branch": "QnJhbmNoOjE="},
        {"image": FilePart('lo"go.png', "image/png", content)},
        token="tok",
    )

    assert result.data == {"ociLogoUpload": {"errors": []}}
    (request,) = stand_in_graphql_server.requests
    assert request.headers["Authorization"] == "Bearer tok"
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: "
        + request.headers["Content-Type"].encode()
        + b"\r\n\r\n"
        + request.body
    )
    parts = list(message.iter_parts())
    names = [part.get_param("name", header="content-disposition") for part in parts]
    assert names == ["operations", "map", "0"]  # in the spec's order
    assert json.loads(parts[0].get_payload(decode=True)) == {
        "query": "mutation M($branch: ID, $image: Upload!) { x }",
        "variables": {"branch": "QnJhbmNoOjE=", "image": None},
    }
    assert json.loads(parts[1].get_payload(decode=True)) == {"0": ["variables.image"]}
    assert parts[2].get_filename() == "lo_go.png"
    assert parts[2].get_content_type() == "image/png"
    assert parts[2].get_payload(decode=True) == content
