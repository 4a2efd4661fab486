"""Property-based fuzzing of the one parser for XML from outside."""

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from saleor_oci_plugin.safe_xml import UnsafeXMLError, parse_xml

DOCTYPES = st.sampled_from(
    [
        b"<!DOCTYPE x>",
        b'<!DOCTYPE x SYSTEM "file:///etc/passwd">',
        b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
        b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    ]
)


def _parses_or_refuses(data: bytes, max_bytes: int = 4096):
    try:
        root, refusal = parse_xml(data, max_bytes=max_bytes), None
    except UnsafeXMLError as error:
        root, refusal = None, error
    if root is None:
        assert str(refusal)
        return None
    assert isinstance(root, etree._Element)
    assert root.getroottree().docinfo.doctype == ""
    return root


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_are_refused_with_a_reason(data):
    _parses_or_refuses(data)


@settings(max_examples=200)
@given(
    st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.sampled_from(["utf-8", "utf-16", "latin-1", "nonsense"]),
)
def test_any_text_in_an_element_parses_or_is_refused(text, encoding):
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'.encode()
    root = _parses_or_refuses(declaration + b"<a>" + text + b"</a>")
    if root is not None:
        assert root.tag == "a"


@settings(max_examples=100)
@given(DOCTYPES, st.binary(max_size=40))
def test_a_doctype_is_always_refused(doctype, rest):
    body = b'<?xml version="1.0"?>' + doctype + b"<x>&e;" + rest + b"</x>"
    assert _parses_or_refuses(body) is None


@given(st.integers(min_value=0, max_value=200))
def test_input_over_the_limit_is_refused_before_parsing(extra):
    body = b"<a>" + b"x" * (100 + extra) + b"</a>"
    assert _parses_or_refuses(body, max_bytes=len(body) - 1) is None
    assert _parses_or_refuses(body, max_bytes=len(body)) is not None
