"""Fixtures of this plugin's own objects, built on Saleor's fixtures."""

import pytest
from django.contrib.auth.hashers import make_password

from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation
from saleor_oci_plugin.punchout.models import Connection

BUYER_LOGIN = "hospital-srm"
BUYER_PASSWORD = "S3cret!punch"
HOOK_URL = "https://srm.hospital.example/sap/bc/gui/sap/its/bbpstart/hook"


@pytest.fixture
def oci_organisation():
    return BuyerOrganisation.objects.create(
        name="Ziekenhuis Oost", legal_id="12345678", vat_number="NL001234567B01"
    )


@pytest.fixture
def oci_branch(oci_organisation):
    return Branch.objects.create(
        organisation=oci_organisation,
        name="Locatie Noord",
        code="NOORD",
        default_cost_centre="KP-4711",
    )


@pytest.fixture
def oci_connection(oci_organisation, oci_branch, channel_USD, customer_user):
    return Connection.objects.create(
        organisation=oci_organisation,
        branch=oci_branch,
        name="SRM production",
        login_name=BUYER_LOGIN,
        password=make_password(BUYER_PASSWORD),
        hook_url_allowlist=["https://srm.hospital.example"],
        channel=channel_USD,
        customer=customer_user,
    )


@pytest.fixture
def make_variants(product_type, category, warehouse, channel_USD, default_tax_class):
    """Make n published, stocked variants of n products in channel USD."""
    import datetime
    from decimal import Decimal

    from saleor.product.models import (
        Product,
        ProductChannelListing,
        ProductVariant,
        ProductVariantChannelListing,
    )
    from saleor.warehouse.models import Stock

    def make(count: int, prefix: str = "GIFT") -> list:
        products = Product.objects.bulk_create(
            Product(
                name=f"Gift box {number}",
                slug=f"{prefix.lower()}-box-{number}",
                product_type=product_type,
                category=category,
                tax_class=default_tax_class,
                metadata={"nzi_code": f"NZI{number:03d}"},
            )
            for number in range(count)
        )
        ProductChannelListing.objects.bulk_create(
            ProductChannelListing(
                product=product,
                channel=channel_USD,
                is_published=True,
                visible_in_listings=True,
                currency=channel_USD.currency_code,
                available_for_purchase_at=datetime.datetime(
                    1999, 1, 1, tzinfo=datetime.UTC
                ),
            )
            for product in products
        )
        variants = ProductVariant.objects.bulk_create(
            ProductVariant(product=product, sku=f"{prefix}-{number:04d}")
            for number, product in enumerate(products)
        )
        ProductVariantChannelListing.objects.bulk_create(
            ProductVariantChannelListing(
                variant=variant,
                channel=channel_USD,
                price_amount=Decimal("12.50") + number,
                discounted_price_amount=Decimal("12.50") + number,
                currency=channel_USD.currency_code,
            )
            for number, variant in enumerate(variants)
        )
        Stock.objects.bulk_create(
            Stock(warehouse=warehouse, product_variant=variant, quantity=100)
            for variant in variants
        )
        return variants

    return make


@pytest.fixture
def oci_transfer(oci_connection, make_variants):
    """A cart of two lines transferred from a punch-out session of oci_connection."""
    from saleor.checkout.fetch import fetch_checkout_info
    from saleor.checkout.tests.utils import add_variant_to_checkout
    from saleor.plugins.manager import get_plugins_manager

    from saleor_oci_plugin.configuration import config_from_items
    from saleor_oci_plugin.punchout import sessions, transfer

    session, code = sessions.open_session(
        oci_connection, sessions.PunchInContext(hook_url=HOOK_URL), 60
    )
    checkout = sessions.exchange_code(code).checkout
    manager = get_plugins_manager(allow_replica=False)
    info = fetch_checkout_info(checkout, [], manager)
    first, second = make_variants(2, prefix="PO")
    add_variant_to_checkout(info, first, 3)
    add_variant_to_checkout(info, second, 1)
    return transfer.transfer_checkout(checkout, manager, config_from_items([])).transfer


def make_member(organisation, email, role="orderer", **settings):
    """A member of the organisation with a new customer account (password "pw")."""
    from saleor.account.models import User

    from saleor_oci_plugin.buyers.models import Member

    user = User(email=email)
    user.set_password("pw")
    user.save()
    return Member.objects.create(
        organisation=organisation, user=user, role=role, **settings
    )


@pytest.fixture
def oci_admin(oci_organisation):
    """The organisation's administrator."""
    return make_member(oci_organisation, "admin@ziekenhuis-oost.example", "admin")


@pytest.fixture
def oci_orderer(oci_organisation, oci_branch):
    """An orderer of the organisation's branch, known to punch-in by user id."""
    member = make_member(
        oci_organisation,
        "orderer@ziekenhuis-oost.example",
        external_id="JJANSEN",
        default_branch=oci_branch,
    )
    member.branches.add(oci_branch)
    return member


@pytest.fixture
def other_organisation():
    """Another buyer organisation, with a branch and an administrator."""
    organisation = BuyerOrganisation.objects.create(name="Gemeente West")
    Branch.objects.create(organisation=organisation, name="Stadhuis", code="SH")
    make_member(organisation, "admin@gemeente-west.example", "admin")
    return organisation


@pytest.fixture
def member_api_client():
    """An API client signed in as a given member (an ordinary customer token)."""
    from saleor.graphql.tests.fixtures import ApiClient

    return lambda member: ApiClient(user=member.user)


@pytest.fixture
def integrator(app_api_client, permission_manage_orders):
    """The ERP integrator's App, allowed to manage orders."""
    app_api_client.app.permissions.add(permission_manage_orders)
    return app_api_client


@pytest.fixture
def counted_password_hashes(settings):
    """The password hasher, counting: ``counted_password_hashes()`` is the count."""
    from .hashers import CountingHasher

    settings.PASSWORD_HASHERS = ["tests.saleor.hashers.CountingHasher"]
    CountingHasher.calls = 0
    return lambda: CountingHasher.calls
