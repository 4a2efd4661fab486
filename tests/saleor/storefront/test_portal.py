"""The organisation portal (run in-process) against a real Saleor over HTTP.

An administrator signs in with their Saleor password, invites an orderer (the
invitation's link leads to the portal's set-password page, which signs the
orderer in: they are told only administrators manage), creates a branch with two
cost centres and changes the organisation's invoice e-mail; Saleor's refusals
show beside their form fields; a POST without the session's CSRF token changes
nothing.
"""

from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from django.core import mail
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from lxml import html as lxml_html

from saleor_oci_plugin.buyers.logos import LOGO_PREFIX, open_logo
from saleor_oci_plugin.buyers.models import (
    Branch,
    BuyerOrganisation,
    Member,
    MemberRole,
)
from saleor_oci_plugin.storefront import Settings, StorefrontApp
from saleor_oci_plugin.storefront.portal_sessions import COOKIE_NAME

# Orders placed from POs and their invoices, as the invoice tests make them.
from ..invoices.conftest import (  # noqa: F401
    _invoice_files_in_a_temporary_folder,
    make_transfer,
    oci_order,
    place_order,
    seller_configured,
    staff,
)
from ..logo_helpers import image_bytes, noise_png, upload

# The live server's threads read the test database (see that fixture).
from .test_storefront import replica_in_server_threads  # noqa: F401

# The storefront runs in-process; this is only the address links lead to.
PUBLIC_URL = "http://127.0.0.1:3999"
ADMIN_PASSWORD = "pw"  # tests.saleor.fixtures.make_member
ORDERER_EMAIL = "nina.nieuw@ziekenhuis-oost.example"


class PortalBrowser:
    """Calls the storefront's WSGI app in-process, with a cookie jar of one."""

    def __init__(self, app: StorefrontApp) -> None:
        self.app = app
        self.cookie = ""

    def request(
        self,
        method: str,
        url: str,
        form: dict[str, Any] | None = None,
        *,
        files: dict[str, Any] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """``files`` (name: Django UploadedFile) send the form as
        multipart/form-data, as a browser sends a form with a file."""
        parts = urlsplit(url)
        content_type = "application/x-www-form-urlencoded"
        body = urlencode(form or {}, doseq=True).encode()
        if files is not None:
            content_type = MULTIPART_CONTENT
            body = encode_multipart(BOUNDARY, {**(form or {}), **files})
        environ: dict[str, Any] = {}
        setup_testing_defaults(environ)
        environ.update(
            REQUEST_METHOD=method,
            PATH_INFO=unquote(parts.path),
            QUERY_STRING=parts.query,
            CONTENT_TYPE=content_type,
            CONTENT_LENGTH=str(len(body)),
            HTTP_HOST="127.0.0.1:3999",
            HTTP_ORIGIN="http://127.0.0.1:3999",
        )
        if self.cookie:
            environ["HTTP_COOKIE"] = f"{COOKIE_NAME}={self.cookie}"
        environ["wsgi.input"] = BytesIO(body)
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            seen["status"] = int(status.split()[0])
            seen["headers"] = headers

        content = b"".join(self.app(environ, start_response)).decode()
        headers = dict(seen["headers"])
        if "Set-Cookie" in headers:
            value = headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
            self.cookie = "" if "Max-Age=0" in headers["Set-Cookie"] else value
        return seen["status"], headers, content

    def follow(
        self,
        method: str,
        url: str,
        form: dict[str, Any] | None = None,
        *,
        files: dict[str, Any] | None = None,
    ) -> tuple[int, str]:
        status, headers, content = self.request(method, url, form, files=files)
        if status == 303:
            status, headers, content = self.request("GET", headers["Location"])
        return status, content

    def form(self, content: str, action: str) -> dict[str, Any]:
        """The values of the page's form posting to ``action`` (CSRF token too)."""
        document = lxml_html.document_fromstring(content)
        (form,) = [f for f in document.forms if f.action == action]
        values: dict[str, Any] = {}
        for name, value in form.form_values():
            values.setdefault(name, []).append(value)
        return values


def _page(content: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(content)


def _field_errors(content: str, name: str) -> list[str]:
    return [
        element.text_content()
        for element in _page(content).find_class("field-error")
        if element.get("id") == f"{name}-error"
    ]


@pytest.fixture
def portal(live_server, replica_in_server_threads, settings):  # noqa: F811
    # The invitation's link must lead to an allowed host: the portal's.
    settings.ALLOWED_CLIENT_HOSTS = ["127.0.0.1"]
    app = StorefrontApp(
        Settings(saleor_url=live_server.url, timeout=60, public_url=PUBLIC_URL)
    )
    return PortalBrowser(app)


@pytest.mark.django_db(transaction=True)
def test_admin_manages_members_branches_and_settings_through_the_portal(
    portal, oci_admin, oci_branch, oci_connection
):
    status, content = portal.follow(
        "POST",
        "/portal/sign-in",
        {"email": oci_admin.user.email, "password": ADMIN_PASSWORD},
    )
    assert status == 200, content
    assert portal.cookie
    assert oci_admin.user.email in content  # the members list

    # Invite an orderer; a wrong address first: Saleor's field error is shown.
    status, content = portal.follow("GET", "/portal/members/invite")
    form = portal.form(content, "/portal/members/invite")
    status, refused = portal.follow(
        "POST", "/portal/members/invite", {**form, "email": "not-an-address"}
    )
    assert status == 422
    assert _field_errors(refused, "email") == ["Enter a valid e-mail address."]
    form = portal.form(refused, "/portal/members/invite")
    status, content = portal.follow(
        "POST",
        "/portal/members/invite",
        {
            **form,
            "email": ORDERER_EMAIL,
            "firstName": "Nina",
            "lastName": "Nieuw",
            "role": "ORDERER",
            "branches": [_global_id("OciBranch", oci_branch.pk)],
        },
    )
    assert status == 200, content
    assert "Invitation sent." in content
    member = Member.objects.get(user__email=ORDERER_EMAIL)
    assert member.role == MemberRole.ORDERER
    assert list(member.branches.all()) == [oci_branch]
    (message,) = mail.outbox
    assert PUBLIC_URL + "/portal/set-password?" in message.body

    # Create a branch with two cost centres, the second the default.
    status, content = portal.follow("GET", "/portal/branches/new")
    form = portal.form(content, "/portal/branches/new")
    status, content = portal.follow(
        "POST",
        "/portal/branches/new",
        {
            **form,
            "name": "Locatie West",
            "code": "WEST",
            "costCentres": "KP-5001 Keuken\nKP-5002 Receptie",
            "defaultCostCentre": "KP-5002",
        },
    )
    assert status == 200, content
    assert "Branch created." in content
    branch = Branch.objects.get(code="WEST")
    assert sorted(branch.cost_centres.values_list("code", "name")) == [
        ("KP-5001", "Keuken"),
        ("KP-5002", "Receptie"),
    ]
    assert branch.default_cost_centre == "KP-5002"
    assert "KP-5002 Receptie" in content

    # A default cost centre not in the list: refused, shown beside the list.
    status, content = portal.follow(
        "GET", f"/portal/branch?id={_global_id('OciBranch', branch.pk)}"
    )
    form = portal.form(content, "/portal/branch")
    status, refused = portal.follow(
        "POST", "/portal/branch", {**form, "defaultCostCentre": "KP-9999"}
    )
    assert status == 422
    # The plugin reports it on the list (costCentres), where the form shows it.
    (shown,) = _field_errors(refused, "costCentres")
    assert "KP-9999" in shown
    # What was typed stays in the form.
    assert portal.form(refused, "/portal/branch")["defaultCostCentre"] == ["KP-9999"]
    branch.refresh_from_db()
    assert branch.default_cost_centre == "KP-5002"

    # Organisation settings; without the CSRF token nothing changes.
    status, content = portal.follow("GET", "/portal/organisation")
    form = portal.form(content, "/portal/organisation")
    forged = {key: value for key, value in form.items() if key != "csrf_token"}
    status, _content = portal.follow(
        "POST", "/portal/organisation", {**forged, "invoiceEmail": "evil@x.example"}
    )
    assert status == 403
    status, content = portal.follow(
        "POST",
        "/portal/organisation",
        {
            **form,
            "invoiceEmail": "facturen@ziekenhuis-oost.example",
            "invoicingPreference": "PERIODIC_CONSOLIDATED",
        },
    )
    assert status == 200, content
    oci_admin.organisation.refresh_from_db()
    assert oci_admin.organisation.invoice_email == "facturen@ziekenhuis-oost.example"
    assert oci_admin.organisation.invoicing_preference == "periodic_consolidated"

    for path, empty in (
        ("/portal/orders", "No orders yet."),
        ("/portal/invoices", "No invoices yet."),
    ):
        status, content = portal.follow("GET", path)
        assert status == 200, content
        assert empty in content

    # Deactivate the orderer from the members list.
    status, content = portal.follow("GET", "/portal/members")
    deactivate = next(
        values
        for values in _post_forms(content)
        if values.get("email") == [ORDERER_EMAIL] and values.get("isActive")
    )
    status, content = portal.follow("POST", "/portal/member/active", deactivate)
    assert status == 200, content
    member.refresh_from_db()
    assert member.is_active is False

    # Sign out: the session is gone.
    status, _headers, _content = portal.request(
        "POST", "/portal/sign-out", {"csrf_token": form["csrf_token"]}
    )
    assert status == 303
    assert portal.cookie == ""


def _post_forms(content: str) -> list[dict[str, list[str]]]:
    forms = []
    for form in _page(content).forms:
        values: dict[str, list[str]] = {}
        for name, value in form.form_values():
            values.setdefault(name, []).append(value)
        forms.append(values)
    return forms


def _global_id(type_name: str, pk: int) -> str:
    import graphene

    return graphene.Node.to_global_id(type_name, pk)


@pytest.mark.django_db(transaction=True)
def test_invited_orderer_sets_a_password_and_is_told_only_admins_manage(
    portal, oci_admin, oci_branch, oci_connection
):
    status, _content = portal.follow(
        "POST",
        "/portal/sign-in",
        {"email": oci_admin.user.email, "password": ADMIN_PASSWORD},
    )
    assert status == 200
    status, content = portal.follow("GET", "/portal/members/invite")
    form = portal.form(content, "/portal/members/invite")
    status, content = portal.follow(
        "POST",
        "/portal/members/invite",
        {**form, "email": ORDERER_EMAIL, "role": "ORDERER"},
    )
    assert status == 200, content
    (message,) = mail.outbox
    link = next(
        word
        for word in message.body.split()
        if word.startswith(PUBLIC_URL + "/portal/set-password")
    )
    query = parse_qs(urlsplit(link).query)
    assert query["email"] == [ORDERER_EMAIL]

    orderer = PortalBrowser(portal.app)
    status, content = orderer.follow("GET", link[len(PUBLIC_URL) :])
    assert status == 200, content
    form = orderer.form(content, "/portal/set-password")
    status, content = orderer.follow(
        "POST",
        "/portal/set-password",
        {**form, "password": "N3w-passw0rd!", "confirm": "N3w-passw0rd!"},
    )

    assert status == 403
    assert "Only administrators manage the organisation" in content
    assert orderer.cookie
    # The password works for signing in from now on.
    again = PortalBrowser(portal.app)
    status, content = again.follow(
        "POST",
        "/portal/sign-in",
        {"email": ORDERER_EMAIL, "password": "N3w-passw0rd!"},
    )
    assert status == 403
    assert "Only administrators manage the organisation" in content


@pytest.mark.django_db(transaction=True)
def test_wrong_password_is_refused_beside_the_email(portal, oci_admin):
    status, content = portal.follow(
        "POST",
        "/portal/sign-in",
        {"email": oci_admin.user.email, "password": "not-the-password"},
    )
    assert status == 422
    assert _field_errors(content, "email")
    assert portal.cookie == ""


INVOICE_REQUEST = """
mutation ($orderId: ID!) {
  invoiceRequest(orderId: $orderId) { invoice { id number status } errors { code } }
}
"""


@pytest.mark.django_db(transaction=True)
def test_admin_sees_orders_and_downloads_the_invoices_xml_and_html(
    portal,
    oci_admin,
    staff,  # noqa: F811
    seller_configured,  # noqa: F811
    oci_order,  # noqa: F811
):
    from saleor.graphql.tests.utils import get_graphql_content

    from saleor_oci_plugin.invoices.models import IssuedDocument

    response = staff.post_graphql(
        INVOICE_REQUEST, {"orderId": _global_id("Order", oci_order.pk)}
    )
    issued = get_graphql_content(response)["data"]["invoiceRequest"]["invoice"]
    assert issued["status"] == "SUCCESS"
    document = IssuedDocument.objects.get(number=issued["number"])

    status, _content = portal.follow(
        "POST",
        "/portal/sign-in",
        {"email": oci_admin.user.email, "password": ADMIN_PASSWORD},
    )
    assert status == 200

    status, orders = portal.follow("GET", "/portal/orders")
    assert status == 200, orders
    (row,) = _page(orders).xpath("//table//tr[td]")
    cells = [cell.text_content() for cell in row.iter("td")]
    assert cells[0] == str(oci_order.number)
    assert cells[1] == "4500012345"
    assert "KP-4711" in cells  # the order's cost centre

    status, invoices = portal.follow("GET", "/portal/invoices")
    assert status == 200, invoices
    links = {a.text: a.get("href") for a in _page(invoices).iter("a")}
    assert document.number in _page(invoices).text_content()

    status, headers, xml = portal.request("GET", links["UBL XML"])
    assert status == 200
    assert xml == document.xml
    assert headers["Content-Disposition"].startswith("attachment; filename=")
    status, headers, rendering = portal.request("GET", links["HTML"])
    assert status == 200
    assert rendering == document.html
    assert "sandbox" in headers["Content-Security-Policy"]


@pytest.mark.django_db(transaction=True)
def test_admin_uploads_replaces_and_removes_logos_through_the_portal(
    portal, oci_admin, oci_branch
):
    from PIL import Image

    organisation = BuyerOrganisation.objects.get(pk=oci_admin.organisation_id)
    status, _content = portal.follow(
        "POST",
        "/portal/sign-in",
        {"email": oci_admin.user.email, "password": ADMIN_PASSWORD},
    )
    assert status == 200
    status, content = portal.follow("GET", "/portal/organisation")
    assert "No logo yet." in content
    (upload_form,) = [f for f in _page(content).forms if f.action == "/portal/logo"]
    assert upload_form.get("enctype") == "multipart/form-data"
    form = portal.form(content, "/portal/logo")

    status, headers, _content = portal.request(
        "POST",
        "/portal/logo",
        form,
        files={"image": upload(image_bytes("PNG", mode="RGBA"), "logo.png", "x")},
    )
    assert status == 303
    status, headers, content = portal.request("GET", headers["Location"])
    assert status == 200, content
    assert "Logo saved." in content
    organisation.refresh_from_db()
    assert organisation.logo.startswith(LOGO_PREFIX)
    assert Image.open(BytesIO(open_logo(organisation.logo))).size == (40, 20)
    (shown,) = _page(content).find_class("logo")
    assert shown.get("src").endswith(organisation.logo)
    # The page may show its logo, from the logo's origin only.
    origin = "/".join(shown.get("src").split("/")[:3])
    assert f"img-src {origin}" in headers["Content-Security-Policy"]

    # A text file named .png: refused beside the file field, nothing changed.
    first = organisation.logo
    status, headers, refused = portal.request(
        "POST",
        "/portal/logo",
        portal.form(content, "/portal/logo"),
        files={"image": upload(b"not a picture", "letter.png", "image/png")},
    )
    assert status == 422
    (shown_error,) = _field_errors(refused, "image")
    assert "not a PNG, JPEG or WebP image" in shown_error
    organisation.refresh_from_db()
    assert organisation.logo == first

    # A body over the portal's upload limit: a clear 413, nothing read or changed.
    status, _headers, too_large = portal.request(
        "POST",
        "/portal/logo",
        portal.form(content, "/portal/logo"),
        files={"image": upload(noise_png(1450), "big.png", "image/png")},
    )
    assert status == 413
    assert "A logo may be at most 5 MB" in too_large
    # Without the session's CSRF token: refused.
    status, _headers, _content = portal.request(
        "POST",
        "/portal/logo",
        {},
        files={"image": upload(image_bytes("PNG"), "logo.png", "image/png")},
    )
    assert status == 403
    organisation.refresh_from_db()
    assert organisation.logo == first

    # The branch's own logo; then removed: it prints the organisation's again.
    branch_id = _global_id("OciBranch", oci_branch.pk)
    status, content = portal.follow("GET", f"/portal/branch?id={branch_id}")
    assert "No logo of its own" in content
    form = portal.form(content, "/portal/logo")
    assert form["branch"] == [branch_id]
    status, content = portal.follow(
        "POST",
        "/portal/logo",
        form,
        files={"image": upload(image_bytes("JPEG"), "branch.jpg", "image/jpeg")},
    )
    assert status == 200, content
    oci_branch.refresh_from_db()
    assert oci_branch.logo.startswith(LOGO_PREFIX)
    assert oci_branch.logo.endswith(".jpg")
    status, content = portal.follow(
        "POST", "/portal/logo/remove", portal.form(content, "/portal/logo/remove")
    )
    assert status == 200, content
    oci_branch.refresh_from_db()
    assert oci_branch.logo == ""
    organisation.refresh_from_db()
    assert organisation.logo == first


# ------------------------------------------------------------------ budgets
def _sign_in(portal, member) -> None:
    status, content = portal.follow(
        "POST",
        "/portal/sign-in",
        {"email": member.user.email, "password": ADMIN_PASSWORD},
    )
    assert status == 200, content


def _budget_rows(content: str) -> list[list[str]]:
    """The budgets table's rows, as the cells' texts (the buttons' cell apart)."""
    return [
        [cell.text_content().strip() for cell in row.findall("td")][:-1]
        for row in _page(content).xpath("//table//tr[td]")
    ]


@pytest.mark.django_db(transaction=True)
def test_admin_manages_budgets_and_sees_their_use_in_the_portal(
    portal, oci_admin, oci_branch, oci_orderer, oci_transfer
):
    from django.utils import timezone

    from saleor_oci_plugin.buyers.models import Budget, BuyerOrganisation

    _sign_in(portal, oci_admin)
    status, content = portal.follow("GET", "/portal/budgets")
    assert status == 200
    assert "No budgets" in content

    # The organisation's monthly budget: the transfer's hold (51.00) counts.
    status, content = portal.follow("GET", "/portal/budgets/new")
    form = portal.form(content, "/portal/budgets/new")
    assert (form["period"], form["currency"], form["kind"]) == (
        ["MONTH"],
        ["EUR"],
        ["hard"],
    )
    status, content = portal.follow(
        "POST",
        "/portal/budgets/new",
        {
            **form,
            "name": "Gifts",
            "amount": "1000",
            "currency": "usd",
            "holdDays": "14",
        },
    )
    assert status == 200, content
    assert "Budget created." in content
    month = timezone.localdate().strftime("%B %Y")
    assert _budget_rows(content) == [
        [
            "Gifts",
            "The whole organisation",
            month,
            "USD 1,000.00",
            "USD 0.00",
            "USD 51.00",
            "USD 949.00",
            "hard",
        ]
    ]
    assert BuyerOrganisation.objects.get().budget_hold_days == 14

    # A soft quarterly budget of the branch, and one of a member found by e-mail.
    status, content = portal.follow("GET", "/portal/budgets/new")
    form = portal.form(content, "/portal/budgets/new")
    portal.follow(
        "POST",
        "/portal/budgets/new",
        {
            **form,
            "name": "Noord",
            "scope": graphene_id("OciBranch", oci_branch.pk),
            "period": "QUARTER",
            "amount": "250.50",
            "currency": "USD",
            "kind": "soft",
        },
    )
    status, content = portal.follow(
        "POST",
        "/portal/budgets/new",
        {
            **form,
            "name": "Jansen",
            "amount": "75",
            "currency": "USD",
            "memberEmail": oci_orderer.user.email.upper(),
        },
    )
    assert status == 200, content
    rows = _budget_rows(content)
    assert [row[:2] for row in rows] == [
        ["Gifts", "The whole organisation"],
        ["Noord", "Branch Locatie Noord"],
        ["Jansen", f"Member {oci_orderer.user.email}"],
    ]
    assert (rows[1][3], rows[1][-1]) == ("USD 250.50", "soft")
    quarter = Budget.objects.get(name="Noord")
    assert (quarter.period, quarter.hard, quarter.branch) == (
        "quarter",
        False,
        oci_branch,
    )

    # Edit: the form shows it as stored; save a yearly hard one.
    path = f"/portal/budget?id={graphene_id('OciBudget', quarter.pk)}"
    status, content = portal.follow("GET", path)
    form = portal.form(content, "/portal/budget")
    assert (form["amount"], form["period"], form["kind"]) == (
        ["250.50"],
        ["QUARTER"],
        ["soft"],
    )
    status, content = portal.follow(
        "POST", "/portal/budget", {**form, "period": "YEAR", "kind": "hard"}
    )
    assert "Saved." in content
    quarter.refresh_from_db()
    assert (quarter.period, quarter.hard) == ("year", True)

    # Delete the member's.
    status, content = portal.follow("GET", "/portal/budgets")
    [delete] = [
        f
        for f in _page(content).forms
        if f.action == "/portal/budget/delete"
        and f.fields["id"]
        == graphene_id("OciBudget", Budget.objects.get(name="Jansen").pk)
    ]
    status, content = portal.follow(
        "POST", "/portal/budget/delete", dict(delete.form_values())
    )
    assert "Budget deleted." in content
    assert sorted(Budget.objects.values_list("name", flat=True)) == ["Gifts", "Noord"]


@pytest.mark.django_db(transaction=True)
def test_budget_forms_refuse_bad_amounts_and_others_budgets(
    portal, oci_admin, other_organisation
):
    from decimal import Decimal

    from saleor_oci_plugin.buyers.models import Budget

    theirs = Budget.objects.create(
        organisation=other_organisation, amount=Decimal(10), currency="EUR"
    )
    _sign_in(portal, oci_admin)
    status, content = portal.follow("GET", "/portal/budgets/new")
    form = portal.form(content, "/portal/budgets/new")
    for amount in ("", "-5", "0", "ten", "1e40", "12.345", "NaN", "Infinity"):
        status, refused = portal.follow(
            "POST", "/portal/budgets/new", {**form, "amount": amount}
        )
        assert status == 422, amount
        assert _field_errors(refused, "amount"), amount
    status, refused = portal.follow(
        "POST",
        "/portal/budgets/new",
        {**form, "amount": "5", "currency": "EURO", "holdDays": "0"},
    )
    assert status == 422
    assert _field_errors(refused, "holdDays")
    status, refused = portal.follow(
        "POST", "/portal/budgets/new", {**form, "amount": "5", "currency": "EURO"}
    )
    assert status == 422
    assert _field_errors(refused, "currency")  # Saleor's refusal, beside its field
    status, refused = portal.follow(
        "POST",
        "/portal/budgets/new",
        {**form, "amount": "5", "memberEmail": "nobody@example.com"},
    )
    assert status == 422
    assert _field_errors(refused, "memberEmail")
    assert list(Budget.objects.all()) == [theirs]

    # Another organisation's budget: not found, for reading, saving and deleting.
    their_id = graphene_id("OciBudget", theirs.pk)
    status, _content = portal.follow("GET", f"/portal/budget?id={their_id}")
    assert status == 404
    csrf = form["csrf_token"]
    for action in ("/portal/budget", "/portal/budget/delete"):
        status, _content = portal.follow(
            "POST", action, {"csrf_token": csrf, "id": their_id, "amount": "1"}
        )
        assert status == 404, action
    theirs.refresh_from_db()
    assert theirs.amount == Decimal(10)


def graphene_id(type_name: str, pk: int) -> str:
    import graphene

    return graphene.Node.to_global_id(type_name, pk)
