import pytest

from saleor_oci_plugin.oci.form import AUTO_SUBMIT_SCRIPT, render_return_form
from saleor_oci_plugin.oci.problems import RULE_CHARSET, FieldWarning

from .helpers import parse_form

HOOK_URL = "https://srm.example.com/sap/bc/oci?sap-client=100&lang=NL"
FIELDS = [
    ("NEW_ITEM-DESCRIPTION[1]", "Kerstpakket"),
    ("NEW_ITEM-QUANTITY[1]", "2.000"),
]


def test_the_page_posts_the_fields_to_the_hook_url_in_the_target():
    page = render_return_form(
        FIELDS, hook_url=HOOK_URL, target="_top", okcode="ADDI", caller="CTLG"
    )
    form = parse_form(page.body, page.content_type)
    assert form.action == HOOK_URL
    assert form.method == "post"
    assert form.target == "_top"
    assert form.fields == [
        ("~OKCODE", "ADDI"),
        ("~TARGET", "_top"),
        ("~CALLER", "CTLG"),
        *FIELDS,
    ]
    assert form.noscript_buttons == 1
    assert form.scripts == [AUTO_SUBMIT_SCRIPT]
    assert page.body.startswith(b"<!DOCTYPE html>")
    assert page.body.rstrip().endswith(b"</html>")


def test_utf_8_is_the_default_charset():
    page = render_return_form(FIELDS, hook_url=HOOK_URL)
    assert page.content_type == "text/html; charset=UTF-8"
    assert b'<meta charset="UTF-8">' in page.body
    assert parse_form(page.body, page.content_type).accept_charset == "UTF-8"


def test_echo_fields_are_left_out_when_the_punch_in_had_none():
    page = render_return_form(FIELDS, hook_url=HOOK_URL)
    form = parse_form(page.body, page.content_type)
    assert form.fields == FIELDS
    assert form.target is None


def test_every_value_is_escaped():
    attack = '"><script>alert(1)</script>'
    page = render_return_form(
        [(f"NEW_ITEM-DESCRIPTION[1]{attack}", attack), ("NEW_ITEM-UNIT[1]", "'&<>")],
        hook_url=HOOK_URL + attack,
        target=attack,
        okcode=attack,
        caller="&amp;",
    )
    assert b"<script>alert" not in page.body
    form = parse_form(page.body, page.content_type)
    assert form.scripts == [AUTO_SUBMIT_SCRIPT]
    assert form.action == HOOK_URL + attack
    assert form.target == attack
    assert form.fields == [
        ("~OKCODE", attack),
        ("~TARGET", attack),
        ("~CALLER", "&amp;"),
        (f"NEW_ITEM-DESCRIPTION[1]{attack}", attack),
        ("NEW_ITEM-UNIT[1]", "'&<>"),
    ]


def test_a_field_containing_nul_takes_the_careful_path():
    page = render_return_form([("a", "x\0y"), ("b", "<")], hook_url=HOOK_URL)
    assert b'name="b" value="&lt;"' in page.body
    assert b'name="a" value="x\0y"' in page.body


def test_an_empty_cart_is_a_valid_form():
    page = render_return_form([], hook_url=HOOK_URL, target="_top", okcode="ADDI")
    form = parse_form(page.body, page.content_type)
    assert form.fields == [("~OKCODE", "ADDI"), ("~TARGET", "_top")]
    assert form.noscript_buttons == 1


def test_the_page_is_written_in_the_punch_in_charset():
    page = render_return_form(
        [("NEW_ITEM-DESCRIPTION[1]", "Crème brûlée für Jörg")],
        hook_url=HOOK_URL,
        okcode="ÄNDERN",
        charset="iso-8859-1",
    )
    assert page.content_type == "text/html; charset=ISO-8859-1"
    assert page.charset.codec == "latin-1"
    assert "Crème brûlée für Jörg".encode("latin-1") in page.body
    # Echoes go back in the bytes they came in.
    assert b'value="\xc4NDERN"' in page.body
    form = parse_form(page.body, page.content_type)
    assert form.fields[1] == ("NEW_ITEM-DESCRIPTION[1]", "Crème brûlée für Jörg")
    assert form.accept_charset == "ISO-8859-1"
    assert page.warnings == ()


def test_what_the_charset_cannot_carry_is_replaced_and_reported():
    page = render_return_form(
        [
            ("NEW_ITEM-DESCRIPTION[1]", "Boeket 10 €"),
            ("NEW_ITEM-DESCRIPTION[2]", "Roos"),
        ],
        hook_url=HOOK_URL,
        charset="ISO-8859-1",
    )
    form = parse_form(page.body, page.content_type)
    assert form.fields[0] == ("NEW_ITEM-DESCRIPTION[1]", "Boeket 10 EUR")
    assert page.warnings == (
        FieldWarning("DESCRIPTION", 1, "Boeket 10 €", "Boeket 10 EUR", RULE_CHARSET),
    )


def test_a_script_nonce_can_be_set():
    page = render_return_form(FIELDS, hook_url=HOOK_URL, script_nonce='abc"123')
    assert b'<script nonce="abc&quot;123">' in page.body


def test_the_script_is_exactly_the_constant_so_a_csp_hash_of_it_matches():
    page = render_return_form(FIELDS, hook_url=HOOK_URL)
    assert f"<script>{AUTO_SUBMIT_SCRIPT}</script>".encode() in page.body


def test_labels_can_be_translated_and_are_escaped():
    page = render_return_form(
        [],
        hook_url=HOOK_URL,
        title="Winkelwagen <overdragen>",
        button_label="Overdragen",
        noscript_text="Druk op de knop.",
    )
    assert b"<title>Winkelwagen &lt;overdragen&gt;</title>" in page.body
    assert b'<button type="submit">Overdragen</button>' in page.body


def test_a_sapevent_hook_url_is_the_form_action():
    page = render_return_form([], hook_url="SAPEVENT:ADDI")
    assert parse_form(page.body, page.content_type).action == "SAPEVENT:ADDI"


@pytest.mark.parametrize(
    "hook_url", ["javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", ""]
)
def test_a_page_never_posts_to_a_script_url(hook_url):
    # The HookURLPolicy refuses these first; the form refuses them as a last guard.
    with pytest.raises(ValueError, match="http"):
        render_return_form([], hook_url=hook_url)
