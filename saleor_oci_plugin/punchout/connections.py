"""Managing buyer organisations, their branches and their punch-out connections.

The one place that writes them: the GraphQL mutations and the ``oci_connection``
management command both call these functions, so a setting is checked the same way
wherever it comes from. A refusal is a Django ``ValidationError`` keyed by field (the
model's field names; ``organisation``, ``branch``, ``channel`` and ``customer`` for
the relations, which are passed in as primary keys) whose codes are ``OciErrorCode``
values; every problem found is reported at once, and nothing is written.

A connection's codec settings (login parameter names, HOOK_URL allow-list, field
mapping, unit codes, NZI field) are checked by building the codec's own objects from
them with :mod:`.codec_settings`, as punch-in and transfer do: a setting saved here is
one they can read.

The password and the cXML shared secret are write-only: the password is hashed with
``make_password``, the shared secret (a machine secret, cheap to check) with
:func:`~saleor_oci_plugin.machine_secrets.hash_machine_secret` before they are
stored, and no function here returns, logs or puts them in an error message. The UBL
Order endpoint's bearer token is random, issued here and returned once; only its
keyed hash (``machine_secrets.token_digest``, as the endpoint computes it) is stored.
"""

import copy
import secrets
import zlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypedDict, TypeGuard

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db import connection as database
from saleor.account.models import Address, User
from saleor.channel.models import Channel
from saleor.graphql.core import ResolveInfo

from ..buyers.addresses import (
    AddressData,
    clean_owner_addresses,
    delete_unused,
    save_owner_addresses,
)
from ..buyers.models import (
    LEGAL_ID_LENGTHS,
    Branch,
    BuyerOrganisation,
    InvoiceFormat,
    InvoicingPreference,
    LegalIdScheme,
)
from ..configuration import MAX_SESSION_LIFETIME_MINUTES, is_absolute_http_url
from ..error_codes import OciErrorCode
from ..machine_secrets import hash_machine_secret, token_digest
from ..oci import (
    DEFAULT_MAPPING,
    FIELDS_BY_NAME,
    OCIProblem,
    OCIVersion,
    SettingsError,
    oci_length,
)
from ..oci.punchin import DEFAULT_LOGIN_PARAMETERS, LOGIN_VALUE_LIMIT
from . import codec_settings, cxml_settings
from .identity import IDENTITY_KEYS
from .models import Connection

# A machine credential that nobody types: long enough to make guessing hopeless
# even before the lock after repeated failures. At most what punch-in accepts.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = LOGIN_VALUE_LIMIT
MIN_PRICE_PRECISION = 0
MAX_PRICE_PRECISION = 4
# The cXML shared secret is a machine credential configured on both sides: longer
# than a punch-in password. The upper bound only keeps what is hashed small.
MIN_SHARED_SECRET_LENGTH = 16
MAX_SHARED_SECRET_LENGTH = 255
# How far a purchase order's unit prices may differ from the transferred cart's.
MAX_PRICE_TOLERANCE_PERCENT = Decimal(100)
_CENT = Decimal("0.01")
DEFAULT_COST_CENTRE_FIELD = "CUST_FIELD5"
# Bytes of randomness in an order token (256 bits, as the endpoint's fast hash assumes).
ORDER_TOKEN_BYTES = 32
# Serialises saving cXML identities: the column has no unique index (see
# _claim_cxml_identity). One key for all of them: connections are saved rarely.
_CXML_IDENTITY_LOCK_KEY = zlib.crc32(b"saleor_oci_plugin.connection.cxml_identity")

# Stored parameter_aliases: extra names per login value, keyed by its OCI name,
# e.g. {"USERNAME": ["loginname", "cid"], "PASSWORD": ["pwd"]}.
_LOGIN_PARAMETER_NAMES = {
    parameter.aliases[0]: parameter.key
    for parameter in DEFAULT_LOGIN_PARAMETERS.parameters
}
# Codec mapping settings that have a column of their own on the connection.
_MAPPING_KEYS_WITH_COLUMNS = {
    "nzi_field": "nzi_field",
    "units": "unit_map",
    "price_decimals": "price_precision",
}
_MAPPING_KEYS = frozenset(DEFAULT_MAPPING.to_dict()) - set(_MAPPING_KEYS_WITH_COLUMNS)

_CONNECTION_TEXTS = (
    "name",
    "login_name",
    "storefront_url",
    "nzi_field",
    "cost_centre_field",
    "cxml_identity",
)
_CONNECTION_FLAGS = ("is_active", "allow_http_hook_url", "allow_sapevent_hook_url")
_PURCHASE_ORDER_FLAGS = ("allow_quantity_changes", "allow_direct_orders")
_ORDERER_FLAGS = ("create_unknown_orderers",)
_CONNECTION_JSON = (
    "parameter_aliases",
    "identity_parameters",
    "hook_url_allowlist",
    "field_mapping",
    "unit_map",
    "nzi_overrides",
)
# Stored nzi_overrides: the buyer's own NZI codes by product (SKU or slug) and by
# category (slug): {"products": {"GB-01": "4711"}, "categories": {"roses": "4712"}}.
NZI_OVERRIDE_GROUPS = ("products", "categories")
# PostgreSQL stores no NUL character, in text or in JSON.
_NUL_MESSAGE = "The value contains a NUL character."


class OrganisationData(TypedDict, total=False):
    name: str
    # The legal registration number on invoices, in legal_id_scheme: a KvK number
    # (0106, 8 digits) or an OIN (0190, 20 digits). A new organisation's is KvK.
    legal_id: str
    legal_id_scheme: str
    vat_number: str
    peppol_endpoint_id: str
    peppol_endpoint_scheme: str
    invoice_format: str
    invoicing_preference: str
    # Empty: no invoices are e-mailed to the organisation.
    invoice_email: str
    # Saleor AddressInput data, checked as Saleor checks addresses; None removes.
    delivery_address: AddressData | None
    invoice_address: AddressData | None


class BranchData(TypedDict, total=False):
    name: str
    code: str
    default_cost_centre: str
    # Empty: the organisation's preference applies.
    invoicing_preference: str
    # Empty: the branch's invoices go to the organisation's address.
    invoice_email: str
    # Saleor AddressInput data, checked as Saleor checks addresses; None removes.
    delivery_address: AddressData | None
    invoice_address: AddressData | None


class ConnectionData(TypedDict, total=False):
    """Settings of a connection; on update, only the keys given are changed."""

    name: str
    is_active: bool
    branch_id: int | None
    login_name: str
    parameter_aliases: dict[str, list[str]]
    hook_url_allowlist: list[str]
    allow_http_hook_url: bool
    allow_sapevent_hook_url: bool
    oci_version: str
    field_mapping: dict[str, Any]
    unit_map: dict[str, str]
    nzi_field: str
    nzi_overrides: dict[str, dict[str, str]]
    price_precision: int
    channel_id: int
    customer_id: int
    storefront_url: str
    session_lifetime_minutes: int | None
    # Purchase orders: see Connection. The cXML shared secret and the order token
    # are not settings: they are passed or issued separately, being write-only.
    allow_quantity_changes: bool
    price_tolerance_percent: Decimal
    allow_direct_orders: bool
    # Empty: cXML orders cannot name this connection.
    cxml_identity: str
    # The orderer behind a punch-in: extra parameter names per identity value
    # ({"email": ["SY_EMAIL"]}), whether unknown orderers are created, and the OCI
    # field their cost centre is sent in.
    identity_parameters: dict[str, list[str]]
    create_unknown_orderers: bool
    cost_centre_field: str
    # cXML punch-out: see punchout/cxml_settings.py.
    protocol: str
    cxml_domains: list[str]
    cxml_form_field: str
    unspsc_attribute_slug: str
    unspsc_default: str


class _Errors:
    """Problems collected per field, raised together as one ValidationError."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: OciErrorCode) -> None:
        self.by_field.setdefault(field, []).append(
            ValidationError(message, code=code.value)
        )

    def has(self, field: str) -> bool:
        return field in self.by_field

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


# --- organisations -------------------------------------------------------------


def create_organisation(
    data: OrganisationData, *, info: ResolveInfo | None = None
) -> BuyerOrganisation:
    """Create a buyer organisation; ``name`` is required.

    ``info``: the GraphQL request, when there is one, so that addresses are
    checked with Saleor's ``I18nMixin.validate_address`` (buyers/addresses.py).
    """
    organisation = BuyerOrganisation()
    addresses = _apply_organisation(organisation, data, creating=True, info=info)
    _save_with_addresses(organisation, addresses, organisation.save)
    return organisation


def update_organisation(
    organisation: BuyerOrganisation,
    changes: OrganisationData,
    *,
    info: ResolveInfo | None = None,
) -> BuyerOrganisation:
    """Change the given settings of an organisation."""
    addresses = _apply_organisation(organisation, changes, creating=False, info=info)
    _save_with_addresses(organisation, addresses, organisation.save)
    return organisation


def delete_organisation(organisation: BuyerOrganisation) -> None:
    """Delete an organisation with its branches, connections and their sessions."""
    _delete(organisation, "organisation")


def _apply_organisation(
    organisation: BuyerOrganisation,
    data: OrganisationData,
    *,
    creating: bool,
    info: ResolveInfo | None,
) -> dict[str, Address | None]:
    """Check and set the settings; the checked addresses, to be saved with it."""
    errors = _Errors()
    address_changes, settings = _split_addresses(data)
    values = _clean_texts(BuyerOrganisation, settings, errors)
    if creating or "name" in values:
        _require(values, "name", errors)
    _check_legal_id(organisation, values, errors)
    _check_peppol_endpoint(organisation, values, errors)
    _check_choice(values, "invoice_format", InvoiceFormat, errors)
    _check_choice(values, "invoicing_preference", InvoicingPreference, errors)
    _check_email(values, "invoice_email", errors)
    addresses = _checked_addresses(organisation, address_changes, errors, info)
    errors.raise_any()
    for field, value in values.items():
        setattr(organisation, field, value)
    return addresses


_ADDRESS_FIELDS = ("delivery_address", "invoice_address")


def _split_addresses(
    data: Mapping[str, Any],
) -> tuple[dict[str, AddressData | None], dict[str, Any]]:
    """The address changes and the other settings of an input."""
    addresses = {field: data[field] for field in _ADDRESS_FIELDS if field in data}
    settings = {key: value for key, value in data.items() if key not in addresses}
    return addresses, settings


def _checked_addresses(
    owner: BuyerOrganisation | Branch,
    changes: Mapping[str, AddressData | None],
    errors: _Errors,
    info: ResolveInfo | None,
) -> dict[str, Address | None]:
    if not changes:
        return {}
    try:
        return clean_owner_addresses(owner, changes, info=info)
    except ValidationError as error:
        for field, problems in error.error_dict.items():
            errors.by_field.setdefault(field, []).extend(problems)
        return {}


def _save_with_addresses(
    owner: BuyerOrganisation | Branch,
    addresses: Mapping[str, Address | None],
    save: Callable[[], None],
) -> None:
    """Save the owner and its new addresses together; then drop released rows."""
    with transaction.atomic():
        released = save_owner_addresses(owner, addresses)
        save()
        delete_unused(released)


# Examples in messages, by scheme: well-formed, fictional.
_LEGAL_ID_EXAMPLES = {
    LegalIdScheme.KVK.value: "A KvK number has eight digits, for example 12345678.",
    LegalIdScheme.OIN.value: (
        "An OIN has twenty digits, for example 00000001001234567000."
    ),
}

_ENDPOINT_EXAMPLES = {
    LegalIdScheme.KVK.value: (
        "With scheme 0106 the Peppol endpoint is an 8-digit KvK number; an OIN "
        "endpoint has scheme 0190."
    ),
    LegalIdScheme.OIN.value: (
        "With scheme 0190 the Peppol endpoint is a 20-digit OIN; a KvK number "
        "endpoint has scheme 0106."
    ),
}


def _check_legal_id(
    organisation: BuyerOrganisation, values: Mapping[str, Any], errors: _Errors
) -> None:
    """The legal ID must fit its scheme, whichever of the two is changed.

    Refused on ``legal_id`` when it is given, else on ``legal_id_scheme`` (the
    stored number does not fit the new scheme).
    """
    if "legal_id" not in values and "legal_id_scheme" not in values:
        return
    if errors.has("legal_id") or errors.has("legal_id_scheme"):
        return
    scheme = values.get("legal_id_scheme", organisation.legal_id_scheme)
    if scheme not in LEGAL_ID_LENGTHS:
        known = ", ".join(f"{choice.value} ({choice.name})" for choice in LegalIdScheme)
        errors.add(
            "legal_id_scheme",
            f"The legal ID scheme is one of: {known}.",
            OciErrorCode.INVALID,
        )
        return
    legal_id = values.get("legal_id", organisation.legal_id)
    if not legal_id or _is_digits(legal_id, LEGAL_ID_LENGTHS[scheme]):
        return
    message = _LEGAL_ID_EXAMPLES[scheme]
    if "legal_id" in values:
        errors.add("legal_id", message, OciErrorCode.INVALID)
    else:
        errors.add(
            "legal_id_scheme",
            f"The organisation's legal ID {legal_id} does not fit this scheme: "
            f"{message} Change both together.",
            OciErrorCode.INVALID,
        )


def _check_peppol_endpoint(
    organisation: BuyerOrganisation, values: Mapping[str, Any], errors: _Errors
) -> None:
    """A four-digit scheme; with 0106 or 0190 an identifier of that scheme's length.

    Nothing follows from the legal ID: a public body known by its OIN may still
    receive its invoices at a KvK endpoint, and the reverse.
    """
    if "peppol_endpoint_id" not in values and "peppol_endpoint_scheme" not in values:
        return
    if errors.has("peppol_endpoint_id") or errors.has("peppol_endpoint_scheme"):
        return
    scheme = values.get("peppol_endpoint_scheme", organisation.peppol_endpoint_scheme)
    if scheme and not _is_digits(scheme, 4):
        errors.add(
            "peppol_endpoint_scheme",
            "A Peppol endpoint scheme has four digits, for example 0106 (KvK) or "
            "0190 (OIN).",
            OciErrorCode.INVALID,
        )
        return
    endpoint = values.get("peppol_endpoint_id", organisation.peppol_endpoint_id)
    length = LEGAL_ID_LENGTHS.get(scheme)
    if not endpoint or length is None or _is_digits(endpoint, length):
        return
    if "peppol_endpoint_id" in values:
        errors.add(
            "peppol_endpoint_id", _ENDPOINT_EXAMPLES[scheme], OciErrorCode.INVALID
        )
    else:
        errors.add(
            "peppol_endpoint_scheme",
            f"The organisation's Peppol endpoint {endpoint} does not fit this "
            f"scheme: {_ENDPOINT_EXAMPLES[scheme]} Change both together.",
            OciErrorCode.INVALID,
        )


# --- branches ------------------------------------------------------------------


def create_branch(
    organisation_id: int, data: BranchData, *, info: ResolveInfo | None = None
) -> Branch:
    """Create a branch of the organisation; ``name`` is required."""
    organisation = BuyerOrganisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise ValidationError(
            {
                "organisation": ValidationError(
                    "No buyer organisation has this ID.",
                    code=OciErrorCode.NOT_FOUND.value,
                )
            }
        )
    branch = Branch(organisation=organisation)
    addresses = _apply_branch(branch, data, creating=True, info=info)
    _save_branch(branch, addresses)
    return branch


def update_branch(
    branch: Branch, changes: BranchData, *, info: ResolveInfo | None = None
) -> Branch:
    """Change the given settings of a branch; its organisation stays."""
    addresses = _apply_branch(branch, changes, creating=False, info=info)
    _save_branch(branch, addresses)
    return branch


def delete_branch(branch: Branch) -> None:
    """Delete a branch; its connections stay, without a branch."""
    _delete(branch, "branch")


def _apply_branch(
    branch: Branch, data: BranchData, *, creating: bool, info: ResolveInfo | None
) -> dict[str, Address | None]:
    """Check and set the settings; the checked addresses, to be saved with it."""
    errors = _Errors()
    address_changes, settings = _split_addresses(data)
    values = _clean_texts(Branch, settings, errors)
    if creating or "name" in values:
        _require(values, "name", errors)
    code = values.get("code", "")
    if (
        code
        and Branch.objects.filter(organisation_id=branch.organisation_id, code=code)
        .exclude(pk=branch.pk)
        .exists()
    ):
        errors.add(
            "code",
            f"The organisation already has a branch with code {code!r}.",
            OciErrorCode.UNIQUE,
        )
    if values.get("invoicing_preference"):
        _check_choice(values, "invoicing_preference", InvoicingPreference, errors)
    _check_email(values, "invoice_email", errors)
    addresses = _checked_addresses(branch, address_changes, errors, info)
    errors.raise_any()
    for field, value in values.items():
        setattr(branch, field, value)
    return addresses


def _save_branch(
    branch: Branch, addresses: Mapping[str, Address | None] | None = None
) -> None:
    try:
        _save_with_addresses(branch, addresses or {}, branch.save)
    except IntegrityError as error:
        # Another request took the code between the check and the write.
        raise ValidationError(
            {
                "code": ValidationError(
                    "The organisation already has a branch with this code.",
                    code=OciErrorCode.UNIQUE.value,
                )
            }
        ) from error


# --- connections ---------------------------------------------------------------


def create_connection(
    organisation_id: int,
    password: str,
    settings: ConnectionData,
    *,
    cxml_shared_secret: str | None = None,
) -> Connection:
    """Create a connection of the organisation.

    ``name``, ``login_name``, ``channel_id`` and ``customer_id`` are required in
    ``settings``; the other settings have defaults. The password and the cXML shared
    secret (none unless given) are stored hashed.
    """
    errors = _Errors()
    organisation = BuyerOrganisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        errors.add(
            "organisation", "No buyer organisation has this ID.", OciErrorCode.NOT_FOUND
        )
    connection = Connection(organisation=organisation)
    for field in ("name", "login_name", "channel_id", "customer_id"):
        if field not in settings:
            errors.add(
                _error_field(field), "This setting is required.", OciErrorCode.REQUIRED
            )
    _apply_connection(
        connection,
        settings,
        errors,
        password=password,
        cxml_shared_secret=cxml_shared_secret,
        creating=True,
    )
    _save_connection(connection, identity_given=True)
    return connection


def update_connection(
    connection: Connection,
    changes: ConnectionData,
    *,
    password: str | None = None,
    cxml_shared_secret: str | None = None,
    unlock: bool = False,
) -> Connection:
    """Change the given settings; a new password also lifts a login lock.

    ``cxml_shared_secret``: None keeps it, an empty string removes it.
    """
    errors = _Errors()
    _apply_connection(
        connection,
        changes,
        errors,
        password=password,
        cxml_shared_secret=cxml_shared_secret,
        creating=False,
    )
    if unlock:
        connection.failed_logins = 0
        connection.locked_until = None
    _save_connection(connection, identity_given="cxml_identity" in changes)
    return connection


def set_connection_password(connection: Connection, password: str) -> Connection:
    """Replace the connection's password (stored hashed) and lift a login lock."""
    return update_connection(connection, {}, password=password)


def set_cxml_shared_secret(connection: Connection, secret: str) -> Connection:
    """Replace the connection's cXML shared secret (stored hashed); empty removes it."""
    return update_connection(connection, {}, cxml_shared_secret=secret)


def issue_order_token(connection: Connection) -> str:
    """A new bearer token for the UBL Order endpoint, replacing any previous one.

    Only its hash is stored, so this is the one time the token can be read: give it
    to the buyer's access point and do not keep it.
    """
    token = secrets.token_urlsafe(ORDER_TOKEN_BYTES)
    connection.order_token_hash = token_digest(token)
    connection.save(update_fields=["order_token_hash", "updated_at"])
    return token


def revoke_order_token(connection: Connection) -> Connection:
    """Stop the connection's UBL Order token from working; a new one can be issued."""
    connection.order_token_hash = ""
    connection.save(update_fields=["order_token_hash", "updated_at"])
    return connection


def delete_connection(connection: Connection) -> None:
    """Delete a connection with its punch-out sessions and their transfers."""
    _delete(connection, "connection")


def _apply_connection(
    connection: Connection,
    data: ConnectionData,
    errors: _Errors,
    *,
    password: str | None,
    cxml_shared_secret: str | None,
    creating: bool,
) -> None:
    """Check ``data`` together with the connection's other settings, then set it."""
    values = _checked_connection_values(connection, data, errors)
    if password is not None or creating:
        login_name = values.get("login_name", connection.login_name)
        _check_password(password or "", login_name, errors)
    if cxml_shared_secret:
        identity = values.get("cxml_identity", connection.cxml_identity)
        _check_shared_secret(cxml_shared_secret, identity, errors)

    # The settings the codec reads are checked by building its objects from them,
    # with the functions punch-in and transfer use, on the connection as it would be.
    candidate = copy.copy(connection)
    for field, value in values.items():
        setattr(candidate, field, value)
    if not errors.has("parameter_aliases") and not errors.has("identity_parameters"):
        _check_codec(
            lambda: codec_settings.login_parameters(candidate),
            lambda problem: (
                "identity_parameters"
                if problem.field.removeprefix("login.") in IDENTITY_KEYS
                else "parameter_aliases"
            ),
            errors,
        )
    if not any(
        errors.has(field)
        for field in ("cost_centre_field", "nzi_field", "field_mapping")
    ):
        _check_cost_centre_field(candidate, errors)
    if not any(
        errors.has(field) for field in ("hook_url_allowlist", *_CONNECTION_FLAGS)
    ):
        _check_codec(
            lambda: codec_settings.hook_url_policy(candidate),
            lambda problem: "hook_url_allowlist",
            errors,
        )
    _check_mapping(candidate, errors)
    if not any(errors.has(field) for field in ("nzi_field", "nzi_overrides")):
        _check_nzi_overrides(candidate.nzi_overrides, candidate.nzi_field, errors)
    errors.raise_any()

    for field, value in values.items():
        setattr(connection, field, value)
    if password is not None:
        connection.password = make_password(password)
        connection.failed_logins = 0
        connection.locked_until = None
    if cxml_shared_secret is not None:
        connection.cxml_shared_secret = (
            hash_machine_secret(cxml_shared_secret) if cxml_shared_secret else ""
        )


def _checked_connection_values(
    connection: Connection, data: ConnectionData, errors: _Errors
) -> dict[str, Any]:
    """``data`` checked one setting at a time, and normalised.

    Relations are checked only when they are set, so that a connection whose customer
    was changed elsewhere can still be edited, or deactivated.
    """
    values: dict[str, Any] = dict(data)
    values.update(
        _clean_texts(
            Connection,
            {field: values[field] for field in _CONNECTION_TEXTS if field in values},
            errors,
        )
    )
    if "name" in values:
        _require(values, "name", errors)
    if "login_name" in values and not errors.has("login_name"):
        _check_login_name(connection, values["login_name"], errors)
    if values.get("storefront_url") and not errors.has("storefront_url"):
        _check_storefront_url(values["storefront_url"], errors)
    if "nzi_field" in values and not errors.has("nzi_field"):
        # Empty: back to the codec's default (MATGROUP).
        values["nzi_field"] = values["nzi_field"].upper() or DEFAULT_MAPPING.nzi_field
    if "cost_centre_field" in values and not errors.has("cost_centre_field"):
        values["cost_centre_field"] = (
            values["cost_centre_field"].upper() or DEFAULT_COST_CENTRE_FIELD
        )
    if "identity_parameters" in values:
        values["identity_parameters"] = _normalised_identity_parameters(
            values["identity_parameters"], errors
        )
    for field in (*_CONNECTION_FLAGS, *_PURCHASE_ORDER_FLAGS, *_ORDERER_FLAGS):
        if field in values and type(values[field]) is not bool:
            errors.add(field, "This setting is yes or no.", OciErrorCode.REQUIRED)
    if "price_tolerance_percent" in values:
        values["price_tolerance_percent"] = _checked_price_tolerance(
            values["price_tolerance_percent"], errors
        )
    if values.get("cxml_identity") and not errors.has("cxml_identity"):
        _check_cxml_identity(connection, values["cxml_identity"], errors)
    if "branch_id" in values:
        _check_branch(connection, values["branch_id"], errors)
    if "channel_id" in values:
        _check_channel(values["channel_id"], errors)
    if "customer_id" in values:
        _check_customer(values["customer_id"], errors)
    if "oci_version" in values and values["oci_version"] not in set(OCIVersion):
        versions = " or ".join(sorted(OCIVersion))
        errors.add(
            "oci_version", f"The OCI version must be {versions}.", OciErrorCode.INVALID
        )
    if "session_lifetime_minutes" in values:
        _check_session_lifetime(values["session_lifetime_minutes"], errors)
    cxml_settings.check(values, errors.add)
    for field in _CONNECTION_JSON:
        if field in values and _contains_nul(values[field]):
            errors.add(field, _NUL_MESSAGE, OciErrorCode.INVALID)
    if "unit_map" in values:
        values["unit_map"] = _normalised_unit_map(values["unit_map"], errors)
    if "parameter_aliases" in values:
        values["parameter_aliases"] = _normalised_aliases(
            values["parameter_aliases"], errors
        )
    if "hook_url_allowlist" in values:
        values["hook_url_allowlist"] = _normalised_allowlist(
            values["hook_url_allowlist"], errors
        )
    return values


def _save_connection(connection: Connection, *, identity_given: bool) -> None:
    try:
        with transaction.atomic():
            # Only when it is being set: an edit of other settings (deactivating,
            # say) must not fail over an identity saved before it was checked.
            if identity_given and connection.cxml_identity:
                _claim_cxml_identity(connection)
            connection.save()
    except IntegrityError as error:
        taken = (
            Connection.objects.filter(login_name__iexact=connection.login_name)
            .exclude(pk=connection.pk)
            .exists()
        )
        if not taken:
            raise
        # Another request took the login name between the check and the write.
        raise ValidationError(
            {
                "login_name": ValidationError(
                    "Another connection already uses this login name.",
                    code=OciErrorCode.UNIQUE.value,
                )
            }
        ) from error


def _check_login_name(connection: Connection, login_name: str, errors: _Errors) -> None:
    if not login_name:
        errors.add("login_name", "This setting is required.", OciErrorCode.REQUIRED)
        return
    if not login_name.isprintable() or " " in login_name:
        errors.add(
            "login_name",
            "A login name cannot contain spaces or control characters.",
            OciErrorCode.INVALID,
        )
    # Case-insensitive: procurement systems are known to upper-case the user name.
    taken = (
        Connection.objects.filter(login_name__iexact=login_name)
        .exclude(pk=connection.pk)
        .exists()
    )
    if taken:
        errors.add(
            "login_name",
            "Another connection already uses this login name.",
            OciErrorCode.UNIQUE,
        )


def _check_cxml_identity(
    connection: Connection, identity: str, errors: _Errors
) -> None:
    if not identity.isprintable():
        errors.add(
            "cxml_identity",
            "A cXML identity cannot contain control characters or line breaks.",
            OciErrorCode.INVALID,
        )
    elif _cxml_identity_taken(connection, identity):
        errors.add(
            "cxml_identity",
            "Another connection already uses this cXML identity.",
            OciErrorCode.UNIQUE,
        )


def _cxml_identity_taken(connection: Connection, identity: str) -> bool:
    # Ignoring case, as login names: one sender must never name two connections.
    return (
        Connection.objects.filter(cxml_identity__iexact=identity)
        .exclude(pk=connection.pk)
        .exists()
    )


def _claim_cxml_identity(connection: Connection) -> None:
    """Check again, under a lock held until the transaction ends, that no other
    connection has the identity.

    The column has no unique index (it would need a migration, and empty values are
    allowed many times), so two requests could otherwise both pass the first check
    and save the same identity. Call inside the transaction that saves.
    """
    with database.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CXML_IDENTITY_LOCK_KEY])
    if _cxml_identity_taken(connection, connection.cxml_identity):
        raise ValidationError(
            {
                "cxml_identity": ValidationError(
                    "Another connection already uses this cXML identity.",
                    code=OciErrorCode.UNIQUE.value,
                )
            }
        )


def _check_shared_secret(secret: object, identity: object, errors: _Errors) -> None:
    if not isinstance(secret, str):
        errors.add(
            "cxml_shared_secret", "The shared secret is a text.", OciErrorCode.INVALID
        )
    elif not MIN_SHARED_SECRET_LENGTH <= len(secret) <= MAX_SHARED_SECRET_LENGTH:
        errors.add(
            "cxml_shared_secret",
            f"The shared secret must have {MIN_SHARED_SECRET_LENGTH} to "
            f"{MAX_SHARED_SECRET_LENGTH} characters.",
            OciErrorCode.INVALID,
        )
    elif not secret.isprintable() or secret != secret.strip():
        # The cXML reader trims the SharedSecret element's text: a secret with
        # spaces around it could never match.
        errors.add(
            "cxml_shared_secret",
            "The shared secret cannot contain control characters or begin or end "
            "with a space.",
            OciErrorCode.INVALID,
        )
    elif isinstance(identity, str) and secret.casefold() == identity.casefold():
        errors.add(
            "cxml_shared_secret",
            "The shared secret must differ from the cXML identity.",
            OciErrorCode.INVALID,
        )


def _checked_price_tolerance(percent: object, errors: _Errors) -> Decimal | None:
    """The tolerance as stored (two decimal places), or None after a refusal."""
    if percent is None:
        errors.add(
            "price_tolerance_percent",
            "A price tolerance is required; 0 allows no difference.",
            OciErrorCode.REQUIRED,
        )
        return None
    # No floats: 0.1 is not exactly 0.1 as a float. No bools: True is an int.
    if isinstance(percent, int) and not isinstance(percent, bool):
        percent = Decimal(percent)
    if not (
        isinstance(percent, Decimal)
        and percent.is_finite()
        and 0 <= percent <= MAX_PRICE_TOLERANCE_PERCENT
        and percent == percent.quantize(_CENT)
    ):
        errors.add(
            "price_tolerance_percent",
            f"The price tolerance must be a percentage from 0 to "
            f"{MAX_PRICE_TOLERANCE_PERCENT} with at most two decimals, e.g. 2.5.",
            OciErrorCode.INVALID,
        )
        return None
    return percent.quantize(_CENT)


def _check_password(password: str, login_name: object, errors: _Errors) -> None:
    if not password:
        errors.add("password", "A password is required.", OciErrorCode.REQUIRED)
    elif not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        errors.add(
            "password",
            f"The password must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} "
            "characters.",
            OciErrorCode.INVALID,
        )
    elif isinstance(login_name, str) and password.casefold() == login_name.casefold():
        errors.add(
            "password",
            "The password must differ from the login name.",
            OciErrorCode.INVALID,
        )


def _check_branch(
    connection: Connection, branch_id: int | None, errors: _Errors
) -> None:
    if branch_id is None:
        return
    branch = Branch.objects.filter(pk=branch_id).first()
    if branch is None:
        errors.add("branch", "No branch has this ID.", OciErrorCode.NOT_FOUND)
    elif (
        connection.organisation_id is not None
        and branch.organisation_id != connection.organisation_id
    ):
        errors.add(
            "branch",
            "The branch belongs to another organisation than the connection.",
            OciErrorCode.INVALID,
        )


def _check_channel(channel_id: int | None, errors: _Errors) -> None:
    if channel_id is None:
        errors.add("channel", "A channel is required.", OciErrorCode.REQUIRED)
    elif not Channel.objects.filter(pk=channel_id).exists():
        errors.add("channel", "No channel has this ID.", OciErrorCode.NOT_FOUND)


def _check_customer(customer_id: int | None, errors: _Errors) -> None:
    if customer_id is None:
        errors.add("customer", "A customer is required.", OciErrorCode.REQUIRED)
        return
    customer = User.objects.filter(pk=customer_id).first()
    if customer is None:
        errors.add("customer", "No customer has this ID.", OciErrorCode.NOT_FOUND)
    elif customer.is_staff:
        # Punch-in logs the buyer in as this account: a staff account would hand the
        # procurement system the shop's staff permissions.
        errors.add(
            "customer",
            "The customer must not be a staff account.",
            OciErrorCode.INVALID,
        )
    elif not customer.is_active:
        errors.add(
            "customer", "The customer account is inactive.", OciErrorCode.INVALID
        )


def _check_storefront_url(url: str, errors: _Errors) -> None:
    if not is_absolute_http_url(url):
        errors.add(
            "storefront_url",
            "The storefront URL must be an absolute http(s) URL, for example "
            "https://shop.example.com/punchout, or empty.",
            OciErrorCode.INVALID,
        )


def _check_session_lifetime(minutes: object, errors: _Errors) -> None:
    if minutes is None:
        return
    if type(minutes) is not int or not 1 <= minutes <= MAX_SESSION_LIFETIME_MINUTES:
        errors.add(
            "session_lifetime_minutes",
            "The session lifetime must be a whole number of minutes from 1 to "
            f"{MAX_SESSION_LIFETIME_MINUTES}, or empty.",
            OciErrorCode.INVALID,
        )


def _normalised_aliases(aliases: object, errors: _Errors) -> dict[str, list[str]]:
    """Upper-case keys and trimmed names; the codec checks the names themselves."""
    if not isinstance(aliases, Mapping):
        errors.add(
            "parameter_aliases",
            'Parameter aliases must be an object such as {"USERNAME": ["loginname"]}.',
            OciErrorCode.INVALID,
        )
        return {}
    normalised: dict[str, list[str]] = {}
    for key, names in aliases.items():
        parameter = str(key).strip().upper()
        if parameter not in _LOGIN_PARAMETER_NAMES:
            known = " and ".join(_LOGIN_PARAMETER_NAMES)
            errors.add(
                "parameter_aliases",
                f"{key!r} is not a login parameter; aliases exist for {known}.",
                OciErrorCode.INVALID,
            )
        elif not _is_list_of_texts(names):
            errors.add(
                "parameter_aliases",
                f"The aliases of {parameter} must be a list of names.",
                OciErrorCode.INVALID,
            )
        elif names:
            normalised[parameter] = [name.strip() for name in names]
    return normalised


def _normalised_identity_parameters(
    names: object, errors: _Errors
) -> dict[str, list[str]]:
    """Lower-case keys (user_id, email, first_name, last_name) and trimmed names;
    the codec checks the names themselves, with the login parameters'."""
    if not isinstance(names, Mapping):
        errors.add(
            "identity_parameters",
            'Identity parameters must be an object such as {"email": ["SY_EMAIL"]}.',
            OciErrorCode.INVALID,
        )
        return {}
    normalised: dict[str, list[str]] = {}
    for key, aliases in names.items():
        value = str(key).strip().lower()
        if value not in IDENTITY_KEYS:
            errors.add(
                "identity_parameters",
                f"{key!r} is not an identity value; names exist for "
                f"{', '.join(IDENTITY_KEYS)}.",
                OciErrorCode.INVALID,
            )
        elif not _is_list_of_texts(aliases):
            errors.add(
                "identity_parameters",
                f"The names of {value} must be a list of names.",
                OciErrorCode.INVALID,
            )
        elif aliases:
            normalised[value] = [alias.strip() for alias in aliases]
    return normalised


def _check_cost_centre_field(candidate: Connection, errors: _Errors) -> None:
    """A text field of OCI, not the NZI code's or the card text's, that carries
    every cost centre the organisation's branches have."""
    field_name = candidate.cost_centre_field
    oci_field = FIELDS_BY_NAME.get(field_name)
    if oci_field is None or oci_field.max_length is None:
        errors.add(
            "cost_centre_field",
            f"{field_name!r} is not an OCI item field of limited length, such as "
            "CUST_FIELD5.",
            OciErrorCode.INVALID,
        )
        return
    mapping = (
        candidate.field_mapping if isinstance(candidate.field_mapping, Mapping) else {}
    )
    taken = {
        candidate.nzi_field: "the NZI code",
        mapping.get("card_text_field") or "LONGTEXT": "the greeting-card text",
    }
    if field_name in taken:
        errors.add(
            "cost_centre_field",
            f"{field_name} already carries {taken[field_name]}; choose another "
            "field for the cost centre.",
            OciErrorCode.INVALID,
        )
        return
    if candidate.organisation_id is None:
        return
    from ..buyers.models import CostCentre

    codes = CostCentre.objects.filter(
        branch__organisation_id=candidate.organisation_id
    ).values_list("code", flat=True)
    too_long = sorted(code for code in codes if oci_length(code) > oci_field.max_length)
    if too_long:
        errors.add(
            "cost_centre_field",
            f"{field_name} takes {oci_field.max_length} characters; the "
            f"organisation's cost centre {too_long[0]!r} is longer.",
            OciErrorCode.INVALID,
        )


def _normalised_allowlist(entries: object, errors: _Errors) -> list[str]:
    """Trimmed entries, each once; the codec's HOOK_URL policy checks them."""
    if not _is_list_of_texts(entries):
        errors.add(
            "hook_url_allowlist",
            "The allow-list must be a list of entries such as https://srm.example.com.",
            OciErrorCode.INVALID,
        )
        return []
    return list(dict.fromkeys(entry.strip() for entry in entries))


def _normalised_unit_map(unit_map: object, errors: _Errors) -> dict[str, str]:
    """Trimmed shop units and upper-case codes; the codec's unit table checks them."""
    if not isinstance(unit_map, Mapping) or not all(
        isinstance(unit, str) and isinstance(code, str)
        for unit, code in unit_map.items()
    ):
        errors.add(
            "unit_map",
            'The unit map must be an object such as {"doos": "BX"}.',
            OciErrorCode.INVALID,
        )
        return {}
    return {unit.strip(): code.strip().upper() for unit, code in unit_map.items()}


def _check_mapping(candidate: Connection, errors: _Errors) -> None:
    price_precision = candidate.price_precision
    if type(price_precision) is not int or not (
        MIN_PRICE_PRECISION <= price_precision <= MAX_PRICE_PRECISION
    ):
        errors.add(
            "price_precision",
            f"The price precision must be a whole number of decimal places from "
            f"{MIN_PRICE_PRECISION} to {MAX_PRICE_PRECISION}.",
            OciErrorCode.INVALID,
        )
    field_mapping = candidate.field_mapping
    if not isinstance(field_mapping, Mapping):
        errors.add(
            "field_mapping",
            'The field mapping must be an object such as {"fields": {"VENDOR": '
            '{"fixed": "100234"}}}; {} keeps the defaults.',
            OciErrorCode.INVALID,
        )
        return
    for key in field_mapping:
        if key in _MAPPING_KEYS_WITH_COLUMNS:
            column = _MAPPING_KEYS_WITH_COLUMNS[key]
            errors.add(
                "field_mapping",
                f"{key!r} is not part of the field mapping: it is the connection's "
                f"own {column} setting.",
                OciErrorCode.INVALID,
            )
        elif key not in _MAPPING_KEYS:
            known = ", ".join(sorted(_MAPPING_KEYS))
            errors.add(
                "field_mapping",
                f"{key!r} is not a field mapping setting (known: {known}).",
                OciErrorCode.INVALID,
            )
    checked = ("field_mapping", "unit_map", "price_precision", "nzi_field")
    if not any(errors.has(field) for field in checked):
        _check_codec(
            lambda: codec_settings.oci_mapping(candidate),
            _mapping_problem_field,
            errors,
        )


def _check_nzi_overrides(overrides: object, nzi_field: str, errors: _Errors) -> None:
    """``{"products": {sku or slug: code}, "categories": {slug: code}}``.

    A code must fit the connection's NZI field, where it is sent.
    """
    oci_field = FIELDS_BY_NAME.get(nzi_field)
    max_length = oci_field.max_length if oci_field is not None else None
    if not isinstance(overrides, Mapping):
        errors.add(
            "nzi_overrides",
            'NZI overrides must be an object such as {"products": {"SKU-1": '
            '"4711"}, "categories": {"flowers": "4712"}}.',
            OciErrorCode.INVALID,
        )
        return
    for group, codes in overrides.items():
        if group not in NZI_OVERRIDE_GROUPS:
            errors.add(
                "nzi_overrides",
                f"{group!r} is not a kind of NZI override (known: "
                f"{', '.join(NZI_OVERRIDE_GROUPS)}).",
                OciErrorCode.INVALID,
            )
            continue
        if not isinstance(codes, Mapping):
            errors.add(
                "nzi_overrides",
                f"{group}: must be an object of keys and NZI codes.",
                OciErrorCode.INVALID,
            )
            continue
        for key, code in codes.items():
            if not key.strip() or not isinstance(code, str) or not code.strip():
                errors.add(
                    "nzi_overrides",
                    f"{group}: {key!r} needs a non-empty key and NZI code.",
                    OciErrorCode.INVALID,
                )
            elif max_length is not None and oci_length(code) > max_length:
                errors.add(
                    "nzi_overrides",
                    f"{group}: the code {code!r} of {key!r} is longer than the "
                    f"{max_length} characters of {nzi_field}.",
                    OciErrorCode.INVALID,
                )


def _mapping_problem_field(problem: OCIProblem) -> str:
    if problem.field == "nzi_field":
        return "nzi_field"
    if problem.field.startswith("units") or problem.field == "default_unit":
        return "unit_map"
    if problem.field == "price_decimals":
        return "price_precision"
    return "field_mapping"


def _check_codec(
    build: Callable[[], object],
    field_of: Callable[[OCIProblem], str],
    errors: _Errors,
) -> None:
    """Build a codec object from settings; report its problems on our fields."""
    try:
        build()
    except SettingsError as error:
        seen = set()
        for problem in error.problems:
            field = field_of(problem)
            # The codec may report one fault twice (in two wordings); once is enough.
            if (field, problem.field, problem.code) in seen:
                continue
            seen.add((field, problem.field, problem.code))
            errors.add(field, _problem_message(field, problem), OciErrorCode.INVALID)
    except (TypeError, ValueError, AttributeError):
        # Values of the wrong JSON type that the codec does not anticipate.
        errors.add(
            field_of(OCIProblem("", "", "")),
            "The setting has a value of the wrong type.",
            OciErrorCode.INVALID,
        )


def _problem_message(field: str, problem: OCIProblem) -> str:
    message = problem.message
    if problem.field in ("", field):
        return message[:1].upper() + message[1:] + "."
    where = problem.field
    if where.startswith("allowed["):
        # "allowed[0]" -> "Entry 1", as a person counts.
        where = f"Entry {int(where[len('allowed[') : -1]) + 1}"
    elif where.startswith("login."):
        where = where[len("login.") :].upper()
    return f"{where}: {message}."


# --- helpers -------------------------------------------------------------------


def _clean_texts(
    model: type[models.Model], data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    """Trimmed texts (None: empty), refused beyond the column's length."""
    values = dict(data)
    for field, value in data.items():
        if value is None:
            values[field] = ""
            continue
        if not isinstance(value, str):
            errors.add(field, "This setting is a text.", OciErrorCode.INVALID)
            continue
        value = value.strip()
        max_length = model._meta.get_field(field).max_length  # type: ignore[union-attr]
        if "\x00" in value:
            errors.add(field, _NUL_MESSAGE, OciErrorCode.INVALID)
        elif max_length is not None and len(value) > max_length:
            errors.add(
                field,
                f"At most {max_length} characters are allowed.",
                OciErrorCode.INVALID,
            )
        values[field] = value
    return values


def _require(values: Mapping[str, Any], field: str, errors: _Errors) -> None:
    if not values.get(field):
        errors.add(field, "This setting is required.", OciErrorCode.REQUIRED)


def _check_choice(
    values: Mapping[str, Any],
    field: str,
    choices: type[models.TextChoices],
    errors: _Errors,
) -> None:
    if field in values and values[field] not in choices.values:
        known = ", ".join(choices.values)
        errors.add(field, f"Choose one of: {known}.", OciErrorCode.INVALID)


def _check_email(values: Mapping[str, Any], field: str, errors: _Errors) -> None:
    """An e-mail address, or empty; ``_clean_texts`` has trimmed it."""
    address = values.get(field)
    if not address or errors.has(field):
        return
    try:
        validate_email(address)
    except ValidationError:
        errors.add(
            field,
            "Enter one e-mail address, for example crediteuren@buyer.example, or "
            "leave it empty.",
            OciErrorCode.INVALID,
        )


def _contains_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(
            _contains_nul(key) or _contains_nul(item) for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def _is_digits(value: str, length: int) -> bool:
    """Exactly ``length`` ASCII digits (``isdigit`` alone accepts "²" and "٣")."""
    return len(value) == length and value.isascii() and value.isdigit()


def _error_field(setting: str) -> str:
    # Relations are reported under the relation's name, as Django's own checks do.
    return setting.removesuffix("_id")


def _is_list_of_texts(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _delete(instance: models.Model, what: str) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except (models.ProtectedError, models.RestrictedError) as error:
        raise ValidationError(
            {
                "id": ValidationError(
                    f"The {what} is still referred to ({_protected_names(error)}); "
                    "deactivate it instead.",
                    code=OciErrorCode.INVALID.value,
                )
            }
        ) from error


def _protected_names(error: models.ProtectedError | models.RestrictedError) -> str:
    objects: Iterable[models.Model] = (
        error.protected_objects
        if isinstance(error, models.ProtectedError)
        else error.restricted_objects
    )
    return ", ".join(
        sorted({str(type(obj)._meta.verbose_name_plural) for obj in objects})
    )
