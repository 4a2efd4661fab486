import pytest

from saleor_oci_plugin.oci.login import (
    DEFAULT_LOGIN_PARAMETERS,
    LoginParameter,
    LoginParameters,
)
from saleor_oci_plugin.oci.problems import SettingsError


def test_login_parameter_defaults():
    assert LoginParameters().parameters == (
        LoginParameter("username", ("USERNAME",)),
        LoginParameter("password", ("PASSWORD",)),
    )


def test_settings_read_back_equal():
    login = LoginParameters.from_dict(
        {
            "username": ["USERNAME", "loginname", "user_id"],
            "password": "PWD",
            "customer": {"aliases": ["cid"], "required": False},
        }
    )
    assert login.parameters == (
        LoginParameter("username", ("USERNAME", "loginname", "user_id")),
        LoginParameter("password", ("PWD",)),
        LoginParameter("customer", ("cid",), required=False),
    )
    assert LoginParameters.from_dict(login.to_dict()) == login
    assert LoginParameters.from_dict(DEFAULT_LOGIN_PARAMETERS.to_dict()) == (
        DEFAULT_LOGIN_PARAMETERS
    )


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        ({"username": ["HOOK_URL"]}, "reserved_alias"),
        ({"username": ["user"], "password": ["USER"]}, "duplicate_alias"),
        ({"username": []}, "no_alias"),
        ({"username": [""]}, "invalid_alias"),
        ({"username": 5}, "invalid_alias"),
    ],
)
def test_bad_login_settings_are_refused(settings, code):
    with pytest.raises(SettingsError) as caught:
        LoginParameters.from_dict(settings)
    assert [problem.code for problem in caught.value.problems] == [code]
