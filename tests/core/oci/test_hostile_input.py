"""Property-based fuzzing of the OCI codec's readers: any input gives a result or
the codec's own error (a 4xx with a message at the door), never another exception."""

from urllib.parse import quote_from_bytes

from hypothesis import given, settings
from hypothesis import strategies as st

from saleor_oci_plugin.oci.charsets import (
    Charset,
    UnsupportedCharsetError,
    resolve_charset,
)
from saleor_oci_plugin.oci.decode import decode_cart
from saleor_oci_plugin.oci.problems import CartDecodeError, PunchInError
from saleor_oci_plugin.oci.punchin import (
    PunchIn,
    parse_punchin,
    parse_punchin_parameters,
)

NAMES = st.sampled_from(
    [
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
        "username",
        "http_content_charset",
    ]
)
ODD = st.sampled_from(
    ["", "\x00", "utf-8\x00", "\r\n", "\ud800", "%", "%zz", "utf-16", "rot13",
     "latin1", "VALIDATE", "DETAIL", "BACKGROUND_SEARCH", "5.0", "1e999", "NaN",
     "SAPEVENT:ADDI", "https://a.example/hook", "x" * 5000]
)  # fmt: skip
VALUES = st.one_of(ODD, st.text(max_size=40))
PAIRS = st.lists(st.tuples(st.one_of(NAMES, st.text(max_size=12)), VALUES), max_size=12)
BASE = [("USERNAME", "jan"), ("PASSWORD", "geheim"), ("HOOK_URL", "https://a.example/")]


def _raw(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(
        f"{quote_from_bytes(n.encode('utf-8', 'surrogatepass'))}="
        f"{quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}"
        for n, v in pairs
    ).encode("ascii")


def _parses_or_refuses(call) -> None:
    try:
        result, refusal = call(), None
    except PunchInError as error:
        result, refusal = None, error
    if refusal is not None:
        assert refusal.problems, "a refusal lists its problems"
        assert all(problem.message for problem in refusal.problems)
    else:
        assert isinstance(result, PunchIn)
        assert result.username
        assert isinstance(result.charset, Charset)


@settings(max_examples=300)
@given(st.binary(max_size=400), st.one_of(st.none(), VALUES))
def test_any_bytes_parse_or_are_refused_with_problems(raw, declared):
    _parses_or_refuses(lambda: parse_punchin(raw, declared_charset=declared))


@settings(max_examples=300)
@given(PAIRS, st.one_of(st.none(), VALUES))
def test_odd_parameters_next_to_good_ones_parse_or_are_refused(extra, declared):
    _parses_or_refuses(
        lambda: parse_punchin(_raw(BASE + extra), declared_charset=declared)
    )


@settings(max_examples=200)
@given(PAIRS, st.one_of(st.none(), VALUES))
def test_decoded_form_parameters_parse_or_are_refused(extra, charset):
    _parses_or_refuses(lambda: parse_punchin_parameters(BASE + extra, charset=charset))


@given(st.one_of(ODD, st.text(max_size=60)))
def test_any_charset_label_resolves_or_is_refused(label):
    try:
        charset, refusal = resolve_charset(label), None
    except UnsupportedCharsetError as error:
        charset, refusal = None, error
    if charset is None:
        assert "charset" in str(refusal)
    else:
        "x".encode(charset.codec)  # a codec Python can write with


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.builds(
                    "NEW_ITEM-{}[{}]".format,
                    st.sampled_from(
                        [
                            "DESCRIPTION",
                            "QUANTITY",
                            "PRICE",
                            "PRICEUNIT",
                            "LEADTIME",
                            "UNIT",
                            "CURRENCY",
                            "LONGTEXT_1:132",
                            "EXT_QUOTE_ID",
                            "X",
                        ]
                    ),
                    st.one_of(st.integers(-3, 5), st.text(max_size=3)),
                ),
                st.text(max_size=20),
            ),
            VALUES,
        ),
        max_size=15,
    )
)
def test_any_return_form_decodes_or_lists_its_problems(fields):
    try:
        cart, refusal = decode_cart(fields), None
    except CartDecodeError as error:
        cart, refusal = None, error
    if cart is None:
        assert refusal.problems
        assert all(problem.message for problem in refusal.problems)
    else:
        assert [item.index for item in cart.items] == sorted(
            {item.index for item in cart.items}
        )
