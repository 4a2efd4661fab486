"""Punch-in parsing: the request a procurement system opens the shop with.

The request is a URL query (GET) or a form body (POST), both
``application/x-www-form-urlencoded``. Parameter names are matched
case-insensitively; values are kept as sent, except HOOK_URL, whose surrounding
whitespace is removed. ``~OKCODE``, ``~TARGET`` and ``~CALLER`` are kept exactly, to be
echoed in the return form, which is written in the same charset, so that the bytes
sent back are the bytes received.

**Charset.** The values' bytes are read in the charset the request declares: the
Content-Type header's (``declared_charset``), else the ``HTTP_CONTENT_CHARSET``
parameter, else UTF-8; when nothing is declared and the bytes are not UTF-8, they are
read as ISO-8859-1 (the classic SAP default, which can read any byte).
:attr:`PunchIn.charset` is the charset to answer in: ``HTTP_CONTENT_CHARSET`` when
given, else the one the request was read in.

**Problems.** Everything wrong with a request is collected and raised together as
one :class:`~.problems.PunchInError`: missing or conflicting parameters, values the
charset cannot read, control characters in the echoed values (a browser would not
post them back unchanged), an unknown FUNCTION or charset, a FUNCTION without the
parameters it requires (DETAIL: PRODUCTID; VALIDATE: PRODUCTID and a positive
QUANTITY; BACKGROUND_SEARCH: SEARCHSTRING), a missing HOOK_URL where the function
returns to it (normal shopping, DETAIL, SOURCING), one the connection's
:class:`~.hook_url.HookURLPolicy` refuses, missing login values, values longer than
their limit, and requests too large (the limits are in :mod:`~.parameters`). Login
values never appear in problems or in the PunchIn's repr.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from urllib.parse import unquote_to_bytes

from .charsets import UTF_8, Charset, UnsupportedCharsetError, resolve_charset
from .decimals import parse_decimal
from .fields import OCIVersion, parse_oci_version
from .hook_url import HookURLPolicy
from .login import DEFAULT_LOGIN_PARAMETERS, LoginParameters
from .parameters import (
    CALLER,
    DEFAULT_VALUE_LIMIT,
    ECHOED_PARAMETERS,
    FUNCTION,
    HOOK_URL,
    HTTP_CONTENT_CHARSET,
    LOGIN_VALUE_LIMIT,
    MAX_PARAMETERS,
    MAX_REQUEST_BYTES,
    OCI_PARAMETERS,
    OCI_VERSION,
    OKCODE,
    OPI_VERSION,
    PRODUCTID,
    QUANTITY,
    RETURNTARGET,
    SEARCHSTRING,
    TARGET,
    VALUE_LIMITS,
    OCIFunction,
)
from .problems import OCIProblem, PunchInError
from .text import has_controls


@dataclass(frozen=True)
class PunchIn:
    """A parsed punch-in. Echo fields are None when absent; other texts are empty.

    ``login`` maps each login key (``username``, ``password``, ...) to its value; it is
    left out of the repr so that credentials do not end up in logs.
    """

    function: OCIFunction
    hook_url: str
    okcode: str | None
    target: str | None
    caller: str | None
    oci_version: OCIVersion
    charset: Charset
    login: Mapping[str, str] = field(repr=False)
    # OCI_VERSION as received ("" when absent; the 4.0 fields are then used).
    oci_version_received: str = ""
    opi_version: str = ""
    # Whether the charset was declared, rather than UTF-8 by default or by fallback.
    charset_declared: bool = False
    product_id: str = ""
    quantity: Decimal | None = None
    search_string: str = ""
    return_target: str = ""
    # Parameters that are neither OCI nor login parameters, names as received.
    other_parameters: tuple[tuple[str, str], ...] = ()

    @property
    def username(self) -> str:
        return self.login.get("username", "")

    @property
    def password(self) -> str:
        return self.login.get("password", "")


def parse_punchin(
    data: str | bytes,
    *,
    declared_charset: str | None = None,
    login_parameters: LoginParameters = DEFAULT_LOGIN_PARAMETERS,
    hook_url_policy: HookURLPolicy | None = None,
) -> PunchIn:
    """Parse a punch-in from its query string (GET) or form body (POST).

    ``data`` is the raw query or body. A str is taken as WSGI gives the query string
    (each byte as one ISO-8859-1 character); characters beyond that are taken as
    UTF-8. ``declared_charset`` is the charset of the request's Content-Type header,
    if any. With ``hook_url_policy``, a refused HOOK_URL is one of the problems.
    Raise PunchInError listing every problem.
    """
    if isinstance(data, str):
        try:
            raw = data.encode("latin-1")
        except UnicodeEncodeError:
            raw = data.encode("utf-8")
    else:
        raw = bytes(data)
    if len(raw) > MAX_REQUEST_BYTES:
        raise PunchInError(
            [
                OCIProblem(
                    "request", f"is larger than {MAX_REQUEST_BYTES} bytes", "too_large"
                )
            ]
        )
    pairs = [pair for pair in raw.split(b"&") if pair]
    if len(pairs) > MAX_PARAMETERS:
        raise _too_many_parameters()
    byte_pairs = []
    for pair in pairs:
        name, _, value = pair.partition(b"=")
        byte_pairs.append(
            (
                unquote_to_bytes(name.replace(b"+", b" ")),
                unquote_to_bytes(value.replace(b"+", b" ")),
            )
        )
    problems: list[OCIProblem] = []
    charset, declared = _reading_charset(byte_pairs, declared_charset, problems)
    if charset is None:
        raise PunchInError(problems)
    parameters = _decode_pairs(byte_pairs, charset, declared, problems)
    if parameters is None:
        charset = resolve_charset("ISO-8859-1")
        parameters = _decode_pairs(byte_pairs, charset, True, problems)
        assert parameters is not None  # ISO-8859-1 reads every byte
    return _parse(
        parameters, charset, declared, login_parameters, hook_url_policy, problems
    )


def parse_punchin_parameters(
    parameters: Iterable[tuple[str, str]],
    *,
    charset: Charset | str | None = None,
    login_parameters: LoginParameters = DEFAULT_LOGIN_PARAMETERS,
    hook_url_policy: HookURLPolicy | None = None,
) -> PunchIn:
    """Parse a punch-in whose parameters are already decoded (a framework's QueryDict).

    ``charset`` is the one they were decoded with; ``HTTP_CONTENT_CHARSET``, when
    present, still decides the answer's charset.
    """
    problems: list[OCIProblem] = []
    pairs = list(parameters)
    if len(pairs) > MAX_PARAMETERS:
        raise _too_many_parameters()
    resolved = (
        charset
        if isinstance(charset, Charset)
        else _resolve(charset, "charset", problems)
    )
    if resolved is None:
        raise PunchInError(problems)
    return _parse(
        pairs,
        resolved,
        charset is not None,
        login_parameters,
        hook_url_policy,
        problems,
    )


def _too_many_parameters() -> PunchInError:
    return PunchInError(
        [
            OCIProblem(
                "request",
                f"has more than {MAX_PARAMETERS} parameters",
                "too_many_parameters",
            )
        ]
    )


def _resolve(
    label: str | None, where: str, problems: list[OCIProblem]
) -> Charset | None:
    try:
        return resolve_charset(label)
    except UnsupportedCharsetError as error:
        problems.append(OCIProblem(where, str(error), "unsupported_charset"))
        return None


def _reading_charset(
    byte_pairs: list[tuple[bytes, bytes]],
    declared_charset: str | None,
    problems: list[OCIProblem],
) -> tuple[Charset | None, bool]:
    """The charset to read values in, and whether it was declared."""
    if declared_charset:
        return _resolve(declared_charset, "Content-Type", problems), True
    for name, value in byte_pairs:
        if name.upper() == HTTP_CONTENT_CHARSET.encode():
            label = value.decode("latin-1")
            # A bad label is reported by _parse; read the values as UTF-8 meanwhile.
            try:
                return resolve_charset(label), True
            except UnsupportedCharsetError:
                return UTF_8, False
    return UTF_8, False


def _decode_pairs(
    byte_pairs: list[tuple[bytes, bytes]],
    charset: Charset,
    declared: bool,
    problems: list[OCIProblem],
) -> list[tuple[str, str]] | None:
    """Decode names and values; None when undeclared UTF-8 fails (use ISO-8859-1)."""
    decoded = []
    failed = []
    for name, value in byte_pairs:
        name_text = name.decode(charset.codec, errors="replace")
        try:
            decoded.append((name_text, value.decode(charset.codec)))
        except UnicodeDecodeError:
            failed.append(name_text)
    if failed and not declared:
        return None
    problems.extend(
        OCIProblem(name, f"is not valid {charset.name} text", "invalid_encoding")
        for name in failed
    )
    return decoded


def _parse(
    pairs: list[tuple[str, str]],
    charset: Charset,
    charset_declared: bool,
    login_parameters: LoginParameters,
    hook_url_policy: HookURLPolicy | None,
    problems: list[OCIProblem],
) -> PunchIn:
    values, login, other = _sort_parameters(pairs, login_parameters, problems)
    function = _function(values, problems)
    for parameter in login_parameters.parameters:
        if parameter.required and not login.get(parameter.key):
            problems.append(
                OCIProblem(
                    "/".join(parameter.aliases),
                    f"the {parameter.key} is missing",
                    "missing_login",
                )
            )
    answer_charset = charset
    if HTTP_CONTENT_CHARSET in values:
        answer_charset = (
            _resolve(values[HTTP_CONTENT_CHARSET], HTTP_CONTENT_CHARSET, problems)
            or charset
        )
        charset_declared = True
    version = _version(values.get(OCI_VERSION, ""), problems)
    hook_url = values.get(HOOK_URL, "").strip()
    if function is not None:
        _check_function_parameters(function, values, hook_url, problems)
    quantity = _quantity(values.get(QUANTITY, ""), function, problems)
    if hook_url and hook_url_policy is not None:
        refusal = hook_url_policy.refusal(hook_url)
        if refusal is not None:
            problems.append(OCIProblem(HOOK_URL, refusal.reason, refusal.code))
    if problems:
        raise PunchInError(_one_problem_per_parameter(problems))
    # Both are None only where a problem was reported.
    assert function is not None
    assert version is not None
    return PunchIn(
        function=function,
        hook_url=hook_url,
        okcode=values.get(OKCODE),
        target=values.get(TARGET),
        caller=values.get(CALLER),
        oci_version=version,
        oci_version_received=values.get(OCI_VERSION, ""),
        opi_version=values.get(OPI_VERSION, ""),
        charset=answer_charset,
        charset_declared=charset_declared,
        login=MappingProxyType(login),
        product_id=values.get(PRODUCTID, "").strip(),
        quantity=quantity,
        search_string=values.get(SEARCHSTRING, "").strip(),
        return_target=values.get(RETURNTARGET, ""),
        other_parameters=tuple(other),
    )


def _sort_parameters(
    pairs: list[tuple[str, str]],
    login_parameters: LoginParameters,
    problems: list[OCIProblem],
) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str]]]:
    """Split into OCI values (by upper-case name), login values and the others.

    A parameter given twice must have the same value both times; values over their
    limit, and echo values with control characters, are refused.
    """
    login_names = {
        alias.strip().upper(): parameter.key
        for parameter in login_parameters.parameters
        for alias in parameter.aliases
    }
    values: dict[str, str] = {}
    login: dict[str, str] = {}
    login_sources: dict[str, str] = {}
    other: list[tuple[str, str]] = []
    conflicts: set[str] = set()
    for name, value in pairs:
        key = name.strip().upper()
        if key in login_names:
            login_key = login_names[key]
            if len(value) > LOGIN_VALUE_LIMIT:
                problems.append(
                    OCIProblem(
                        name,
                        f"is longer than {LOGIN_VALUE_LIMIT} characters",
                        "too_long",
                    )
                )
            elif login_key not in login:
                login[login_key] = value
                login_sources[login_key] = name
            elif login[login_key] != value and login_key not in conflicts:
                conflicts.add(login_key)
                problems.append(
                    OCIProblem(
                        name,
                        f"the {login_key} is given twice with different values "
                        f"({login_sources[login_key]} and {name})",
                        "conflicting_parameter",
                    )
                )
        elif key in OCI_PARAMETERS:
            limit = VALUE_LIMITS.get(key, DEFAULT_VALUE_LIMIT)
            if len(value) > limit:
                problems.append(
                    OCIProblem(key, f"is longer than {limit} characters", "too_long")
                )
            elif key in ECHOED_PARAMETERS and has_controls(value):
                # A browser would not post them back unchanged (NUL, CR).
                problems.append(
                    OCIProblem(key, "contains control characters", "invalid_value")
                )
            elif key not in values:
                values[key] = value
            elif values[key] != value and key not in conflicts:
                conflicts.add(key)
                problems.append(
                    OCIProblem(
                        key,
                        "is given twice with different values",
                        "conflicting_parameter",
                    )
                )
        else:
            other.append((name, value))
    return values, login, other


def _version(text: str, problems: list[OCIProblem]) -> OCIVersion | None:
    """The field set for OCI_VERSION; 4.0 when absent."""
    if not text.strip():
        return OCIVersion.V4_0
    version = parse_oci_version(text)
    if version is None:
        problems.append(
            OCIProblem(
                OCI_VERSION,
                f"{text!r} is not a version such as 4.0 or 5.0",
                "invalid_version",
            )
        )
    return version


def _check_function_parameters(
    function: OCIFunction,
    values: dict[str, str],
    hook_url: str,
    problems: list[OCIProblem],
) -> None:
    """Report what the function requires and is missing (QUANTITY: _quantity)."""
    if function.returns_to_hook_url and not hook_url:
        problems.append(OCIProblem(HOOK_URL, "is missing", "missing_parameter"))
    required = {
        OCIFunction.DETAIL: (PRODUCTID,),
        OCIFunction.VALIDATE: (PRODUCTID,),
        OCIFunction.BACKGROUND_SEARCH: (SEARCHSTRING,),
    }.get(function, ())
    for name in required:
        if not values.get(name, "").strip():
            problems.append(
                OCIProblem(
                    name,
                    f"is required for FUNCTION={function.value}",
                    "missing_parameter",
                )
            )


def _one_problem_per_parameter(problems: list[OCIProblem]) -> list[OCIProblem]:
    """Drop "missing" problems of parameters refused for another reason already.

    A value that could not be read or was too long is left out of the parameters,
    so it would be reported missing too; one problem per parameter is clearer.
    """
    troubled = {
        problem.field.upper()
        for problem in problems
        if not problem.code.startswith("missing")
    }
    return [
        problem
        for problem in problems
        if not problem.code.startswith("missing")
        or not troubled & set(problem.field.upper().split("/"))
    ]


def _function(values: dict[str, str], problems: list[OCIProblem]) -> OCIFunction | None:
    text = values.get(FUNCTION, "").strip().upper()
    try:
        return OCIFunction(text)
    except ValueError:
        known = ", ".join(function.value for function in OCIFunction if function.value)
        problems.append(
            OCIProblem(
                FUNCTION,
                f"{values[FUNCTION]!r} is not an OCI function "
                f"(known: {known}, or none for shopping)",
                "unknown_function",
            )
        )
        return None


def _quantity(
    text: str, function: OCIFunction | None, problems: list[OCIProblem]
) -> Decimal | None:
    if not text.strip():
        if function is OCIFunction.VALIDATE:
            problems.append(
                OCIProblem(
                    QUANTITY, "is required for FUNCTION=VALIDATE", "missing_parameter"
                )
            )
        return None
    try:
        quantity = parse_decimal(text)
    except ValueError:
        problems.append(
            OCIProblem(QUANTITY, f"{text!r} is not a number", "invalid_number")
        )
        return None
    if not quantity.is_finite() or quantity <= 0:
        problems.append(
            OCIProblem(QUANTITY, "must be greater than zero", "not_positive")
        )
        return None
    return quantity
