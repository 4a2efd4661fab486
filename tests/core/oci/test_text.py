from hypothesis import given
from hypothesis import strategies as st

from saleor_oci_plugin.oci.text import (
    clean_long_text,
    has_controls,
    oci_length,
    replace_controls,
    shorten_code,
    shorten_text,
    split_long_text,
)


def test_length_counts_characters_not_bytes():
    assert oci_length("Crème brûlée für Jörg") == 21
    assert len("Crème brûlée für Jörg".encode()) > 21


def test_length_counts_characters_beyond_the_bmp_twice():
    # SAP holds text as UTF-16: an emoji takes two of a field's places.
    assert oci_length("Rozen 🌹") == 8


def test_text_that_fits_is_not_changed():
    assert shorten_text("Kerstpakket", 40) == "Kerstpakket"
    assert shorten_text("x" * 40, 40) == "x" * 40


def test_text_is_cut_at_the_last_word_boundary_in_its_second_half():
    value = "Kerstpakket Luxe met wijn, kaas en bonbons voor het team"
    shortened = shorten_text(value, 40)
    assert shortened == "Kerstpakket Luxe met wijn, kaas en"
    assert value.startswith(shortened)


def test_text_cut_exactly_before_a_space_keeps_the_whole_word():
    assert shorten_text("abcde fghij", 5) == "abcde"


def test_text_without_a_late_space_is_cut_hard():
    assert shorten_text("a " + "b" * 50, 10) == "a " + "b" * 8


def test_text_of_only_spaces_stays_a_hard_cut():
    assert shorten_text(" " * 50, 10) == " " * 10


def test_text_is_not_cut_inside_a_surrogate_pair_character():
    value = "🌹" * 30
    shortened = shorten_text(value, 41)
    assert shortened == "🌹" * 20
    assert oci_length(shortened) == 40


def test_codes_are_cut_hard():
    assert shorten_code("NZI-123 456 789", 10) == "NZI-123 45"
    assert shorten_code("4411", 10) == "4411"


@given(st.text(), st.integers(min_value=1, max_value=60))
def test_shortening_gives_a_prefix_that_fits(value, max_length):
    for shorten in (shorten_text, shorten_code):
        shortened = shorten(value, max_length)
        assert value.startswith(shortened)
        assert oci_length(shortened) <= max_length
        if oci_length(value) <= max_length:
            assert shortened == value


def test_control_characters_become_spaces_in_one_line_fields():
    assert replace_controls("a\tb\nc\r\x00d\x85e") == "a b c  d e"
    assert has_controls("a\tb")
    assert not has_controls("Crème brûlée")


def test_long_text_keeps_line_breaks_and_tabs():
    assert clean_long_text("a\r\nb\rc\nd\te\x00f") == "a\nb\nc\nd\te f"
    assert not has_controls("a\r\nb\tc", long_text=True)
    assert has_controls("a\x07b", long_text=True)


def test_long_text_lines_are_at_most_132_and_join_back():
    text = " ".join(f"woord{number}" for number in range(100))
    lines = split_long_text(text)
    assert len(lines) > 1
    assert all(oci_length(line) <= 132 for line in lines)
    assert "".join(lines) == text
    # Lines end before a space, not inside a word.
    assert all(not line.endswith(" ") for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])


def test_long_text_without_spaces_is_cut_at_132():
    lines = split_long_text("x" * 300)
    assert [len(line) for line in lines] == [132, 132, 36]


def test_empty_long_text_has_no_lines():
    assert split_long_text("") == []


@given(st.text(), st.integers(min_value=2, max_value=140))
def test_long_text_lines_always_join_back(text, line_length):
    lines = split_long_text(text, line_length)
    assert "".join(lines) == text
    assert all(line and oci_length(line) <= line_length for line in lines)
