"""The demo's data: a small Dutch gift shop and one buyer, made idempotently.

``ensure_demo_shop`` creates what is missing in the current Saleor database and
leaves what exists alone, so running it again creates nothing:

- channel ``oci-demo`` (EUR, NL) with a warehouse, a shipping zone for NL and
  flat-rate Dutch VAT (21 % and 9 % tax classes; prices entered without tax);
- gift boxes, flowers and Christmas hampers, each with a SKU, a price, stock and
  an NZI code in the product metadata key ``nzi_code`` (read by
  ``punchout.items.nzi_codes`` under the plugin's default configuration);
- the buyer organisation "Ziekenhuis Oost" with two branches (vestigingen), each
  with an invoice e-mail address (fictional, ``.example``; set again where it was
  emptied), a customer account, and a punch-out connection (login ``demo-buyer``)
  with a cXML identity and shared secret and a UBL Order token, all through the
  plugin's own service layer (``punchout.connections``);
- a Saleor App with ``MANAGE_ORDERS`` and a token, for GraphQL purchase orders and
  invoice requests;
- the plugin switched on, with the demo seller's invoicing data where none is set.

Secrets are stored hashed, so each is known only in the run that sets it: the
password and cXML secret when the connection is made (or given again), the order
and App tokens when issued. ``DemoShop`` carries those of this run, to print once.
``known_secrets`` and ``issue_run_app_token`` give ``scripts/demo`` what its
simulator needs (``oci_demo setup --env-file``).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone
from saleor.account.models import Address, User
from saleor.app.models import App, AppToken
from saleor.channel.models import Channel
from saleor.permission.enums import get_permissions_from_names
from saleor.plugins.manager import get_plugins_manager
from saleor.plugins.models import PluginConfiguration
from saleor.product import ProductTypeKind
from saleor.product.models import (
    Category,
    Product,
    ProductChannelListing,
    ProductType,
    ProductVariant,
    ProductVariantChannelListing,
)
from saleor.shipping import ShippingMethodType
from saleor.shipping.models import (
    ShippingMethod,
    ShippingMethodChannelListing,
    ShippingZone,
)
from saleor.tax import TaxCalculationStrategy
from saleor.tax.models import TaxClass, TaxClassCountryRate, TaxConfiguration
from saleor.warehouse.models import Stock, Warehouse

from .. import PLUGIN_ID, configuration
from ..buyers.members import set_cost_centres
from ..buyers.models import Branch, BuyerOrganisation, InvoiceFormat
from ..buyers.models import InvoicingPreference as Invoicing
from ..machine_secrets import check_machine_secret
from ..punchout import connections as service
from ..punchout.models import Connection

CHANNEL_SLUG = "oci-demo"
CURRENCY = "EUR"
COUNTRY = "NL"
LOGIN_NAME = "demo-buyer"
# Demo credentials, known to everyone who reads this file: for a local demo only.
DEFAULT_PASSWORD = "welkom-bij-oost-2026"
DEFAULT_CXML_SECRET = "demo-cxml-shared-secret-2026"
# The demo connection punches out with OCI and with cXML (the simulator's cXML
# mode); the demo's products have no UNSPSC attribute, so every line carries the
# connection's default code (a demo value; a real shop sets its own).
CXML_PUNCHOUT: service.ConnectionData = {
    "protocol": "both",
    "unspsc_default": "14111800",
}
CXML_IDENTITY = "demo-ziekenhuis-oost"
# The procurement-system simulator's own address (oci-simulator's default port).
DEFAULT_HOOK_URL_ALLOWLIST = ("http://127.0.0.1:8800",)
# The punch-out storefront's (oci-storefront's default address and port).
DEFAULT_STOREFRONT_URL = "http://127.0.0.1:3000/punchout"
ORGANISATION_NAME = "Ziekenhuis Oost"
CUSTOMER_EMAIL = "inkoop@ziekenhuis-oost.example"
# Where issued invoices are e-mailed: a branch's own address, else this one.
ORGANISATION_INVOICE_EMAIL = "crediteuren@ziekenhuis-oost.example"
APP_IDENTIFIER = "saleor-oci-plugin.demo-erp"
APP_NAME = "OCI demo ERP"
APP_TOKEN_NAME = "oci-demo"
# The token `oci_demo setup --env-file` issues for one run of scripts/demo (its
# simulator's GraphQL purchase orders); the next such run replaces it.
APP_RUN_TOKEN_NAME = "oci-demo run"
# Stock is topped up to at least this many free pieces at every setup, so that
# repeated demo runs (whose orders keep their allocations) never run out.
MIN_FREE_STOCK = 500
VAT_HIGH = Decimal(21)
VAT_LOW = Decimal(9)
TAX_CLASS_NAMES = {VAT_HIGH: "NL hoog tarief 21%", VAT_LOW: "NL laag tarief 9%"}

# The demo seller on invoices; the identifiers are well-formed but fictional
# (the IBAN is the standard example one).
SELLER = {
    configuration.SELLER_NAME: "Bloem & Doos B.V.",
    configuration.SELLER_STREET: "Oudegracht 112",
    configuration.SELLER_CITY: "Utrecht",
    configuration.SELLER_POSTCODE: "3511 AX",
    configuration.SELLER_COUNTRY: "NL",
    configuration.SELLER_KVK_NUMBER: "87654321",
    configuration.SELLER_VAT_NUMBER: "NL009876543B01",
    configuration.SELLER_IBAN: "NL91 ABNA 0417 1643 00",
    configuration.SELLER_PEPPOL_ENDPOINT_ID: "87654321",
}


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    category: str
    price: Decimal  # net: the channel's prices are entered without tax
    vat: Decimal
    nzi_code: str


CATEGORIES = {
    "cadeauboxen": "Cadeauboxen",
    "bloemen": "Bloemen",
    "kerstpakketten": "Kerstpakketten",
}
# NZI codes are opaque to the plugin; these stand for a hospital's cost types
# (gifts to relations, flowers and plants, staff gifts).
PRODUCTS = (
    DemoProduct(
        "GB-ZORG-01", "Cadeaubox Zorgheld", "cadeauboxen", Decimal("24.95"), VAT_HIGH,
        "46110",
    ),
    DemoProduct(
        "GB-WELL-02", "Cadeaubox Wellness", "cadeauboxen", Decimal("34.50"), VAT_HIGH,
        "46110",
    ),
    DemoProduct(
        "GB-THEE-03", "Theebox Even Pauze", "cadeauboxen", Decimal("19.95"), VAT_LOW,
        "46110",
    ),
    DemoProduct(
        "BL-TULP-01", "Tulpenboeket 20 stuks", "bloemen", Decimal("17.50"), VAT_LOW,
        "46120",
    ),
    DemoProduct(
        "BL-ROOS-02", "Rozenboeket Beterschap", "bloemen", Decimal("29.95"), VAT_LOW,
        "46120",
    ),
    DemoProduct(
        "BL-ORCH-03", "Orchidee in pot", "bloemen", Decimal("22.50"), VAT_LOW, "46120"
    ),
    DemoProduct(
        "KP-KLAS-01", "Kerstpakket Klassiek", "kerstpakketten", Decimal("39.95"),
        VAT_LOW, "46130",
    ),
    DemoProduct(
        "KP-LUXE-02", "Kerstpakket Luxe met wijn", "kerstpakketten",
        Decimal("59.95"), VAT_HIGH, "46130",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DemoBranch:
    code: str
    name: str
    cost_centre: str
    # A second cost centre orderers may choose instead of the default.
    other_cost_centre: str
    street: str
    postcode: str
    city: str
    invoice_email: str


BRANCHES = (
    DemoBranch(
        "NOORD", "Locatie Noord", "KP-4711", "KP-4712", "Ziekenhuisweg 1", "3584 CX",
        "Utrecht",
        "crediteuren.noord@ziekenhuis-oost.example",
    ),
    DemoBranch(
        "ZUID", "Locatie Zuid", "KP-4820", "KP-4821", "Zorgplein 8", "3521 AL",
        "Utrecht",
        "crediteuren.zuid@ziekenhuis-oost.example",
    ),
)  # fmt: skip


@dataclass
class DemoShop:
    """The demo's objects, what this run created, and the secrets it set."""

    channel: Channel
    organisation: BuyerOrganisation
    branches: list[Branch]
    customer: User
    connection: Connection
    app: App
    products: list[Product]
    created: list[str] = field(default_factory=list)
    # Set (or issued) in this run, else None: hashed once stored.
    password: str | None = None
    cxml_secret: str | None = None
    order_token: str | None = None
    app_token: str | None = None


def ensure_demo_shop(
    *,
    password: str | None = None,
    cxml_secret: str | None = None,
    hook_url_allowlist: list[str] | None = None,
    storefront_url: str | None = None,
    new_tokens: bool = False,
) -> DemoShop:
    """Create what is missing of the demo; change only what is given.

    ``password``, ``cxml_secret``, ``hook_url_allowlist`` and ``storefront_url``
    default to the demo's values when the connection is created; given for an
    existing connection, they replace its settings. ``new_tokens`` replaces the
    order token and the App token. Refusals of the service layer are raised as its
    ``ValidationError``; nothing is written then.
    """
    created: list[str] = []
    with transaction.atomic():
        channel = _channel(created)
        tax_classes = _tax_classes(created)
        warehouse = _warehouse(channel, created)
        _shipping(channel, warehouse, tax_classes[VAT_HIGH], created)
        products = _catalogue(channel, warehouse, tax_classes, created)
        customer = _customer(created)
        organisation = _organisation(created)
        branches = _branches(organisation, created)
        _invoice_emails(organisation, branches, created)
        connection, secrets_set = _connection(
            organisation,
            branches[0],
            channel,
            customer,
            created,
            password=password,
            cxml_secret=cxml_secret,
            hook_url_allowlist=hook_url_allowlist,
            storefront_url=storefront_url,
        )
        order_token = None
        if new_tokens or not connection.order_token_hash:
            order_token = service.issue_order_token(connection)
        app, app_token = _app(created, new_token=new_tokens)
        _plugin_configuration(created)
    return DemoShop(
        channel=channel,
        organisation=organisation,
        branches=branches,
        customer=customer,
        connection=connection,
        app=app,
        products=products,
        created=created,
        password=secrets_set[0],
        cxml_secret=secrets_set[1],
        order_token=order_token,
        app_token=app_token,
    )


# --- the shop ------------------------------------------------------------------


def _channel(created: list[str]) -> Channel:
    channel, made = Channel.objects.get_or_create(
        slug=CHANNEL_SLUG,
        defaults={
            "name": "OCI demo (NL)",
            "currency_code": CURRENCY,
            "default_country": COUNTRY,
            "is_active": True,
            # Orders from purchase orders are confirmed at once, so they can be
            # invoiced (Saleor refuses invoices for unconfirmed orders).
            "automatically_confirm_all_new_orders": True,
        },
    )
    if made:
        created.append(f"channel {CHANNEL_SLUG}")
    tax_configuration, _ = TaxConfiguration.objects.get_or_create(channel=channel)
    wanted = {
        "charge_taxes": True,
        "tax_calculation_strategy": TaxCalculationStrategy.FLAT_RATES,
        "prices_entered_with_tax": False,
        "display_gross_prices": True,
    }
    if any(getattr(tax_configuration, key) != value for key, value in wanted.items()):
        for key, value in wanted.items():
            setattr(tax_configuration, key, value)
        tax_configuration.save()
    return channel


def _tax_classes(created: list[str]) -> dict[Decimal, TaxClass]:
    classes = {}
    for rate, name in TAX_CLASS_NAMES.items():
        tax_class = TaxClass.objects.filter(name=name).first()
        if tax_class is None:
            tax_class = TaxClass.objects.create(name=name)
            created.append(f"tax class {name}")
        TaxClassCountryRate.objects.update_or_create(
            tax_class=tax_class, country=COUNTRY, defaults={"rate": rate}
        )
        classes[rate] = tax_class
    # The country's default rate, for anything without a class; an existing one is
    # the operator's and stays.
    TaxClassCountryRate.objects.get_or_create(
        tax_class=None, country=COUNTRY, defaults={"rate": VAT_HIGH}
    )
    return classes


def _address(**fields: str) -> Address:
    return Address.objects.create(country=COUNTRY, **fields)


def _warehouse(channel: Channel, created: list[str]) -> Warehouse:
    warehouse = Warehouse.objects.filter(slug="oci-demo-utrecht").first()
    if warehouse is None:
        warehouse = Warehouse.objects.create(
            name="Bloem & Doos magazijn Utrecht",
            slug="oci-demo-utrecht",
            email="magazijn@bloemendoos.example",
            address=_address(
                company_name="Bloem & Doos B.V.",
                street_address_1="Atoomweg 50",
                postal_code="3542 AB",
                city="Utrecht",
            ),
        )
        created.append("warehouse oci-demo-utrecht")
    warehouse.channels.add(channel)
    return warehouse


def _shipping(
    channel: Channel, warehouse: Warehouse, tax_class: TaxClass, created: list[str]
) -> None:
    zone, made = ShippingZone.objects.get_or_create(
        name="Nederland (oci-demo)", defaults={"countries": [COUNTRY]}
    )
    if made:
        created.append("shipping zone Nederland (oci-demo)")
    zone.channels.add(channel)
    warehouse.shipping_zones.add(zone)
    method, made = ShippingMethod.objects.get_or_create(
        shipping_zone=zone,
        name="PostNL pakket",
        defaults={"type": ShippingMethodType.PRICE_BASED, "tax_class": tax_class},
    )
    if made:
        created.append("shipping method PostNL pakket")
    ShippingMethodChannelListing.objects.get_or_create(
        shipping_method=method,
        channel=channel,
        defaults={
            "price_amount": Decimal("6.95"),
            "minimum_order_price_amount": Decimal(0),
            "currency": CURRENCY,
        },
    )


def _catalogue(
    channel: Channel,
    warehouse: Warehouse,
    tax_classes: dict[Decimal, TaxClass],
    created: list[str],
) -> list[Product]:
    product_type, made = ProductType.objects.get_or_create(
        slug="oci-demo-cadeau",
        defaults={
            "name": "Cadeau",
            "kind": ProductTypeKind.NORMAL,
            "has_variants": False,
            "is_shipping_required": True,
            "tax_class": tax_classes[VAT_HIGH],
        },
    )
    if made:
        created.append("product type Cadeau")
    categories = {}
    for key, name in CATEGORIES.items():
        categories[key], made = Category.objects.get_or_create(
            slug=f"oci-demo-{key}", defaults={"name": name}
        )
        if made:
            created.append(f"category {name}")
    # In the past, so that the products can be bought at once.
    since = timezone.now() - datetime.timedelta(days=1)
    products = []
    new_skus = []
    for item in PRODUCTS:
        product, made = Product.objects.get_or_create(
            slug=f"oci-demo-{item.sku.lower()}",
            defaults={
                "name": item.name,
                "product_type": product_type,
                "category": categories[item.category],
                "tax_class": tax_classes[item.vat],
                "metadata": {"nzi_code": item.nzi_code},
                # Saleor's periodic task indexes it for the storefront's search.
                "search_index_dirty": True,
            },
        )
        if made:
            new_skus.append(item.sku)
        variant, _ = ProductVariant.objects.get_or_create(
            sku=item.sku, defaults={"product": product, "name": ""}
        )
        if product.default_variant_id is None:
            product.default_variant = variant
            product.save(update_fields=["default_variant", "updated_at"])
        ProductChannelListing.objects.get_or_create(
            product=product,
            channel=channel,
            defaults={
                "is_published": True,
                "published_at": since,
                "visible_in_listings": True,
                "available_for_purchase_at": since,
                "currency": CURRENCY,
                "discounted_price_amount": item.price,
            },
        )
        ProductVariantChannelListing.objects.get_or_create(
            variant=variant,
            channel=channel,
            defaults={
                "price_amount": item.price,
                "discounted_price_amount": item.price,
                "currency": CURRENCY,
            },
        )
        stock, _ = Stock.objects.get_or_create(
            warehouse=warehouse, product_variant=variant, defaults={"quantity": 0}
        )
        if stock.quantity - stock.quantity_allocated < MIN_FREE_STOCK:
            stock.quantity = stock.quantity_allocated + 2 * MIN_FREE_STOCK
            stock.save(update_fields=["quantity"])
        products.append(product)
    if new_skus:
        created.append(f"{len(new_skus)} products ({', '.join(new_skus)})")
    return products


# --- the buyer -----------------------------------------------------------------


def _customer(created: list[str]) -> User:
    customer = User.objects.filter(email=CUSTOMER_EMAIL).first()
    if customer is not None:
        return customer
    # No password: the buyer signs in only through punch-in.
    customer = User(
        email=CUSTOMER_EMAIL,
        first_name="Ineke",
        last_name="de Vries",
        is_active=True,
        is_confirmed=True,
    )
    customer.set_unusable_password()
    customer.save()
    address = _address(
        first_name="Ineke",
        last_name="de Vries",
        company_name=ORGANISATION_NAME,
        street_address_1=BRANCHES[0].street,
        postal_code=BRANCHES[0].postcode,
        city=BRANCHES[0].city,
    )
    customer.addresses.add(address)
    # The checkout's addresses, hence its tax country (NL), come from these.
    customer.default_billing_address = address
    customer.default_shipping_address = address
    customer.save(update_fields=["default_billing_address", "default_shipping_address"])
    created.append(f"customer {CUSTOMER_EMAIL}")
    return customer


def _organisation(created: list[str]) -> BuyerOrganisation:
    organisation = BuyerOrganisation.objects.filter(name=ORGANISATION_NAME).first()
    if organisation is not None:
        return organisation
    organisation = service.create_organisation(
        {
            "name": ORGANISATION_NAME,
            "legal_id": "41234567",
            "legal_id_scheme": "0106",
            "vat_number": "NL001234567B01",
            "peppol_endpoint_scheme": "0106",
            "peppol_endpoint_id": "41234567",
            "invoice_format": InvoiceFormat.SI_UBL_2,
            "invoicing_preference": Invoicing.PER_ORDER,
            "invoice_email": ORGANISATION_INVOICE_EMAIL,
        }
    )
    created.append(f"organisation {ORGANISATION_NAME}")
    return organisation


def _branches(organisation: BuyerOrganisation, created: list[str]) -> list[Branch]:
    branches = []
    for item in BRANCHES:
        branch = Branch.objects.filter(
            organisation=organisation, code=item.code
        ).first()
        if branch is None:
            branch = service.create_branch(
                organisation.pk,
                {
                    "name": item.name,
                    "code": item.code,
                    "default_cost_centre": item.cost_centre,
                    "invoice_email": item.invoice_email,
                },
            )
            created.append(f"branch {item.name}")
        if branch.delivery_address_id is None or branch.invoice_address_id is None:
            # The service layer has no address settings (yet): set on the model.
            branch.delivery_address = _address(
                company_name=ORGANISATION_NAME,
                first_name="Magazijn",
                last_name=item.name,
                street_address_1=item.street,
                postal_code=item.postcode,
                city=item.city,
            )
            branch.invoice_address = _address(
                company_name=ORGANISATION_NAME,
                first_name="Crediteurenadministratie",
                last_name=item.name,
                street_address_1="Postbus 85500",
                postal_code="3508 GA",
                city="Utrecht",
            )
            branch.save(update_fields=["delivery_address", "invoice_address"])
        if not branch.cost_centres.exists():
            set_cost_centres(
                branch,
                [
                    (item.cost_centre, "Algemeen"),
                    (item.other_cost_centre, "Kinderzorg"),
                ],
                item.cost_centre,
            )
            created.append(f"cost centres of {item.name}")
        branches.append(branch)
    return branches


def _invoice_emails(
    organisation: BuyerOrganisation, branches: list[Branch], created: list[str]
) -> None:
    """Give the organisation and its branches the demo's invoice e-mail address
    where they have none (a demo database from before addresses existed, or one
    emptied since); an address the operator set stays."""
    fixed = []
    if not organisation.invoice_email:
        service.update_organisation(
            organisation, {"invoice_email": ORGANISATION_INVOICE_EMAIL}
        )
        fixed.append(organisation.name)
    for branch, item in zip(branches, BRANCHES, strict=True):
        if not branch.invoice_email:
            service.update_branch(branch, {"invoice_email": item.invoice_email})
            fixed.append(branch.name)
    if fixed:
        created.append(f"invoice e-mail addresses ({', '.join(fixed)})")


def _connection(
    organisation: BuyerOrganisation,
    branch: Branch,
    channel: Channel,
    customer: User,
    created: list[str],
    *,
    password: str | None,
    cxml_secret: str | None,
    hook_url_allowlist: list[str] | None,
    storefront_url: str | None,
) -> tuple[Connection, tuple[str | None, str | None]]:
    """The demo connection, and the password and cXML secret set in this run."""
    connection = Connection.objects.filter(login_name=LOGIN_NAME).first()
    if connection is None:
        allowlist = list(hook_url_allowlist or DEFAULT_HOOK_URL_ALLOWLIST)
        password = password or DEFAULT_PASSWORD
        cxml_secret = cxml_secret or DEFAULT_CXML_SECRET
        connection = service.create_connection(
            organisation.pk,
            password,
            {
                "name": "Ziekenhuis Oost SRM (demo)",
                "login_name": LOGIN_NAME,
                "branch_id": branch.pk,
                "channel_id": channel.pk,
                "customer_id": customer.pk,
                "hook_url_allowlist": allowlist,
                "allow_http_hook_url": _any_http(allowlist),
                "storefront_url": storefront_url or DEFAULT_STOREFRONT_URL,
                "cxml_identity": CXML_IDENTITY,
                **CXML_PUNCHOUT,
            },
            cxml_shared_secret=cxml_secret,
        )
        created.append(f"connection {LOGIN_NAME}")
        return connection, (password, cxml_secret)
    # Only what differs: a second run with the same values changes nothing, one
    # with other values (e.g. the storefront moved) fixes the old ones.
    changes: service.ConnectionData = {}
    if hook_url_allowlist and (
        list(connection.hook_url_allowlist) != list(hook_url_allowlist)
        or connection.allow_http_hook_url != _any_http(hook_url_allowlist)
    ):
        changes["hook_url_allowlist"] = list(hook_url_allowlist)
        changes["allow_http_hook_url"] = _any_http(hook_url_allowlist)
    if storefront_url and connection.storefront_url != storefront_url:
        changes["storefront_url"] = storefront_url
    for key, value in CXML_PUNCHOUT.items():
        if getattr(connection, key) != value:
            changes[key] = value  # type: ignore[literal-required]
    if changes or password or cxml_secret:
        service.update_connection(
            connection,
            changes,
            password=password or None,
            cxml_shared_secret=cxml_secret or None,
        )
    return connection, (password or None, cxml_secret or None)


def _any_http(allowlist: list[str] | tuple[str, ...]) -> bool:
    # The simulator runs on plain http on this machine; allowed only when asked for.
    return any(urlsplit(entry).scheme == "http" for entry in allowlist)


def _app(created: list[str], *, new_token: bool) -> tuple[App, str | None]:
    """The demo ERP's App with MANAGE_ORDERS, and its token if issued now."""
    app = App.objects.filter(identifier=APP_IDENTIFIER).first()
    if app is None:
        app = App.objects.create(
            name=APP_NAME, identifier=APP_IDENTIFIER, is_active=True
        )
        created.append(f"app {APP_NAME}")
    app.permissions.add(*get_permissions_from_names(["MANAGE_ORDERS"]))
    tokens = app.tokens.filter(name=APP_TOKEN_NAME)
    if tokens.exists() and not new_token:
        return app, None
    tokens.delete()
    _, raw_token = AppToken.objects.create(app=app, name=APP_TOKEN_NAME)
    return app, raw_token


def issue_run_app_token(app: App) -> str:
    """A new App token for one run of the demo, replacing the previous run's.

    Separate from the ``oci-demo`` token that ``setup`` prints once, which stays.
    """
    with transaction.atomic():
        app.tokens.filter(name=APP_RUN_TOKEN_NAME).delete()
        _, raw_token = AppToken.objects.create(app=app, name=APP_RUN_TOKEN_NAME)
    return raw_token


def known_secrets(
    connection: Connection, *, password: str | None, cxml_secret: str | None
) -> tuple[str, str]:
    """The connection's password and cXML secret in clear: the ones given, else the
    demo's defaults, each checked against the stored hash.

    Raises ``ValueError`` naming the secret that is neither (set to something else
    earlier, and not given now).
    """
    password = password or DEFAULT_PASSWORD
    cxml_secret = cxml_secret or DEFAULT_CXML_SECRET
    if not check_password(password, connection.password):
        raise ValueError("password")
    if not check_machine_secret(cxml_secret, connection.cxml_shared_secret).matches:
        raise ValueError("cXML shared secret")
    return password, cxml_secret


def _plugin_configuration(created: list[str]) -> None:
    """Switch the plugin on and fill in the demo seller where nothing is set, the
    way the Dashboard saves it (Saleor's manager, with the plugin's validation)."""
    stored = PluginConfiguration.objects.filter(
        identifier=PLUGIN_ID, channel=None
    ).first()
    values = (
        {item["name"]: item.get("value") for item in (stored.configuration or [])}
        if stored
        else {}
    )
    missing = [
        {"name": name, "value": value}
        for name, value in SELLER.items()
        if not values.get(name)
    ]
    if stored is not None and stored.active and not missing:
        return
    get_plugins_manager(allow_replica=False).save_plugin_configuration(
        PLUGIN_ID, None, {"active": True, "configuration": missing}
    )
    if missing:
        created.append("plugin configuration (demo seller)")
