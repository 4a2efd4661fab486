from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest

from saleor_oci_plugin.oci.fields import OCIVersion
from saleor_oci_plugin.oci.hook_url import HookURLPolicy
from saleor_oci_plugin.oci.login import LoginParameters
from saleor_oci_plugin.oci.parameters import (
    MAX_PARAMETERS,
    MAX_REQUEST_BYTES,
    OCIFunction,
)
from saleor_oci_plugin.oci.problems import PunchInError
from saleor_oci_plugin.oci.punchin import parse_punchin, parse_punchin_parameters

HOOK_URL = "https://srm.example.com/sap/bc/oci?sap-client=100"
POLICY = HookURLPolicy.from_settings(["https://srm.example.com"])


def query(**parameters: str) -> str:
    base = {"USERNAME": "jan", "PASSWORD": "geheim", "HOOK_URL": HOOK_URL}
    return urlencode({**base, **parameters})


def problems_of(data, **options) -> list[tuple[str, str]]:
    with pytest.raises(PunchInError) as caught:
        parse_punchin(data, **options)
    return [(problem.field, problem.code) for problem in caught.value.problems]


def test_a_normal_punch_in():
    punch_in = parse_punchin(
        query(
            **{
                "~OKCODE": "ADDI",
                "~TARGET": "_top",
                "~CALLER": "CTLG",
                "OCI_VERSION": "4.0",
                "OPI_VERSION": "1.0",
                "returntarget": "_self",
            }
        ),
        hook_url_policy=POLICY,
    )
    assert punch_in.function is OCIFunction.SHOPPING
    assert punch_in.hook_url == HOOK_URL
    assert (punch_in.okcode, punch_in.target, punch_in.caller) == (
        "ADDI",
        "_top",
        "CTLG",
    )
    assert punch_in.username == "jan"
    assert punch_in.password == "geheim"
    assert punch_in.oci_version is OCIVersion.V4_0
    assert punch_in.oci_version_received == "4.0"
    assert punch_in.opi_version == "1.0"
    assert punch_in.return_target == "_self"
    assert punch_in.charset.name == "UTF-8"
    assert punch_in.charset_declared is False
    assert punch_in.other_parameters == ()


def test_post_body_bytes_parse_like_a_query():
    body = query(**{"~OKCODE": "ADDI"}).encode("ascii")
    assert parse_punchin(body) == parse_punchin(body.decode("ascii"))


def test_parameter_names_are_case_insensitive():
    punch_in = parse_punchin(
        "username=jan&Password=geheim&hook_url="
        + quote(HOOK_URL, safe="")
        + "&~okcode=ADDI&~Target=_top&function=detail&productid=GB-1&oci_version=5.0"
    )
    assert punch_in.username == "jan"
    assert punch_in.hook_url == HOOK_URL
    assert (punch_in.okcode, punch_in.target) == ("ADDI", "_top")
    assert punch_in.function is OCIFunction.DETAIL
    assert punch_in.product_id == "GB-1"
    assert punch_in.oci_version is OCIVersion.V5_0


def test_echo_fields_are_kept_exactly():
    punch_in = parse_punchin(
        query(**{"~OKCODE": " addi ", "~TARGET": "Frame 1", "~CALLER": ""})
    )
    assert (punch_in.okcode, punch_in.target, punch_in.caller) == (
        " addi ",
        "Frame 1",
        "",
    )


def test_absent_echo_fields_are_none():
    punch_in = parse_punchin(query())
    assert (punch_in.okcode, punch_in.target, punch_in.caller) == (None, None, None)


def test_hook_url_whitespace_is_trimmed():
    assert parse_punchin(query(HOOK_URL=f"  {HOOK_URL}\n")).hook_url == HOOK_URL


def test_the_declared_charset_reads_the_values():
    body = (
        b"USERNAME=J%F6rg&PASSWORD=x&HOOK_URL=https%3A%2F%2Fsrm.example.com%2F"
        b"&~OKCODE=%C4NDERN&HTTP_CONTENT_CHARSET=ISO-8859-1"
    )
    punch_in = parse_punchin(body)
    assert punch_in.username == "Jörg"
    assert punch_in.okcode == "ÄNDERN"
    assert punch_in.charset.name == "ISO-8859-1"
    assert punch_in.charset_declared is True
    # Echoed in the same charset, the bytes are the bytes received.
    assert punch_in.okcode.encode(punch_in.charset.codec) == b"\xc4NDERN"


def test_the_content_type_charset_wins_for_reading():
    body = "USERNAME=Jörg&PASSWORD=x&HOOK_URL=https://srm.example.com/".encode("cp1252")
    punch_in = parse_punchin(body, declared_charset="windows-1252")
    assert punch_in.username == "Jörg"
    assert punch_in.charset.name == "windows-1252"


def test_http_content_charset_decides_the_answer_charset():
    body = query(HTTP_CONTENT_CHARSET="iso-8859-15").encode()
    punch_in = parse_punchin(body, declared_charset="utf-8")
    assert punch_in.charset.name == "ISO-8859-15"


def test_utf_8_values_by_default():
    punch_in = parse_punchin(query(USERNAME="Jörg"))
    assert punch_in.username == "Jörg"
    assert punch_in.charset.name == "UTF-8"


def test_undeclared_bytes_that_are_not_utf_8_are_read_as_iso_8859_1():
    punch_in = parse_punchin(b"USERNAME=J%F6rg&PASSWORD=x&HOOK_URL=https://a.example/")
    assert punch_in.username == "Jörg"
    assert punch_in.charset.name == "ISO-8859-1"
    assert punch_in.charset_declared is False


def test_a_wsgi_query_string_with_raw_bytes():
    # WSGI hands the query string over as ISO-8859-1 characters of the raw bytes.
    raw = "USERNAME=Jörg&PASSWORD=x&HOOK_URL=https://a.example/".encode()
    punch_in = parse_punchin(raw.decode("latin-1"))
    assert punch_in.username == "Jörg"


def test_plus_is_a_space_and_percent_escapes_are_decoded():
    punch_in = parse_punchin(query() + "&~TARGET=my+frame%2B1")
    assert punch_in.target == "my frame+1"


@pytest.mark.parametrize(
    ("function", "extra", "check"),
    [
        ("DETAIL", {"PRODUCTID": "GB-1001"}, lambda p: p.product_id == "GB-1001"),
        (
            "VALIDATE",
            {"PRODUCTID": "GB-1001", "QUANTITY": "2,5"},
            lambda p: p.quantity == Decimal("2.5"),
        ),
        ("SOURCING", {}, lambda p: p.function is OCIFunction.SOURCING),
        (
            "BACKGROUND_SEARCH",
            {"SEARCHSTRING": "kerst"},
            lambda p: p.search_string == "kerst",
        ),
        ("", {}, lambda p: p.function is OCIFunction.SHOPPING),
    ],
)
def test_functions_with_their_parameters(function, extra, check):
    punch_in = parse_punchin(query(FUNCTION=function, **extra))
    assert punch_in.function.value == function
    assert check(punch_in)


def test_background_functions_need_no_hook_url():
    body = urlencode(
        {
            "USERNAME": "jan",
            "PASSWORD": "x",
            "FUNCTION": "BACKGROUND_SEARCH",
            "SEARCHSTRING": "rozen",
        }
    )
    punch_in = parse_punchin(body)
    assert punch_in.hook_url == ""
    assert punch_in.function.is_background
    assert not punch_in.function.returns_to_hook_url


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"FUNCTION": "DETAIL"}, [("PRODUCTID", "missing_parameter")]),
        (
            {"FUNCTION": "VALIDATE"},
            [("PRODUCTID", "missing_parameter"), ("QUANTITY", "missing_parameter")],
        ),
        (
            {"FUNCTION": "VALIDATE", "PRODUCTID": "x", "QUANTITY": "twee"},
            [("QUANTITY", "invalid_number")],
        ),
        (
            {"FUNCTION": "VALIDATE", "PRODUCTID": "x", "QUANTITY": "0"},
            [("QUANTITY", "not_positive")],
        ),
        (
            {"FUNCTION": "BACKGROUND_SEARCH", "SEARCHSTRING": "  "},
            [("SEARCHSTRING", "missing_parameter")],
        ),
        ({"FUNCTION": "ORDER"}, [("FUNCTION", "unknown_function")]),
        ({"OCI_VERSION": "vier"}, [("OCI_VERSION", "invalid_version")]),
        (
            {"HTTP_CONTENT_CHARSET": "utf-16"},
            [("HTTP_CONTENT_CHARSET", "unsupported_charset")],
        ),
        (
            {"HTTP_CONTENT_CHARSET": "klingon"},
            [("HTTP_CONTENT_CHARSET", "unsupported_charset")],
        ),
        ({"HOOK_URL": ""}, [("HOOK_URL", "missing_parameter")]),
        ({"USERNAME": ""}, [("USERNAME", "missing_login")]),
        ({"~TARGET": "x" * 256}, [("~TARGET", "too_long")]),
        ({"~OKCODE": "AD\x00DI"}, [("~OKCODE", "invalid_value")]),
        ({"~CALLER": "CTLG\r\n"}, [("~CALLER", "invalid_value")]),
        ({"PASSWORD": "x" * 256}, [("PASSWORD", "too_long")]),
    ],
)
def test_malformed_requests(parameters, expected):
    assert problems_of(query(**parameters)) == expected


def test_a_refused_hook_url_is_a_problem():
    assert problems_of(
        query(HOOK_URL="javascript:alert(1)"), hook_url_policy=POLICY
    ) == [("HOOK_URL", "scheme_not_allowed")]
    assert problems_of(
        query(HOOK_URL="https://evil.example/"), hook_url_policy=POLICY
    ) == [("HOOK_URL", "host_not_allowed")]


def test_conflicting_duplicates_are_refused_identical_ones_accepted():
    assert problems_of(query() + "&hook_url=https%3A%2F%2Fother.example%2F") == [
        ("HOOK_URL", "conflicting_parameter")
    ]
    assert problems_of(query() + "&username=piet") == [
        ("username", "conflicting_parameter")
    ]
    assert parse_punchin(query() + "&~OKCODE=ADDI&~okcode=ADDI").okcode == "ADDI"


def test_invalid_bytes_in_the_declared_charset_are_refused():
    body = b"USERNAME=J%F6rg&PASSWORD=x&HOOK_URL=https://a.example/"
    assert problems_of(body, declared_charset="utf-8") == [
        ("USERNAME", "invalid_encoding")
    ]


def test_an_unsupported_content_type_charset_is_refused():
    assert problems_of(query(), declared_charset="utf-16") == [
        ("Content-Type", "unsupported_charset")
    ]


@pytest.mark.parametrize("label", ["utf-8\x00", "\x00", "latin1\x00\x00"])
def test_a_nul_in_the_charset_is_refused_not_an_error(label):
    # Seen in a fuzz run: codecs.lookup raised "ValueError: embedded null character".
    assert problems_of(query(HTTP_CONTENT_CHARSET=label)) == [
        ("HTTP_CONTENT_CHARSET", "unsupported_charset")
    ]
    assert problems_of(query(), declared_charset=label) == [
        ("Content-Type", "unsupported_charset")
    ]


def test_oversized_requests_are_refused():
    assert problems_of(b"x" * (MAX_REQUEST_BYTES + 1)) == [("request", "too_large")]
    many = "&".join(f"p{number}=1" for number in range(MAX_PARAMETERS + 1))
    assert problems_of(many) == [("request", "too_many_parameters")]


def test_every_problem_is_listed_in_one_error():
    data = urlencode(
        {
            "FUNCTION": "VALIDATE",
            "QUANTITY": "-1",
            "OCI_VERSION": "x",
            "HOOK_URL": "data:text/html,hi",
            "HTTP_CONTENT_CHARSET": "utf-7",
        }
    )
    assert problems_of(data, hook_url_policy=POLICY) == [
        ("USERNAME", "missing_login"),
        ("PASSWORD", "missing_login"),
        ("HTTP_CONTENT_CHARSET", "unsupported_charset"),
        ("OCI_VERSION", "invalid_version"),
        ("PRODUCTID", "missing_parameter"),
        ("QUANTITY", "not_positive"),
        ("HOOK_URL", "scheme_not_allowed"),
    ]


def test_credentials_stay_out_of_repr_and_problems():
    punch_in = parse_punchin(query(PASSWORD="s3cret-pw"))
    assert "s3cret-pw" not in repr(punch_in)
    with pytest.raises(PunchInError) as caught:
        parse_punchin(query(PASSWORD="s3cret-pw") + "&PASSWORD=other-pw")
    assert "s3cret-pw" not in str(caught.value)
    assert "other-pw" not in str(caught.value)


def test_unknown_parameters_are_kept_aside():
    punch_in = parse_punchin(query(kostenplaats="KP-4711", sap_client="100"))
    assert punch_in.other_parameters == (
        ("kostenplaats", "KP-4711"),
        ("sap_client", "100"),
    )


def test_login_aliases_per_connection():
    login = LoginParameters.from_dict(
        {
            "username": ["USERNAME", "loginname", "user_id"],
            "password": {"aliases": ["PASSWORD", "pwd"], "required": True},
            "customer": {"aliases": ["cid"], "required": False},
        }
    )
    punch_in = parse_punchin(
        "LoginName=jan&pwd=geheim&CID=4711&HOOK_URL=https://a.example/",
        login_parameters=login,
    )
    assert punch_in.login == {
        "username": "jan",
        "password": "geheim",
        "customer": "4711",
    }
    punch_in = parse_punchin(
        "user_id=jan&pwd=x&HOOK_URL=https://a.example/", login_parameters=login
    )
    assert "customer" not in punch_in.login
    assert LoginParameters.from_dict(login.to_dict()) == login


def test_a_missing_login_names_its_accepted_parameters():
    login = LoginParameters.from_dict({"username": ["USERNAME", "loginname"]})
    assert problems_of("HOOK_URL=https://a.example/", login_parameters=login) == [
        ("USERNAME/loginname", "missing_login")
    ]


def test_optional_login_values():
    login = LoginParameters.from_dict(
        {"logonId": {"aliases": ["logonId"], "required": False}}
    )
    punch_in = parse_punchin("HOOK_URL=https://a.example/", login_parameters=login)
    assert punch_in.login == {}


def test_parameters_already_decoded_by_a_framework():
    punch_in = parse_punchin_parameters(
        [
            ("USERNAME", "Jörg"),
            ("PASSWORD", "x"),
            ("HOOK_URL", HOOK_URL),
            ("~OKCODE", "ADDI"),
            ("HTTP_CONTENT_CHARSET", "ISO-8859-1"),
        ],
        charset="utf-8",
        hook_url_policy=POLICY,
    )
    assert punch_in.username == "Jörg"
    assert punch_in.charset.name == "ISO-8859-1"
    with pytest.raises(PunchInError):
        parse_punchin_parameters([("USERNAME", "x")])
