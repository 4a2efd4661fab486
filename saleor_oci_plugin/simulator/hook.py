"""Reading the OCI form the shop's return page posts to HOOK_URL.

A browser posts a form ``application/x-www-form-urlencoded`` in the form's
``accept-charset``, and seldom says which: the Content-Type rarely carries a
``charset`` parameter. So the fields are read in the first charset named by

1. the Content-Type's ``charset`` parameter,
2. the ``charset`` query parameter of the hook URL (the simulator adds it to HOOK_URL
   when it asks the shop for another charset than UTF-8, as an ERP knows what it
   asked for),
3. else UTF-8.

Bytes the charset cannot read are replaced (U+FFFD) and reported, so that a charset
mix-up shows on the requisition instead of losing it.
"""

from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qs, parse_qsl

from saleor_oci_plugin.oci import UTF_8, Charset, UnsupportedCharsetError
from saleor_oci_plugin.oci import resolve_charset as resolve_oci_charset

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 20 * 1024 * 1024
# A cart of a thousand lines with every field and long texts stays far below this.
MAX_FORM_FIELDS = 200_000


class HookFormError(ValueError):
    """The posted body is not an OCI form the simulator can read."""


@dataclass(frozen=True, slots=True)
class PostedForm:
    """The fields as posted, the charset they were read in, and what went wrong."""

    fields: tuple[tuple[str, str], ...]
    charset: Charset
    notes: tuple[str, ...] = ()


def read_posted_form(body: bytes, content_type: str, query_string: str) -> PostedForm:
    """Decode a urlencoded form body in its charset (see the module docstring)."""
    media_type, declared = _parse_content_type(content_type)
    if media_type and media_type != FORM_CONTENT_TYPE:
        raise HookFormError(
            f"the cart must be posted as {FORM_CONTENT_TYPE}, not {media_type}"
        )
    if len(body) > MAX_FORM_BYTES:
        raise HookFormError(f"the form is larger than {MAX_FORM_BYTES} bytes")
    label = declared or _query_charset(query_string)
    charset = _resolve(label) if label else UTF_8
    notes: list[str] = []
    try:
        text = body.decode(charset.codec)
    except UnicodeDecodeError:
        text = body.decode(charset.codec, errors="replace")
        notes.append(f"the body has bytes that are not {charset.name}; replaced")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding=charset.codec,
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except UnicodeDecodeError:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding=charset.codec,
            errors="replace",
            max_num_fields=MAX_FORM_FIELDS,
        )
        notes.append(
            f"some values are not valid {charset.name} (was the form posted in "
            "another charset?); the unreadable bytes were replaced by \ufffd"
        )
    except ValueError as error:  # too many fields
        raise HookFormError(str(error)) from error
    return PostedForm(fields=tuple(pairs), charset=charset, notes=tuple(notes))


def _parse_content_type(content_type: str) -> tuple[str, str]:
    """(media type in lower case, charset parameter or "")."""
    if not content_type:
        return "", ""
    message = Message()
    message["Content-Type"] = content_type
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else ""


def _query_charset(query_string: str) -> str:
    try:
        values = parse_qs(query_string, max_num_fields=50).get("charset") or [""]
    except ValueError:  # more parameters than a hook URL of ours has
        return ""
    return values[0]


def _resolve(label: str) -> Charset:
    try:
        return resolve_oci_charset(label)
    except UnsupportedCharsetError as error:
        raise HookFormError(f"cannot read the charset {label!r}: {error}") from error
