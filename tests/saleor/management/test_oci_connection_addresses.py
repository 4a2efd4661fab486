"""``manage.py oci_connection set-address``: addresses checked by Saleor's form."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from saleor.account.models import Address

from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation

UTRECHT = [
    "--company",
    "Gemeente Utrecht",
    "--street",
    "Stadsplateau 1",
    "--postcode",
    "3521 AZ",
    "--city",
    "Utrecht",
    "--country",
    "NL",
]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("oci_connection", *args, stdout=out, stdin=io.StringIO())
    return out.getvalue()


def _snapshot():
    return (
        list(Address.objects.order_by("pk").values()),
        list(BuyerOrganisation.objects.order_by("pk").values()),
        list(Branch.objects.order_by("pk").values()),
    )


def test_organisation_invoice_address_is_set_replaced_and_cleared(oci_organisation):
    output = run(
        "set-address", "invoice", "--organisation", oci_organisation.name, *UTRECHT
    )

    oci_organisation.refresh_from_db()
    address = oci_organisation.invoice_address
    assert (address.company_name, address.street_address_1) == (
        "Gemeente Utrecht",
        "Stadsplateau 1",
    )
    assert (address.postal_code, address.city, address.country.code) == (
        "3521 AZ",
        "UTRECHT",  # normalised by Saleor's form, as its API does
        "NL",
    )
    assert "Set the invoice address of 'Ziekenhuis Oost'" in output
    assert "3521 AZ UTRECHT" in output
    assert oci_organisation.delivery_address_id is None

    run(
        "set-address",
        "invoice",
        "--organisation",
        str(oci_organisation.pk),
        "--street",
        "Postbus 16200",
        "--postcode",
        "3500 CE",
        "--city",
        "Utrecht",
        "--country",
        "NL",
    )
    oci_organisation.refresh_from_db()
    # Replaced as a whole, in the organisation's own row.
    assert oci_organisation.invoice_address_id == address.pk
    assert oci_organisation.invoice_address.company_name == ""
    assert oci_organisation.invoice_address.postal_code == "3500 CE"

    output = run(
        "set-address", "invoice", "--organisation", oci_organisation.name, "--clear"
    )
    oci_organisation.refresh_from_db()
    assert oci_organisation.invoice_address_id is None
    assert not Address.objects.filter(pk=address.pk).exists()
    assert "Removed the invoice address" in output


def test_branch_delivery_address_is_set(oci_branch):
    run(
        "set-address",
        "delivery",
        "--organisation",
        oci_branch.organisation.name,
        "--branch",
        oci_branch.code,
        *UTRECHT,
    )

    oci_branch.refresh_from_db()
    assert oci_branch.delivery_address.street_address_1 == "Stadsplateau 1"
    assert oci_branch.invoice_address_id is None
    oci_branch.organisation.refresh_from_db()
    assert oci_branch.organisation.delivery_address_id is None


def test_wrong_postcode_is_refused_naming_the_option_and_nothing_is_saved(
    oci_branch,
):
    before = _snapshot()
    wrong = [*UTRECHT[:5], "35210", *UTRECHT[6:]]

    with pytest.raises(CommandError) as error:
        run(
            "set-address",
            "invoice",
            "--organisation",
            oci_branch.organisation.name,
            "--branch",
            oci_branch.code,
            *wrong,
        )

    # manage.py exits with the CommandError's return code.
    assert error.value.returncode == 1
    message = str(error.value)
    assert "--postcode: The postal code '35210' is not valid for an address in NL" in (
        message
    )
    assert message.endswith("(invalid)")
    assert _snapshot() == before


def test_missing_parts_and_unknown_country_are_refused(oci_organisation):
    before = _snapshot()

    with pytest.raises(CommandError) as missing:
        run(
            "set-address",
            "delivery",
            "--organisation",
            oci_organisation.name,
            "--street",
            "Europalaan 20",
            "--country",
            "NL",
        )
    with pytest.raises(CommandError) as unknown:
        run(
            "set-address",
            "delivery",
            "--organisation",
            oci_organisation.name,
            *UTRECHT[:-1],
            "XX",
        )

    assert "--city: The city is required for an address in NL. (required)" in str(
        missing.value
    )
    assert "--postcode: The postal code is required" in str(missing.value)
    assert "--country:" in str(unknown.value)
    assert _snapshot() == before


def test_clear_with_an_address_or_nothing_at_all_is_refused(oci_organisation):
    with pytest.raises(CommandError, match="--clear removes the address"):
        run(
            "set-address",
            "invoice",
            "--organisation",
            oci_organisation.name,
            "--clear",
            *UTRECHT,
        )
    with pytest.raises(CommandError, match="Give the address"):
        run("set-address", "invoice", "--organisation", oci_organisation.name)
    with pytest.raises(CommandError, match="has no branch"):
        run(
            "set-address",
            "invoice",
            "--organisation",
            oci_organisation.name,
            "--branch",
            "NOPE",
            *UTRECHT,
        )
