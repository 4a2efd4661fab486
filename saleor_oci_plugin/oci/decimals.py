"""Decimal numbers as OCI writes them, and as real systems send them back.

OCI writes decimals with a ``.`` and no grouping (``1234.50``). The encoder uses a
fixed number of decimal places per connection; a value with more places is rounded
half up ("commercial rounding": 2.345 -> 2.35) and the rounding is reported (rule
``rounded-decimal``). Quantities stay decimals: 2.5 boxes is sent as ``2.500``, never
as ``3`` or ``2``.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_GROUPING = re.compile(r"[\s'\u00a0\u202f_]")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


def quantum(places: int) -> Decimal:
    """The Decimal with ``places`` decimal places used to round to them (0.01 for 2)."""
    return Decimal(1).scaleb(-places)


def round_decimal(value: Decimal, places: int) -> Decimal:
    """Round ``value`` half up to ``places`` decimal places (the encoder's rule)."""
    return value.quantize(quantum(places), rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal, places: int) -> str:
    """Write ``value`` rounded half up with exactly ``places`` decimal places.

    Zero is written without sign (``-0`` would read as a negative amount).
    """
    rounded = round_decimal(value, places)
    return format(rounded.copy_abs() if rounded.is_zero() else rounded, "f")


def parse_decimal(text: str) -> Decimal:
    """Read a decimal as procurement systems and shops send it; raise ValueError if not.

    Accepted, around optional surrounding whitespace: ``1234.5`` (the OCI form),
    ``1234,5`` (a comma as decimal separator), ``1.234,50`` and ``1,234.50`` (when both
    appear, the last one is the decimal separator and the other groups thousands),
    and grouping by spaces, apostrophes or underscores (``1 234,50``, ``1'234.50``).
    """
    cleaned = _GROUPING.sub("", text)
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        if cleaned.count(",") > 1:
            raise ValueError(f"{text!r} is not a decimal number")
        cleaned = cleaned.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(cleaned):
        raise ValueError(f"{text!r} is not a decimal number")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern already checked
        raise ValueError(f"{text!r} is not a decimal number") from error
