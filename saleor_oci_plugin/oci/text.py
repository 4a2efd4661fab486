"""Text rules of the OCI encoding: how lengths are counted, cut and split.

These rules are part of the contract with the receiving system: a value is never cut
or changed without a :class:`~.problems.FieldWarning` naming the rule applied.

**Counting.** OCI lengths count characters, not bytes. SAP systems hold text as UTF-16,
where a character outside the Basic Multilingual Plane (most emoji, some rare CJK
ideographs) takes two units; so this module counts UTF-16 code units
(:func:`oci_length`), which equals the number of characters for all other text. A
value that fits by this count fits the receiving field.

**Control characters** (Unicode category Cc: U+0000-U+001F, U+007F-U+009F) cannot be
carried by a one-line SAP text field and are changed by browsers or parsers on the way
(NUL becomes U+FFFD, CR becomes LF); :func:`replace_controls` replaces each by a space.
In long text, line breaks are kept (CR LF and a lone CR become LF; a browser submits
every line break as CR LF, so the receiver sees the same text) and so is TAB.
"""

import re

# One-line fields: every C0/C1 control character, TAB and line breaks included.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
# Long text keeps TAB and LF (CR is folded into LF before this is applied).
_LONG_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CARRIAGE_RETURNS = re.compile("\r\n?")

LONG_TEXT_LINE_LENGTH = 132


def oci_length(value: str) -> int:
    """Return the length of ``value`` as OCI counts it (UTF-16 code units)."""
    # isascii() is a flag lookup; max() scans, but only for non-ASCII text.
    if value.isascii() or max(value) <= "\uffff":
        return len(value)
    return len(value.encode("utf-16-le")) // 2


def _cut_index(value: str, max_length: int) -> int:
    """The largest k such that ``value[:k]`` has an OCI length of at most max_length."""
    if value.isascii() or max(value) <= "\uffff":
        return min(len(value), max_length)
    units = 0
    for index, character in enumerate(value):
        units += 2 if character > "\uffff" else 1
        if units > max_length:
            return index
    return len(value)


def shorten_text(value: str, max_length: int) -> str:
    """Shorten a text value to ``max_length`` (rule ``shortened-text``).

    A value that fits is returned unchanged. Otherwise the first ``max_length``
    characters are kept; if that cut falls inside a word (the next character is not
    whitespace) and the kept part has whitespace in its second half, the cut moves
    back to the last such whitespace, so that no word is sent half. Trailing
    whitespace is then removed, unless nothing would be left. The result is always a
    prefix of the value.
    """
    if oci_length(value) <= max_length:
        return value
    cut = _cut_index(value, max_length)
    head = value[:cut]
    if not value[cut].isspace():
        for index in range(len(head) - 1, max_length // 2 - 1, -1):
            if head[index].isspace():
                head = head[:index]
                break
    return head.rstrip() or value[:cut]


def shorten_code(value: str, max_length: int) -> str:
    """Shorten a code or identifier to ``max_length`` (rule ``shortened-code``).

    Codes have no words: the first ``max_length`` characters are kept. A shortened code
    may name something else than the original, which is why the warning matters.
    """
    return value[: _cut_index(value, max_length)]


def replace_controls(value: str) -> str:
    """Replace each control character of a one-line value by a space."""
    return _CONTROLS.sub(" ", value)


def clean_long_text(value: str) -> str:
    """Fold CR LF and CR into LF; replace other controls except TAB by a space.

    Only the second part is reported as a change (rule
    ``replaced-control-characters``): line breaks reach the receiver the same either
    way.
    """
    return _LONG_TEXT_CONTROLS.sub(" ", normalize_line_breaks(value))


def normalize_line_breaks(value: str) -> str:
    """Return ``value`` with CR LF and lone CR turned into LF."""
    return _CARRIAGE_RETURNS.sub("\n", value) if "\r" in value else value


def has_controls(value: str, *, long_text: bool = False) -> bool:
    """Whether :func:`replace_controls` (or :func:`clean_long_text`) would report."""
    pattern = _LONG_TEXT_CONTROLS if long_text else _CONTROLS
    return (
        pattern.search(normalize_line_breaks(value) if long_text else value) is not None
    )


def split_long_text(value: str, line_length: int = LONG_TEXT_LINE_LENGTH) -> list[str]:
    """Split a long text into the lines of ``NEW_ITEM-LONGTEXT_n:132[]``.

    The lines are consecutive pieces of the text, each at most ``line_length`` long,
    so joining them without separator gives the text back exactly: no character is
    added or lost. A piece ends before the last whitespace character that lies in the
    second half of its window (the whitespace starts the next piece: SAP trims
    trailing blanks of text lines, leading ones survive); where there is none, the
    piece is cut at ``line_length``. An empty text has no lines.
    """
    if len(value) <= line_length // 2 or oci_length(value) <= line_length:
        return [value] if value else []
    lines: list[str] = []
    rest = value
    while oci_length(rest) > line_length:
        cut = _cut_index(rest, line_length)
        if not rest[cut].isspace():
            for index in range(cut - 1, line_length // 2 - 1, -1):
                if rest[index].isspace():
                    cut = index
                    break
        lines.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        lines.append(rest)
    return lines
