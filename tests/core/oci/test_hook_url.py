import pytest

from saleor_oci_plugin.oci.hook_url import HookURLPolicy, HookURLRefused
from saleor_oci_plugin.oci.problems import SettingsError

POLICY = HookURLPolicy.from_settings(
    [
        "https://srm.example.com",
        "https://erp.example.org:8443/sap/bc/",
        "https://*.hospital.example",
    ]
)


@pytest.mark.parametrize(
    "url",
    [
        "https://srm.example.com/sap/bc/gui/sap/its/bbpstart?sap-client=100",
        "https://SRM.Example.com./oci",
        "https://srm.example.com:443/",
        "https://srm.example.com",
        "https://erp.example.org:8443/sap/bc",
        "https://erp.example.org:8443/sap/bc/oci/return",
        "https://srm.hospital.example/oci",
        "https://a.b.hospital.example/",
        "https://srm.example.com/a%20b#frag",
    ],
)
def test_allowed_urls(url):
    assert POLICY.is_allowed(url)
    POLICY.check(url)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", "empty"),
        ("https://srm.example.com/" + "a" * 4096, "too_long"),
        ("javascript:alert(1)", "scheme_not_allowed"),
        ("JavaScript:alert(1)", "scheme_not_allowed"),
        ("data:text/html,<script>alert(1)</script>", "scheme_not_allowed"),
        ("vbscript:msgbox(1)", "scheme_not_allowed"),
        ("file:///etc/passwd", "scheme_not_allowed"),
        ("ftp://srm.example.com/", "scheme_not_allowed"),
        ("http://srm.example.com/", "http_not_allowed"),
        ("SAPEVENT:ADDI", "sapevent_not_allowed"),
        ("//srm.example.com/", "malformed"),
        ("/sap/bc/oci", "malformed"),
        ("https:srm.example.com/", "malformed"),
        ("https:///srm.example.com/", "malformed"),
        ("https://srm.example.com\\@evil.example/", "malformed"),
        (" https://srm.example.com/", "malformed"),
        ("java\tscript:alert(1)", "malformed"),
        ("https://srm.example.com/\nx", "malformed"),
        ("https://srm.example.com:99999/", "malformed"),
        ("https://srm.exämple.com/", "malformed"),
        ("https://srm.example.com@evil.example/", "credentials_in_url"),
        ("https://user:pw@srm.example.com/", "credentials_in_url"),
        ("https://evil.example/", "host_not_allowed"),
        ("https://srm.example.com.evil.example/", "host_not_allowed"),
        ("https://evilsrm.example.com/", "host_not_allowed"),
        ("https://srm.example.com:8443/", "host_not_allowed"),
        ("https://hospital.example/", "host_not_allowed"),
        ("https://evilhospital.example/", "host_not_allowed"),
        ("https://erp.example.org/sap/bc/", "host_not_allowed"),
        ("https://erp.example.org:8443/sap/bcx", "path_not_allowed"),
        ("https://erp.example.org:8443/other", "path_not_allowed"),
        ("https://erp.example.org:8443/sap/bc/../../evil", "dot_segments"),
        ("https://erp.example.org:8443/sap/bc/%2e%2E/evil", "dot_segments"),
        ("https://srm.example.com/./x", "dot_segments"),
    ],
)
def test_refused_urls_say_why(url, code):
    refusal = POLICY.refusal(url)
    assert refusal is not None
    assert refusal.code == code
    assert refusal.reason
    with pytest.raises(HookURLRefused) as caught:
        POLICY.check(url)
    assert caught.value.code == code
    assert not POLICY.is_allowed(url)


def test_http_only_where_the_connection_allows_it():
    policy = HookURLPolicy.from_settings(
        ["http://srm.intranet.example", "https://srm.example.com"], allow_http=True
    )
    assert policy.is_allowed("http://srm.intranet.example/sap")
    # allow_http admits only the hosts listed with http.
    assert policy.refusal("http://srm.example.com/").code == "host_not_allowed"


def test_sapevent_only_where_the_connection_allows_it():
    policy = HookURLPolicy.from_settings([], allow_sapevent=True)
    assert policy.is_allowed("SAPEVENT:ADDI")
    assert policy.is_allowed("sapevent:ADDI?x=1")
    assert policy.refusal("SAPEVENT:").code == "malformed"
    assert policy.refusal("https://srm.example.com/").code == "host_not_allowed"


def test_an_empty_allow_list_refuses_every_web_url():
    assert (
        HookURLPolicy().refusal("https://srm.example.com/").code == "host_not_allowed"
    )


@pytest.mark.parametrize(
    "entry",
    [
        "srm.example.com",
        "ftp://srm.example.com",
        "http://srm.example.com",  # allow_http is off
        "SAPEVENT:",
        "https://user@srm.example.com",
        "https://srm.example.com/?q=1",
        "https://",
        "https://*.",
        "https://srm.exämple.com",
        "https://srm.example.com:0x1",
        "https://srm.example.com/../x",
        "",
        " https://srm example.com",
    ],
)
def test_invalid_allow_list_entries_are_refused(entry):
    with pytest.raises(SettingsError) as caught:
        HookURLPolicy.from_settings([entry])
    assert caught.value.problems[0].field == "allowed[0]"


def test_every_bad_entry_is_reported():
    with pytest.raises(SettingsError) as caught:
        HookURLPolicy.from_settings(["https://ok.example", "bad", "ftp://x"])
    assert [problem.field for problem in caught.value.problems] == [
        "allowed[1]",
        "allowed[2]",
    ]


def test_dict_round_trip():
    policy = HookURLPolicy.from_dict(
        {"allowed": ["http://a.example/x"], "allow_http": True, "allow_sapevent": True}
    )
    assert policy.to_dict() == {
        "allowed": ["http://a.example/x"],
        "allow_http": True,
        "allow_sapevent": True,
    }
    assert HookURLPolicy.from_dict(policy.to_dict()) == policy
    assert HookURLPolicy.from_dict({}) == HookURLPolicy()
