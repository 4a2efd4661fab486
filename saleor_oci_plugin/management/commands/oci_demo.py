"""``manage.py oci_demo``: the demo shop, and the whole round trip without a person.

    manage.py oci_demo setup [--password P] [--cxml-secret S] [--allow ENTRY] ...
        [--storefront-url URL] [--shop-url URL] [--new-tokens]
    manage.py oci_demo headless [--password P] [--cxml-secret S] [--hook-url URL]
        [--po-number N]

``setup`` creates, in the current Saleor database and only where missing, a small
Dutch gift shop in channel ``oci-demo`` and the buyer "Ziekenhuis Oost" with its
punch-out connection (``saleor_oci_plugin.demo.shop``), then prints the URLs,
login and tokens. Secrets are stored hashed: each is printed in the run that sets
it, never again. The password and cXML secret are demo values unless given (also
as ``$OCI_DEMO_PASSWORD`` and ``$OCI_DEMO_CXML_SECRET``, kept out of ``ps``).

``headless`` sets up what is missing, then runs punch-in, shopping, transfer,
purchase order (cXML), Saleor order and invoice through HTTP in this process
(``saleor_oci_plugin.demo.round_trip``) and prints one summary. It exits with
status 1 naming the step that failed; an invoice that is not issued is reported
in the summary, not as a failure.
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
            ("Customer account", demo.customer.email),
        ]
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


def _summary(demo: shop.DemoShop, result: round_trip.RoundTripResult) -> str:
    issued = result.invoice_status == "SUCCESS"
    headline = (
        "OCI round trip without a person: all steps passed."
        if issued
        else "OCI round trip without a person: order placed, but NO INVOICE."
    )
    lines = [headline]
    if demo.created:
        lines.append(
            "  demo data         created now; `oci_demo setup` prints its URLs and "
            "logins (`--new-tokens` for tokens)"
        )
    lines += [
        f"  punch-in          {result.login} -> 303 to the storefront with an "
        f"oci_code; HOOK_URL {result.hook_url}",
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
    ]
    if issued:
        lines.append(f"  invoice           {result.invoice_number} (SUCCESS)")
    else:
        lines.append(
            f"  invoice           not issued: {result.invoice_status}"
            + (f": {result.invoice_message}" if result.invoice_message else "")
        )
    lines.append(f"  validation        {result.validation or 'no validation recorded'}")
    return "\n".join(lines)


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
