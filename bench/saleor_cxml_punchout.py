"""cXML punch-out next to OCI on the same data, through HTTP and /graphql/.

1. Punch-in: an OCI punch-in (GET .../punchin, 303 with a code) next to a cXML
   PunchOutSetupRequest (POST .../cxml/setup, PunchOutSetupResponse with the start
   page), for the same connection and orderer.
2. Transfer of a 100-line cart: ociCheckoutTransfer of an OCI session (the OCI
   form) next to the same mutation on a cXML session (the PunchOutOrderMessage),
   the same products and quantities.

Median time over a few runs and the database queries of each; the goal is cXML
within 1.2x of OCI. Prints figures, asserts nothing about time. Run with
bench/run-saleor (a pytest module so that it can use Saleor's fixtures).
"""

import statistics
import time
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.checkout.fetch import fetch_checkout_info
from saleor.checkout.tests.utils import add_variant_to_checkout
from saleor.graphql.tests.utils import get_graphql_content
from saleor.plugins.manager import get_plugins_manager

from saleor_oci_plugin.punchout import sessions
from saleor_oci_plugin.simulator.cxml import SetupUser, build_punchout_setup_request
from tests.saleor.fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL

RUNS = 7
LINES = 100
IDENTITY = "AN01000000001"
SECRET = "bench-cxml-secret-2026"
USER = {"USER_ID": "JJANSEN", "USER_EMAIL": "j.jansen@ziekenhuis-oost.example"}

TOKEN_CREATE = """mutation ($code: String!) { ociSessionTokenCreate(code: $code) {
  token checkout { id } errors { code message } } }"""
TRANSFER = """mutation ($id: ID!) { ociCheckoutTransfer(id: $id) {
  transfer { id html } errors { code message } } }"""


def _timed(call):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
    return result, elapsed, len(queries)


def _oci_punch_in(client):
    response = client.get(
        "/plugins/global/oci.punchout/punchin",
        {
            "USERNAME": BUYER_LOGIN,
            "PASSWORD": BUYER_PASSWORD,
            "HOOK_URL": HOOK_URL,
            "~OKCODE": "ADDI",
            "~TARGET": "_top",
            **USER,
        },
    )
    assert response.status_code == 303, response.content
    return parse_qs(urlsplit(response["Location"]).query)["oci_code"][0]


def _cxml_setup(client):
    body = build_punchout_setup_request(
        identity=IDENTITY,
        shared_secret=SECRET,
        buyer_cookie="bench",
        browser_form_post=HOOK_URL,
        user=SetupUser(email=USER["USER_EMAIL"], unique_name=USER["USER_ID"]),
    )
    response = client.post(
        "/plugins/global/oci.punchout/cxml/setup", body, content_type="text/xml"
    )
    assert b'code="200"' in response.content, response.content
    start = response.content.split(b"<URL>")[1].split(b"</URL>")[0].decode()
    return parse_qs(urlsplit(start.replace("&amp;", "&")).query)["oci_code"][0]


def _line(name, oci, cxml):
    (_, oci_ms, oci_queries), (_, cxml_ms, cxml_queries) = oci, cxml
    print(
        f" {name:28s} | {oci_ms * 1000:8.1f} {oci_queries:6d} |"
        f" {cxml_ms * 1000:8.1f} {cxml_queries:6d} | {cxml_ms / oci_ms:5.2f}"
    )


def _median(runs):
    return (
        None,
        statistics.median(run[1] for run in runs),
        runs[-1][2],
    )


def test_cxml_punch_out_against_oci(client, api_client, oci_connection, make_variants):
    oci_connection.protocol = "both"
    oci_connection.cxml_identity = IDENTITY
    oci_connection.cxml_shared_secret = make_password(SECRET)
    oci_connection.storefront_url = "https://shop.example.com/punchout"
    oci_connection.unspsc_default = "14111800"
    oci_connection.save()
    variants = make_variants(LINES, prefix="CXB")

    # Warm-up: the orderer is created by the first punch-in; caches, imports.
    _oci_punch_in(client)
    _cxml_setup(client)

    oci_runs = [_timed(lambda: _oci_punch_in(client)) for _ in range(RUNS)]
    cxml_runs = [_timed(lambda: _cxml_setup(client)) for _ in range(RUNS)]

    def shop(code):
        content = get_graphql_content(
            api_client.post_graphql(TOKEN_CREATE, {"code": code})
        )["data"]["ociSessionTokenCreate"]
        api_client.token = content["token"]
        checkout = sessions.PunchoutSession.objects.get(
            code_hash=sessions.hash_code(code)
        ).checkout
        info = fetch_checkout_info(
            checkout, [], get_plugins_manager(allow_replica=False)
        )
        for variant in variants:
            add_variant_to_checkout(info, variant, 2)
        return content["checkout"]["id"]

    def transfer(checkout_id):
        content = get_graphql_content(
            api_client.post_graphql(TRANSFER, {"id": checkout_id})
        )["data"]["ociCheckoutTransfer"]
        assert content["errors"] == [], content["errors"]
        return content["transfer"]["html"]

    transfer(shop(_oci_punch_in(client)))  # warm-up
    transfer(shop(_cxml_setup(client)))
    oci_transfers, cxml_transfers = [], []
    for _ in range(RUNS):
        checkout_id = shop(_oci_punch_in(client))
        oci_transfers.append(_timed(lambda: transfer(checkout_id)))  # noqa: B023
        checkout_id = shop(_cxml_setup(client))
        cxml_transfers.append(_timed(lambda: transfer(checkout_id)))  # noqa: B023
    assert "cxml-urlencoded" in cxml_transfers[-1][0]
    assert "NEW_ITEM-" in oci_transfers[-1][0]

    print(f"\n median of {RUNS} runs; {LINES}-line cart for the transfer")
    print(
        " step                         |   OCI ms  queries |  cXML ms  queries | ratio"
    )
    _line("punch-in / setup request", _median(oci_runs), _median(cxml_runs))
    _line(
        f"transfer, {LINES} lines",
        _median(oci_transfers),
        _median(cxml_transfers),
    )
    page_bytes = (len(oci_transfers[-1][0]), len(cxml_transfers[-1][0]))
    print(f" transfer page size: OCI {page_bytes[0]} bytes, cXML {page_bytes[1]} bytes")
