import pytest

from saleor_oci_plugin.oci.charsets import (
    UTF_8,
    UnsupportedCharsetError,
    can_carry,
    fit_fields_to_charset,
    fit_to_charset,
    resolve_charset,
)
from saleor_oci_plugin.oci.problems import RULE_CHARSET, FieldWarning

LATIN_1 = resolve_charset("ISO-8859-1")


@pytest.mark.parametrize(
    ("label", "name"),
    [
        (None, "UTF-8"),
        ("", "UTF-8"),
        ("utf-8", "UTF-8"),
        ("UTF8", "UTF-8"),
        ("iso-8859-1", "ISO-8859-1"),
        ("latin1", "ISO-8859-1"),
        ("ISO_8859-15", "ISO-8859-15"),
        ("cp1252", "windows-1252"),
        ("Windows-1250", "windows-1250"),
        ("us-ascii", "US-ASCII"),
        (" Shift_JIS ", "Shift_JIS"),
    ],
)
def test_resolve_charset_understands_labels(label, name):
    assert resolve_charset(label).name == name


@pytest.mark.parametrize(
    "label", ["utf-16", "UTF-32", "utf-7", "rot13", "unicode_escape", "idna"]
)
def test_charsets_a_form_cannot_be_served_in_are_refused(label):
    with pytest.raises(UnsupportedCharsetError, match="not one a browser form"):
        resolve_charset(label)


def test_unknown_charset_is_refused():
    with pytest.raises(UnsupportedCharsetError, match="unknown charset"):
        resolve_charset("klingon-8")


def test_text_the_charset_carries_is_unchanged():
    text = "Crème brûlée für Jörg, ½ ß"
    assert can_carry(text, LATIN_1)
    assert fit_to_charset(text, LATIN_1) == text
    assert fit_to_charset("€ 🌹 ő", UTF_8) == "€ 🌹 ő"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Prijs 10 €", "Prijs 10 EUR"),  # the substitution table
        ("„Frohe Weihnachten“", '"Frohe Weihnachten"'),
        ("A \u2013 B \u2014 C", "A - B - C"),
        ("Wacht…", "Wacht..."),
        ("Pécs Győr", "Pécs Gyor"),  # decomposition without accent
        ("ﬁne", "fine"),
        ("Rozen 🌹", "Rozen ?"),  # nothing fits: a question mark
        ("Łódź", "Lódz"),
        ("zero\u200bwidth", "zerowidth"),
        ("e\u0301", "é"),  # composed first, so ISO-8859-1 carries it
    ],
)
def test_characters_latin_1_cannot_carry_are_replaced_by_the_rule(text, expected):
    assert fit_to_charset(text, LATIN_1) == expected
    assert can_carry(fit_to_charset(text, LATIN_1), LATIN_1)


def test_ascii_gets_transliterations():
    ascii_charset = resolve_charset("US-ASCII")
    assert fit_to_charset("Straße, café, Ærø", ascii_charset) == "Strasse, cafe, AEro"


def test_windows_1252_carries_the_euro_sign():
    assert fit_to_charset("10 €", resolve_charset("windows-1252")) == "10 €"


def test_fitting_fields_reports_each_changed_value():
    fields = [
        ("~OKCODE", "ADDI"),
        ("NEW_ITEM-DESCRIPTION[1]", "Boeket € 10"),
        ("NEW_ITEM-DESCRIPTION[2]", "Fruitmand"),
        ("NEW_ITEM-LONGTEXT_2:132[]", "Groet \u2013 Team"),
    ]
    fitted, warnings = fit_fields_to_charset(fields, LATIN_1)
    assert fitted == [
        ("~OKCODE", "ADDI"),
        ("NEW_ITEM-DESCRIPTION[1]", "Boeket EUR 10"),
        ("NEW_ITEM-DESCRIPTION[2]", "Fruitmand"),
        ("NEW_ITEM-LONGTEXT_2:132[]", "Groet - Team"),
    ]
    assert warnings == [
        FieldWarning("DESCRIPTION", 1, "Boeket € 10", "Boeket EUR 10", RULE_CHARSET),
        FieldWarning("LONGTEXT", 2, "Groet \u2013 Team", "Groet - Team", RULE_CHARSET),
    ]


def test_fitting_fields_in_utf_8_changes_nothing():
    fields = [("NEW_ITEM-DESCRIPTION[1]", "€ 🌹 ő ß")]
    assert fit_fields_to_charset(fields, UTF_8) == (fields, [])


@pytest.mark.parametrize(
    "label",
    ["utf-8\x00", "\x00", "\x00utf-8", "utf\n8", "utf-8\x1b", "x" * 41, "\u00fcber"],
)
def test_labels_with_control_characters_or_too_long_are_refused(label):
    # codecs.lookup raises ValueError on a NUL: it must never get there.
    with pytest.raises(UnsupportedCharsetError, match="unknown charset"):
        resolve_charset(label)
