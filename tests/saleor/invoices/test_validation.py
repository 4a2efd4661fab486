"""The warm validator process seen from Saleor's invoiceRequest: a validator that
dies or hangs mid-document never lets an invoice out unvalidated."""

import os
import shutil
import signal
from pathlib import Path

import pytest
from saleor.invoice.models import Invoice

from saleor_oci_plugin.invoices.models import IssuedDocument
from saleor_oci_plugin.invoices.validation import stop_validator, validator_pid

from .conftest import SELLER, configure_plugin
from .test_issuing import _assert_nothing_issued, _number, _request

CORE_DATA = Path(__file__).parents[2] / "core" / "invoices" / "data"


@pytest.fixture(autouse=True)
def _fresh_validator():
    stop_validator()
    yield
    stop_validator()


def _rule_set(tmp_path, name):
    path = tmp_path / name
    shutil.copy(CORE_DATA / name, path)
    return path


def test_a_killed_validator_is_replaced_and_the_invoice_validated(
    staff, seller_configured, oci_order
):
    from saleor_oci_plugin.invoices.validation import warm_validator

    warm_validator()
    killed = validator_pid()
    assert killed is not None
    os.kill(killed, signal.SIGKILL)

    result = _request(staff, oci_order)

    assert (result["status"], result["number"]) == ("SUCCESS", _number(1))
    issued = IssuedDocument.objects.get()
    assert issued.validation_result["valid"] is True
    assert validator_pid() not in (None, killed)


def test_a_validator_hanging_mid_document_is_killed_and_the_invoice_failed(
    staff, oci_order, tmp_path, monkeypatch
):
    monkeypatch.setenv("OCI_VALIDATOR_TIMEOUT_SECONDS", "5")
    hanging = _rule_set(tmp_path, "hanging.xslt")
    configure_plugin(**SELLER, invoice_extra_rule_sets=str(hanging))

    result = _request(staff, oci_order)

    assert result["status"] == "FAILED"
    assert "could not be validated, so it was not issued" in result["message"]
    assert "longer than 5 s" in result["message"]
    _assert_nothing_issued(oci_order)

    # The next request gets a new validator process and the invoice is issued.
    configure_plugin(**SELLER, invoice_extra_rule_sets="")
    Invoice.objects.filter(order=oci_order).delete()
    assert _request(staff, oci_order)["number"] == _number(1)


def test_a_validator_dying_mid_document_is_replaced_then_the_invoice_failed(
    staff, oci_order, tmp_path, monkeypatch
):
    # Over its memory cap the process dies mid-document (twice: it is replaced
    # and the document sent once more): the invoice is FAILED with the reason.
    monkeypatch.setenv("OCI_VALIDATOR_MEMORY_MB", "400")
    hungry = _rule_set(tmp_path, "memory-hungry.xslt")
    configure_plugin(**SELLER, invoice_extra_rule_sets=str(hungry))

    result = _request(staff, oci_order)

    assert result["status"] == "FAILED"
    assert "validator process died twice" in result["message"]
    assert "OutOfMemoryError" in result["message"]
    _assert_nothing_issued(oci_order)
