"""What knowing the orderer costs: punch-in and transfer with and without a member,
and the admin's member list of 1,000 members, through HTTP.

Prints database queries and median times; asserts nothing about time. Run with
bench/run-saleor (a pytest module, so that it can use Saleor's fixtures).
"""

import statistics
import time
from urllib.parse import parse_qs, urlsplit

import graphene
from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.account.models import User
from saleor.graphql.tests.fixtures import ApiClient
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.buyers.models import Member, MemberRole
from tests.saleor.fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL

PUNCHIN_URL = "/plugins/global/oci.punchout/punchin"
RUNS = 5
TOKEN_CREATE = """mutation ($code: String!) { ociSessionTokenCreate(code: $code) {
  token checkout { id } errors { code } } }"""
LINES_ADD = """mutation ($id: ID!, $lines: [CheckoutLineInput!]!) {
  checkoutLinesAdd(id: $id, lines: $lines) { errors { code } } }"""
TRANSFER = """mutation ($id: ID!) { ociCheckoutTransfer(id: $id) {
  transfer { id } errors { code message } } }"""
MEMBERS = """query ($after: String) { ociMembers(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { id email role branches { code } defaultBranch { code } } } } }"""


def _timed(call):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
    return result, elapsed, len(queries)


def _round_trip(client, oci_connection, variants, identity):
    """Punch-in and transfer of a 5-line cart; (seconds, queries) of each step."""
    params = {
        "USERNAME": BUYER_LOGIN,
        "PASSWORD": BUYER_PASSWORD,
        "HOOK_URL": HOOK_URL,
        **identity,
    }
    response, punchin_time, punchin_queries = _timed(
        lambda: client.get(PUNCHIN_URL, params)
    )
    assert response.status_code == 303, response.content
    code = parse_qs(urlsplit(response["Location"]).query)["oci_code"][0]
    api = ApiClient(user=None)
    issued = get_graphql_content(api.post_graphql(TOKEN_CREATE, {"code": code}))[
        "data"
    ]["ociSessionTokenCreate"]
    api.token = issued["token"]
    checkout_id = issued["checkout"]["id"]
    lines = [
        {
            "variantId": graphene.Node.to_global_id("ProductVariant", v.pk),
            "quantity": 1,
        }
        for v in variants
    ]
    get_graphql_content(
        api.post_graphql(LINES_ADD, {"id": checkout_id, "lines": lines})
    )
    content, transfer_time, transfer_queries = _timed(
        lambda: get_graphql_content(api.post_graphql(TRANSFER, {"id": checkout_id}))
    )
    assert not content["data"]["ociCheckoutTransfer"]["errors"]
    return punchin_time, punchin_queries, transfer_time, transfer_queries


def test_punch_in_and_transfer_with_and_without_a_member(
    client, oci_connection, oci_orderer, make_variants
):
    oci_connection.storefront_url = "https://shop.example.com/punchout"
    oci_connection.save()
    variants = make_variants(5)
    print("\nknown member vs the connection's customer (5-line cart, HTTP)")
    print(
        f"{'who':>10} | {'punch-in ms':>11} {'queries':>7} | "
        f"{'transfer ms':>11} {'queries':>7}"
    )
    rows = {}
    for who, identity in (("customer", {}), ("member", {"USER_ID": "JJANSEN"})):
        runs = [
            _round_trip(client, oci_connection, variants, identity) for _ in range(RUNS)
        ]
        rows[who] = (
            statistics.median(run[0] for run in runs) * 1000,
            runs[-1][1],
            statistics.median(run[2] for run in runs) * 1000,
            runs[-1][3],
        )
        row = rows[who]
        print(f"{who:>10} | {row[0]:11.1f} {row[1]:7d} | {row[2]:11.1f} {row[3]:7d}")
    print(
        f"extra queries for a member: punch-in "
        f"{rows['member'][1] - rows['customer'][1]}, transfer "
        f"{rows['member'][3] - rows['customer'][3]} (goal: at most 3 each)"
    )


def test_member_list_of_1000_members(oci_organisation, oci_branch):
    users = User.objects.bulk_create(
        User(email=f"member{number:04d}@ziekenhuis-oost.example")
        for number in range(1000)
    )
    members = Member.objects.bulk_create(
        Member(
            organisation=oci_organisation,
            user=user,
            role=MemberRole.ADMIN if number == 0 else MemberRole.ORDERER,
            default_branch=oci_branch,
        )
        for number, user in enumerate(users)
    )
    Member.branches.through.objects.bulk_create(
        Member.branches.through(member_id=member.pk, branch_id=oci_branch.pk)
        for member in members
    )
    admin = ApiClient(user=users[0])
    print("\nociMembers, 1,000 members, pages of 100 (HTTP, admin token)")
    print(f"{'page':>5} {'ms':>8} {'queries':>8}")
    after = None
    for page in range(1, 11):
        content, elapsed, queries = _timed(
            lambda after=after: get_graphql_content(
                admin.post_graphql(MEMBERS, {"after": after})
            )
        )
        result = content["data"]["ociMembers"]
        assert len(result["edges"]) == 100
        print(f"{page:5d} {elapsed * 1000:8.1f} {queries:8d}")
        after = result["pageInfo"]["endCursor"]
    assert result["pageInfo"]["hasNextPage"] is False
