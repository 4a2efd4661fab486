"""``manage.py oci_connection``: the same service layer, from the command line."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from saleor_oci_plugin.buyers.models import BuyerOrganisation
from saleor_oci_plugin.punchout.models import Connection

PASSWORD = "piped-secret-4711"


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
    assert (organisation.name, organisation.kvk_number) == ("Gemeente West", "87654321")
    assert "Created organisation" in output

    with pytest.raises(CommandError, match="--kvk-number"):
        run("create-organisation", "Gemeente Oost", "--kvk-number", "123")
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
