"""The punch-in URL, called the way a procurement system's browser calls it."""

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from saleor_oci_plugin.models import InboundMessage
from saleor_oci_plugin.punchout import sessions, views
from saleor_oci_plugin.punchout.models import Connection, PunchoutSession
from saleor_oci_plugin.punchout.views import LOCK_DURATION, MAX_FAILED_LOGINS

from ..fixtures import BUYER_LOGIN, BUYER_PASSWORD, HOOK_URL

PUNCHIN_URL = "/plugins/global/oci.punchout/punchin"
STOREFRONT = "https://shop.example.com/punchout"


@pytest.fixture(autouse=True)
def storefront_configured(oci_connection):
    oci_connection.storefront_url = STOREFRONT
    oci_connection.save(update_fields=["storefront_url"])


def _params(**overrides):
    params = {
        "USERNAME": BUYER_LOGIN,
        "PASSWORD": BUYER_PASSWORD,
        "HOOK_URL": HOOK_URL,
        "~OKCODE": "ADDI",
        "~TARGET": "_top",
        "~CALLER": "CTLG",
        "OCI_VERSION": "4.0",
    }
    params.update(overrides)
    return {name: value for name, value in params.items() if value is not None}


def _code_from(response):
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == STOREFRONT
    return parse_qs(location.query)["oci_code"][0]


def test_get_punch_in_opens_a_session_and_redirects_with_a_code(client):
    response = client.get(PUNCHIN_URL, _params())

    assert response.status_code == 303
    code = _code_from(response)
    session = PunchoutSession.objects.get()
    assert session.code_hash == sessions.hash_code(code)
    assert (session.hook_url, session.okcode, session.target, session.caller) == (
        HOOK_URL,
        "ADDI",
        "_top",
        "CTLG",
    )
    assert session.code_expires_at <= timezone.now() + timedelta(seconds=60)
    message = InboundMessage.objects.get()
    assert (message.http_status, message.connection_id) == (303, session.connection_id)
    assert BUYER_PASSWORD not in message.detail


def test_post_punch_in_with_lower_case_names_works(client):
    params = {name.lower(): value for name, value in _params().items()}

    response = client.post(
        PUNCHIN_URL, urlencode(params), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 303
    assert PunchoutSession.objects.count() == 1


def test_login_name_is_matched_ignoring_case(client, oci_connection):
    # SAP SRM is known to send the user name upper-cased.
    response = client.get(PUNCHIN_URL, _params(USERNAME=BUYER_LOGIN.upper()))

    assert BUYER_LOGIN.upper() != BUYER_LOGIN
    assert response.status_code == 303
    assert PunchoutSession.objects.get().connection == oci_connection


def test_login_names_differing_only_in_case_cannot_both_exist(oci_connection):
    oci_connection.pk = None
    oci_connection.login_name = BUYER_LOGIN.upper()

    with pytest.raises(IntegrityError), transaction.atomic():
        oci_connection.save()


def test_multipart_post_works_too(client):
    response = client.post(PUNCHIN_URL, _params())

    assert response.status_code == 303
    assert PunchoutSession.objects.get().okcode == "ADDI"


def test_latin1_post_keeps_echo_values_exact(client):
    body = "&".join(
        f"{name}={value}" for name, value in _params(**{"~TARGET": "caf%E9"}).items()
    ).encode("latin-1")

    response = client.generic(
        "POST",
        PUNCHIN_URL,
        body,
        content_type="application/x-www-form-urlencoded; charset=ISO-8859-1",
    )

    assert response.status_code == 303
    session = PunchoutSession.objects.get()
    assert session.target == "café"
    assert session.charset == "ISO-8859-1"


def test_connection_aliases_name_the_login_parameters(client, oci_connection):
    oci_connection.parameter_aliases = {"USERNAME": ["loginname"], "PASSWORD": ["pwd"]}
    oci_connection.save(update_fields=["parameter_aliases"])
    params = _params(
        USERNAME=None, PASSWORD=None, loginname=BUYER_LOGIN, pwd=BUYER_PASSWORD
    )

    response = client.get(PUNCHIN_URL, params)

    assert response.status_code == 303


def test_wrong_password_is_refused_without_a_session(client):
    response = client.get(PUNCHIN_URL, _params(PASSWORD="guess"))

    assert response.status_code == 401
    assert b"Unknown login name or wrong password." in response.content
    assert not PunchoutSession.objects.exists()
    assert InboundMessage.objects.get().outcome == InboundMessage.Outcome.REFUSED


def test_unknown_login_gets_the_same_answer(client):
    response = client.get(PUNCHIN_URL, _params(USERNAME="nobody"))

    assert response.status_code == 401
    assert b"Unknown login name or wrong password." in response.content
    assert not PunchoutSession.objects.exists()


def test_inactive_connection_is_refused(client, oci_connection):
    oci_connection.is_active = False
    oci_connection.save(update_fields=["is_active"])

    assert client.get(PUNCHIN_URL, _params()).status_code == 401


def test_repeated_wrong_passwords_lock_the_login(client, oci_connection):
    for _ in range(MAX_FAILED_LOGINS):
        assert client.get(PUNCHIN_URL, _params(PASSWORD="guess")).status_code == 401

    response = client.get(PUNCHIN_URL, _params())

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many failed logins" in response.content
    assert not PunchoutSession.objects.exists()


def test_a_flood_of_wrong_passwords_hashes_at_most_the_lock_count(
    client, oci_connection, counted_password_hashes
):
    # Attempts are counted (and locked) before the password is hashed.
    statuses = [
        client.get(PUNCHIN_URL, _params(PASSWORD="guess")).status_code
        for _ in range(MAX_FAILED_LOGINS * 4)
    ]

    assert statuses == [401] * MAX_FAILED_LOGINS + [429] * MAX_FAILED_LOGINS * 3
    assert counted_password_hashes() == MAX_FAILED_LOGINS


def test_a_right_password_resets_the_count(client, oci_connection):
    for _ in range(MAX_FAILED_LOGINS - 1):
        client.get(PUNCHIN_URL, _params(PASSWORD="guess"))
    assert client.get(PUNCHIN_URL, _params()).status_code == 303

    oci_connection.refresh_from_db()
    assert oci_connection.failed_logins == 0


def _checks_in_flight(connection, count=MAX_FAILED_LOGINS):
    """As if ``count`` punch-ins of this login were having their password hashed."""
    connection.failed_logins = count
    connection.save(update_fields=["failed_logins"])


def test_a_punch_in_waits_while_the_lock_count_of_checks_is_in_flight(
    client, oci_connection, monkeypatch
):
    # The people of one organisation punch in at once: the first MAX_FAILED_LOGINS
    # are being checked; one of them gets in (its right password resets the count)
    # while this one waits, and this one is let in after it, not refused.
    _checks_in_flight(oci_connection)
    pauses = []

    def one_check_ends(seconds):
        pauses.append(seconds)
        if len(pauses) == 3:
            Connection.objects.filter(pk=oci_connection.pk).update(failed_logins=0)

    monkeypatch.setattr(views, "_pause", one_check_ends)

    response = client.get(PUNCHIN_URL, _params())

    assert response.status_code == 303
    assert pauses == [0.05, 0.1, 0.2]
    oci_connection.refresh_from_db()
    assert oci_connection.failed_logins == 0


def test_a_punch_in_stops_waiting_when_the_checks_in_flight_lock_the_login(
    client, oci_connection, monkeypatch, counted_password_hashes
):
    _checks_in_flight(oci_connection)

    def last_wrong_password_locks(seconds):
        Connection.objects.filter(pk=oci_connection.pk).update(
            failed_logins=0, locked_until=timezone.now() + LOCK_DURATION
        )

    monkeypatch.setattr(views, "_pause", last_wrong_password_locks)

    response = client.get(PUNCHIN_URL, _params())

    assert response.status_code == 429
    assert int(response["Retry-After"]) > LOCK_DURATION.total_seconds() - 60
    assert counted_password_hashes() == 0
    assert not PunchoutSession.objects.exists()


def test_a_punch_in_waits_for_checks_in_flight_at_most_the_claim_wait(
    client, oci_connection, monkeypatch, counted_password_hashes
):
    # Checks that never end (their processes died): refused after the wait, to
    # come back in a second.
    _checks_in_flight(oci_connection)
    monkeypatch.setattr(views, "CLAIM_WAIT_SECONDS", 0.2)

    response = client.get(PUNCHIN_URL, _params())

    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert counted_password_hashes() == 0
    assert not PunchoutSession.objects.exists()


@pytest.mark.parametrize(
    "hook_url",
    [
        "https://evil.example/hook",
        "http://srm.hospital.example/hook",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_hook_url_outside_the_allow_list_is_refused(client, hook_url):
    response = client.get(PUNCHIN_URL, _params(HOOK_URL=hook_url))

    assert response.status_code == 403
    assert b"HOOK_URL not allowed" in response.content
    assert not PunchoutSession.objects.exists()


def test_malformed_request_lists_every_problem(client):
    response = client.get(
        PUNCHIN_URL, _params(HOOK_URL=None, FUNCTION="VALIDATE", PRODUCTID=None)
    )

    assert response.status_code == 400
    assert b"PRODUCTID" in response.content
    assert b"QUANTITY" in response.content
    assert not PunchoutSession.objects.exists()


def test_missing_storefront_url_is_a_clear_503(client, oci_connection):
    oci_connection.storefront_url = ""
    oci_connection.save(update_fields=["storefront_url"])

    response = client.get(PUNCHIN_URL, _params())

    assert response.status_code == 503
    assert not PunchoutSession.objects.exists()


def test_other_methods_are_refused(client):
    assert client.put(PUNCHIN_URL).status_code == 405


def test_password_is_stored_hashed_with_a_real_hasher(settings, oci_connection):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    oci_connection.password = make_password(BUYER_PASSWORD)
    oci_connection.save(update_fields=["password"])

    oci_connection.refresh_from_db()
    assert oci_connection.password.startswith("pbkdf2_sha256$")
    assert BUYER_PASSWORD not in oci_connection.password
    assert check_password(BUYER_PASSWORD, oci_connection.password)


@pytest.mark.parametrize(
    ("parameter", "value", "status"),
    [
        ("USERNAME", f"{BUYER_LOGIN}\x00", 401),
        ("PASSWORD", f"{BUYER_PASSWORD}\x00", 401),
        ("HOOK_URL", f"{HOOK_URL}\x00", 403),
        ("~TARGET", "_top\x00", 400),
    ],
)
def test_nul_characters_are_refused_not_stored(client, parameter, value, status):
    response = client.get(PUNCHIN_URL, _params(**{parameter: value}))

    assert response.status_code == status
    assert not PunchoutSession.objects.exists()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_nul_in_the_charset_gets_a_400_with_a_message(client, method):
    # Seen in a fuzz run as a 500: "ValueError: embedded null character".
    params = _params(HTTP_CONTENT_CHARSET="utf-8\x00")
    if method == "GET":
        response = client.get(PUNCHIN_URL, params)
    else:
        response = client.post(
            PUNCHIN_URL,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 400
    assert "unknown charset" in response.content.decode()
    assert PunchoutSession.objects.count() == 0
    assert InboundMessage.objects.get().http_status == 400
