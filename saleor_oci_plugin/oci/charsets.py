"""Charsets of the punch-in and the return form, and the rule for what they lack.

The return form is served in the charset the punch-in asked for
(``HTTP_CONTENT_CHARSET``; UTF-8 when none), because the procurement system reads the
posted fields in that charset. Only charsets a browser can both display and submit
forms in are accepted (:data:`SUPPORTED_CHARSETS`); UTF-16, UTF-7 and Python-only
codecs are refused.

**Replacement rule** (rule ``replaced-for-charset``, :func:`fit_to_charset`). A value
the charset can carry is sent unchanged. Otherwise the value is first composed to
Unicode NFC (``e`` + combining acute becomes ``é``, which ISO-8859-1 has); then each
character the charset still cannot carry is replaced by the first that works of:

1. its entry in :data:`SUBSTITUTES` (``€`` -> ``EUR``, ``„`` -> ``"``, dashes -> ``-``,
   ``…`` -> ``...``, ``ß`` -> ``ss``, zero-width characters -> nothing, ...);
2. its compatibility decomposition without accents (``ő`` -> ``o``, ``ﬁ`` -> ``fi``);
3. ``?``.

Every changed value is reported with the value before and after.
"""

import codecs
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from .fields import split_field_name
from .problems import RULE_CHARSET, FieldWarning


@dataclass(frozen=True, slots=True)
class Charset:
    """A supported charset: ``name`` for HTTP headers and HTML, ``codec`` for Python."""

    name: str
    codec: str


class UnsupportedCharsetError(ValueError):
    """A charset label that is unknown, or that a browser form cannot be served in."""


UTF_8 = Charset("UTF-8", "utf-8")

# Charsets browsers display and submit forms in (the WHATWG Encoding Standard) that
# Python can encode; keyed by Python's canonical codec name, so that every alias
# Python knows ("latin1", "utf8", "cp1252") finds its entry.
SUPPORTED_CHARSETS: tuple[Charset, ...] = (
    UTF_8,
    Charset("US-ASCII", "ascii"),
    Charset("ISO-8859-1", "latin-1"),
    *(Charset(f"ISO-8859-{n}", f"iso8859-{n}") for n in (2, 3, 4, 5, 6, 7, 8, 9, 10)),
    *(Charset(f"ISO-8859-{n}", f"iso8859-{n}") for n in (13, 14, 15, 16)),
    *(Charset(f"windows-{n}", f"cp{n}") for n in range(1250, 1259)),
    Charset("KOI8-R", "koi8-r"),
    Charset("KOI8-U", "koi8-u"),
    Charset("Shift_JIS", "shift_jis"),
    Charset("EUC-JP", "euc_jp"),
    Charset("EUC-KR", "euc_kr"),
    Charset("GBK", "gbk"),
    Charset("GB18030", "gb18030"),
    Charset("Big5", "big5"),
)


@functools.cache
def _by_codec() -> dict[str, Charset]:
    # Built on first use: looking up the CJK codecs imports their modules, which
    # every process would otherwise pay at start-up.
    return {
        codecs.lookup(charset.codec).name: charset for charset in SUPPORTED_CHARSETS
    }


SUBSTITUTES: dict[str, str] = {
    "\u20ac": "EUR",
    "\u00a3": "GBP",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2039": "<",
    "\u203a": ">",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u2022": "*",
    "\u00b7": ".",
    "\u2122": "(TM)",
    "\u00a9": "(C)",
    "\u00ae": "(R)",
    "\u2030": "o/oo",
    "\u00d7": "x",
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u00df": "ss",
    "\u1e9e": "SS",
    "\u00e6": "ae",
    "\u00c6": "AE",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00f8": "o",
    "\u00d8": "O",
    "\u0142": "l",
    "\u0141": "L",
    "\u0111": "d",
    "\u0110": "D",
    "\u00f0": "d",
    "\u00d0": "D",
    "\u00fe": "th",
    "\u00de": "Th",
    "\u0131": "i",
}


# What a charset label can look like (IANA names and aliases): printable ASCII
# letters, digits and a few punctuation marks, at most 40 of them.
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+()-]{0,39}")


def resolve_charset(label: str | None) -> Charset:
    """Return the supported charset a label names; UTF-8 for None or an empty label.

    Labels are matched as Python matches codec names: case and ``-``/``_`` do not
    matter, and aliases such as ``latin1`` or ``cp1252`` are understood. Raise
    :class:`UnsupportedCharsetError` for anything else.
    """
    if label is None or not label.strip():
        return UTF_8
    if not _LABEL.fullmatch(label.strip()):
        # Before codecs.lookup, which raises ValueError on a NUL and accepts
        # labels of any length; shown shortened, with control characters escaped.
        raise UnsupportedCharsetError(f"unknown charset {label[:60]!r}")
    try:
        codec_name = codecs.lookup(label.strip()).name
    except (LookupError, ValueError):
        raise UnsupportedCharsetError(f"unknown charset {label!r}") from None
    charset = _by_codec().get(codec_name)
    if charset is None:
        raise UnsupportedCharsetError(
            f"charset {label!r} is not one a browser form can be served in"
        )
    return charset


def can_carry(value: str, charset: Charset) -> bool:
    """Whether ``value`` can be written in ``charset`` unchanged."""
    try:
        value.encode(charset.codec)
    except UnicodeEncodeError:
        return False
    return True


def _replacement(character: str, codec: str) -> str:
    substitute = SUBSTITUTES.get(character)
    if substitute is not None and _encodes(substitute, codec):
        return substitute
    decomposed = "".join(
        part
        for part in unicodedata.normalize("NFKD", character)
        if not unicodedata.combining(part)
    )
    if decomposed and _encodes(decomposed, codec):
        return decomposed
    return "?"


def _encodes(value: str, codec: str) -> bool:
    try:
        value.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def fit_to_charset(value: str, charset: Charset) -> str:
    """Return ``value`` as ``charset`` can carry it (the module's replacement rule)."""
    codec = charset.codec
    if _encodes(value, codec):
        return value
    value = unicodedata.normalize("NFC", value)
    return "".join(
        character if _encodes(character, codec) else _replacement(character, codec)
        for character in value
    )


def fit_fields_to_charset(
    fields: Sequence[tuple[str, str]], charset: Charset
) -> tuple[list[tuple[str, str]], list[FieldWarning]]:
    """Apply :func:`fit_to_charset` to each form field's value; report each change.

    Field names are not changed (a name the charset cannot carry is a programming
    error, raised as UnicodeEncodeError when the form is written).
    """
    fitted = list(fields)
    values = "".join(map(itemgetter(1), fitted))
    if values.isascii() or _encodes(values, charset.codec):
        return fitted, []
    warnings: list[FieldWarning] = []
    for position, (name, value) in enumerate(fitted):
        replaced = fit_to_charset(value, charset)
        if replaced != value:
            fitted[position] = (name, replaced)
            field, line = split_field_name(name)
            warnings.append(FieldWarning(field, line, value, replaced, RULE_CHARSET))
    return fitted, warnings
