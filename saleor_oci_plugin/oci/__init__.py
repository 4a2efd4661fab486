"""The SAP OCI codec: punch-in parsing, cart encoding and decoding, the return form.

This package knows nothing of Django or Saleor (a test scans its imports): it turns
requests and carts into plain values and back, so it can be read, tested and reused
alone. The Saleor side calls, in order:

1. :func:`parse_punchin` with the query string or body, the connection's
   :class:`LoginParameters` and :class:`HookURLPolicy`; it gets a :class:`PunchIn` or
   a :class:`PunchInError` listing every problem;
2. :func:`encode_cart` with :class:`CartItem` values, the connection's
   :class:`OCIMapping`, the transfer id, the punch-in's OCI version and charset;
   it gets the form fields and :class:`FieldWarning` values;
3. :func:`render_return_form` with those fields and the punch-in's HOOK_URL, echo
   values and charset; it gets the page bytes and Content-Type;
4. for VALIDATE and BACKGROUND_SEARCH, :func:`encode_background_answer` instead.
"""

from .background import (
    BackgroundAnswer,
    decode_background_answer,
    encode_background_answer,
)
from .cart import EncodedCart, encode_cart
from .charsets import (
    SUPPORTED_CHARSETS,
    UTF_8,
    Charset,
    UnsupportedCharsetError,
    fit_to_charset,
    resolve_charset,
)
from .decimals import format_decimal, parse_decimal, round_decimal
from .decode import DecodedCart, OCIItem, decode_cart
from .fields import (
    FIELDS,
    FIELDS_BY_NAME,
    FieldKind,
    OCIField,
    OCIVersion,
    fields_for_version,
    form_field_name,
    parse_oci_version,
    split_field_name,
)
from .form import AUTO_SUBMIT_SCRIPT, ReturnForm, render_return_form
from .hook_url import HookURLPolicy, HookURLRefused
from .items import CartItem
from .login import DEFAULT_LOGIN_PARAMETERS, LoginParameter, LoginParameters
from .mapping import DEFAULT_MAPPING, FieldRule, OCIMapping, default_rules
from .parameters import LOGIN_VALUE_LIMIT, OCIFunction
from .problems import (
    CartDecodeError,
    CartEncodeError,
    FieldWarning,
    MappingError,
    OCIError,
    OCIProblem,
    PunchInError,
    SettingsError,
)
from .punchin import PunchIn, parse_punchin, parse_punchin_parameters
from .text import oci_length, shorten_code, shorten_text, split_long_text
from .units import STANDARD_UNITS, UnitTable, UnknownUnitError

__all__ = [
    "AUTO_SUBMIT_SCRIPT",
    "DEFAULT_LOGIN_PARAMETERS",
    "DEFAULT_MAPPING",
    "FIELDS",
    "FIELDS_BY_NAME",
    "LOGIN_VALUE_LIMIT",
    "STANDARD_UNITS",
    "SUPPORTED_CHARSETS",
    "UTF_8",
    "BackgroundAnswer",
    "CartDecodeError",
    "CartEncodeError",
    "CartItem",
    "Charset",
    "DecodedCart",
    "EncodedCart",
    "FieldKind",
    "FieldRule",
    "FieldWarning",
    "HookURLPolicy",
    "HookURLRefused",
    "LoginParameter",
    "LoginParameters",
    "MappingError",
    "OCIError",
    "OCIField",
    "OCIFunction",
    "OCIItem",
    "OCIMapping",
    "OCIProblem",
    "OCIVersion",
    "PunchIn",
    "PunchInError",
    "ReturnForm",
    "SettingsError",
    "UnitTable",
    "UnknownUnitError",
    "UnsupportedCharsetError",
    "decode_background_answer",
    "decode_cart",
    "default_rules",
    "encode_background_answer",
    "encode_cart",
    "fields_for_version",
    "fit_to_charset",
    "form_field_name",
    "format_decimal",
    "oci_length",
    "parse_decimal",
    "parse_oci_version",
    "parse_punchin",
    "parse_punchin_parameters",
    "render_return_form",
    "resolve_charset",
    "round_decimal",
    "shorten_code",
    "shorten_text",
    "split_field_name",
    "split_long_text",
]
