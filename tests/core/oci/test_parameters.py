import pytest

from saleor_oci_plugin.oci.parameters import OCI_PARAMETERS, VALUE_LIMITS, OCIFunction


@pytest.mark.parametrize(
    ("function", "returns", "background"),
    [
        (OCIFunction.SHOPPING, True, False),
        (OCIFunction.DETAIL, True, False),
        (OCIFunction.SOURCING, True, False),
        (OCIFunction.VALIDATE, False, True),
        (OCIFunction.BACKGROUND_SEARCH, False, True),
    ],
)
def test_which_functions_return_to_hook_url_and_which_answer_in_background(
    function, returns, background
):
    assert function.returns_to_hook_url is returns
    assert function.is_background is background


def test_no_function_is_shopping():
    assert OCIFunction("") is OCIFunction.SHOPPING


def test_limits_name_oci_parameters():
    assert set(VALUE_LIMITS) <= OCI_PARAMETERS
