"""The service layer that writes organisations, branches and connections."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation
from saleor_oci_plugin.machine_secrets import KEYED_PREFIX, check_machine_secret
from saleor_oci_plugin.punchout import codec_settings
from saleor_oci_plugin.punchout import connections as service
from saleor_oci_plugin.punchout.models import Connection
from saleor_oci_plugin.purchase_orders.views import hash_order_token

PASSWORD = "correct-horse-battery"
SHARED_SECRET = "ariba-shared-secret-2026"
IDENTITY = "AN01000000123"


def _codes(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {
        field: [problem.code for problem in problems]
        for field, problems in error.value.error_dict.items()
    }


def _settings(channel, customer, **overrides) -> service.ConnectionData:
    settings: service.ConnectionData = {
        "name": "SRM test",
        "login_name": "umc-srm",
        "channel_id": channel.pk,
        "customer_id": customer.pk,
        "hook_url_allowlist": ["https://srm.umc.example/sap/bc"],
    }
    settings.update(overrides)  # type: ignore[typeddict-item]
    return settings


@pytest.fixture
def other_organisation(db):
    return BuyerOrganisation.objects.create(name="Gemeente West")


# --- organisations -------------------------------------------------------------


def test_organisation_is_created_with_trimmed_values(db):
    organisation = service.create_organisation(
        {
            "name": "  Ziekenhuis Oost ",
            "legal_id": " 12345678 ",
            "invoice_format": "peppol_bis_3",
        }
    )

    organisation.refresh_from_db()
    assert organisation.name == "Ziekenhuis Oost"
    assert organisation.legal_id == "12345678"
    assert organisation.legal_id_scheme == "0106"
    assert organisation.invoice_format == "peppol_bis_3"


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"name": "   "}, "name", "required"),
        ({"name": "X", "legal_id": "1234567"}, "legal_id", "invalid"),
        ({"name": "X", "legal_id": "1234567A"}, "legal_id", "invalid"),
        # Digits of other scripts are not a KvK number.
        ({"name": "X", "legal_id": "\uff11" * 8}, "legal_id", "invalid"),
        # A KvK number is not an OIN, nor the reverse.
        (
            {"name": "X", "legal_id": "12345678", "legal_id_scheme": "0190"},
            "legal_id",
            "invalid",
        ),
        (
            {"name": "X", "legal_id": "00000001001234567000"},
            "legal_id",
            "invalid",
        ),
        (
            {"name": "X", "legal_id": "0000000100123456700", "legal_id_scheme": "0190"},
            "legal_id",
            "invalid",
        ),
        (
            {"name": "X", "legal_id": "0" * 21, "legal_id_scheme": "0190"},
            "legal_id",
            "invalid",
        ),
        ({"name": "X", "legal_id_scheme": "KVK"}, "legal_id_scheme", "invalid"),
        ({"name": "X", "legal_id_scheme": "0088"}, "legal_id_scheme", "invalid"),
        # With scheme 0106 (the default) a Peppol endpoint is a KvK number.
        (
            {"name": "X", "peppol_endpoint_id": "00000001001234567000"},
            "peppol_endpoint_id",
            "invalid",
        ),
        (
            {
                "name": "X",
                "peppol_endpoint_id": "12345678",
                "peppol_endpoint_scheme": "0190",
            },
            "peppol_endpoint_id",
            "invalid",
        ),
        (
            {"name": "X", "peppol_endpoint_scheme": "KVK"},
            "peppol_endpoint_scheme",
            "invalid",
        ),
        ({"name": "X", "invoice_format": "pdf"}, "invoice_format", "invalid"),
        (
            {"name": "X", "invoicing_preference": "weekly"},
            "invoicing_preference",
            "invalid",
        ),
        ({"name": "X" * 256}, "name", "invalid"),
        ({"name": "X\x00"}, "name", "invalid"),
        ({"name": "X", "invoice_email": "crediteuren"}, "invoice_email", "invalid"),
        ({"name": "X", "invoice_email": "a@b"}, "invoice_email", "invalid"),
        (
            {"name": "X", "invoice_email": "a@x.example; b@x.example"},
            "invoice_email",
            "invalid",
        ),
        # One problem is reported once: too long, not also malformed.
        (
            {"name": "X", "invoice_email": "a" * 250 + "@x.example"},
            "invoice_email",
            "invalid",
        ),
        ({"name": "X", "invoice_email": 42}, "invoice_email", "invalid"),
    ],
)
def test_invalid_organisation_is_refused_and_not_written(db, data, field, code):
    with pytest.raises(ValidationError) as error:
        service.create_organisation(data)

    assert _codes(error) == {field: [code]}
    assert not BuyerOrganisation.objects.exists()


def test_invoice_email_is_trimmed_and_may_be_emptied(oci_organisation):
    service.update_organisation(
        oci_organisation, {"invoice_email": "  crediteuren@oost.example "}
    )
    oci_organisation.refresh_from_db()
    assert oci_organisation.invoice_email == "crediteuren@oost.example"

    service.update_organisation(oci_organisation, {"invoice_email": None})  # type: ignore[typeddict-item]
    oci_organisation.refresh_from_db()
    assert oci_organisation.invoice_email == ""


def test_organisation_update_changes_only_what_is_given(oci_organisation):
    service.update_organisation(oci_organisation, {"vat_number": "NL999999999B01"})

    oci_organisation.refresh_from_db()
    assert oci_organisation.vat_number == "NL999999999B01"
    assert oci_organisation.name == "Ziekenhuis Oost"
    assert oci_organisation.legal_id == "12345678"


def test_refused_organisation_update_writes_nothing(oci_organisation):
    with pytest.raises(ValidationError) as error:
        service.update_organisation(oci_organisation, {"name": "", "vat_number": "NL1"})

    assert _codes(error) == {"name": ["required"]}
    oci_organisation.refresh_from_db()
    assert oci_organisation.name == "Ziekenhuis Oost"
    assert oci_organisation.vat_number == "NL001234567B01"


def test_public_body_is_identified_by_its_oin(db):
    organisation = service.create_organisation(
        {
            "name": "Gemeente West",
            "legal_id": "00000001001234567000",
            "legal_id_scheme": "0190",
            "peppol_endpoint_id": "00000001001234567000",
            "peppol_endpoint_scheme": "0190",
        }
    )

    organisation.refresh_from_db()
    assert (organisation.legal_id, organisation.legal_id_scheme) == (
        "00000001001234567000",
        "0190",
    )
    assert organisation.peppol_endpoint_id == "00000001001234567000"


def test_legal_id_and_its_scheme_are_checked_together_on_update(oci_organisation):
    # The stored KvK number is no OIN: changing the scheme alone is refused.
    with pytest.raises(ValidationError) as error:
        service.update_organisation(oci_organisation, {"legal_id_scheme": "0190"})
    assert _codes(error) == {"legal_id_scheme": ["invalid"]}
    assert "12345678" in error.value.error_dict["legal_id_scheme"][0].messages[0]

    # Nor is a new OIN under the stored KvK scheme.
    with pytest.raises(ValidationError) as error:
        service.update_organisation(
            oci_organisation, {"legal_id": "00000001001234567000"}
        )
    assert _codes(error) == {"legal_id": ["invalid"]}
    oci_organisation.refresh_from_db()
    assert (oci_organisation.legal_id, oci_organisation.legal_id_scheme) == (
        "12345678",
        "0106",
    )

    # Both together, and the Peppol endpoint's scheme with its identifier.
    service.update_organisation(
        oci_organisation,
        {"legal_id": "00000001001234567000", "legal_id_scheme": "0190"},
    )
    oci_organisation.refresh_from_db()
    assert (oci_organisation.legal_id, oci_organisation.legal_id_scheme) == (
        "00000001001234567000",
        "0190",
    )

    # Without a number, the scheme may change alone.
    service.update_organisation(oci_organisation, {"legal_id": ""})
    service.update_organisation(oci_organisation, {"legal_id_scheme": "0106"})
    oci_organisation.refresh_from_db()
    assert (oci_organisation.legal_id, oci_organisation.legal_id_scheme) == (
        "",
        "0106",
    )


def test_peppol_endpoint_and_its_scheme_are_checked_together_on_update(
    oci_organisation,
):
    service.update_organisation(oci_organisation, {"peppol_endpoint_id": "12345678"})

    with pytest.raises(ValidationError) as error:
        service.update_organisation(
            oci_organisation, {"peppol_endpoint_scheme": "0190"}
        )
    assert _codes(error) == {"peppol_endpoint_scheme": ["invalid"]}

    service.update_organisation(
        oci_organisation,
        {
            "peppol_endpoint_id": "00000001001234567000",
            "peppol_endpoint_scheme": "0190",
        },
    )
    # Other schemes are not checked beyond their four digits.
    service.update_organisation(
        oci_organisation,
        {"peppol_endpoint_id": "5790000435968", "peppol_endpoint_scheme": "0088"},
    )
    oci_organisation.refresh_from_db()
    assert oci_organisation.peppol_endpoint_scheme == "0088"
    # The legal ID is not touched by any of it.
    assert (oci_organisation.legal_id, oci_organisation.legal_id_scheme) == (
        "12345678",
        "0106",
    )


# --- branches ------------------------------------------------------------------


def test_branch_is_created_in_its_organisation(oci_organisation):
    branch = service.create_branch(
        oci_organisation.pk,
        {
            "name": "Locatie Zuid",
            "code": "ZUID",
            "invoicing_preference": "periodic_branch",
        },
    )

    assert branch.organisation == oci_organisation
    assert Branch.objects.get(code="ZUID").invoicing_preference == "periodic_branch"


def test_branch_of_unknown_organisation_is_refused(db):
    with pytest.raises(ValidationError) as error:
        service.create_branch(987654, {"name": "Nowhere"})

    assert _codes(error) == {"organisation": ["not_found"]}
    assert not Branch.objects.exists()


def test_branch_code_is_unique_within_its_organisation_only(
    oci_branch, other_organisation
):
    with pytest.raises(ValidationError) as error:
        service.create_branch(
            oci_branch.organisation_id, {"name": "Dup", "code": "NOORD"}
        )
    assert _codes(error) == {"code": ["unique"]}
    assert Branch.objects.count() == 1

    service.create_branch(other_organisation.pk, {"name": "Noord", "code": "NOORD"})
    assert Branch.objects.filter(code="NOORD").count() == 2


def test_branch_update_keeps_its_own_code_and_refuses_a_bad_preference(oci_branch):
    service.update_branch(oci_branch, {"code": "NOORD", "name": "Locatie Noord 2"})
    oci_branch.refresh_from_db()
    assert oci_branch.name == "Locatie Noord 2"

    with pytest.raises(ValidationError) as error:
        service.update_branch(oci_branch, {"invoicing_preference": "yearly"})
    assert _codes(error) == {"invoicing_preference": ["invalid"]}
    oci_branch.refresh_from_db()
    assert oci_branch.invoicing_preference == ""


def test_branch_invoice_email_is_checked(oci_branch):
    service.update_branch(oci_branch, {"invoice_email": "noord@oost.example"})
    oci_branch.refresh_from_db()
    assert oci_branch.invoice_email == "noord@oost.example"

    with pytest.raises(ValidationError) as error:
        service.update_branch(oci_branch, {"invoice_email": "noord@"})
    assert _codes(error) == {"invoice_email": ["invalid"]}
    oci_branch.refresh_from_db()
    assert oci_branch.invoice_email == "noord@oost.example"

    service.update_branch(oci_branch, {"invoice_email": ""})
    oci_branch.refresh_from_db()
    assert oci_branch.invoice_email == ""


# --- connections: creating -----------------------------------------------------


def test_connection_is_created_with_defaults_the_codec_reads(
    oci_organisation, oci_branch, channel_USD, customer_user
):
    connection = service.create_connection(
        oci_organisation.pk,
        PASSWORD,
        _settings(
            channel_USD,
            customer_user,
            branch_id=oci_branch.pk,
            parameter_aliases={"username": [" loginname "], "PASSWORD": ["pwd"]},
            field_mapping={"fields": {"VENDOR": {"fixed": "100234"}}},
            unit_map={" doos ": "bx"},
            nzi_field="cust_field1",
            nzi_overrides={"products": {"GB-01": "4711"}},
        ),
    )

    connection.refresh_from_db()
    assert connection.branch == oci_branch
    assert connection.organisation == oci_organisation
    assert connection.parameter_aliases == {
        "USERNAME": ["loginname"],
        "PASSWORD": ["pwd"],
    }
    assert connection.unit_map == {"doos": "BX"}
    assert connection.nzi_field == "CUST_FIELD1"
    assert connection.oci_version == "4.0"
    assert connection.price_precision == 2
    # What punch-in and transfer read back from it.
    assert codec_settings.hook_url_policy(connection).is_allowed(
        "https://srm.umc.example/sap/bc/oci/hook"
    )
    mapping = codec_settings.oci_mapping(connection)
    assert mapping.nzi_field == "CUST_FIELD1"
    assert mapping.units.to_oci("doos") == "BX"
    names = {
        parameter.key: parameter.aliases
        for parameter in codec_settings.login_parameters(connection).parameters
    }
    assert names == {
        "username": ("USERNAME", "loginname"),
        "password": ("PASSWORD", "pwd"),
        # The orderer's identity, under the default names.
        "user_id": ("USER_ID", "USERID", "UNAME"),
        "email": ("USER_EMAIL", "EMAIL"),
        "first_name": ("FIRST_NAME", "FIRSTNAME"),
        "last_name": ("LAST_NAME", "LASTNAME"),
    }


def test_password_is_stored_as_a_real_hash(
    settings, oci_organisation, channel_USD, customer_user
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

    connection = service.create_connection(
        oci_organisation.pk, PASSWORD, _settings(channel_USD, customer_user)
    )

    stored = Connection.objects.get(pk=connection.pk).password
    assert stored.startswith("pbkdf2_sha256$")
    assert identify_hasher(stored).algorithm == "pbkdf2_sha256"
    assert PASSWORD not in stored
    assert check_password(PASSWORD, stored)
    assert not check_password(PASSWORD + "x", stored)


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"name": ""}, "name", "required"),
        ({"login_name": ""}, "login_name", "required"),
        ({"login_name": "umc srm"}, "login_name", "invalid"),
        ({"login_name": "umc\nsrm"}, "login_name", "invalid"),
        ({"channel_id": 987654}, "channel", "not_found"),
        ({"channel_id": None}, "channel", "required"),
        ({"customer_id": 987654}, "customer", "not_found"),
        ({"branch_id": 987654}, "branch", "not_found"),
        ({"oci_version": "3.0"}, "oci_version", "invalid"),
        ({"storefront_url": "javascript:alert(1)"}, "storefront_url", "invalid"),
        ({"storefront_url": "shop.example.com/punchout"}, "storefront_url", "invalid"),
        ({"session_lifetime_minutes": 0}, "session_lifetime_minutes", "invalid"),
        ({"session_lifetime_minutes": 1441}, "session_lifetime_minutes", "invalid"),
        ({"price_precision": 5}, "price_precision", "invalid"),
        ({"price_precision": -1}, "price_precision", "invalid"),
        ({"is_active": None}, "is_active", "required"),
        (
            {"hook_url_allowlist": ["javascript:alert(1)"]},
            "hook_url_allowlist",
            "invalid",
        ),
        (
            {"hook_url_allowlist": ["https://user@srm.example"]},
            "hook_url_allowlist",
            "invalid",
        ),
        # http entries need the connection's allow_http flag.
        (
            {"hook_url_allowlist": ["http://srm.example"]},
            "hook_url_allowlist",
            "invalid",
        ),
        (
            {"hook_url_allowlist": "https://srm.example"},
            "hook_url_allowlist",
            "invalid",
        ),
        (
            {"parameter_aliases": {"USERNAME": ["HOOK_URL"]}},
            "parameter_aliases",
            "invalid",
        ),
        ({"parameter_aliases": {"SECRET": ["x"]}}, "parameter_aliases", "invalid"),
        (
            {"parameter_aliases": {"USERNAME": ["id"], "PASSWORD": ["id"]}},
            "parameter_aliases",
            "invalid",
        ),
        ({"nzi_field": "NZI"}, "nzi_field", "invalid"),
        ({"nzi_field": "QUANTITY"}, "nzi_field", "invalid"),
        ({"field_mapping": {"fields": {"COLOUR": None}}}, "field_mapping", "invalid"),
        (
            {"field_mapping": {"fields": {"VENDOR": {"fixed": "X" * 11}}}},
            "field_mapping",
            "invalid",
        ),
        ({"field_mapping": {"units": {}}}, "field_mapping", "invalid"),
        ({"field_mapping": {"field": {}}}, "field_mapping", "invalid"),
        (
            {"field_mapping": {"fields": {"VENDOR": {"from": 5}}}},
            "field_mapping",
            "invalid",
        ),
        ({"field_mapping": None}, "field_mapping", "invalid"),
        ({"unit_map": {"doos": "CARTON"}}, "unit_map", "invalid"),
        ({"unit_map": {"doos": 5}}, "unit_map", "invalid"),
        (
            {"nzi_overrides": {"products": {"GB-01": "12345678901"}}},
            "nzi_overrides",
            "invalid",
        ),
        ({"nzi_overrides": {"brands": {"x": "1"}}}, "nzi_overrides", "invalid"),
        (
            {"field_mapping": {"fields": {"VENDOR": {"fixed": "a\x00"}}}},
            "field_mapping",
            "invalid",
        ),
    ],
)
def test_invalid_connection_is_refused_and_not_written(
    oci_organisation, channel_USD, customer_user, overrides, field, code
):
    with pytest.raises(ValidationError) as error:
        service.create_connection(
            oci_organisation.pk,
            PASSWORD,
            _settings(channel_USD, customer_user, **overrides),
        )

    codes = _codes(error)
    assert set(codes) == {field}
    assert set(codes[field]) == {code}
    assert all(problem.messages[0] for problem in error.value.error_dict[field])
    assert not Connection.objects.exists()


def test_every_problem_is_reported_at_once(
    oci_organisation, channel_USD, customer_user
):
    with pytest.raises(ValidationError) as error:
        service.create_connection(
            987654,
            "short",
            _settings(channel_USD, customer_user, price_precision=9, channel_id=987654),
        )

    assert _codes(error) == {
        "organisation": ["not_found"],
        "password": ["invalid"],
        "channel": ["not_found"],
        "price_precision": ["invalid"],
    }


def test_required_settings_are_named(oci_organisation):
    with pytest.raises(ValidationError) as error:
        service.create_connection(oci_organisation.pk, PASSWORD, {})

    assert _codes(error) == {
        "name": ["required"],
        "login_name": ["required"],
        "channel": ["required"],
        "customer": ["required"],
    }


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("", "required"),
        ("elevenchars", "invalid"),
        ("x" * 256, "invalid"),
        ("UMC-SRM-umc-srm", "invalid"),
    ],
)
def test_weak_password_is_refused(
    oci_organisation, channel_USD, customer_user, password, code
):
    login_name = "umc-srm-umc-srm"
    with pytest.raises(ValidationError) as error:
        service.create_connection(
            oci_organisation.pk,
            password,
            _settings(channel_USD, customer_user, login_name=login_name),
        )

    assert _codes(error) == {"password": [code]}
    # The refusal never repeats the password.
    assert all(password not in message for message in error.value.messages if password)
    assert not Connection.objects.exists()


def test_login_name_is_unique_ignoring_case(oci_connection, channel_USD, customer_user):
    with pytest.raises(ValidationError) as error:
        service.create_connection(
            oci_connection.organisation_id,
            PASSWORD,
            _settings(channel_USD, customer_user, login_name="HOSPITAL-SRM"),
        )

    assert _codes(error) == {"login_name": ["unique"]}
    assert Connection.objects.count() == 1


def test_branch_of_another_organisation_is_refused(
    oci_branch, other_organisation, channel_USD, customer_user
):
    with pytest.raises(ValidationError) as error:
        service.create_connection(
            other_organisation.pk,
            PASSWORD,
            _settings(channel_USD, customer_user, branch_id=oci_branch.pk),
        )

    assert _codes(error) == {"branch": ["invalid"]}
    assert not Connection.objects.exists()


def test_staff_or_inactive_account_cannot_be_the_customer(
    oci_organisation, channel_USD, customer_user, staff_user
):
    # Punch-in logs the buyer in as the customer: staff rights must not leak.
    with pytest.raises(ValidationError) as error:
        service.create_connection(
            oci_organisation.pk, PASSWORD, _settings(channel_USD, staff_user)
        )
    assert _codes(error) == {"customer": ["invalid"]}

    customer_user.is_active = False
    customer_user.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as error:
        service.create_connection(
            oci_organisation.pk, PASSWORD, _settings(channel_USD, customer_user)
        )
    assert _codes(error) == {"customer": ["invalid"]}
    assert not Connection.objects.exists()


def test_http_entry_is_accepted_with_the_http_flag(
    oci_organisation, channel_USD, customer_user
):
    connection = service.create_connection(
        oci_organisation.pk,
        PASSWORD,
        _settings(
            channel_USD,
            customer_user,
            hook_url_allowlist=["http://srm.test:8000", " http://srm.test:8000 "],
            allow_http_hook_url=True,
        ),
    )

    assert connection.hook_url_allowlist == ["http://srm.test:8000"]
    assert codec_settings.hook_url_policy(connection).is_allowed(
        "http://srm.test:8000/hook"
    )


# --- connections: changing -----------------------------------------------------


def _stored(connection: Connection) -> dict:
    return Connection.objects.filter(pk=connection.pk).values().get()


def test_update_changes_only_what_is_given(oci_connection, channel_PLN):
    before = _stored(oci_connection)

    service.update_connection(
        oci_connection,
        {"name": "SRM acceptance", "channel_id": channel_PLN.pk, "storefront_url": ""},
    )

    after = _stored(oci_connection)
    assert after["name"] == "SRM acceptance"
    assert after["channel_id"] == channel_PLN.pk
    unchanged = set(before) - {"name", "channel_id", "updated_at"}
    assert {key: after[key] for key in unchanged} == {
        key: before[key] for key in unchanged
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hook_url_allowlist": ["http://srm.test"]}, "hook_url_allowlist"),
        ({"storefront_url": "ftp://shop.example.com"}, "storefront_url"),
        ({"login_name": ""}, "login_name"),
        ({"nzi_field": "EXT_CATEGORY_ID", "unit_map": {"x": "TOOLONG"}}, "unit_map"),
    ],
)
def test_refused_update_writes_nothing(oci_connection, changes, field):
    before = _stored(oci_connection)

    with pytest.raises(ValidationError) as error:
        service.update_connection(oci_connection, {"name": "Changed", **changes})

    assert set(_codes(error)) == {field}
    assert _stored(oci_connection) == before


def test_switching_http_off_is_refused_while_http_entries_remain(oci_connection):
    service.update_connection(
        oci_connection,
        {"hook_url_allowlist": ["http://srm.test"], "allow_http_hook_url": True},
    )

    with pytest.raises(ValidationError) as error:
        service.update_connection(oci_connection, {"allow_http_hook_url": False})

    assert _codes(error) == {"hook_url_allowlist": ["invalid"]}
    assert _stored(oci_connection)["allow_http_hook_url"] is True


def test_nzi_overrides_must_fit_a_newly_chosen_nzi_field(oci_connection):
    service.update_connection(
        oci_connection,
        {
            "nzi_field": "CUST_FIELD5",
            "cost_centre_field": "CUST_FIELD4",
            "nzi_overrides": {"categories": {"roses": "N" * 50}},
        },
    )

    with pytest.raises(ValidationError) as error:
        service.update_connection(oci_connection, {"nzi_field": "MATGROUP"})

    assert _codes(error) == {"nzi_overrides": ["invalid"]}
    assert _stored(oci_connection)["nzi_field"] == "CUST_FIELD5"


def test_connection_can_be_deactivated_after_its_customer_became_staff(
    oci_connection, customer_user
):
    customer_user.is_staff = True
    customer_user.save(update_fields=["is_staff"])

    service.update_connection(oci_connection, {"is_active": False})

    assert _stored(oci_connection)["is_active"] is False


def test_new_password_replaces_the_hash_and_lifts_the_lock(oci_connection):
    oci_connection.failed_logins = 4
    oci_connection.locked_until = timezone.now() + timedelta(minutes=15)
    oci_connection.save()
    old_hash = oci_connection.password

    service.set_connection_password(oci_connection, "a-new-long-password")

    stored = _stored(oci_connection)
    assert stored["password"] != old_hash
    assert check_password("a-new-long-password", stored["password"])
    assert stored["failed_logins"] == 0
    assert stored["locked_until"] is None


def test_refused_password_keeps_the_old_one(oci_connection):
    old_hash = oci_connection.password

    with pytest.raises(ValidationError):
        service.set_connection_password(oci_connection, "short")

    assert _stored(oci_connection)["password"] == old_hash


def test_unlock_without_new_password(oci_connection):
    oci_connection.failed_logins = 2
    oci_connection.locked_until = timezone.now() + timedelta(minutes=15)
    oci_connection.save()

    service.update_connection(oci_connection, {}, unlock=True)

    stored = _stored(oci_connection)
    assert (stored["failed_logins"], stored["locked_until"]) == (0, None)


# --- purchase-order settings ---------------------------------------------------


def test_purchase_order_settings_default_to_strict_and_no_credentials(
    oci_organisation, channel_USD, customer_user
):
    connection = service.create_connection(
        oci_organisation.pk, PASSWORD, _settings(channel_USD, customer_user)
    )

    stored = _stored(connection)
    assert stored["allow_quantity_changes"] is False
    assert stored["price_tolerance_percent"] == Decimal("0.00")
    assert stored["allow_direct_orders"] is False
    assert (stored["cxml_identity"], stored["cxml_shared_secret"]) == ("", "")
    assert stored["order_token_hash"] == ""


def test_purchase_order_settings_are_stored(
    settings, oci_organisation, channel_USD, customer_user
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

    connection = service.create_connection(
        oci_organisation.pk,
        PASSWORD,
        _settings(
            channel_USD,
            customer_user,
            allow_quantity_changes=True,
            price_tolerance_percent=Decimal("2.5"),
            allow_direct_orders=True,
            cxml_identity=f"  {IDENTITY} ",
        ),
        cxml_shared_secret=SHARED_SECRET,
    )

    stored = _stored(connection)
    assert stored["allow_quantity_changes"] is True
    assert stored["price_tolerance_percent"] == Decimal("2.50")
    assert stored["allow_direct_orders"] is True
    assert stored["cxml_identity"] == IDENTITY
    # The secret is a real hash, checked the way the cXML endpoint checks it.
    secret_hash = stored["cxml_shared_secret"]
    assert SHARED_SECRET not in secret_hash
    assert secret_hash.startswith(KEYED_PREFIX)
    assert check_machine_secret(SHARED_SECRET, secret_hash).matches
    assert not check_machine_secret(SHARED_SECRET + "x", secret_hash).matches


@pytest.mark.parametrize(
    ("percent", "stored"),
    [
        (0, Decimal("0.00")),
        (100, Decimal("100.00")),
        (Decimal("100.00"), Decimal("100.00")),
        (Decimal("0.01"), Decimal("0.01")),
        # Trailing zeros are not decimals of the value.
        (Decimal("1.500"), Decimal("1.50")),
    ],
)
def test_price_tolerance_bounds_are_accepted(oci_connection, percent, stored):
    service.update_connection(oci_connection, {"price_tolerance_percent": percent})

    assert _stored(oci_connection)["price_tolerance_percent"] == stored


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        (
            {"price_tolerance_percent": Decimal("-0.01")},
            "price_tolerance_percent",
            "invalid",
        ),
        (
            {"price_tolerance_percent": Decimal("100.01")},
            "price_tolerance_percent",
            "invalid",
        ),
        ({"price_tolerance_percent": 101}, "price_tolerance_percent", "invalid"),
        (
            {"price_tolerance_percent": Decimal("2.555")},
            "price_tolerance_percent",
            "invalid",
        ),
        (
            {"price_tolerance_percent": Decimal("NaN")},
            "price_tolerance_percent",
            "invalid",
        ),
        (
            {"price_tolerance_percent": Decimal("Infinity")},
            "price_tolerance_percent",
            "invalid",
        ),
        (
            {"price_tolerance_percent": Decimal("1E+5")},
            "price_tolerance_percent",
            "invalid",
        ),
        # A float is not exact; a bool is not a percentage.
        ({"price_tolerance_percent": 2.5}, "price_tolerance_percent", "invalid"),
        ({"price_tolerance_percent": "2.5"}, "price_tolerance_percent", "invalid"),
        ({"price_tolerance_percent": True}, "price_tolerance_percent", "invalid"),
        ({"price_tolerance_percent": None}, "price_tolerance_percent", "required"),
        ({"allow_quantity_changes": None}, "allow_quantity_changes", "required"),
        ({"allow_quantity_changes": "yes"}, "allow_quantity_changes", "required"),
        ({"allow_direct_orders": 1}, "allow_direct_orders", "required"),
        ({"cxml_identity": "AN01\n000"}, "cxml_identity", "invalid"),
        ({"cxml_identity": "AN01\t000"}, "cxml_identity", "invalid"),
        ({"cxml_identity": "AN01\x1b000"}, "cxml_identity", "invalid"),
        ({"cxml_identity": "AN01\x00"}, "cxml_identity", "invalid"),
        ({"cxml_identity": "A" * 256}, "cxml_identity", "invalid"),
        ({"cxml_identity": 123}, "cxml_identity", "invalid"),
    ],
)
def test_invalid_purchase_order_setting_is_refused_and_not_written(
    oci_organisation, oci_connection, channel_USD, customer_user, changes, field, code
):
    before = _stored(oci_connection)

    with pytest.raises(ValidationError) as created:
        service.create_connection(
            oci_organisation.pk,
            PASSWORD,
            _settings(channel_USD, customer_user, **changes),
        )
    with pytest.raises(ValidationError) as updated:
        service.update_connection(oci_connection, {"name": "Changed", **changes})

    assert _codes(created) == {field: [code]}
    assert _codes(updated) == {field: [code]}
    assert Connection.objects.count() == 1
    assert _stored(oci_connection) == before


def test_cxml_identity_is_unique_ignoring_case(
    oci_connection, channel_USD, customer_user
):
    service.update_connection(oci_connection, {"cxml_identity": IDENTITY})
    # Saving a connection's own identity again is no clash.
    service.update_connection(oci_connection, {"cxml_identity": IDENTITY, "name": "X"})

    with pytest.raises(ValidationError) as error:
        service.create_connection(
            oci_connection.organisation_id,
            PASSWORD,
            _settings(channel_USD, customer_user, cxml_identity=IDENTITY.lower()),
        )

    assert _codes(error) == {"cxml_identity": ["unique"]}
    assert Connection.objects.count() == 1


def test_many_connections_may_have_no_cxml_identity(
    oci_connection, channel_USD, customer_user
):
    service.create_connection(
        oci_connection.organisation_id,
        PASSWORD,
        _settings(channel_USD, customer_user, cxml_identity=""),
    )

    assert list(Connection.objects.values_list("cxml_identity", flat=True)) == ["", ""]


def test_cxml_identity_taken_after_the_first_check_is_still_refused(
    monkeypatch, oci_connection, channel_USD, customer_user
):
    # As if another request saved the identity between the check and the write:
    # the check under the lock, in the saving transaction, still refuses it.
    Connection.objects.filter(pk=oci_connection.pk).update(cxml_identity=IDENTITY)
    monkeypatch.setattr(service, "_check_cxml_identity", lambda *args: None)

    with pytest.raises(ValidationError) as error:
        service.create_connection(
            oci_connection.organisation_id,
            PASSWORD,
            _settings(channel_USD, customer_user, cxml_identity=IDENTITY),
        )

    assert _codes(error) == {"cxml_identity": ["unique"]}
    assert Connection.objects.count() == 1


def test_connection_with_a_duplicate_identity_saved_earlier_can_be_deactivated(
    oci_connection, channel_USD, customer_user, other_organisation
):
    # Identities saved before they were checked (e.g. directly in the database) must
    # not block editing other settings, above all switching the connection off.
    twin = Connection.objects.create(
        organisation=other_organisation,
        name="Twin",
        login_name="twin",
        password="!",
        channel=channel_USD,
        customer=customer_user,
        cxml_identity=IDENTITY,
    )
    Connection.objects.filter(pk=oci_connection.pk).update(cxml_identity=IDENTITY)

    service.update_connection(twin, {"is_active": False})

    assert _stored(twin)["is_active"] is False
    with pytest.raises(ValidationError) as error:
        service.update_connection(twin, {"cxml_identity": IDENTITY})
    assert _codes(error) == {"cxml_identity": ["unique"]}


@pytest.mark.parametrize(
    ("secret", "identity"),
    [
        ("fifteen-chars-x", ""),
        ("x" * 256, ""),
        (" " + SHARED_SECRET, ""),
        (SHARED_SECRET + " ", ""),
        (SHARED_SECRET + "\n", ""),
        ("secret\x01" + SHARED_SECRET, ""),
        ("an01000000123-network", "AN01000000123-NETWORK"),
    ],
)
def test_weak_or_unusable_shared_secret_is_refused(
    oci_organisation, oci_connection, channel_USD, customer_user, secret, identity
):
    before = _stored(oci_connection)

    with pytest.raises(ValidationError) as created:
        service.create_connection(
            oci_organisation.pk,
            PASSWORD,
            _settings(channel_USD, customer_user, cxml_identity=identity),
            cxml_shared_secret=secret,
        )
    with pytest.raises(ValidationError) as updated:
        service.update_connection(
            oci_connection, {"cxml_identity": identity}, cxml_shared_secret=secret
        )

    assert _codes(created) == {"cxml_shared_secret": ["invalid"]}
    assert _codes(updated) == {"cxml_shared_secret": ["invalid"]}
    # The refusal never repeats the secret.
    for error in (created, updated):
        assert all(secret.strip() not in message for message in error.value.messages)
    assert Connection.objects.count() == 1
    assert _stored(oci_connection) == before


def test_shared_secret_is_replaced_kept_and_removed(oci_connection):
    service.set_cxml_shared_secret(oci_connection, SHARED_SECRET)
    first_hash = _stored(oci_connection)["cxml_shared_secret"]
    assert check_machine_secret(SHARED_SECRET, first_hash).matches

    # Other changes keep it.
    service.update_connection(oci_connection, {"allow_direct_orders": True})
    assert _stored(oci_connection)["cxml_shared_secret"] == first_hash

    service.update_connection(
        oci_connection, {}, cxml_shared_secret="another-secret-of-the-network"
    )
    second_hash = _stored(oci_connection)["cxml_shared_secret"]
    assert not check_machine_secret(SHARED_SECRET, second_hash).matches
    assert check_machine_secret("another-secret-of-the-network", second_hash).matches

    service.set_cxml_shared_secret(oci_connection, "")
    assert _stored(oci_connection)["cxml_shared_secret"] == ""


def test_refused_change_keeps_the_shared_secret(oci_connection):
    oci_connection.cxml_shared_secret = make_password(SHARED_SECRET)
    oci_connection.save(update_fields=["cxml_shared_secret"])

    with pytest.raises(ValidationError):
        service.update_connection(
            oci_connection,
            {"price_tolerance_percent": Decimal(-1)},
            cxml_shared_secret="",
        )

    assert check_password(SHARED_SECRET, _stored(oci_connection)["cxml_shared_secret"])


def test_order_token_is_returned_once_and_stored_only_hashed(oci_connection):
    token = service.issue_order_token(oci_connection)

    stored = _stored(oci_connection)
    assert stored["order_token_hash"] == hash_order_token(token)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert token not in str(stored)
    # What the UBL endpoint looks the connection up by.
    assert Connection.objects.get(order_token_hash=hash_order_token(token)) == (
        oci_connection
    )


def test_new_order_token_replaces_the_old_one(oci_connection):
    old = service.issue_order_token(oci_connection)

    new = service.issue_order_token(oci_connection)

    assert new != old
    assert _stored(oci_connection)["order_token_hash"] == hash_order_token(new)
    assert not Connection.objects.filter(
        order_token_hash=hash_order_token(old)
    ).exists()


def test_order_token_is_revoked(oci_connection):
    token = service.issue_order_token(oci_connection)
    before = _stored(oci_connection)

    service.revoke_order_token(oci_connection)

    after = _stored(oci_connection)
    assert after["order_token_hash"] == ""
    assert not Connection.objects.filter(
        order_token_hash=hash_order_token(token)
    ).exists()
    # Nothing else changes.
    unchanged = set(before) - {"order_token_hash", "updated_at"}
    assert {key: after[key] for key in unchanged} == {
        key: before[key] for key in unchanged
    }


# --- deleting ------------------------------------------------------------------


def test_deleting_a_connection_keeps_its_organisation(oci_connection):
    service.delete_connection(oci_connection)

    assert not Connection.objects.exists()
    assert BuyerOrganisation.objects.filter(pk=oci_connection.organisation_id).exists()


def test_deleting_a_branch_keeps_its_connections(oci_connection, oci_branch):
    service.delete_branch(oci_branch)

    assert _stored(oci_connection)["branch_id"] is None


def test_deleting_an_organisation_deletes_its_connections(oci_connection):
    service.delete_organisation(oci_connection.organisation)

    assert not Connection.objects.exists()
    assert not Branch.objects.exists()
