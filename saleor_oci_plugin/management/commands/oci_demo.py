"""``manage.py oci_demo``: the demo shop, and the whole round trip without a person.

    manage.py oci_demo setup [--password P] [--cxml-secret S] [--allow ENTRY] ...
        [--storefront-url URL] [--shop-url URL] [--new-tokens] [--env-file PATH]
    manage.py oci_demo headless [--password P] [--cxml-secret S] [--hook-url URL]
        [--po-number N]

``setup`` creates, in the current Saleor database and only where missing, a small
Dutch gift shop in channel ``oci-demo`` and the buyer "Ziekenhuis Oost" with its
punch-out connection (``saleor_oci_plugin.demo.shop``), then prints the URLs,
login and tokens. Secrets are stored hashed: each is printed in the run that sets
it, never again. The password and cXML secret are demo values unless given (also
as ``$OCI_DEMO_PASSWORD`` and ``$OCI_DEMO_CXML_SECRET``, kept out of ``ps``).

``--env-file PATH`` is for ``scripts/demo``, which starts the simulator: it writes
what the simulator needs to PATH (mode 0600), one ``NAME=value`` a line, unquoted:
``OCI_SIMULATOR_PASSWORD``, ``OCI_SIMULATOR_CXML_SECRET`` (the ones given, else the
demo's, checked against the stored hashes), ``OCI_SIMULATOR_APP_TOKEN`` (a new App
token for this run, replacing the previous run's; never printed), and the
non-secret ``OCI_DEMO_CONNECTION_ID``, ``OCI_DEMO_LOGIN``, ``OCI_DEMO_CXML_IDENTITY``.

``headless`` sets up what is missing, then runs punch-in, shopping, transfer,
purchase order (cXML), Saleor order and invoice through HTTP in this process
(``saleor_oci_plugin.demo.round_trip``) and prints one summary, with where the
invoice was e-mailed (through Saleor's e-mail settings, ``EMAIL_URL``). It exits
with status 1 naming the step that failed; an invoice that is not issued or not
e-mailed is reported in the summary, not as a failure.
"""

import os
from argparse import ArgumentParser
from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...demo import round_trip, shop
from ...simulator.requisitions import plain_number
from ...simulator.settings import CXML_ORDERS_PATH, GRAPHQL_PATH, PUNCHIN_PATH

UBL_ORDERS_PATH = "/plugins/global/oci.punchout/orders/ubl"
DEFAULT_SHOP_URL = "http://127.0.0.1:8000"
PASSWORD_VARIABLE = "OCI_DEMO_PASSWORD"
CXML_SECRET_VARIABLE = "OCI_DEMO_CXML_SECRET"


class Command(BaseCommand):
    help = (
        "The OCI demo: 'setup' makes a Dutch gift shop and one buyer in this "
        "database; 'headless' runs the whole round trip through HTTP."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        setup = actions.add_parser(
            "setup",
            allow_abbrev=False,
            help="Create the demo shop, buyer, connection and App where missing.",
        )
        self._add_secrets(setup, "replaces the existing connection's")
        setup.add_argument(
            "--allow",
            action="append",
            metavar="ENTRY",
            help="HOOK_URL allow-list entry, repeatable (default: the simulator's "
            f"{', '.join(shop.DEFAULT_HOOK_URL_ALLOWLIST)}); replaces the list.",
        )
        setup.add_argument(
            "--storefront-url",
            help="Where punched-in buyers are sent (default "
            f"{shop.DEFAULT_STOREFRONT_URL}).",
        )
        setup.add_argument(
            "--shop-url",
            default=DEFAULT_SHOP_URL,
            help="The shop's base URL, for the URLs printed (default %(default)s).",
        )
        setup.add_argument(
            "--new-tokens",
            action="store_true",
            help="Replace the UBL Order token and the App token (printed once).",
        )
        setup.add_argument(
            "--env-file",
            metavar="PATH",
            help="Write the simulator's secrets (with a new App token for this run) "
            "to PATH, mode 0600, as NAME=value lines; they are not printed.",
        )

        headless = actions.add_parser(
            "headless",
            allow_abbrev=False,
            help="Run punch-in, cart, transfer, PO, order and invoice through HTTP.",
        )
        self._add_secrets(headless, "must be the connection's")
        headless.add_argument(
            "--hook-url",
            help="HOOK_URL sent at punch-in (default: the simulator's hook under "
            "the first allow-list entry).",
        )
        headless.add_argument(
            "--po-number", help="The ERP's order number (default: a new 45xxxxxxxx)."
        )

    @staticmethod
    def _add_secrets(parser: ArgumentParser, effect: str) -> None:
        parser.add_argument(
            "--password",
            default=os.environ.get(PASSWORD_VARIABLE),
            help=f"Punch-in password; {effect} (or ${PASSWORD_VARIABLE}; default "
            "the demo's).",
        )
        parser.add_argument(
            "--cxml-secret",
            default=os.environ.get(CXML_SECRET_VARIABLE),
            help=f"cXML shared secret; {effect} (or ${CXML_SECRET_VARIABLE}; "
            "default the demo's).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "setup":
                self._setup(options)
            else:
                self._headless(options)
        except ValidationError as error:
            raise CommandError(_describe(error)) from None

    # --- setup -----------------------------------------------------------------

    def _setup(self, options: dict[str, Any]) -> None:
        demo = shop.ensure_demo_shop(
            password=options["password"],
            cxml_secret=options["cxml_secret"],
            hook_url_allowlist=options["allow"],
            storefront_url=options["storefront_url"],
            new_tokens=options["new_tokens"],
        )
        base = options["shop_url"].rstrip("/")
        connection = demo.connection
        hidden = "(set earlier; stored hashed, not shown again)"
        connection_id = graphene.Node.to_global_id("OciConnection", connection.pk)
        if options["env_file"]:
            _write_env_file(options["env_file"], demo, options, connection_id)
        rows = [
            ("Saleor GraphQL API", base + GRAPHQL_PATH),
            ("Punch-in URL", base + PUNCHIN_PATH),
            ("USERNAME", connection.login_name),
            ("PASSWORD", demo.password or hidden),
            ("HOOK_URL allow-list", ", ".join(connection.hook_url_allowlist)),
            ("Storefront URL", connection.storefront_url or "(the plugin's)"),
            ("cXML OrderRequest", base + CXML_ORDERS_PATH),
            ("  identity", connection.cxml_identity),
            ("  shared secret", demo.cxml_secret or hidden),
            ("UBL Order", base + UBL_ORDERS_PATH),
            ("  bearer token", demo.order_token or hidden),
            ("App token (MANAGE_ORDERS)", demo.app_token or hidden),
            ("Connection ID (GraphQL)", connection_id),
            ("Buyer", _buyer(demo)),
            ("Invoices e-mailed to", _invoice_emails(demo)),
            ("Customer account", demo.customer.email),
        ]
        if options["env_file"]:
            rows.append(
                (
                    "Simulator secrets",
                    f"in {options['env_file']} (with a new App token for this run)",
                )
            )
        self.stdout.write(
            f"OCI demo in channel {demo.channel.slug} ({demo.channel.currency_code}, "
            f"{len(demo.products)} products): "
            + (
                "created " + "; ".join(demo.created) + "."
                if demo.created
                else "everything existed already; nothing created."
            )
        )
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self.stdout.write(f"  {label:<{width}}  {value}")

    # --- headless --------------------------------------------------------------

    def _headless(self, options: dict[str, Any]) -> None:
        try:
            demo = shop.ensure_demo_shop()
        except ValidationError as error:
            raise CommandError(
                f"The round trip failed at step 'setup': {_describe(error)}"
            ) from None
        try:
            result = round_trip.run_round_trip(
                demo,
                password=options["password"] or shop.DEFAULT_PASSWORD,
                cxml_secret=options["cxml_secret"] or shop.DEFAULT_CXML_SECRET,
                hook_url=options["hook_url"] or "",
                po_number=options["po_number"] or "",
            )
        except round_trip.RoundTripFailed as failure:
            raise CommandError(
                f"The round trip failed at step '{failure.step}': {failure.message}"
            ) from None
        self.stdout.write(_summary(demo, result))


def _write_env_file(
    path: str, demo: shop.DemoShop, options: dict[str, Any], connection_id: str
) -> None:
    """The simulator's settings for ``scripts/demo``, readable by the owner only."""
    connection = demo.connection
    try:
        password, cxml_secret = shop.known_secrets(
            connection, password=options["password"], cxml_secret=options["cxml_secret"]
        )
    except ValueError as unknown:
        raise CommandError(
            f"--env-file: the connection's {unknown} was set to something other than "
            f"the demo's; give it with --password (${PASSWORD_VARIABLE}) or "
            f"--cxml-secret (${CXML_SECRET_VARIABLE})."
        ) from None
    values = {
        "OCI_SIMULATOR_PASSWORD": password,
        "OCI_SIMULATOR_CXML_SECRET": cxml_secret,
        "OCI_SIMULATOR_APP_TOKEN": "",
        "OCI_DEMO_CONNECTION_ID": connection_id,
        "OCI_DEMO_LOGIN": connection.login_name,
        "OCI_DEMO_CXML_IDENTITY": connection.cxml_identity,
    }
    if any("\n" in value or "\r" in value for value in values.values()):
        raise CommandError("--env-file: a value holds a line break; not written.")
    values["OCI_SIMULATOR_APP_TOKEN"] = shop.issue_run_app_token(demo.app)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as env_file:
            # An existing file keeps its mode through O_CREAT: set it.
            os.fchmod(descriptor, 0o600)
            env_file.writelines(f"{name}={value}\n" for name, value in values.items())
    except OSError as error:
        raise CommandError(f"--env-file: cannot write {path}: {error}") from None


def _summary(demo: shop.DemoShop, result: round_trip.RoundTripResult) -> str:
    issued = result.invoice_status == "SUCCESS"
    if not issued:
        headline = "OCI round trip without a person: order placed, but NO INVOICE."
    elif result.invoice_delivery_error and not result.invoice_sent_to:
        headline = "OCI round trip without a person: invoice issued, but NOT E-MAILED."
    else:
        headline = "OCI round trip without a person: all steps passed."
    lines = [headline]
    if demo.created:
        lines.append(
            "  demo data         created now; `oci_demo setup` prints its URLs and "
            "logins (`--new-tokens` for tokens)"
        )
    lines += [
        f"  punch-in          {result.login} -> 303 to the storefront with an "
        f"oci_code; HOOK_URL {result.hook_url}",
        f"  orderer           {result.orderer}; cost centre {result.cost_centre} "
        "chosen in the session",
        f"  cart transferred  {len(result.lines)} lines, {result.currency} "
        f"{result.cart_net_total:.2f} net; transfer {result.transfer_id}"
        + (
            f" ({result.transfer_warnings} warnings)"
            if result.transfer_warnings
            else ""
        ),
    ]
    for line in result.lines:
        price = f"{line.unit_price:.2f}" if line.unit_price is not None else "-"
        lines.append(
            f"                      {plain_number(line.quantity)} x {line.sku:<11} "
            f"{price:>7}  "
            f"NZI {line.nzi_code or '-':<6} {line.description}"
        )
    lines += [
        f"  purchase order    {result.po_number} as cXML OrderRequest -> "
        f"{result.po_answer}",
        f"  Saleor order      {result.order_number} ({result.order_status}, "
        f"{result.order_total_gross} incl. VAT), external reference "
        f"{result.order_reference}",
        f"                    for {result.order_user_email}, cost centre "
        f"{result.order_cost_centre or '-'}",
    ]
    if issued:
        lines.append(f"  invoice           {result.invoice_number} (SUCCESS)")
        delivery = _delivery(result)
        if delivery:
            lines.append(f"  e-mailed          {delivery}")
    else:
        lines.append(
            f"  invoice           not issued: {result.invoice_status}"
            + (f": {result.invoice_message}" if result.invoice_message else "")
        )
    lines.append(f"  validation        {result.validation or 'no validation recorded'}")
    return "\n".join(lines)


def _delivery(result: round_trip.RoundTripResult) -> str:
    """The e-mail line's text; empty when the plugin recorded no document."""
    if result.invoice_sent_to:
        return f"{result.invoice_sent_to} ({result.invoice_mail})"
    if result.invoice_delivery_error:
        return f"NO: {result.invoice_delivery_error}"
    if result.invoice_document:
        return "not yet: queued for Saleor's Celery workers (CELERY_BROKER_URL)"
    return ""


def _invoice_emails(demo: shop.DemoShop) -> str:
    branches = "; ".join(
        f"{branch.name}: {branch.invoice_email}"
        for branch in demo.branches
        if branch.invoice_email
    )
    organisation = demo.organisation.invoice_email or "(no address)"
    return f"{branches}; else {organisation}" if branches else organisation


def _buyer(demo: shop.DemoShop) -> str:
    branches = ", ".join(
        f"{branch.name} ({branch.code}, cost centre {branch.default_cost_centre})"
        for branch in demo.branches
    )
    return f"{demo.organisation.name}: {branches}"


def _describe(error: ValidationError) -> str:
    """One line per refused setting, as the service layer reported it."""
    if hasattr(error, "error_dict"):
        return "Refused: " + "; ".join(
            f"{field}: {' '.join(message for e in errors for message in e.messages)}"
            for field, errors in error.error_dict.items()
        )
    return "Refused: " + " ".join(error.messages)
