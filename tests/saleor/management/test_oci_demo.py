"""``manage.py oci_demo``: the demo data, made once, and the round trip through HTTP."""

import io
import json
import os
import re
import stat
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, TestCase
from django.utils import timezone
from saleor.app.models import App, AppToken
from saleor.channel.models import Channel
from saleor.order.models import Order
from saleor.product.models import Product, ProductVariant
from saleor.shipping.models import ShippingZone
from saleor.tax.models import TaxClass
from saleor.warehouse.models import Stock, Warehouse

from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation
from saleor_oci_plugin.demo import round_trip, shop
from saleor_oci_plugin.invoices.models import IssuedDocument
from saleor_oci_plugin.punchout import connections as service
from saleor_oci_plugin.punchout.models import Connection, PunchoutSession, Transfer
from saleor_oci_plugin.purchase_orders.models import ReceivedPurchaseOrder

NOORD_INVOICE_EMAIL = "crediteuren.noord@ziekenhuis-oost.example"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("oci_demo", *args, stdout=out)
    return out.getvalue()


class _CommittingClient(Client):
    """Django's test Client that runs what waits for a request's transaction to
    commit once the request is done, as Saleor's test client does: a test runs in
    one transaction that never commits, where the command's requests commit."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def commits(monkeypatch):
    """The round trip's requests commit, so its invoice is e-mailed at once."""
    monkeypatch.setattr(round_trip, "Client", _CommittingClient)


def _counts() -> dict[str, int]:
    return {
        "channel": Channel.objects.filter(slug=shop.CHANNEL_SLUG).count(),
        "tax classes": TaxClass.objects.filter(
            name__in=shop.TAX_CLASS_NAMES.values()
        ).count(),
        "warehouse": Warehouse.objects.filter(slug="oci-demo-utrecht").count(),
        "shipping zone": ShippingZone.objects.filter(
            channels__slug=shop.CHANNEL_SLUG
        ).count(),
        "products": Product.objects.filter(slug__startswith="oci-demo-").count(),
        "variants": ProductVariant.objects.filter(
            sku__in=[product.sku for product in shop.PRODUCTS]
        ).count(),
        "stock": Stock.objects.filter(warehouse__slug="oci-demo-utrecht").count(),
        "organisation": BuyerOrganisation.objects.filter(
            name=shop.ORGANISATION_NAME
        ).count(),
        "branches": Branch.objects.filter(
            organisation__name=shop.ORGANISATION_NAME
        ).count(),
        "connection": Connection.objects.filter(login_name=shop.LOGIN_NAME).count(),
        "app": App.objects.filter(identifier=shop.APP_IDENTIFIER).count(),
        "app token": AppToken.objects.filter(
            app__identifier=shop.APP_IDENTIFIER
        ).count(),
    }


@pytest.mark.django_db
def test_setup_twice_creates_each_object_once():
    first = run("setup")
    after_first = _counts()
    second = run("setup")

    assert after_first == {
        "channel": 1,
        "tax classes": 2,
        "warehouse": 1,
        "shipping zone": 1,
        "products": len(shop.PRODUCTS),
        "variants": len(shop.PRODUCTS),
        "stock": len(shop.PRODUCTS),
        "organisation": 1,
        "branches": 2,
        "connection": 1,
        "app": 1,
        "app token": 1,
    }
    assert _counts() == after_first
    # The secrets are shown when set, and only then.
    assert shop.DEFAULT_PASSWORD in first
    assert shop.DEFAULT_PASSWORD not in second
    assert "nothing created" in second
    connection = Connection.objects.get(login_name=shop.LOGIN_NAME)
    assert connection.branch.code == "NOORD"
    assert connection.channel.slug == shop.CHANNEL_SLUG
    assert connection.order_token_hash
    assert all(
        branch.delivery_address and branch.invoice_address
        for branch in Branch.objects.all()
    )
    assert BuyerOrganisation.objects.get().invoice_email == (
        "crediteuren@ziekenhuis-oost.example"
    )
    assert {branch.code: branch.invoice_email for branch in Branch.objects.all()} == {
        "NOORD": NOORD_INVOICE_EMAIL,
        "ZUID": "crediteuren.zuid@ziekenhuis-oost.example",
    }
    assert f"Locatie Noord: {NOORD_INVOICE_EMAIL}" in first
    assert {p.metadata["nzi_code"] for p in Product.objects.all()} >= {"46110"}


@pytest.mark.django_db
def test_setup_with_new_tokens_replaces_them():
    run("setup")
    connection = Connection.objects.get(login_name=shop.LOGIN_NAME)
    old_hash = connection.order_token_hash

    output = run("setup", "--new-tokens")

    connection.refresh_from_db()
    assert connection.order_token_hash != old_hash
    assert AppToken.objects.filter(app__identifier=shop.APP_IDENTIFIER).count() == 1
    assert "App token (MANAGE_ORDERS)" in output
    assert "set earlier" in output  # the password was not set again


@pytest.mark.django_db
def test_setup_again_gives_back_emptied_invoice_addresses_and_keeps_others():
    run("setup")
    organisation = BuyerOrganisation.objects.get()
    service.update_organisation(organisation, {"invoice_email": ""})
    zuid = Branch.objects.get(code="ZUID")
    service.update_branch(zuid, {"invoice_email": ""})
    noord = Branch.objects.get(code="NOORD")
    service.update_branch(noord, {"invoice_email": "ap@elders.example"})

    output = run("setup")

    organisation.refresh_from_db()
    zuid.refresh_from_db()
    noord.refresh_from_db()
    assert organisation.invoice_email == shop.ORGANISATION_INVOICE_EMAIL
    assert zuid.invoice_email == "crediteuren.zuid@ziekenhuis-oost.example"
    assert noord.invoice_email == "ap@elders.example"  # the operator's own
    assert "invoice e-mail addresses (Ziekenhuis Oost, Locatie Zuid)" in output


@pytest.mark.django_db
def test_headless_runs_the_round_trip_to_an_order(media_root, commits):
    """``media_root``: the invoice's XML goes to a temporary folder, not the
    working directory (Saleor's test settings)."""
    output = run("headless", "--po-number", "4500077001")

    order = Order.objects.get()
    assert order.external_reference.endswith(":4500077001")
    assert order.metadata["oci.po_number"] == "4500077001"
    transfer = Transfer.objects.get()
    assert f"Saleor order      {order.number} " in output
    assert transfer.reference in output
    assert "4500077001" in output
    assert transfer.session.status == PunchoutSession.Status.TRANSFERRED
    assert ReceivedPurchaseOrder.objects.get().order == order
    # The orderer SAP named at punch-in, on the cost centre chosen in the session.
    assert order.user.email == "j.devries@ziekenhuis-oost.example"
    assert order.metadata["oci.cost_centre"] == "KP-4712"
    assert transfer.session.member.user == order.user
    assert (
        "  orderer           Jan de Vries <j.devries@ziekenhuis-oost.example>; "
        "cost centre KP-4712 chosen in the session\n"
    ) in output
    assert "for j.devries@ziekenhuis-oost.example, cost centre KP-4712" in output
    assert re.search(r"invoice {11}\S", output)
    # E-mailed to the connection's branch (Saleor's test settings: locmem).
    document = IssuedDocument.objects.get()
    [message] = mail.outbox
    assert message.to == [NOORD_INVOICE_EMAIL]
    assert f"{document.number}.xml" in [name for name, _, _ in message.attachments]
    assert document.sent_to == NOORD_INVOICE_EMAIL
    assert (
        f"  e-mailed          {NOORD_INVOICE_EMAIL} (through "
        "django.core.mail.backends.locmem.EmailBackend)\n"
    ) in output
    assert "all steps passed" in output
    # The run's own App token is gone again.
    assert AppToken.objects.filter(app__identifier=shop.APP_IDENTIFIER).count() == 1


@pytest.mark.django_db
def test_headless_names_the_mail_file(media_root, commits, settings, tmp_path):
    settings.EMAIL_BACKEND = round_trip.FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    # A mail of an earlier demo database's first invoice, in the same folder and
    # newer: not this run's.
    (tmp_path / "mail").mkdir()
    earlier = tmp_path / "mail" / "20260101-000000-1.log"
    earlier.write_text(f'filename="OCI-{timezone.now().year}-00001.xml"')
    os.utime(earlier, (time.time() + 3600, time.time() + 3600))

    output = run("headless")

    document = IssuedDocument.objects.get()
    match = re.search(
        rf"  e-mailed {{10}}{NOORD_INVOICE_EMAIL} \((?P<file>.+\.log)\)\n", output
    )
    assert match, output
    mail_file = Path(match["file"])
    assert mail_file.parent == tmp_path / "mail"
    assert mail_file.name != "20260101-000000-1.log"
    assert f'filename="{document.number}.xml"' in mail_file.read_text()


@pytest.mark.django_db
def test_headless_reports_an_invoice_that_was_not_emailed(
    media_root, commits, settings, tmp_path
):
    # A file where the backend wants a folder: it refuses every mail.
    settings.EMAIL_BACKEND = round_trip.FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path / "not-a-folder")
    (tmp_path / "not-a-folder").write_text("")

    output = run("headless")

    document = IssuedDocument.objects.get()
    assert document.sent_at is None
    assert document.delivery_error
    assert output.startswith(
        "OCI round trip without a person: invoice issued, but NOT E-MAILED.\n"
    )
    assert f"  e-mailed          NO: {document.delivery_error}\n" in output


@pytest.mark.django_db
def test_headless_names_the_failing_step():
    run("setup")

    with pytest.raises(CommandError, match="step 'punch-in'.*refused"):
        run("headless", "--password", "not-the-demo-password")

    assert not Order.objects.exists()


def _read_env_file(path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def _app_name_with(token: str) -> str | None:
    """The App a token signs in as, asked over /graphql/ (None when refused)."""
    response = Client().post(
        "/graphql/",
        json.dumps({"query": "{ app { name } orders(first: 1) { totalCount } }"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    content = response.json()
    if response.status_code != 200 or content.get("errors"):
        return None
    assert content["data"]["orders"]["totalCount"] == 0  # MANAGE_ORDERS
    return content["data"]["app"]["name"]


@pytest.mark.django_db
def test_setup_env_file_holds_the_simulators_secrets(tmp_path):
    env_file = tmp_path / "simulator.env"

    output = run("setup", "--env-file", str(env_file))

    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    values = _read_env_file(env_file)
    connection = Connection.objects.get(login_name=shop.LOGIN_NAME)
    assert values["OCI_SIMULATOR_PASSWORD"] == shop.DEFAULT_PASSWORD
    assert values["OCI_SIMULATOR_CXML_SECRET"] == shop.DEFAULT_CXML_SECRET
    assert values["OCI_DEMO_LOGIN"] == shop.LOGIN_NAME
    assert values["OCI_DEMO_CXML_IDENTITY"] == shop.CXML_IDENTITY
    assert values["OCI_DEMO_CONNECTION_ID"] in output
    assert _app_name_with(values["OCI_SIMULATOR_APP_TOKEN"]) == shop.APP_NAME
    # The run's token is in the file only; the App's own token stays beside it.
    assert values["OCI_SIMULATOR_APP_TOKEN"] not in output
    assert f"in {env_file}" in output
    assert {token.name for token in AppToken.objects.all()} == {
        shop.APP_TOKEN_NAME,
        shop.APP_RUN_TOKEN_NAME,
    }
    assert connection.storefront_url == shop.DEFAULT_STOREFRONT_URL


@pytest.mark.django_db
def test_setup_env_file_again_revokes_the_previous_runs_token(tmp_path):
    first, second = tmp_path / "first.env", tmp_path / "second.env"
    # Left by someone else, readable by all: still ends up 0600.
    second.write_text("stale\n")
    second.chmod(0o644)
    run("setup", "--env-file", str(first))

    run("setup", "--env-file", str(second))

    assert stat.S_IMODE(second.stat().st_mode) == 0o600
    old_token = _read_env_file(first)["OCI_SIMULATOR_APP_TOKEN"]
    new_token = _read_env_file(second)["OCI_SIMULATOR_APP_TOKEN"]
    assert _app_name_with(old_token) is None
    assert _app_name_with(new_token) == shop.APP_NAME
    assert AppToken.objects.filter(name=shop.APP_RUN_TOKEN_NAME).count() == 1


@pytest.mark.django_db
def test_setup_env_file_refuses_a_password_it_does_not_know(tmp_path):
    run("setup")
    connection = Connection.objects.get(login_name=shop.LOGIN_NAME)
    service.set_connection_password(connection, "een-ander-wachtwoord-2026")
    env_file = tmp_path / "simulator.env"

    with pytest.raises(CommandError, match="password.*--password"):
        run("setup", "--env-file", str(env_file))
    assert not env_file.exists()

    run(
        "setup",
        "--env-file",
        str(env_file),
        "--password",
        "een-ander-wachtwoord-2026",
    )
    values = _read_env_file(env_file)
    assert values["OCI_SIMULATOR_PASSWORD"] == "een-ander-wachtwoord-2026"


@pytest.mark.django_db
def test_setup_again_fixes_the_storefront_url_and_allow_list():
    run("setup")
    connection = Connection.objects.get(login_name=shop.LOGIN_NAME)
    service.update_connection(
        connection,
        {
            "storefront_url": "http://localhost:3000/punchout",
            "hook_url_allowlist": ["https://srm.example"],
            "allow_http_hook_url": False,
        },
    )

    run(
        "setup",
        "--storefront-url",
        "http://127.0.0.1:3001/punchout",
        "--allow",
        "http://127.0.0.1:8801",
    )

    connection.refresh_from_db()
    assert connection.storefront_url == "http://127.0.0.1:3001/punchout"
    assert connection.hook_url_allowlist == ["http://127.0.0.1:8801"]
    assert connection.allow_http_hook_url
