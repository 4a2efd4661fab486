"""Answers to the background functions VALIDATE and BACKGROUND_SEARCH.

The procurement system calls the catalog URL itself (no browser) with
``FUNCTION=VALIDATE`` (``PRODUCTID``, ``QUANTITY``: is this product still available,
at what price) or ``FUNCTION=BACKGROUND_SEARCH`` (``SEARCHSTRING``: which products
match), and reads the answer from the same response, without redirects: the item
fields, encoded as a form body (``application/x-www-form-urlencoded``) in the
punch-in's charset. Encode the items with :func:`~.cart.encode_cart` (the validated
product at the asked quantity; the found products, one item each; no transfer id)
and pass the fields here. No items (an unknown product, nothing found) is an empty
body. Values the charset cannot carry are replaced by the rule of :mod:`~.charsets`
and reported.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote_plus, urlencode

from .charsets import Charset, fit_fields_to_charset, resolve_charset
from .problems import FieldWarning

BACKGROUND_CONTENT_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class BackgroundAnswer:
    """The response ``body`` to a background call, with its Content-Type value."""

    body: bytes
    content_type: str
    charset: Charset
    warnings: tuple[FieldWarning, ...]


def encode_background_answer(
    fields: Sequence[tuple[str, str]], *, charset: Charset | str | None = None
) -> BackgroundAnswer:
    """Encode item fields as the form body a background function answers with."""
    resolved = charset if isinstance(charset, Charset) else resolve_charset(charset)
    fitted, warnings = fit_fields_to_charset(fields, resolved)
    body = urlencode(fitted, encoding=resolved.codec, quote_via=quote_plus)
    return BackgroundAnswer(
        body=body.encode("ascii"),
        content_type=f"{BACKGROUND_CONTENT_TYPE}; charset={resolved.name}",
        charset=resolved,
        warnings=tuple(warnings),
    )


def decode_background_answer(
    body: bytes, *, charset: Charset | str | None = None
) -> list[tuple[str, str]]:
    """Read a background answer's fields back (what the procurement system does)."""
    resolved = charset if isinstance(charset, Charset) else resolve_charset(charset)
    return parse_qsl(
        body.decode("ascii"),
        keep_blank_values=True,
        encoding=resolved.codec,
        errors="strict",
    )
