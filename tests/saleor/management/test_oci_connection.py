"""``manage.py oci_connection``: the same service layer, from the command line."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from saleor_oci_plugin.buyers.models import BuyerOrganisation
from saleor_oci_plugin.machine_secrets import KEYED_PREFIX, check_machine_secret
from saleor_oci_plugin.punchout.models import Connection
from saleor_oci_plugin.purchase_orders.views import hash_order_token

PASSWORD = "piped-secret-4711"
SHARED_SECRET = "ariba-shared-secret-2026"
IDENTITY = "AN01000000123"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


class _Terminal(io.StringIO):
    """Standard input that says it is a terminal, so the command prompts."""

    def isatty(self) -> bool:
        return True


def run(*args: str, stdin: io.StringIO | None = None) -> str:
    out = io.StringIO()
    call_command("oci_connection", *args, stdout=out, stdin=stdin or io.StringIO())
    return out.getvalue()


def _create_args(organisation, channel, customer, *extra: str) -> list[str]:
    return [
        "create",
        "--organisation",
        organisation,
        "--channel",
        channel.slug,
        "--customer",
        customer.email,
        "--login-name",
        "umc-srm",
        "--allow",
        "https://srm.umc.example/sap/bc",
        *extra,
    ]


def test_create_reads_the_password_from_stdin(
    oci_organisation, channel_USD, customer_user
):
    output = run(
        *_create_args(oci_organisation.name, channel_USD, customer_user),
        "--password-stdin",
        stdin=io.StringIO(PASSWORD + "\n"),
    )

    connection = Connection.objects.get(login_name="umc-srm")
    assert connection.organisation == oci_organisation
    assert connection.name == "umc-srm"
    assert connection.channel == channel_USD
    assert connection.customer == customer_user
    assert connection.hook_url_allowlist == ["https://srm.umc.example/sap/bc"]
    assert check_password(PASSWORD, connection.password)
    assert "Created connection" in output
    assert PASSWORD not in output


def test_create_reads_the_password_from_an_environment_variable(
    monkeypatch, oci_organisation, oci_branch, channel_USD, customer_user
):
    monkeypatch.setenv("OCI_PASSWORD", PASSWORD)

    run(
        *_create_args(str(oci_organisation.pk), channel_USD, customer_user),
        "--password-env",
        "OCI_PASSWORD",
        "--branch",
        "NOORD",
        "--name",
        "UMC production",
        "--oci-version",
        "5.0",
        "--session-lifetime",
        "30",
    )

    connection = Connection.objects.get(login_name="umc-srm")
    assert check_password(PASSWORD, connection.password)
    assert connection.branch == oci_branch
    assert connection.name == "UMC production"
    assert (connection.oci_version, connection.session_lifetime_minutes) == ("5.0", 30)


def test_create_prompts_twice_in_a_terminal(
    monkeypatch, oci_organisation, channel_USD, customer_user
):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    run(
        *_create_args(oci_organisation.name, channel_USD, customer_user),
        stdin=_Terminal(),
    )

    assert check_password(
        PASSWORD, Connection.objects.get(login_name="umc-srm").password
    )


def test_differing_prompted_passwords_are_refused(
    monkeypatch, oci_organisation, channel_USD, customer_user
):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="differ"):
        run(
            *_create_args(oci_organisation.name, channel_USD, customer_user),
            stdin=_Terminal(),
        )
    assert not Connection.objects.exists()


def test_without_a_terminal_a_password_source_is_required(
    oci_organisation, channel_USD, customer_user
):
    with pytest.raises(CommandError, match="--password-stdin") as error:
        run(*_create_args(oci_organisation.name, channel_USD, customer_user))

    assert error.value.returncode != 0
    assert not Connection.objects.exists()


def test_the_password_cannot_be_given_on_the_command_line(
    oci_organisation, channel_USD, customer_user
):
    # A password in argv shows in `ps` to every user of the machine.
    with pytest.raises(CommandError):
        run(
            *_create_args(oci_organisation.name, channel_USD, customer_user),
            "--password",
            PASSWORD,
        )
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--channel": "no-such-channel"}, "--channel: no channel"),
        ({"--customer": "nobody@example.com"}, "--customer: no account"),
        ({"--organisation": "No Such Hospital"}, "--organisation: no organisation"),
        ({"--login-name": "hospital-srm"}, "--login-name: Another connection"),
        ({"--allow": "javascript:alert(1)"}, "--allow: Entry 1"),
        ({"--storefront-url": "shop.example.com"}, "--storefront-url: The storefront"),
        ({"--price-precision": "9"}, "--price-precision: The price precision"),
        ({"--branch": "ZUID"}, "--branch: 'Ziekenhuis Oost' has no branch"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(
    oci_connection, channel_USD, customer_user, change, message
):
    args = _create_args("Ziekenhuis Oost", channel_USD, customer_user)
    for option, value in change.items():
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
    before = list(Connection.objects.values())

    with pytest.raises(CommandError) as error:
        run(*args, "--password-stdin", stdin=io.StringIO(PASSWORD))

    assert message in str(error.value)
    assert PASSWORD not in str(error.value)
    assert list(Connection.objects.values()) == before


def test_refusal_lists_every_problem_with_its_code(
    oci_organisation, channel_USD, customer_user
):
    with pytest.raises(CommandError) as error:
        run(
            *_create_args(oci_organisation.name, channel_USD, customer_user),
            "--price-precision",
            "9",
            "--password-stdin",
            stdin=io.StringIO("short\n"),
        )

    text = str(error.value)
    assert "password: The password must have 12" in text
    assert "(invalid)" in text
    assert "--price-precision" in text


def test_ambiguous_organisation_name_asks_for_the_id(
    oci_organisation, channel_USD, customer_user
):
    BuyerOrganisation.objects.create(name="Ziekenhuis Oost")

    with pytest.raises(CommandError, match="give the ID"):
        run(
            *_create_args("ziekenhuis oost", channel_USD, customer_user),
            "--password-stdin",
            stdin=io.StringIO(PASSWORD),
        )
    assert not Connection.objects.exists()


def test_create_organisation(db):
    output = run("create-organisation", "Gemeente West", "--kvk-number", "87654321")

    organisation = BuyerOrganisation.objects.get()
    assert (
        organisation.name,
        organisation.legal_id,
        organisation.legal_id_scheme,
    ) == ("Gemeente West", "87654321", "0106")
    assert "Created organisation" in output

    with pytest.raises(CommandError, match="--kvk-number"):
        run("create-organisation", "Gemeente Oost", "--kvk-number", "123")
    assert BuyerOrganisation.objects.count() == 1


def test_create_organisation_with_an_oin(db):
    run("create-organisation", "Gemeente Oost", "--oin", "00000001001234567000")

    organisation = BuyerOrganisation.objects.get()
    assert (organisation.legal_id, organisation.legal_id_scheme) == (
        "00000001001234567000",
        "0190",
    )

    # A KvK number is no OIN; the refusal names the option given.
    with pytest.raises(
        CommandError, match=r"--oin: An OIN has twenty digits.*\(invalid\)"
    ):
        run("create-organisation", "Gemeente Zuid", "--oin", "12345678")
    # One or the other.
    with pytest.raises(CommandError, match="not allowed with argument"):
        run(
            "create-organisation",
            "Gemeente Zuid",
            "--kvk-number",
            "12345678",
            "--oin",
            "00000001001234567000",
        )
    assert BuyerOrganisation.objects.count() == 1


def test_create_organisation_with_its_invoice_address(db):
    run(
        "create-organisation",
        "Gemeente West",
        "--invoice-email",
        "facturen@gemeente-west.example",
    )

    organisation = BuyerOrganisation.objects.get()
    assert organisation.invoice_email == "facturen@gemeente-west.example"

    with pytest.raises(CommandError, match=r"--invoice-email: .* \(invalid\)"):
        run("create-organisation", "Gemeente Oost", "--invoice-email", "facturen@")
    assert BuyerOrganisation.objects.count() == 1


def test_set_password_replaces_the_hash_and_lifts_the_lock(oci_connection):
    oci_connection.failed_logins = 5
    oci_connection.locked_until = timezone.now() + timedelta(minutes=10)
    oci_connection.save()

    run(
        "set-password",
        "hospital-srm",
        "--password-stdin",
        stdin=io.StringIO("a-brand-new-secret\n"),
    )

    connection = Connection.objects.get(pk=oci_connection.pk)
    assert check_password("a-brand-new-secret", connection.password)
    assert (connection.failed_logins, connection.locked_until) == (0, None)


def test_refused_password_keeps_the_old_one(oci_connection):
    with pytest.raises(CommandError, match="password"):
        run("set-password", "hospital-srm", "--password-stdin", stdin=io.StringIO("x"))

    assert Connection.objects.get().password == oci_connection.password


def test_update_adds_and_removes_allowlist_entries_and_flags(oci_connection):
    run(
        "update",
        "hospital-srm",
        "--allow",
        "http://srm.test:8000",
        "--disallow",
        "https://srm.hospital.example",
        "--allow-http",
        "--inactive",
    )

    connection = Connection.objects.get()
    assert connection.hook_url_allowlist == ["http://srm.test:8000"]
    assert connection.allow_http_hook_url is True
    assert connection.is_active is False


def test_update_refuses_an_http_entry_without_the_flag(oci_connection):
    with pytest.raises(CommandError, match="--allow: Entry 2"):
        run("update", str(oci_connection.pk), "--allow", "http://srm.test")

    assert Connection.objects.get().hook_url_allowlist == [
        "https://srm.hospital.example"
    ]


def test_update_refuses_to_remove_an_unknown_entry(oci_connection):
    with pytest.raises(CommandError, match="not in the allow-list"):
        run("update", "hospital-srm", "--disallow", "https://other.example")


def test_update_needs_something_to_change(oci_connection):
    with pytest.raises(CommandError, match="Nothing to change"):
        run("update", "hospital-srm")


def test_unknown_connection_is_named(db):
    with pytest.raises(CommandError, match="no-such-login"):
        run("update", "no-such-login", "--name", "x")


def test_delete_needs_confirmation(oci_connection):
    with pytest.raises(CommandError, match="--yes"):
        run("delete", "hospital-srm")
    assert Connection.objects.exists()

    with pytest.raises(CommandError, match="Not deleted"):
        run("delete", "hospital-srm", stdin=_Terminal("n\n"))
    assert Connection.objects.exists()

    output = run("delete", "hospital-srm", "--yes")
    assert "Deleted connection 'hospital-srm'" in output
    assert not Connection.objects.exists()


def test_list_shows_connections_without_secrets(oci_connection):
    output = run("list")

    assert "hospital-srm" in output
    assert "Ziekenhuis Oost / Locatie Noord" in output
    assert "https://srm.hospital.example" in output
    assert oci_connection.password not in output

    other = BuyerOrganisation.objects.create(name="Gemeente West")
    assert run("list", "--organisation", str(other.pk)).strip() == "No connections."


# --- purchase-order settings ---------------------------------------------------


def test_create_with_purchase_order_settings(
    oci_organisation, channel_USD, customer_user
):
    run(
        *_create_args(oci_organisation.name, channel_USD, customer_user),
        "--allow-quantity-changes",
        "--price-tolerance",
        "2.5",
        "--allow-direct-orders",
        "--cxml-identity",
        IDENTITY,
        "--password-stdin",
        stdin=io.StringIO(PASSWORD),
    )

    connection = Connection.objects.get(login_name="umc-srm")
    assert connection.allow_quantity_changes is True
    assert connection.price_tolerance_percent == Decimal("2.50")
    assert connection.allow_direct_orders is True
    assert connection.cxml_identity == IDENTITY
    assert connection.cxml_shared_secret == ""


def test_update_purchase_order_settings(oci_connection):
    run(
        "update",
        "hospital-srm",
        "--allow-quantity-changes",
        "--price-tolerance",
        "10",
        "--cxml-identity",
        IDENTITY,
    )
    connection = Connection.objects.get()
    assert connection.allow_quantity_changes is True
    assert connection.price_tolerance_percent == Decimal("10.00")
    assert connection.cxml_identity == IDENTITY

    run(
        "update",
        "hospital-srm",
        "--no-allow-quantity-changes",
        "--allow-direct-orders",
        "--cxml-identity",
        "",
    )
    connection = Connection.objects.get()
    assert connection.allow_quantity_changes is False
    assert connection.allow_direct_orders is True
    assert connection.cxml_identity == ""
    # Settings not given stay.
    assert connection.price_tolerance_percent == Decimal("10.00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--price-tolerance", "101"], "--price-tolerance: The price tolerance"),
        (["--price-tolerance", "-1"], "--price-tolerance: The price tolerance"),
        (["--price-tolerance", "2.555"], "--price-tolerance: The price tolerance"),
        (["--price-tolerance", "NaN"], "--price-tolerance: The price tolerance"),
        (["--price-tolerance", "2,5"], "not a number"),
        (["--cxml-identity", "AN01\n000"], "--cxml-identity: A cXML identity"),
        (["--cxml-identity", "an01000000123"], "--cxml-identity: Another connection"),
    ],
)
def test_bad_purchase_order_setting_is_refused_and_nothing_written(
    oci_connection, other_connection, args, message
):
    other_connection.cxml_identity = IDENTITY
    other_connection.save(update_fields=["cxml_identity"])
    before = list(Connection.objects.values())

    with pytest.raises(CommandError) as error:
        run("update", "hospital-srm", "--allow-direct-orders", *args)

    assert message in str(error.value)
    assert list(Connection.objects.values()) == before


@pytest.fixture
def other_connection(oci_connection):
    organisation = BuyerOrganisation.objects.create(name="Gemeente West")
    return Connection.objects.create(
        organisation=organisation,
        name="West",
        login_name="west",
        password="!",
        channel=oci_connection.channel,
        customer=oci_connection.customer,
    )


# --- the cXML shared secret ----------------------------------------------------


def test_cxml_secret_from_stdin_is_stored_hashed(settings, oci_connection):
    # Saleor's test settings store passwords as they are; use a real hasher.
    settings.PASSWORD_HASHERS = [PBKDF2]
    output = run(
        "set-cxml-secret",
        "hospital-srm",
        "--secret-stdin",
        stdin=io.StringIO(SHARED_SECRET + "\n"),
    )

    stored = Connection.objects.get().cxml_shared_secret
    assert SHARED_SECRET not in stored
    assert stored.startswith(KEYED_PREFIX)
    assert check_machine_secret(SHARED_SECRET, stored).matches
    assert "Set the cXML shared secret of 'hospital-srm'" in output
    assert SHARED_SECRET not in output


def test_cxml_secret_from_an_environment_variable(monkeypatch, oci_connection):
    monkeypatch.setenv("ARIBA_SECRET", SHARED_SECRET)

    run("set-cxml-secret", str(oci_connection.pk), "--secret-env", "ARIBA_SECRET")

    assert check_machine_secret(
        SHARED_SECRET, Connection.objects.get().cxml_shared_secret
    ).matches

    with pytest.raises(CommandError, match="--secret-env: the variable UNSET_X"):
        run("set-cxml-secret", "hospital-srm", "--secret-env", "UNSET_X")


def test_cxml_secret_is_prompted_twice_in_a_terminal(monkeypatch, oci_connection):
    prompts = []
    answers = iter([SHARED_SECRET, SHARED_SECRET])

    def getpass(prompt):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", getpass)

    run("set-cxml-secret", "hospital-srm", stdin=_Terminal())

    assert prompts == ["Secret: ", "Secret (again): "]
    assert check_machine_secret(
        SHARED_SECRET, Connection.objects.get().cxml_shared_secret
    ).matches


def test_differing_prompted_secrets_are_refused(monkeypatch, oci_connection):
    answers = iter([SHARED_SECRET, SHARED_SECRET + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="The secrets differ"):
        run("set-cxml-secret", "hospital-srm", stdin=_Terminal())

    assert Connection.objects.get().cxml_shared_secret == ""


def test_cxml_secret_needs_a_source_without_a_terminal(oci_connection):
    with pytest.raises(CommandError, match="--secret-stdin or --secret-env"):
        run("set-cxml-secret", "hospital-srm")


def test_cxml_secret_cannot_be_given_on_the_command_line(oci_connection):
    with pytest.raises(CommandError):
        run("set-cxml-secret", "hospital-srm", "--secret", SHARED_SECRET)
    with pytest.raises(CommandError):
        run("set-cxml-secret", "hospital-srm", SHARED_SECRET)

    assert Connection.objects.get().cxml_shared_secret == ""


@pytest.mark.parametrize("secret", ["", "fifteen-chars-x"])
def test_empty_or_weak_cxml_secret_keeps_the_old_one(oci_connection, secret):
    old_hash = make_password(SHARED_SECRET)
    Connection.objects.update(cxml_shared_secret=old_hash)

    with pytest.raises(CommandError) as error:
        run(
            "set-cxml-secret",
            "hospital-srm",
            "--secret-stdin",
            stdin=io.StringIO(secret + "\n"),
        )

    if secret:
        assert "shared secret: The shared secret must have 16" in str(error.value)
        assert secret not in str(error.value)
    else:
        assert "--clear" in str(error.value)
    assert Connection.objects.get().cxml_shared_secret == old_hash


def test_cxml_secret_is_cleared(oci_connection):
    Connection.objects.update(cxml_shared_secret=make_password(SHARED_SECRET))

    output = run("set-cxml-secret", "hospital-srm", "--clear")

    assert Connection.objects.get().cxml_shared_secret == ""
    assert "Removed the cXML shared secret" in output


# --- the UBL Order token -------------------------------------------------------


def _order_token(reference: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("oci_connection", "order-token", reference, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_order_token_is_printed_once_alone_and_stored_hashed(oci_connection):
    out, err = _order_token("hospital-srm")

    # Standard output is the token alone, so that a script can capture it.
    token = out.strip()
    assert out == token + "\n"
    assert len(token) >= 43
    stored = Connection.objects.values().get()
    assert stored["order_token_hash"] == hash_order_token(token)
    assert token not in str(stored)
    assert "shown only now" in err
    assert token not in err
    assert token not in run("list")


def test_new_order_token_replaces_the_previous_one(oci_connection):
    old = _order_token("hospital-srm")[0].strip()

    out, err = _order_token(str(oci_connection.pk))

    new = out.strip()
    assert new != old
    assert Connection.objects.get().order_token_hash == hash_order_token(new)
    assert "the previous one no longer works" in err


def test_order_token_is_revoked(oci_connection):
    _order_token("hospital-srm")

    output = run("revoke-order-token", "hospital-srm")

    assert "Revoked the order token of 'hospital-srm'" in output
    assert Connection.objects.get().order_token_hash == ""
    assert "has no order token" in run("revoke-order-token", "hospital-srm")


def test_order_token_of_an_unknown_connection(db):
    with pytest.raises(CommandError, match="no-such-login"):
        _order_token("no-such-login")
    with pytest.raises(CommandError, match="no-such-login"):
        run("revoke-order-token", "no-such-login")


def test_list_says_which_credentials_exist_without_showing_them(oci_connection):
    secret_hash = make_password(SHARED_SECRET)
    token_hash = hash_order_token("a-token")
    Connection.objects.update(
        cxml_identity=IDENTITY,
        cxml_shared_secret=secret_hash,
        order_token_hash=token_hash,
    )

    output = run("list")

    assert f"cxml={IDENTITY} (secret set)" in output
    assert "order-token=yes" in output
    assert secret_hash not in output
    assert token_hash not in output

    Connection.objects.update(
        cxml_identity="", cxml_shared_secret="", order_token_hash=""
    )
    output = run("list")
    assert "cxml=- " in output
    assert "order-token=no" in output


def test_update_sets_the_orderer_settings(oci_connection):
    run(
        "update",
        "hospital-srm",
        "--identity-parameter",
        "user_id=SY_UNAME",
        "--identity-parameter",
        "email=SY_EMAIL",
        "--no-create-unknown-orderers",
        "--cost-centre-field",
        "cust_field4",
    )

    connection = Connection.objects.get()
    assert connection.identity_parameters == {
        "user_id": ["SY_UNAME"],
        "email": ["SY_EMAIL"],
    }
    assert connection.create_unknown_orderers is False
    assert connection.cost_centre_field == "CUST_FIELD4"


def test_update_refuses_a_cost_centre_field_that_carries_the_nzi_code(oci_connection):
    with pytest.raises(CommandError, match="--cost-centre-field: MATGROUP already"):
        run("update", "hospital-srm", "--cost-centre-field", "MATGROUP")

    assert Connection.objects.get().cost_centre_field == "CUST_FIELD5"


def test_update_refuses_an_identity_name_that_is_a_login_parameter(oci_connection):
    with pytest.raises(CommandError, match="--identity-parameter"):
        run("update", "hospital-srm", "--identity-parameter", "email=USERNAME")

    assert Connection.objects.get().identity_parameters == {}


def test_update_sets_the_cxml_punch_out_settings(oci_connection):
    run(
        "update",
        "hospital-srm",
        "--protocol",
        "both",
        "--cxml-domain",
        "NetworkID",
        "--cxml-domain",
        "DUNS",
        "--cxml-form-field",
        "cxml-base64",
        "--unspsc-attribute",
        "unspsc-code",
        "--unspsc-default",
        "14111500",
    )

    connection = Connection.objects.get()
    assert (
        connection.protocol,
        connection.cxml_domains,
        connection.cxml_form_field,
        connection.unspsc_attribute_slug,
        connection.unspsc_default,
    ) == ("both", ["NetworkID", "DUNS"], "cxml-base64", "unspsc-code", "14111500")
    assert "punch-out=both" in run("list")

    run("update", "hospital-srm", "--cxml-domain", "none")
    assert Connection.objects.get().cxml_domains == []


def test_update_refuses_a_unspsc_default_that_is_no_code(oci_connection):
    with pytest.raises(CommandError, match="--unspsc-default: A UNSPSC code has 8"):
        run("update", "hospital-srm", "--unspsc-default", "1411")

    assert Connection.objects.get().unspsc_default == ""
