"""The organisation portal and the cost-centre choice in a real browser.

Debian's Chromium (Playwright) against the demo shop, as ``test_browser.py`` runs
it: an administrator of the demo's buyer organisation signs in to the portal,
invites an orderer and creates a branch with two cost centres; then a buyer
punches in from the simulator, puts a product in the cart, chooses the new
branch and its second cost centre, and transfers: the requisition's lines carry
that cost centre (the connection's cost-centre field).

A screenshot of each step goes to $OCI_SCREENSHOT_DIR, else a temporary folder.
"""

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from saleor.account.models import User

from saleor_oci_plugin.buyers.models import Branch, Member, MemberRole
from saleor_oci_plugin.punchout.models import PunchoutSession, Transfer

from .conftest import BrowserThread
from .test_browser import (
    PRODUCTS,
    Servers,
    _check_screenshot,
    _navigate,
    _shop_frame,
    _table_rows,
    servers,  # noqa: F401  (the fixture)
)

ADMIN_EMAIL = "inkoop.beheer@ziekenhuis-oost.example"
ADMIN_PASSWORD = "Beheer-2026!"
ORDERER_EMAIL = "nina.nieuw@ziekenhuis-oost.example"
BRANCH_NAME = "Locatie West"
BRANCH_INVOICE_ADDRESS = {
    "Company": "Ziekenhuis Oost",
    "Street and number": "Westsingel 20",
    "Postcode": "3581 KA",
    "City": "Utrecht",
    "Country (two letters, e.g. NL)": "NL",
}
COST_CENTRES = (("KP-5001", "Keuken"), ("KP-5002", "Receptie"))
CHOSEN = COST_CENTRES[1]
SKU = "GB-ZORG-01"
# Where the demo connection sends the cost centre (the connection's default).
COST_CENTRE_FIELD = "NEW_ITEM-CUST_FIELD5[1]"
SCREENSHOTS = (
    "11-portal-sign-in",
    "12-portal-members",
    "13-portal-invite-form",
    "14-portal-invited",
    "15-portal-branch-form",
    "16-portal-branches",
    "17-cart-cost-centre",
    "18-requisition-cost-centre",
)


def _shot(page: Any, folder: Path, name: str) -> None:
    assert name in SCREENSHOTS
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def sign_in(page: Any, storefront: str, folder: Path) -> str:
    page.goto(storefront + "/portal/")
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    _shot(page, folder, "11-portal-sign-in")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Members").wait_for()
    _shot(page, folder, "12-portal-members")
    return str(page.locator("table").inner_text())


def invite(page: Any, folder: Path) -> str:
    with page.expect_navigation():
        page.get_by_role("link", name="Invite a person").click()
    page.get_by_label("E-mail").fill(ORDERER_EMAIL)
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Nieuw")
    page.get_by_label("Role").select_option("ORDERER")
    _shot(page, folder, "13-portal-invite-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Invite").click()
    page.get_by_text("Invitation sent.").wait_for()
    _shot(page, folder, "14-portal-invited")
    return str(page.locator("table").inner_text())


def create_branch(page: Any, folder: Path) -> str:
    with page.expect_navigation():
        page.get_by_role("link", name="Branches").click()
    with page.expect_navigation():
        page.get_by_role("link", name="New branch").click()
    page.get_by_label("Name", exact=True).fill(BRANCH_NAME)
    page.get_by_label("Code", exact=True).fill("WEST")
    page.get_by_label("Cost centres").fill(
        "\n".join(f"{code} {name}" for code, name in COST_CENTRES)
    )
    page.get_by_label("Default cost centre").fill(COST_CENTRES[0][0])
    page.get_by_label("Invoice e-mail").fill("crediteuren.west@ziekenhuis-oost.example")
    invoice_address = page.get_by_role("group", name="Invoice address")
    for label, value in BRANCH_INVOICE_ADDRESS.items():
        invoice_address.get_by_label(label).fill(value)
    _shot(page, folder, "15-portal-branch-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Create branch").click()
    page.get_by_text("Branch created.").wait_for()
    _shot(page, folder, "16-portal-branches")
    return str(page.locator("table").inner_text())


def choose_cost_centre(page: Any, running: Servers, folder: Path) -> str:
    page.goto(running.simulator + "/")
    shop = _shop_frame(page)
    _navigate(shop, page.get_by_role("button", name="Open the shop in the frame below"))
    shop.get_by_role("heading", name="Products").wait_for()
    _navigate(shop, shop.get_by_role("link", name=PRODUCTS[SKU].name))
    _navigate(shop, shop.get_by_role("button", name="Add to cart"))
    shop.get_by_role("heading", name="Your cart").wait_for()
    shop.get_by_label("Branch and cost centre").select_option(
        label=f"{BRANCH_NAME}: {CHOSEN[0]} {CHOSEN[1]}"
    )
    _navigate(shop, shop.get_by_role("button", name="Use this branch and cost centre"))
    current = shop.get_by_text("Ordering for")
    current.wait_for()
    _shot(page, folder, "17-cart-cost-centre")
    return str(current.inner_text())


def transfer(page: Any, running: Servers, folder: Path) -> dict[str, Any]:
    shop = _shop_frame(page)
    with page.expect_navigation(url=f"{running.simulator}/requisitions/*"):
        shop.get_by_role("button", name="Transfer to my procurement system").click()
    page.get_by_role("heading", name="Lines").wait_for()
    # Open the list of the OCI fields as received: the cost centre is one.
    page.get_by_text("fields as received").click()
    field = page.locator("tr", has_text=COST_CENTRE_FIELD)
    field.scroll_into_view_if_needed()
    _shot(page, folder, "18-requisition-cost-centre")
    return {
        "lines": _table_rows(page, "h2:text-is('Lines') + table"),
        "cost_centre_field": str(field.inner_text()),
    }


@pytest.mark.django_db(transaction=True)
def test_portal_and_cost_centre_choice_in_chromium(
    chromium: BrowserThread,
    screenshot_dir: Path,
    servers: Servers,  # noqa: F811
    settings: Any,
) -> None:
    demo = servers.demo
    # Invitation links lead to the storefront's portal on 127.0.0.1.
    settings.ALLOWED_CLIENT_HOSTS = ["127.0.0.1"]
    admin = User(email=ADMIN_EMAIL, first_name="Ingrid", last_name="Beheer")
    admin.set_password(ADMIN_PASSWORD)
    admin.save()
    Member.objects.create(
        organisation=demo.organisation, user=admin, role=MemberRole.ADMIN
    )
    # The connection serves the whole organisation (no branch of its own), so
    # the buyer may choose any of its branches, the new one too.
    demo.connection.branch = None
    demo.connection.save(update_fields=["branch"])

    members = chromium.on_page(sign_in, servers.storefront, screenshot_dir)
    assert ADMIN_EMAIL in members

    members = chromium.on_page(invite, screenshot_dir)
    assert ORDERER_EMAIL in members
    orderer = Member.objects.get(user__email=ORDERER_EMAIL)
    assert orderer.role == MemberRole.ORDERER
    assert orderer.organisation_id == demo.organisation.pk
    assert any(
        f"{servers.storefront}/portal/set-password?" in message.body
        for message in mail.outbox
    )

    branches = chromium.on_page(create_branch, screenshot_dir)
    assert BRANCH_NAME in branches
    branch = Branch.objects.get(organisation=demo.organisation, name=BRANCH_NAME)
    assert sorted(branch.cost_centres.values_list("code", "name")) == sorted(
        COST_CENTRES
    )
    assert branch.default_cost_centre == COST_CENTRES[0][0]
    # The invoice address typed into the portal, checked and stored by Saleor.
    assert (
        branch.invoice_address.street_address_1,
        branch.invoice_address.postal_code,
        branch.invoice_address.country.code,
    ) == ("Westsingel 20", "3581 KA", "NL")
    assert branch.delivery_address is None

    current = chromium.on_page(choose_cost_centre, servers, screenshot_dir)
    assert f"Ordering for {BRANCH_NAME}, cost centre {CHOSEN[0]}" in current
    session = PunchoutSession.objects.get(connection=demo.connection, status="open")
    assert (session.branch_id, session.cost_centre) == (branch.pk, CHOSEN[0])

    assert demo.connection.cost_centre_field == "CUST_FIELD5"
    received = chromium.on_page(transfer, servers, screenshot_dir)
    assert [row["Product (SKU)"] for row in received["lines"]] == [SKU]
    assert CHOSEN[0] in received["cost_centre_field"], received
    fields = dict(Transfer.objects.get(session=session).fields)
    assert fields[COST_CENTRE_FIELD] == CHOSEN[0], fields

    for name in SCREENSHOTS:
        _check_screenshot(screenshot_dir / f"{name}.png")
