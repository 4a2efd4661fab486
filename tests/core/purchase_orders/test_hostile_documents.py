"""Property-based fuzzing of the purchase-order readers with mutated real documents.

Any mutation of a real cXML OrderRequest or UBL Order is read, or refused with the
reader's own errors (UnsafeXMLError: not XML we read; PurchaseOrderError: listed
problems), never any other exception: the endpoints turn those into 4xx answers.
"""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from saleor_oci_plugin.purchase_orders.cxml import read_order_request
from saleor_oci_plugin.purchase_orders.dataclasses import PurchaseOrderError
from saleor_oci_plugin.purchase_orders.ubl_order import read_order
from saleor_oci_plugin.safe_xml import UnsafeXMLError

DATA = Path(__file__).with_name("data")
CXML = [(DATA / name).read_bytes() for name in sorted(DATA.glob("cxml_*.xml"))]
UBL = [(DATA / name).read_bytes() for name in sorted(DATA.glob("ubl_*.xml"))]

INSERTS = st.one_of(
    st.binary(max_size=12),
    st.sampled_from(
        [
            b"\x00",
            b"&",
            b"<",
            b"]]>",
            b"&lt;",
            b"&#0;",
            b"&#x1F;",
            b"1e999",
            b"NaN",
            b"-0",
            b"99999999999999999999999",
            b"2026-02-30",
            b"\xc3",
            b"\xef\xbb\xbf",
            b"<!-- x -->",
            b"<?pi x?>",
            b"<![CDATA[x]]>",
            b' xmlns="urn:other"',
        ]
    ),
)


@st.composite
def mutated(draw, documents: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        if kind == "insert":
            data[where:where] = draw(INSERTS)
        elif kind == "delete":
            del data[where : where + draw(st.integers(1, 60))]
        elif kind == "replace":
            data[where : where + draw(st.integers(1, 8))] = draw(INSERTS)
        else:
            del data[where:]
    return bytes(data)


def _read_or_refuse(reader, body: bytes) -> None:
    refusal: Exception | None = None
    try:
        reader(body)
    except (UnsafeXMLError, PurchaseOrderError) as error:
        refusal = error
    if isinstance(refusal, UnsafeXMLError):
        assert str(refusal)
    elif isinstance(refusal, PurchaseOrderError):
        assert refusal.problems
        assert all(problem.message for problem in refusal.problems)


def test_the_unmutated_documents_are_read():
    for body in CXML:
        read_order_request(body)
    for body in UBL:
        read_order(body)


@settings(max_examples=400)
@given(mutated(CXML))
def test_a_mutated_cxml_order_request_is_read_or_refused(body):
    _read_or_refuse(read_order_request, body)


@settings(max_examples=400)
@given(mutated(UBL))
def test_a_mutated_ubl_order_is_read_or_refused(body):
    _read_or_refuse(read_order, body)
