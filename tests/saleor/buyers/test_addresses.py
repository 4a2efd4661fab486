"""buyers/addresses.py: the one function that checks and stores owned addresses."""

import pytest
from django.core.exceptions import ValidationError
from saleor.account.models import Address

from saleor_oci_plugin.buyers.addresses import save_address, set_owner_addresses

UTRECHT = {
    "company_name": "Gemeente Utrecht",
    "street_address_1": "Stadsplateau 1",
    "postal_code": "3521 AZ",
    "city": "Utrecht",
    "country": "NL",
}


@pytest.mark.django_db
def test_save_address_checks_with_saleors_form_and_saves_a_new_row():
    address = save_address(UTRECHT, field="invoice_address")

    stored = Address.objects.get(pk=address.pk)
    assert (stored.postal_code, stored.city, stored.country.code) == (
        "3521 AZ",
        "UTRECHT",
        "NL",
    )


@pytest.mark.django_db
def test_save_address_edits_the_given_row_in_place():
    address = save_address(UTRECHT, field="invoice_address")

    again = save_address(
        {**UTRECHT, "street_address_1": "Postbus 16200", "postal_code": "3500 CE"},
        field="invoice_address",
        instance=address,
    )

    assert again.pk == address.pk
    assert Address.objects.get(pk=address.pk).postal_code == "3500 CE"
    assert Address.objects.count() == 1


@pytest.mark.django_db
def test_invalid_address_raises_by_field_path_and_saves_nothing():
    existing = save_address(UTRECHT, field="delivery_address")

    with pytest.raises(ValidationError) as error:
        save_address(
            {**UTRECHT, "postal_code": "35210", "city": ""},
            field="delivery_address",
            instance=existing,
        )

    problems = {
        field: [(problem.code, problem.message) for problem in problems]
        for field, problems in error.value.error_dict.items()
    }
    assert set(problems) == {"delivery_address.postal_code", "delivery_address.city"}
    [(code, message)] = problems["delivery_address.postal_code"]
    assert code == "invalid"
    assert message.startswith("The postal code '35210' is not valid for an address")
    assert problems["delivery_address.city"][0][0] == "required"
    assert Address.objects.get(pk=existing.pk).postal_code == "3521 AZ"


def test_set_owner_addresses_removes_and_deletes_the_owned_row(oci_branch):
    set_owner_addresses(oci_branch, {"invoice_address": UTRECHT})
    oci_branch.refresh_from_db()
    owned = oci_branch.invoice_address_id
    assert owned is not None

    set_owner_addresses(oci_branch, {"invoice_address": None})

    oci_branch.refresh_from_db()
    assert oci_branch.invoice_address_id is None
    assert not Address.objects.filter(pk=owned).exists()
