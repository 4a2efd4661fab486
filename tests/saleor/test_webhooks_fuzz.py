"""Seeded hostile requests at the plugin's HTTP doors: none may answer 5xx.

Punch-in (GET and POST) with odd, huge, duplicated and control-character
parameters, odd charsets and content types; the cXML and UBL order endpoints with
mutated documents, wrong content types and wrong credentials. Each door gets its
own seed, so a failure names a reproducible request. The requests go through
Django's test client (Saleor's own URL routing to the plugin), not a live server.
"""

import random
import traceback
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote_from_bytes

import pytest
from django.db import transaction
from django.test import Client

from .fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL
from .purchase_orders.documents import (
    ARIBA_IDENTITY,
    SHARED_SECRET,
    cxml_order_request,
    ubl_order,
)

PUNCHIN_URL = "/plugins/global/oci.punchout/punchin"
CXML_URL = "/plugins/global/oci.punchout/orders/cxml"
UBL_URL = "/plugins/global/oci.punchout/orders/ubl"

# Requests per door; the four doors together send 3,200.
REQUESTS_PER_DOOR = 800

OCI_NAMES = [
    "USERNAME",
    "PASSWORD",
    "HOOK_URL",
    "~OKCODE",
    "~TARGET",
    "~CALLER",
    "OCI_VERSION",
    "OPI_VERSION",
    "HTTP_CONTENT_CHARSET",
    "FUNCTION",
    "PRODUCTID",
    "QUANTITY",
    "SEARCHSTRING",
    "returntarget",
]
ODD_VALUES = [
    "",
    "\x00",
    "utf-8\x00",
    "\x00utf-8",
    "\r\n",
    "\x1b[31m",
    "\x7f",
    "\ufeff",
    "\ud800",
    "%00",
    "%",
    "%zz",
    "\u202e",
    "ａｄｍｉｎ",  # noqa: RUF001 (full-width letters on purpose)
    "utf-16",
    "utf-7",
    "rot13",
    "idna",
    "base64",
    "latin1",
    "SAPEVENT:ADDI",
    "javascript:alert(1)",
    "https://evil.example/hook",
    "https://srm.hospital.example\x00.evil.example/",
    "DETAIL",
    "VALIDATE",
    "BACKGROUND_SEARCH",
    "SOURCING",
    "-1",
    "1e999",
    "NaN",
    "99999999999999999999999999",
    "5.0",
    "4.0",
    "' OR 1=1 --",
    "<script>",
    "x" * 70_000,
]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=iso-8859-1",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=nonsense",
    "application/x-www-form-urlencoded; charset=",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=xyz",
    "text/xml",
    "text/xml; charset=utf-16",
    "application/json",
    "",
]
# No NUL in a header: HTTP servers (h11 under uvicorn, gunicorn) refuse such a
# request with a 400 before Django sees it, and Django's own request class raises
# on one (codecs.lookup) before any plugin code runs. The NUL charset the plugin
# itself reads (HTTP_CONTENT_CHARSET, in the query or body) is fuzzed below.


@dataclass
class Hostile:
    method: str
    path: str
    body: bytes = b""
    query: str = ""
    content_type: str = "application/octet-stream"
    headers: dict | None = None

    def describe(self) -> str:
        return (
            f"{self.method} {self.path}?{self.query[:200]!r} "
            f"content_type={self.content_type!r} headers={self.headers!r} "
            f"body={self.body[:200]!r}"
        )


def _odd_text(rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.5:
        return rng.choice(ODD_VALUES)
    if choice < 0.8:
        return "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(12)))
    return rng.choice([BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL, "ADDI", "_top"])


def _encode(rng: random.Random, text: str) -> bytes:
    codec = rng.choice(["utf-8", "latin-1", "utf-16", "cp1252"])
    return text.encode(codec, errors="surrogatepass" if codec == "utf-8" else "replace")


def _oci_pairs(rng: random.Random) -> list[tuple[bytes, bytes]]:
    pairs = []
    if rng.random() < 0.8:
        pairs.append((b"USERNAME", BUYER_LOGIN.encode()))
    if rng.random() < 0.7:
        pairs.append((b"PASSWORD", BUYER_PASSWORD.encode()))
    if rng.random() < 0.7:
        pairs.append((b"HOOK_URL", HOOK_URL.encode()))
    for _ in range(rng.randrange(8)):
        name = rng.choice([*OCI_NAMES, *(n.lower() for n in OCI_NAMES), ""])
        if rng.random() < 0.1:
            name = _odd_text(rng)
        pairs.append((_encode(rng, name), _encode(rng, _odd_text(rng))))
    rng.shuffle(pairs)
    if pairs and rng.random() < 0.2:  # duplicated parameters
        pairs.extend(rng.choices(pairs, k=rng.randrange(1, 4)))
    return pairs


def _query(rng: random.Random, pairs: list[tuple[bytes, bytes]]) -> str:
    parts = [f"{quote_from_bytes(n)}={quote_from_bytes(v)}" for n, v in pairs]
    if rng.random() < 0.15:
        # Raw, badly escaped fragments.
        parts.append(rng.choice(["%", "%G0", "=", "&&", "a=%ff%fe", "%00=%00", "==="]))
    return "&".join(parts)


def _mutate(rng: random.Random, document: bytes) -> bytes:
    data = bytearray(document)
    for _ in range(rng.randrange(1, 6)):
        kind = rng.randrange(7)
        where = rng.randrange(len(data) + 1)
        if kind == 0 and data:  # flip a byte
            data[min(where, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:  # truncate
            del data[where:]
        elif kind == 2:  # insert control characters
            data[where:where] = bytes(rng.choice([0, 1, 8, 11, 27, 127]) for _ in "xy")
        elif kind == 3:  # duplicate a slice
            end = min(len(data), where + rng.randrange(1, 400))
            data[where:where] = data[where:end]
        elif kind == 4:  # delete a slice
            del data[where : where + rng.randrange(1, 80)]
        elif kind == 5:  # odd text in the middle
            data[where:where] = _encode(rng, _odd_text(rng))[:2000]
        else:  # an odd declaration or entity
            data[0:0] = rng.choice(
                [
                    b'<?xml version="1.0" encoding="UTF-16"?>',
                    b'<?xml version="1.0" encoding="nonsense"?>',
                    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
                    b"\xef\xbb\xbf",
                    b"\xff\xfe",
                ]
            )
    return bytes(data)


def _punchin_get(rng: random.Random) -> Hostile:
    return Hostile("GET", PUNCHIN_URL, query=_query(rng, _oci_pairs(rng)))


def _punchin_post(rng: random.Random) -> Hostile:
    body = _query(rng, _oci_pairs(rng)).encode("ascii")
    if rng.random() < 0.1:
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
    return Hostile(
        rng.choice(["POST"] * 9 + ["PUT"]),
        PUNCHIN_URL,
        body=body,
        query=_query(rng, _oci_pairs(rng)) if rng.random() < 0.1 else "",
        content_type=rng.choice(CONTENT_TYPES),
    )


TRANSFER = SimpleNamespace(
    reference="0" * 32,
    currency="USD",
    snapshot=[
        {
            "sku": f"SKU-{n}",
            "quantity": n,
            "unit_price_net": "12.50",
            "description": f"Gift box {n}",
            "nzi_code": "NZI001",
        }
        for n in (1, 2)
    ],
)


def _cxml(rng: random.Random) -> Hostile:
    secret = SHARED_SECRET if rng.random() < 0.5 else _odd_text(rng)
    kind = rng.choice(["new", "update", "delete"])
    try:
        document = cxml_order_request(TRANSFER, secret=secret, kind=kind)
    except ValueError:  # an odd secret XML cannot carry
        document = cxml_order_request(TRANSFER, kind=kind)
    body = _mutate(rng, document)
    return Hostile(
        rng.choice(["POST"] * 19 + ["GET"]),
        CXML_URL,
        body=body,
        content_type=rng.choice(["text/xml", "application/xml", *CONTENT_TYPES]),
    )


def _ubl(rng: random.Random, token: str) -> Hostile:
    document = ubl_order(TRANSFER)
    body = _mutate(rng, document) if rng.random() < 0.9 else document
    authorization = rng.choice(
        [
            f"Bearer {token}",
            f"Bearer {token}",
            f"bearer {token}\x00",
            "Bearer ",
            "Basic abc",
            f"Bearer {_odd_text(rng)}",
            None,
        ]
    )
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization.encode("utf-8", "replace").decode(
            "latin-1"
        )
    return Hostile(
        rng.choice(["POST"] * 19 + ["DELETE"]),
        UBL_URL,
        body=body,
        content_type=rng.choice(["application/xml", *CONTENT_TYPES]),
        headers=headers,
    )


def _send(client: Client, request: Hostile):
    meta = {}
    for name, value in (request.headers or {}).items():
        meta[f"HTTP_{name.upper().replace('-', '_')}"] = value
    return client.generic(
        request.method,
        f"{request.path}?{request.query}" if request.query else request.path,
        request.body,
        content_type=request.content_type,
        **meta,
    )


def _fire(requests) -> tuple[list[str], Counter]:
    client = Client(raise_request_exception=False)
    failures = []
    statuses: Counter = Counter()
    count = 0
    for request in requests:
        count += 1
        # Each request in its own savepoint, so that one that breaks the test's
        # transaction (as a 500 may) does not fail the ones after it.
        savepoint = transaction.savepoint()
        response = _send(client, request)
        statuses[response.status_code] += 1
        if response.status_code >= 500 or (
            response.status_code >= 400 and not response.content.strip()
        ):
            transaction.savepoint_rollback(savepoint)
            error = getattr(response, "exc_info", None)
            reason = (
                " (" + "".join(traceback.format_exception(error[1])[-6:]) + ")"
                if error
                else ""
            )
            failures.append(f"{response.status_code}{reason}: {request.describe()}")
        else:
            transaction.savepoint_commit(savepoint)
    assert count == REQUESTS_PER_DOOR
    return failures, statuses


@pytest.fixture
def hostile_connection(oci_connection):
    from saleor_oci_plugin.punchout import connections as service

    oci_connection.storefront_url = "https://shop.example.com/punchout"
    oci_connection.cxml_identity = ARIBA_IDENTITY
    oci_connection.save(update_fields=["storefront_url", "cxml_identity"])
    service.set_cxml_shared_secret(oci_connection, SHARED_SECRET)
    token = service.issue_order_token(oci_connection)
    return token


@pytest.mark.parametrize(
    ("door", "seed"),
    [("punchin-get", 1501), ("punchin-post", 1502), ("cxml", 1503), ("ubl", 1504)],
)
def test_hostile_requests_get_a_4xx_with_a_message_never_a_5xx(
    door, seed, hostile_connection
):
    rng = random.Random(seed)
    make = {
        "punchin-get": _punchin_get,
        "punchin-post": _punchin_post,
        "cxml": _cxml,
        "ubl": lambda rng: _ubl(rng, hostile_connection),
    }[door]

    failures, statuses = _fire(make(rng) for _ in range(REQUESTS_PER_DOOR))
    print(door, dict(statuses))
    # The mutations reach past the first check: several different answers.
    assert len(statuses) >= 3, statuses

    assert failures == [], f"{len(failures)} of {REQUESTS_PER_DOOR}:\n" + "\n".join(
        failures[:10]
    )
