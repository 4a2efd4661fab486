"""``manage.py oci_connection``: punch-out connections for operators without a Dashboard
extension.

It calls the same service layer as the GraphQL API (``punchout/connections.py``), so
a setting is checked the same way; a refusal is printed per option and the command
exits with status 1. A password is read from a prompt, from standard input
(``--password-stdin``) or from an environment variable (``--password-env NAME``),
never from the command line, where every user of the machine sees it in ``ps``; the
cXML shared secret likewise (``--secret-stdin``, ``--secret-env NAME``). A new UBL
Order token is printed once, alone on standard output (the rest goes to standard
error), so that a script can capture it; only its hash is stored.

    manage.py oci_connection list [--organisation ORG]
    manage.py oci_connection create-organisation NAME [--kvk-number N | --oin N] \\
        [--vat-number N] [--invoice-email ADDRESS]
    manage.py oci_connection set-address {invoice,delivery} --organisation ORG \\
        [--branch BRANCH] --street LINE --postcode CODE --city CITY --country CC \\
        [--company NAME] [--first-name NAME] [--last-name NAME] [--street2 LINE] \\
        [--city-area AREA] [--country-area AREA] [--phone NUMBER]
    manage.py oci_connection set-address {invoice,delivery} --organisation ORG \\
        [--branch BRANCH] --clear
    manage.py oci_connection create --organisation ORG --channel SLUG \\
        --customer EMAIL --login-name NAME [--allow https://srm.example.com] ...
    manage.py oci_connection set-password LOGIN_NAME [--password-stdin]
    manage.py oci_connection update LOGIN_NAME [--allow ENTRY] [--disallow ENTRY] \\
        [--allow-http | --no-allow-http] [--active | --inactive] [--unlock] \\
        [--allow-quantity-changes | --no-allow-quantity-changes] \\
        [--allow-direct-orders | --no-allow-direct-orders] \\
        [--price-tolerance PERCENT] [--cxml-identity IDENTITY] ...
    manage.py oci_connection set-cxml-secret LOGIN_NAME [--secret-stdin | --clear]
    manage.py oci_connection order-token LOGIN_NAME
    manage.py oci_connection revoke-order-token LOGIN_NAME
    manage.py oci_connection delete LOGIN_NAME [--yes]

ORG is an organisation's name or ID; a connection is named by its login name or ID.
``set-address`` sets (replaces) the invoice or delivery address of an organisation,
or of one of its branches with ``--branch``, checked with Saleor's address form
(Google's address data for the country, as Saleor's own GraphQL API checks them);
``--clear`` removes it. A refused address is not saved.
"""

import getpass
import os
import sys
from argparse import ArgumentParser, ArgumentTypeError, BooleanOptionalAction
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from saleor.account.models import User
from saleor.channel.models import Channel

from ...buyers.models import Branch, BuyerOrganisation, LegalIdScheme
from ...oci import OCIVersion
from ...punchout import connections as service
from ...punchout.models import Connection
from ..lookup import organisation_by_reference

# set-address: the option of each field of Saleor's Address.
_ADDRESS_OPTIONS = {
    "first_name": "--first-name",
    "last_name": "--last-name",
    "company_name": "--company",
    "street_address_1": "--street",
    "street_address_2": "--street2",
    "city": "--city",
    "city_area": "--city-area",
    "postal_code": "--postcode",
    "country": "--country",
    "country_area": "--country-area",
    "phone": "--phone",
}

# Where a refused setting came from, to name the option in the message.
_OPTION_OF_FIELD = {
    "name": "--name",
    "login_name": "--login-name",
    "organisation": "--organisation",
    "branch": "--branch",
    "channel": "--channel",
    "customer": "--customer",
    "hook_url_allowlist": "--allow",
    "allow_http_hook_url": "--allow-http",
    "allow_sapevent_hook_url": "--allow-sapevent",
    "is_active": "--active",
    "oci_version": "--oci-version",
    "nzi_field": "--nzi-field",
    "price_precision": "--price-precision",
    "storefront_url": "--storefront-url",
    "session_lifetime_minutes": "--session-lifetime",
    "allow_quantity_changes": "--allow-quantity-changes",
    "price_tolerance_percent": "--price-tolerance",
    "allow_direct_orders": "--allow-direct-orders",
    "cxml_identity": "--cxml-identity",
    "identity_parameters": "--identity-parameter",
    "create_unknown_orderers": "--create-unknown-orderers",
    "cost_centre_field": "--cost-centre-field",
    "protocol": "--protocol",
    "cxml_domains": "--cxml-domain",
    "cxml_form_field": "--cxml-form-field",
    "unspsc_attribute_slug": "--unspsc-attribute",
    "unspsc_default": "--unspsc-default",
    "cxml_shared_secret": "shared secret",
    # create-organisation names --oin instead when it was given.
    "legal_id": "--kvk-number",
    "vat_number": "--vat-number",
    "invoice_email": "--invoice-email",
}


class Command(BaseCommand):
    help = (
        "Manage OCI punch-out connections: list, create-organisation, set-address, "
        "create, set-password, update, "
        "set-cxml-secret, order-token, revoke-order-token, delete."
    )
    # Tests (and scripts) may hand over the stream a password is read from.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        # Every action has allow_abbrev=False: "--password" must not become
        # "--password-stdin" or "--password-env".

        listing = actions.add_parser(
            "list", allow_abbrev=False, help="List the connections."
        )
        listing.add_argument("--organisation", help="Only this organisation's.")

        organisation = actions.add_parser(
            "create-organisation",
            allow_abbrev=False,
            help="Create a buyer organisation.",
        )
        organisation.add_argument("organisation_name", metavar="NAME")
        legal_id = organisation.add_mutually_exclusive_group()
        legal_id.add_argument(
            "--kvk-number",
            default="",
            metavar="N",
            help="Its Chamber of Commerce (KvK) number, 8 digits.",
        )
        legal_id.add_argument(
            "--oin",
            default="",
            metavar="N",
            help="Its OIN instead, 20 digits: the number that identifies a Dutch "
            "public body (municipality, province, water board) on invoices.",
        )
        organisation.add_argument("--vat-number", default="")
        organisation.add_argument(
            "--invoice-email",
            default="",
            metavar="ADDRESS",
            help="Where its invoices are e-mailed (and its branches', unless they "
            "have their own).",
        )

        address = actions.add_parser(
            "set-address",
            allow_abbrev=False,
            help="Set or remove an organisation's or branch's invoice or delivery "
            "address.",
        )
        address.add_argument("kind", choices=("invoice", "delivery"))
        address.add_argument(
            "--organisation", required=True, help="Organisation name or ID."
        )
        address.add_argument(
            "--branch", help="Branch code, name or ID: the branch's address."
        )
        for field, option in _ADDRESS_OPTIONS.items():
            address.add_argument(option, dest=f"address_{field}", metavar="TEXT")
        address.add_argument("--clear", action="store_true", help="Remove the address.")

        create = actions.add_parser(
            "create", allow_abbrev=False, help="Create a connection."
        )
        create.add_argument(
            "--organisation", required=True, help="Organisation name or ID."
        )
        create.add_argument("--channel", required=True, help="Channel slug.")
        create.add_argument(
            "--customer", required=True, help="E-mail of the customer account."
        )
        create.add_argument(
            "--login-name", required=True, help="The USERNAME the buyer sends."
        )
        create.add_argument("--name", help="Name of the connection (the login name).")
        create.add_argument("--branch", help="Branch code, name or ID.")
        create.add_argument(
            "--allow",
            action="append",
            default=[],
            metavar="ENTRY",
            help="HOOK_URL allow-list entry https://host[:port][/path]; repeatable.",
        )
        create.add_argument("--allow-http", action="store_true")
        create.add_argument("--allow-sapevent", action="store_true")
        create.add_argument("--inactive", action="store_true")
        self._add_settings(create)
        self._add_password_source(create)

        set_password = actions.add_parser(
            "set-password",
            allow_abbrev=False,
            help="Replace a connection's password; lifts a lock.",
        )
        set_password.add_argument("connection", help="Login name or ID.")
        self._add_password_source(set_password)

        update = actions.add_parser(
            "update", allow_abbrev=False, help="Change a connection."
        )
        update.add_argument("connection", help="Login name or ID.")
        update.add_argument("--name")
        update.add_argument("--login-name")
        update.add_argument("--channel", help="Channel slug.")
        update.add_argument("--customer", help="E-mail of the customer account.")
        update.add_argument("--branch", help="Branch code, name or ID; '' for none.")
        update.add_argument(
            "--allow",
            action="append",
            default=[],
            metavar="ENTRY",
            help="Add an allow-list entry; repeatable.",
        )
        update.add_argument(
            "--disallow",
            action="append",
            default=[],
            metavar="ENTRY",
            help="Remove an allow-list entry; repeatable.",
        )
        update.add_argument("--allow-http", action=BooleanOptionalAction)
        update.add_argument("--allow-sapevent", action=BooleanOptionalAction)
        activity = update.add_mutually_exclusive_group()
        activity.add_argument("--active", action="store_true", default=None)
        activity.add_argument("--inactive", action="store_false", dest="active")
        update.add_argument(
            "--unlock", action="store_true", help="Lift a lock after wrong passwords."
        )
        self._add_settings(update)

        cxml_secret = actions.add_parser(
            "set-cxml-secret",
            allow_abbrev=False,
            help="Replace or remove a connection's cXML shared secret.",
        )
        cxml_secret.add_argument("connection", help="Login name or ID.")
        secret_source = cxml_secret.add_mutually_exclusive_group()
        secret_source.add_argument(
            "--secret-stdin",
            action="store_true",
            help="Read the secret from the first line of standard input.",
        )
        secret_source.add_argument(
            "--secret-env",
            metavar="VARIABLE",
            help="Read the secret from this environment variable.",
        )
        secret_source.add_argument(
            "--clear", action="store_true", help="Remove the secret."
        )

        order_token = actions.add_parser(
            "order-token",
            allow_abbrev=False,
            help="Issue a new UBL Order bearer token, replacing the previous one; "
            "it is printed once.",
        )
        order_token.add_argument("connection", help="Login name or ID.")

        revoke = actions.add_parser(
            "revoke-order-token",
            allow_abbrev=False,
            help="Revoke a connection's UBL Order bearer token.",
        )
        revoke.add_argument("connection", help="Login name or ID.")

        delete = actions.add_parser(
            "delete",
            allow_abbrev=False,
            help="Delete a connection with its punch-out sessions.",
        )
        delete.add_argument("connection", help="Login name or ID.")
        delete.add_argument("--yes", action="store_true", help="Do not ask.")

    @staticmethod
    def _add_settings(parser: ArgumentParser) -> None:
        parser.add_argument("--oci-version", choices=[str(v) for v in OCIVersion])
        parser.add_argument("--nzi-field", help="OCI field of the NZI code.")
        parser.add_argument("--price-precision", type=int, metavar="PLACES")
        parser.add_argument(
            "--storefront-url", help="Absolute http(s) URL; '' for the plugin's."
        )
        parser.add_argument(
            "--session-lifetime",
            type=int,
            metavar="MINUTES",
            help="1 to 1440; 0 for the plugin's.",
        )
        parser.add_argument(
            "--allow-quantity-changes",
            action=BooleanOptionalAction,
            help="Let purchase orders order other quantities than the cart.",
        )
        parser.add_argument(
            "--price-tolerance",
            type=_decimal,
            metavar="PERCENT",
            help="How far a purchase order's unit prices may differ from the "
            "cart's: 0 to 100, at most two decimals.",
        )
        parser.add_argument(
            "--allow-direct-orders",
            action=BooleanOptionalAction,
            help="Place purchase orders that name no transferred cart.",
        )
        parser.add_argument(
            "--cxml-identity",
            metavar="IDENTITY",
            help="The cXML From credential identity naming the connection; '' for "
            "none.",
        )
        parser.add_argument(
            "--identity-parameter",
            action="append",
            metavar="VALUE=NAME",
            help="A punch-in parameter name of the orderer's user_id, email, "
            "first_name or last_name, besides the defaults (e.g. user_id=SY_UNAME); "
            "repeat for more. Replaces the stored names; 'none' removes them all.",
        )
        parser.add_argument(
            "--create-unknown-orderers",
            action=BooleanOptionalAction,
            help="Create an orderer the shop does not know yet at punch-in.",
        )
        parser.add_argument(
            "--cost-centre-field",
            metavar="FIELD",
            help="OCI field of the orderer's cost centre (default CUST_FIELD5).",
        )
        parser.add_argument(
            "--protocol",
            choices=("oci", "cxml", "both"),
            help="The punch-out the procurement system speaks (cxml: "
            "PunchOutSetupRequest at .../cxml/setup).",
        )
        parser.add_argument(
            "--cxml-domain",
            action="append",
            metavar="DOMAIN",
            help="A From credential domain accepted with --cxml-identity (e.g. "
            "NetworkID); repeat for more. Replaces the stored ones; 'none': any.",
        )
        parser.add_argument(
            "--cxml-form-field",
            choices=("cxml-urlencoded", "cxml-base64", "both"),
            help="The form field the PunchOutOrderMessage is posted in.",
        )
        parser.add_argument(
            "--unspsc-attribute",
            metavar="SLUG",
            help="Product attribute holding a product's UNSPSC code (default unspsc).",
        )
        parser.add_argument(
            "--unspsc-default",
            metavar="CODE",
            help="UNSPSC code of products without one ('' for none).",
        )

    @staticmethod
    def _add_password_source(parser: ArgumentParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )
        source.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="Read the password from this environment variable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdin: TextIO = options.get("stdin") or sys.stdin
        action = options["action"]
        try:
            if action == "list":
                self._list(options)
            elif action == "create-organisation":
                self._create_organisation(options)
            elif action == "set-address":
                self._set_address(options)
            elif action == "create":
                self._create(options)
            elif action == "set-password":
                self._set_password(options)
            elif action == "update":
                self._update(options)
            elif action == "set-cxml-secret":
                self._set_cxml_secret(options)
            elif action == "order-token":
                self._order_token(options)
            elif action == "revoke-order-token":
                self._revoke_order_token(options)
            elif action == "delete":
                self._delete(options)
        except ValidationError as error:
            raise CommandError(_describe(error)) from None

    # --- actions ---------------------------------------------------------------

    def _list(self, options: dict[str, Any]) -> None:
        connections = Connection.objects.select_related(
            "organisation", "branch", "channel", "customer"
        )
        if options["organisation"]:
            organisation = organisation_by_reference(options["organisation"])
            connections = connections.filter(organisation=organisation)
        if not connections:
            self.stdout.write("No connections.")
            return
        for connection in connections:
            state = "active" if connection.is_active else "inactive"
            if connection.locked_until:
                state += f", locked until {connection.locked_until:%Y-%m-%d %H:%M}"
            where = connection.organisation.name
            if connection.branch:
                where += f" / {connection.branch.name}"
            allowed = ", ".join(connection.hook_url_allowlist) or "(none)"
            # Whether the credentials exist, never their hashes.
            cxml = connection.cxml_identity or "-"
            if connection.cxml_shared_secret:
                cxml += " (secret set)"
            order_token = "yes" if connection.order_token_hash else "no"
            self.stdout.write(
                f"{connection.pk}  {connection.login_name}  {connection.name!r}  "
                f"{where}  channel={connection.channel.slug}  "
                f"customer={connection.customer.email}  {state}  allow: {allowed}  "
                f"cxml={cxml}  order-token={order_token}  "
                f"punch-out={connection.protocol}"
            )

    def _create_organisation(self, options: dict[str, Any]) -> None:
        data: service.OrganisationData = {
            "name": options["organisation_name"],
            "legal_id": options["kvk_number"],
            "vat_number": options["vat_number"],
            "invoice_email": options["invoice_email"],
        }
        if options["oin"]:
            data["legal_id"] = options["oin"]
            data["legal_id_scheme"] = LegalIdScheme.OIN.value
        try:
            organisation = service.create_organisation(data)
        except ValidationError as error:
            options_of_fields = {"legal_id": "--oin"} if options["oin"] else {}
            raise CommandError(_describe(error, options_of_fields)) from None
        self.stdout.write(
            f"Created organisation {organisation.pk} {organisation.name!r}."
        )

    def _set_address(self, options: dict[str, Any]) -> None:
        organisation = organisation_by_reference(options["organisation"])
        branch = _branch(organisation, options["branch"]) if options["branch"] else None
        field = f"{options['kind']}_address"
        given = {
            name: options[f"address_{name}"].strip()
            for name in _ADDRESS_OPTIONS
            if options[f"address_{name}"] is not None
        }
        if options["clear"] and given:
            raise CommandError("--clear removes the address: give no address with it.")
        if not options["clear"] and not given:
            raise CommandError(
                "Give the address (--street, --postcode, --city, --country, ...) or "
                "--clear to remove it."
            )
        data = None if options["clear"] else given
        owner_name = f"{organisation.name!r}"
        if branch is None:
            service.update_organisation(organisation, {field: data})  # type: ignore[misc]
            address = getattr(organisation, field)
        else:
            service.update_branch(branch, {field: data})  # type: ignore[misc]
            address = getattr(branch, field)
            owner_name += f" / {branch.name!r}"
        if address is None:
            self.stdout.write(f"Removed the {options['kind']} address of {owner_name}.")
            return
        self.stdout.write(
            f"Set the {options['kind']} address of {owner_name}: "
            + ", ".join(
                part
                for part in (
                    address.company_name,
                    f"{address.first_name} {address.last_name}".strip(),
                    address.street_address_1,
                    address.street_address_2,
                    f"{address.postal_code} {address.city}".strip(),
                    address.country_area,
                    address.country.code,
                )
                if part
            )
            + "."
        )

    def _create(self, options: dict[str, Any]) -> None:
        organisation = organisation_by_reference(options["organisation"])
        settings: service.ConnectionData = {
            "name": options["name"] or options["login_name"],
            "login_name": options["login_name"],
            "channel_id": _channel(options["channel"]).pk,
            "customer_id": _customer(options["customer"]).pk,
            "hook_url_allowlist": options["allow"],
            "allow_http_hook_url": options["allow_http"],
            "allow_sapevent_hook_url": options["allow_sapevent"],
            "is_active": not options["inactive"],
            **_settings(options),  # type: ignore[typeddict-item]
        }
        if options["branch"]:
            settings["branch_id"] = _branch(organisation, options["branch"]).pk
        password = self._read_password(options)
        connection = service.create_connection(organisation.pk, password, settings)
        self.stdout.write(
            f"Created connection {connection.pk} {connection.login_name!r} of "
            f"{organisation.name!r}."
        )

    def _set_password(self, options: dict[str, Any]) -> None:
        connection = _connection(options["connection"])
        password = self._read_password(options)
        service.set_connection_password(connection, password)
        self.stdout.write(f"Set the password of {connection.login_name!r}.")

    def _update(self, options: dict[str, Any]) -> None:
        connection = _connection(options["connection"])
        changes: service.ConnectionData = _settings(options)  # type: ignore[assignment]
        for option, field in (
            ("name", "name"),
            ("login_name", "login_name"),
            ("allow_http", "allow_http_hook_url"),
            ("allow_sapevent", "allow_sapevent_hook_url"),
            ("active", "is_active"),
        ):
            if options[option] is not None:
                changes[field] = options[option]  # type: ignore[literal-required]
        if options["channel"] is not None:
            changes["channel_id"] = _channel(options["channel"]).pk
        if options["customer"] is not None:
            changes["customer_id"] = _customer(options["customer"]).pk
        if options["branch"] is not None:
            changes["branch_id"] = (
                _branch(connection.organisation, options["branch"]).pk
                if options["branch"]
                else None
            )
        if options["allow"] or options["disallow"]:
            removed = set(options["disallow"])
            unknown = removed - set(connection.hook_url_allowlist)
            if unknown:
                raise CommandError(
                    f"--disallow: not in the allow-list: {', '.join(sorted(unknown))}"
                )
            kept = [e for e in connection.hook_url_allowlist if e not in removed]
            changes["hook_url_allowlist"] = [*kept, *options["allow"]]
        if not changes and not options["unlock"]:
            raise CommandError("Nothing to change: give at least one option.")
        service.update_connection(connection, changes, unlock=options["unlock"])
        self.stdout.write(f"Updated connection {connection.login_name!r}.")

    def _set_cxml_secret(self, options: dict[str, Any]) -> None:
        connection = _connection(options["connection"])
        if options["clear"]:
            service.set_cxml_shared_secret(connection, "")
            self.stdout.write(
                f"Removed the cXML shared secret of {connection.login_name!r}."
            )
            return
        secret = self._read_secret(
            options["secret_env"],
            options["secret_stdin"],
            what="secret",
            stdin_option="--secret-stdin",
            env_option="--secret-env",
        )
        if not secret:
            # Removing is --clear; an empty line is more likely a mistake.
            raise CommandError("No secret given; to remove the secret, use --clear.")
        service.set_cxml_shared_secret(connection, secret)
        self.stdout.write(f"Set the cXML shared secret of {connection.login_name!r}.")

    def _order_token(self, options: dict[str, Any]) -> None:
        connection = _connection(options["connection"])
        replaced = bool(connection.order_token_hash)
        token = service.issue_order_token(connection)
        self.stderr.write(
            f"New UBL Order token of {connection.login_name!r}"
            + ("; the previous one no longer works" if replaced else "")
            + ". It is shown only now: give it to the buyer's access point.",
            style_func=str,  # a note, not an error: no red
        )
        self.stdout.write(token)

    def _revoke_order_token(self, options: dict[str, Any]) -> None:
        connection = _connection(options["connection"])
        if not connection.order_token_hash:
            self.stdout.write(f"{connection.login_name!r} has no order token.")
            return
        service.revoke_order_token(connection)
        self.stdout.write(f"Revoked the order token of {connection.login_name!r}.")

    def _delete(self, options: dict[str, Any]) -> None:
        connection = _connection(options["connection"])
        if not options["yes"]:
            if not self.stdin.isatty():
                raise CommandError("Not deleting without confirmation: add --yes.")
            self.stdout.write(
                f"Delete connection {connection.login_name!r} and its punch-out "
                "sessions? [y/N] ",
                ending="",
            )
            self.stdout.flush()
            answer = self.stdin.readline()
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Not deleted.")
        login_name = connection.login_name
        service.delete_connection(connection)
        self.stdout.write(f"Deleted connection {login_name!r}.")

    # --- reading input ---------------------------------------------------------

    def _read_password(self, options: dict[str, Any]) -> str:
        return self._read_secret(
            options["password_env"],
            options["password_stdin"],
            what="password",
            stdin_option="--password-stdin",
            env_option="--password-env",
        )

    def _read_secret(
        self,
        variable: str | None,
        from_stdin: bool,
        *,
        what: str,
        stdin_option: str,
        env_option: str,
    ) -> str:
        """A password or secret from an environment variable, stdin or a prompt."""
        if variable:
            value = os.environ.get(variable)
            if value is None:
                raise CommandError(f"{env_option}: the variable {variable} is unset.")
            return value
        if from_stdin:
            return self.stdin.readline().rstrip("\r\n")
        if not self.stdin.isatty():
            raise CommandError(
                f"No {what} given: use {stdin_option} or {env_option}, or run the "
                "command in a terminal to be asked for it."
            )
        value = getpass.getpass(f"{what.capitalize()}: ")
        if getpass.getpass(f"{what.capitalize()} (again): ") != value:
            raise CommandError(f"The {what}s differ.")
        return value


def _settings(options: dict[str, Any]) -> dict[str, Any]:
    """The settings both create and update take, where given."""
    settings: dict[str, Any] = {}
    if options["oci_version"] is not None:
        settings["oci_version"] = options["oci_version"]
    if options["nzi_field"] is not None:
        settings["nzi_field"] = options["nzi_field"]
    if options["price_precision"] is not None:
        settings["price_precision"] = options["price_precision"]
    if options["storefront_url"] is not None:
        settings["storefront_url"] = options["storefront_url"]
    if options["session_lifetime"] is not None:
        # 0: back to the plugin's lifetime (the service refuses other values < 1).
        lifetime = options["session_lifetime"]
        settings["session_lifetime_minutes"] = lifetime if lifetime != 0 else None
    for option, field in (
        ("allow_quantity_changes", "allow_quantity_changes"),
        ("price_tolerance", "price_tolerance_percent"),
        ("allow_direct_orders", "allow_direct_orders"),
        ("cxml_identity", "cxml_identity"),
        ("create_unknown_orderers", "create_unknown_orderers"),
        ("cost_centre_field", "cost_centre_field"),
        ("protocol", "protocol"),
        ("cxml_form_field", "cxml_form_field"),
        ("unspsc_attribute", "unspsc_attribute_slug"),
        ("unspsc_default", "unspsc_default"),
    ):
        if options[option] is not None:
            settings[field] = options[option]
    if options["cxml_domain"] is not None:
        settings["cxml_domains"] = [
            domain for domain in options["cxml_domain"] if domain != "none"
        ]
    if options["identity_parameter"] is not None:
        settings["identity_parameters"] = _identity_parameters(
            options["identity_parameter"]
        )
    return settings


def _identity_parameters(pairs: list[str]) -> dict[str, list[str]]:
    """{"user_id": ["SY_UNAME"]} from ["user_id=SY_UNAME"]; the service checks."""
    names: dict[str, list[str]] = {}
    for pair in pairs:
        if pair == "none":
            continue
        value, separator, name = pair.partition("=")
        if not separator or not name.strip():
            raise CommandError(
                f"--identity-parameter: {pair!r} is not VALUE=NAME, e.g. "
                "user_id=SY_UNAME."
            )
        names.setdefault(value.strip(), []).append(name.strip())
    return names


def _decimal(text: str) -> Decimal:
    """An exact number for --price-tolerance; the service checks its range."""
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise ArgumentTypeError(f"not a number: {text!r}") from None


def _branch(organisation: BuyerOrganisation, reference: str) -> Branch:
    branches = Branch.objects.filter(organisation=organisation)
    found = branches.filter(code=reference).first()
    if found is None:
        found = branches.filter(name__iexact=reference).first()
    if found is None and reference.isdigit():
        found = branches.filter(pk=int(reference)).first()
    if found is None:
        raise CommandError(
            f"--branch: {organisation.name!r} has no branch {reference!r}."
        )
    return found


def _channel(slug: str) -> Channel:
    channel = Channel.objects.filter(slug=slug).first()
    if channel is None:
        raise CommandError(f"--channel: no channel with slug {slug!r}.")
    return channel


def _customer(email: str) -> User:
    customer = User.objects.filter(email__iexact=email.strip()).first()
    if customer is None:
        raise CommandError(f"--customer: no account with e-mail {email!r}.")
    return customer


def _connection(reference: str) -> Connection:
    connection = Connection.objects.filter(login_name=reference).first()
    if connection is None and reference.isdigit():
        connection = Connection.objects.filter(pk=int(reference)).first()
    if connection is None:
        raise CommandError(f"No connection with login name or ID {reference!r}.")
    return connection


def _describe(
    error: ValidationError, options_of_fields: dict[str, str] | None = None
) -> str:
    """One line per problem: the option, the message and the error code.

    ``options_of_fields`` names options where the action's differ from the usual.
    """
    option_of_field = {**_OPTION_OF_FIELD, **(options_of_fields or {})}
    lines = ["Refused:"]
    by_field: dict[str, list[ValidationError]] = (
        error.error_dict if hasattr(error, "error_dict") else {"": error.error_list}
    )
    for field, errors in by_field.items():
        where = option_of_field.get(field, field) if field else "error"
        if "." in field:  # an address field: invoice_address.postal_code
            where = _ADDRESS_OPTIONS.get(field.split(".", 1)[1], where)
        lines.extend(
            f"  {where}: {' '.join(problem.messages)} ({problem.code})"
            for problem in errors
        )
    return "\n".join(lines)
