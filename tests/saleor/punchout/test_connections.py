"""The service layer that writes organisations, branches and connections."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.exceptions import ValidationError
from django.utils import timezone

from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation
from saleor_oci_plugin.punchout import codec_settings
from saleor_oci_plugin.punchout import connections as service
from saleor_oci_plugin.punchout.models import Connection

PASSWORD = "correct-horse-battery"


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
            "kvk_number": "12345678",
            "invoice_format": "peppol_bis_3",
        }
    )

    organisation.refresh_from_db()
    assert organisation.name == "Ziekenhuis Oost"
    assert organisation.kvk_number == "12345678"
    assert organisation.invoice_format == "peppol_bis_3"


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"name": "   "}, "name", "required"),
        ({"name": "X", "kvk_number": "1234567"}, "kvk_number", "invalid"),
        ({"name": "X", "kvk_number": "1234567A"}, "kvk_number", "invalid"),
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
    ],
)
def test_invalid_organisation_is_refused_and_not_written(db, data, field, code):
    with pytest.raises(ValidationError) as error:
        service.create_organisation(data)

    assert _codes(error) == {field: [code]}
    assert not BuyerOrganisation.objects.exists()


def test_organisation_update_changes_only_what_is_given(oci_organisation):
    service.update_organisation(oci_organisation, {"vat_number": "NL999999999B01"})

    oci_organisation.refresh_from_db()
    assert oci_organisation.vat_number == "NL999999999B01"
    assert oci_organisation.name == "Ziekenhuis Oost"
    assert oci_organisation.kvk_number == "12345678"


def test_refused_organisation_update_writes_nothing(oci_organisation):
    with pytest.raises(ValidationError) as error:
        service.update_organisation(oci_organisation, {"name": "", "vat_number": "NL1"})

    assert _codes(error) == {"name": ["required"]}
    oci_organisation.refresh_from_db()
    assert oci_organisation.name == "Ziekenhuis Oost"
    assert oci_organisation.vat_number == "NL001234567B01"


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
