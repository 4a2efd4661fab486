import pytest

from saleor_oci_plugin.oci.problems import OCIError, OCIProblem, PunchInError


def test_an_error_lists_every_problem_in_its_message():
    error = PunchInError(
        [
            OCIProblem("HOOK_URL", "is missing", "missing_parameter"),
            OCIProblem("QUANTITY", "must be greater than zero", "not_positive", line=2),
        ]
    )
    assert isinstance(error, OCIError)
    assert isinstance(error, ValueError)
    assert len(error.problems) == 2
    assert str(error) == (
        "HOOK_URL: is missing; QUANTITY (line 2): must be greater than zero"
    )


def test_an_error_without_problems_is_a_programming_error():
    with pytest.raises(ValueError, match="at least one problem"):
        OCIError([])
