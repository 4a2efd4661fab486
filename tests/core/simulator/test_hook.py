"""Reading the posted form in the charset it was posted in."""

from urllib.parse import urlencode

import pytest

from saleor_oci_plugin.simulator.hook import HookFormError, read_posted_form

FORM = "application/x-www-form-urlencoded"
FIELDS = [("NEW_ITEM-DESCRIPTION[1]", "Bloemstuk Zoë"), ("~OKCODE", "ADDI")]


def body(charset: str) -> bytes:
    return urlencode(FIELDS, encoding=charset).encode()


@pytest.mark.parametrize(
    ("content_type", "query", "charset"),
    [
        (FORM, "", "UTF-8"),
        (FORM, "charset=ISO-8859-1", "ISO-8859-1"),
        (f"{FORM}; charset=ISO-8859-1", "", "ISO-8859-1"),
        # The Content-Type wins over what the hook URL says.
        (f"{FORM}; charset=utf-8", "charset=ISO-8859-1", "UTF-8"),
        ("", "charset=latin1", "ISO-8859-1"),
    ],
)
def test_fields_are_read_in_their_charset(content_type, query, charset):
    form = read_posted_form(body(charset), content_type, query)

    assert form.fields == tuple(FIELDS)
    assert form.charset.name == charset
    assert form.notes == ()


def test_bytes_of_another_charset_are_replaced_and_reported():
    form = read_posted_form(body("ISO-8859-1"), FORM, "")

    assert form.fields[0] == ("NEW_ITEM-DESCRIPTION[1]", "Bloemstuk Zo\ufffd")
    assert "not valid UTF-8" in form.notes[0]


def test_raw_bytes_outside_percent_encoding_are_read_too():
    form = read_posted_form("A=Zoë".encode("latin-1"), FORM, "charset=ISO-8859-1")

    assert form.fields == (("A", "Zoë"),)


@pytest.mark.parametrize(
    ("content_type", "query", "message"),
    [
        ("application/json", "", "must be posted as"),
        (FORM, "charset=utf-7", "cannot read the charset"),
        (f"{FORM}; charset=x-unknown", "", "cannot read the charset"),
    ],
)
def test_refused(content_type, query, message):
    with pytest.raises(HookFormError, match=message):
        read_posted_form(b"a=1", content_type, query)
