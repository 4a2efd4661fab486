"""The return form: the HTML page that posts the cart to the procurement system.

The page is complete and standalone: a form posting every field to HOOK_URL in the
frame named by ``~TARGET``, with ``~OKCODE``, ``~TARGET`` and ``~CALLER`` echoed as
received, a script that submits it at once, and a ``<noscript>`` button for browsers
without scripts. Every name and value is HTML-escaped (``& < > " '``), so a product
called ``"><script>alert(1)</script>`` stays text. An empty cart (the buyer
cancelled) gives a valid form without items.

The page is written in the punch-in's charset, announced in ``<meta charset>``, in
``accept-charset`` (the charset the browser posts the fields in) and in the
Content-Type header value returned; values the charset cannot carry are replaced by
the rule of :mod:`~.charsets` and reported.
"""

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .charsets import Charset, fit_fields_to_charset, fit_to_charset, resolve_charset
from .problems import RULE_CHARSET, FieldWarning

FORM_ID = "oci-return"
_SAFE_ACTION = re.compile(r"(?:https?://|sapevent:)", re.IGNORECASE)
# The auto-submit script; a page with a Content-Security-Policy allows it by nonce
# (``script_nonce``) or by this text's hash. ``prototype.submit`` still works when a
# field is named "submit".
AUTO_SUBMIT_SCRIPT = (
    f'HTMLFormElement.prototype.submit.call(document.getElementById("{FORM_ID}"));'
)
DEFAULT_TITLE = "Transferring your shopping cart"
DEFAULT_BUTTON_LABEL = "Transfer shopping cart"
DEFAULT_NOSCRIPT_TEXT = "Press the button to transfer your shopping cart."


@dataclass(frozen=True, slots=True)
class ReturnForm:
    """A rendered page: ``body`` to send with the ``content_type`` header value."""

    body: bytes
    content_type: str
    charset: Charset
    warnings: tuple[FieldWarning, ...]


def render_return_form(
    fields: Sequence[tuple[str, str]],
    *,
    hook_url: str,
    target: str | None = None,
    okcode: str | None = None,
    caller: str | None = None,
    charset: Charset | str | None = None,
    title: str = DEFAULT_TITLE,
    button_label: str = DEFAULT_BUTTON_LABEL,
    noscript_text: str = DEFAULT_NOSCRIPT_TEXT,
    script_nonce: str | None = None,
) -> ReturnForm:
    """Write the page posting ``fields`` to ``hook_url`` (see the module docstring).

    ``hook_url`` must already have passed the connection's HookURLPolicy (as a last
    guard, one that is not http, https or SAPEVENT raises ValueError). ``target``,
    ``okcode`` and ``caller`` are echoed when not None (the form's ``target``
    attribute is set from ``target``). ``charset`` is the punch-in's (UTF-8 when
    None).
    """
    if not _SAFE_ACTION.match(hook_url):
        # The policy check belongs before this; a javascript: action must never
        # reach a page, whoever forgot it.
        raise ValueError("a return form posts only to http(s) or SAPEVENT URLs")
    resolved = charset if isinstance(charset, Charset) else resolve_charset(charset)
    echoes = [
        (name, value)
        for name, value in (
            ("~OKCODE", okcode),
            ("~TARGET", target),
            ("~CALLER", caller),
        )
        if value is not None
    ]
    all_fields = [*echoes, *fields]
    warnings: list[FieldWarning] = []
    action = fit_to_charset(hook_url, resolved)
    if action != hook_url:
        warnings.append(FieldWarning("HOOK_URL", None, hook_url, action, RULE_CHARSET))
    escape = html.escape
    head = "".join(
        (
            "<!DOCTYPE html>\n<html>\n<head>\n",
            f'<meta charset="{resolved.name}">\n',
            '<meta name="robots" content="noindex, nofollow">\n',
            f"<title>{escape(fit_to_charset(title, resolved))}</title>\n",
            "</head>\n<body>\n",
            f'<form id="{FORM_ID}" method="post" action="{escape(action)}"',
            ""
            if target is None
            else f' target="{escape(fit_to_charset(target, resolved))}"',
            f' accept-charset="{resolved.name}">\n',
        )
    )
    tail = "".join(
        (
            f"<noscript><p>{escape(fit_to_charset(noscript_text, resolved))}</p>",
            f'<button type="submit">{escape(fit_to_charset(button_label, resolved))}'
            "</button></noscript>\n</form>\n",
            "<script"
            if script_nonce is None
            else f'<script nonce="{escape(script_nonce)}"',
            f">{AUTO_SUBMIT_SCRIPT}</script>\n</body>\n</html>\n",
        )
    )
    try:
        body = (head + _hidden_inputs(all_fields) + tail).encode(resolved.codec)
    except UnicodeEncodeError:
        # Only now look for the values the charset cannot carry: most pages have none.
        fitted, field_warnings = fit_fields_to_charset(all_fields, resolved)
        warnings.extend(field_warnings)
        body = (head + _hidden_inputs(fitted) + tail).encode(resolved.codec)
    return ReturnForm(
        body=body,
        content_type=f"text/html; charset={resolved.name}",
        charset=resolved,
        warnings=tuple(warnings),
    )


_INPUT_START = '<input type="hidden" name="'
_NAME_END = '" value="'
_INPUT_END = '">\n'


def _hidden_inputs(fields: Sequence[tuple[str, str]]) -> str:
    """All fields as hidden inputs, escaped in one pass over the joined text.

    Escaping each value by itself costs a function call per field, which dominates
    for carts of a thousand lines. Here each name is joined to its value by NUL and
    the fields to each other by SOH, the whole is escaped at once, and the two
    separators become the markup between them (escaping leaves them alone). A field
    that itself contains NUL or SOH takes the per-field path.
    """
    if not fields:
        return ""
    flat = "\1".join(map("\0".join, fields))
    if flat.count("\0") != len(fields) or flat.count("\1") != len(fields) - 1:
        return "".join(
            f"{_INPUT_START}{html.escape(name)}{_NAME_END}{html.escape(value)}{_INPUT_END}"
            for name, value in fields
        )
    body = (
        html.escape(flat)
        .replace("\0", _NAME_END)
        .replace("\1", _INPUT_END + _INPUT_START)
    )
    return _INPUT_START + body + _INPUT_END
