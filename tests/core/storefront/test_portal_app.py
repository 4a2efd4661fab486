"""The organisation portal's routes in-process, against the stand-in for Saleor."""

import pytest

from saleor_oci_plugin.storefront import Settings
from saleor_oci_plugin.storefront.graphql_client import FilePart
from saleor_oci_plugin.storefront.portal_app import (
    MAX_LOGO_FORM_BYTES,
    parse_cost_centres,
)

from .portal_helpers import (
    ADMIN_EMAIL,
    BRANCH_ID,
    EARLIER_INVOICE_ID,
    INVOICE_HTML,
    INVOICE_ID,
    INVOICE_PDF,
    INVOICE_XML,
    MEMBER_ID,
    ORGANISATION,
    ORGANISATION_ID,
    PASSWORD,
    PortalBrowser,
    error,
)


@pytest.fixture
def browser() -> PortalBrowser:
    return PortalBrowser()


@pytest.fixture
def signed_in(browser: PortalBrowser) -> PortalBrowser:
    browser.sign_in()
    return browser


def _field_errors(response, name: str) -> list[str]:
    """The error texts shown beside the form field ``name``."""
    return [
        element.text_content()
        for element in response.document.find_class("field-error")
        if element.get("id") == f"{name}-error"
    ]


# --- signing in, the cookie ---------------------------------------------------


def test_sign_in_sets_an_http_only_strict_cookie_with_only_a_session_id(browser):
    response = browser.sign_in()

    cookie = response.header("Set-Cookie")
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0] == f"oci_portal={browser.cookie}"
    assert {"HttpOnly", "SameSite=Strict", "Path=/portal"} <= set(attributes)
    assert "Secure" not in attributes  # plain http on this machine
    assert len(browser.cookie) >= 40
    session = browser.portal_sessions.get(browser.cookie)
    assert session is not None
    assert session.refresh_token == "portal-refresh"
    assert "portal-refresh" not in cookie
    assert session.token not in cookie
    assert response.header("Location") == "/portal/members"
    assert browser.saleor.calls[0].variables == {
        "email": ADMIN_EMAIL,
        "password": PASSWORD,
    }


@pytest.mark.parametrize(
    ("settings", "scheme"),
    [
        (Settings(public_url="https://shop.example"), "http"),
        (Settings(), "https"),
    ],
)
def test_cookie_is_secure_when_the_portal_is_reached_over_https(settings, scheme):
    browser = PortalBrowser(settings)
    browser.scheme = scheme
    cookie = browser.sign_in().header("Set-Cookie")
    assert "Secure" in [part.strip() for part in cookie.split(";")]


def test_wrong_password_is_shown_beside_the_email_field(browser):
    response = browser.post(
        "/portal/sign-in", {"email": ADMIN_EMAIL, "password": "wrong"}
    )

    assert response.status == 422
    assert _field_errors(response, "email") == ["Please, enter valid credentials"]
    assert response.header("Set-Cookie") == ""
    assert len(browser.portal_sessions) == 0
    # The e-mail stays filled in, the password does not.
    assert 'value="beheer@ziekenhuis-oost.example"' in response.text
    assert "wrong" not in response.text


def test_empty_sign_in_form_is_refused_before_saleor(browser):
    response = browser.post("/portal/sign-in", {"email": "", "password": ""})
    assert response.status == 422
    assert _field_errors(response, "email")
    assert browser.saleor.calls == []


def test_pages_without_a_session_lead_to_sign_in(browser):
    for path in ("/portal/", "/portal/members", "/portal/invoices"):
        response = browser.get(path)
        assert response.status == 303, path
        assert response.header("Location") == "/portal/sign-in"
    browser.cookie = "not-a-known-session-id-at-all"
    assert browser.get("/portal/members").header("Location") == "/portal/sign-in"


def test_sign_out_forgets_the_tokens_and_clears_the_cookie(signed_in):
    session_id = signed_in.cookie

    response = signed_in.submit("/portal/sign-out", {})

    assert response.status == 303
    assert "Max-Age=0" in response.header("Set-Cookie")
    assert signed_in.portal_sessions.get(session_id) is None
    signed_in.cookie = session_id  # a copy of the old cookie opens nothing
    assert signed_in.get("/portal/members").header("Location") == "/portal/sign-in"


def test_portal_pages_are_never_framed(signed_in):
    response = signed_in.get("/portal/members")
    assert response.status == 200
    assert "frame-ancestors 'none'" in response.header("Content-Security-Policy")


def test_portal_pages_let_browsers_send_their_origin_with_forms(browser):
    # With no-referrer (the punch-out pages' policy) browsers send Origin: null.
    response = browser.get("/portal/sign-in")
    policies = [v for k, v in response.headers if k.lower() == "referrer-policy"]
    assert policies == ["same-origin"]


def test_expired_refresh_token_signs_out_with_a_message(signed_in):
    signed_in.portal_sessions.get(signed_in.cookie).expires_at = 6e9
    signed_in.now = 5_000_000_000  # past the access token's expiry
    signed_in.answer(
        "TokenRefresh",
        {
            "data": {
                "tokenRefresh": {
                    "token": None,
                    "errors": [error("refreshToken", "Signature has expired")],
                }
            }
        },
    )

    response = signed_in.get("/portal/members")

    assert response.status == 303
    assert response.header("Location") == "/portal/sign-in?ended=1"
    assert signed_in.cookie == ""
    page = signed_in.get("/portal/sign-in?ended=1")
    assert "Your session has ended" in page.text


# --- CSRF -----------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_post_without_the_sessions_csrf_token_is_refused(signed_in, token):
    form = {"invoiceEmail": "x@example.com"}
    if token is not None:
        form["csrf_token"] = token

    response = signed_in.post("/portal/organisation", form)

    assert response.status == 403
    assert "did not come from this portal" in response.text
    assert "PortalOrganisationUpdate" not in signed_in.saleor.operations()


def test_post_from_another_origin_is_refused_even_with_a_token(signed_in):
    signed_in.origin = "https://evil.example"
    response = signed_in.submit("/portal/organisation", {"invoiceEmail": "a@b.nl"})
    assert response.status == 403
    assert "PortalOrganisationUpdate" not in signed_in.saleor.operations()


def test_sign_in_from_another_origin_is_refused(browser):
    browser.origin = "https://evil.example"
    response = browser.post(
        "/portal/sign-in", {"email": ADMIN_EMAIL, "password": PASSWORD}
    )
    assert response.status == 403
    assert browser.saleor.calls == []


def test_same_origin_post_is_accepted(signed_in):
    signed_in.origin = "http://127.0.0.1:3000"
    response = signed_in.submit("/portal/organisation", {"invoiceEmail": "a@b.nl"})
    assert response.status == 303


def test_every_form_carries_the_csrf_token(signed_in):
    for path in (
        "/portal/members",
        "/portal/members/invite",
        "/portal/branches/new",
        f"/portal/branch?id={BRANCH_ID}",
        "/portal/organisation",
    ):
        response = signed_in.get(path)
        assert response.status == 200, (path, response.text)
        forms = [f for f in response.document.forms if f.method.upper() == "POST"]
        assert forms, path
        for form in forms:
            assert dict(form.form_values())["csrf_token"] == signed_in.csrf_token


# --- who may manage ------------------------------------------------------------


def test_an_orderer_sees_that_only_administrators_manage(signed_in):
    signed_in.answer(
        "PortalMe",
        {"data": {"ociMe": {"canManage": False, "organisation": None}}},
    )

    response = signed_in.get("/portal/members")

    assert response.status == 403
    assert "Only administrators manage the organisation" in response.text
    assert "PortalMembers" not in signed_in.saleor.operations()


# --- members --------------------------------------------------------------------


def test_members_page_lists_escaped_and_pages_with_after(signed_in):
    response = signed_in.get("/portal/members?search=jan")

    assert response.status == 200
    assert "de &lt;Vries&gt;" in response.text
    call = signed_in.saleor.calls[-1]
    assert call.operation == "PortalMembers"
    assert call.variables == {"first": 25, "after": None, "search": "jan"}
    (next_link,) = [
        a.get("href") for a in response.document.iter("a") if a.text == "Next page"
    ]
    assert "after=Y3Vyc29yOjI1" in next_link
    assert "search=jan" in next_link

    signed_in.get(next_link)
    assert signed_in.saleor.calls[-1].variables["after"] == "Y3Vyc29yOjI1"


def test_invite_sends_the_set_password_page_as_redirect_url(signed_in):
    response = signed_in.submit(
        "/portal/members/invite",
        {
            "email": " nieuw@ziekenhuis-oost.example ",
            "firstName": "Nina",
            "lastName": "Nieuw",
            "role": "ORDERER",
            "branches": [BRANCH_ID],
            "defaultBranch": BRANCH_ID,
            "defaultCostCentre": "KP-4712",
        },
    )

    assert response.status == 303
    assert response.header("Location") == "/portal/members?done=invited"
    call = signed_in.saleor.calls[-1]
    assert call.operation == "PortalMemberInvite"
    assert call.variables["input"] == {
        "email": "nieuw@ziekenhuis-oost.example",
        "firstName": "Nina",
        "lastName": "Nieuw",
        "role": "ORDERER",
        "branches": [BRANCH_ID],
        "defaultBranch": BRANCH_ID,
        "defaultCostCentre": "KP-4712",
        "redirectUrl": "http://127.0.0.1:3000/portal/set-password",
    }
    assert "Invitation sent." in signed_in.get(response.header("Location")).text


def test_invitation_link_uses_the_public_url():
    browser = PortalBrowser(Settings(public_url="https://bestellen.example/"))
    browser.sign_in()
    browser.submit("/portal/members/invite", {"email": "a@b.nl", "role": "ORDERER"})
    assert browser.saleor.calls[-1].variables["input"]["redirectUrl"] == (
        "https://bestellen.example/portal/set-password"
    )


def test_invite_refusals_are_shown_beside_their_fields(signed_in):
    signed_in.answer(
        "PortalMemberInvite",
        {
            "data": {
                "ociMemberInvite": {
                    "member": None,
                    "delivery": None,
                    "errors": [
                        error("email", "Enter a valid e-mail address."),
                        error("defaultCostCentre", "Not one of the branch's."),
                        error("redirectUrl", "example.org is not allowed."),
                    ],
                }
            }
        },
    )

    response = signed_in.submit(
        "/portal/members/invite",
        {"email": "nope", "role": "ORDERER", "defaultCostCentre": "KP-4712"},
    )

    assert response.status == 422
    assert _field_errors(response, "email") == ["Enter a valid e-mail address."]
    assert _field_errors(response, "defaultCostCentre") == ["Not one of the branch's."]
    # A problem of no form field is shown above the form.
    (box,) = response.document.find_class("problem")
    assert "example.org is not allowed." in box.text_content()
    # What was typed stays.
    (form,) = [f for f in response.document.forms if f.action.endswith("/invite")]
    assert dict(form.form_values())["email"] == "nope"


def test_member_form_shows_the_members_settings(signed_in):
    response = signed_in.get(
        f"/portal/member?id={MEMBER_ID}&email=jan%40ziekenhuis-oost.example"
    )

    assert response.status == 200
    (form,) = [f for f in response.document.forms if f.action == "/portal/member"]
    values = form.form_values()
    assert ("branches", BRANCH_ID) in values
    assert ("defaultCostCentre", "KP-4712") in values
    assert ("role", "ORDERER") in values
    assert signed_in.saleor.calls[-1].variables["search"] == (
        "jan@ziekenhuis-oost.example"
    )


def test_unknown_member_is_a_page_not_a_failure(signed_in):
    response = signed_in.get("/portal/member?id=bm9wZQ==&email=x%40y.nl")
    assert response.status == 404
    assert "no such member" in response.text


def test_member_update_changes_role_and_branches(signed_in):
    response = signed_in.submit(
        "/portal/member",
        {
            "id": MEMBER_ID,
            "email": "jan@ziekenhuis-oost.example",
            "firstName": "Jan",
            "lastName": "de Vries",
            "role": "ADMIN",
            "defaultBranch": "",
            "defaultCostCentre": "",
        },
    )

    assert response.status == 303
    call = signed_in.saleor.calls[-1]
    assert call.operation == "PortalMemberUpdate"
    assert call.variables["id"] == MEMBER_ID
    assert call.variables["input"]["role"] == "ADMIN"
    assert call.variables["input"]["branches"] == []  # none ticked: all
    assert call.variables["input"]["defaultBranch"] is None


@pytest.mark.parametrize(("posted", "active"), [("false", False), ("true", True)])
def test_deactivate_and_reactivate(signed_in, posted, active):
    response = signed_in.submit(
        "/portal/member/active", {"id": MEMBER_ID, "isActive": posted}
    )
    assert response.status == 303
    call = signed_in.saleor.calls[-1]
    assert call.operation == "PortalMemberUpdate"
    assert call.variables == {"id": MEMBER_ID, "input": {"isActive": active}}


def test_refused_deactivation_is_shown_on_the_members_page(signed_in):
    signed_in.answer(
        "PortalMemberUpdate",
        {
            "data": {
                "ociMemberUpdate": {
                    "errors": [error("isActive", "An organisation keeps an admin.")]
                }
            }
        },
    )
    response = signed_in.submit(
        "/portal/member/active", {"id": MEMBER_ID, "isActive": "false"}
    )
    assert response.status == 422
    assert "An organisation keeps an admin." in response.text


def test_resend_invitation(signed_in):
    response = signed_in.submit("/portal/member/resend", {"id": MEMBER_ID})
    assert response.status == 303
    call = signed_in.saleor.calls[-1]
    assert call.operation == "PortalMemberInviteResend"
    assert call.variables == {
        "id": MEMBER_ID,
        "redirectUrl": "http://127.0.0.1:3000/portal/set-password",
    }


# --- branches, organisation --------------------------------------------------


def test_parse_cost_centres_one_a_line():
    assert parse_cost_centres("KP-1 Keuken\r\n\n  KP-2   Zalen en gangen \nKP-3") == [
        {"code": "KP-1", "name": "Keuken"},
        {"code": "KP-2", "name": "Zalen en gangen"},
        {"code": "KP-3", "name": ""},
    ]


def test_create_branch_with_two_cost_centres(signed_in):
    response = signed_in.submit(
        "/portal/branches/new",
        {
            "name": "Locatie West",
            "code": "WEST",
            "costCentres": "KP-5001 Keuken\nKP-5002 Receptie",
            "defaultCostCentre": "KP-5002",
            "invoiceEmail": "",
            "invoicingPreference": "",
        },
    )

    assert response.status == 303
    call = signed_in.saleor.calls[-1]
    assert call.operation == "PortalBranchCreate"
    assert call.variables["input"] == {
        "name": "Locatie West",
        "code": "WEST",
        "costCentres": [
            {"code": "KP-5001", "name": "Keuken"},
            {"code": "KP-5002", "name": "Receptie"},
        ],
        "defaultCostCentre": "KP-5002",
        "invoiceEmail": "",
        "invoicingPreference": None,
        # No address part filled in: no addresses.
        "invoiceAddress": None,
        "deliveryAddress": None,
    }


def test_branch_refusal_is_shown_beside_the_cost_centres(signed_in):
    signed_in.answer(
        "PortalBranchUpdate",
        {
            "data": {
                "ociBranchUpdate": {
                    "errors": [error("costCentres", "KP-… is longer than 10.")]
                }
            }
        },
    )
    response = signed_in.submit(
        "/portal/branch",
        {"id": BRANCH_ID, "name": "Noord", "costCentres": "KP-12345678901 Te lang"},
    )
    assert response.status == 422
    assert _field_errors(response, "costCentres") == ["KP-… is longer than 10."]
    assert "KP-12345678901 Te lang" in response.text


def test_branch_form_shows_its_cost_centres(signed_in):
    response = signed_in.get(f"/portal/branch?id={BRANCH_ID}")
    (textarea,) = response.document.xpath("//textarea[@name='costCentres']")
    assert textarea.text == "KP-4711 Keuken\nKP-4712 Zalen"


def test_unknown_branch_is_not_found(signed_in):
    assert signed_in.get("/portal/branch?id=nope").status == 404


def test_organisation_settings_are_saved(signed_in):
    response = signed_in.submit(
        "/portal/organisation",
        {
            "invoiceEmail": "facturen@ziekenhuis-oost.example",
            "invoicingPreference": "PERIODIC_CONSOLIDATED",
        },
    )
    assert response.status == 303
    call = signed_in.saleor.calls[-1]
    assert call.variables == {
        "id": ORGANISATION_ID,
        "input": {
            "invoiceEmail": "facturen@ziekenhuis-oost.example",
            "invoicingPreference": "PERIODIC_CONSOLIDATED",
            "invoiceAddress": None,
            "deliveryAddress": None,
        },
    }


def test_organisation_address_is_sent_and_its_problem_shown_beside_the_field(
    signed_in,
):
    signed_in.answer(
        "PortalOrganisationUpdate",
        {
            "data": {
                "ociOrganisationUpdate": {
                    "errors": [
                        error("invoiceAddress.postalCode", "'35210' is not valid.")
                    ]
                }
            }
        },
    )

    response = signed_in.submit(
        "/portal/organisation",
        {
            "invoiceEmail": "facturen@ziekenhuis-oost.example",
            "invoiceAddress.companyName": "Gemeente Utrecht",
            "invoiceAddress.streetAddress1": "Stadsplateau 1",
            "invoiceAddress.postalCode": "35210",
            "invoiceAddress.city": "Utrecht",
            "invoiceAddress.country": "nl",
        },
    )

    assert response.status == 422
    sent = signed_in.saleor.calls[-1].variables["input"]
    assert sent["invoiceAddress"] == {
        "companyName": "Gemeente Utrecht",
        "streetAddress1": "Stadsplateau 1",
        "postalCode": "35210",
        "city": "Utrecht",
        "country": "NL",
    }
    assert sent["deliveryAddress"] is None
    assert _field_errors(response, "invoiceAddress.postalCode") == [
        "'35210' is not valid."
    ]
    assert "Stadsplateau 1" in response.text


# --- orders, invoices ----------------------------------------------------------


def test_orders_page(signed_in):
    response = signed_in.get("/portal/orders")
    assert response.status == 200
    text = response.document.text_content()
    assert "4500012345" in text
    assert "KP-4712" in text
    assert "EUR 142.50" in text
    assert "3 \u00d7 Zorgpakket (GB-ZORG-01)" in text


def test_invoices_page_links_both_downloads(signed_in):
    response = signed_in.get("/portal/invoices")
    links = {a.text: a.get("href") for a in response.document.iter("a")}
    assert (
        links["UBL XML"] == f"/portal/invoice.xml?id={INVOICE_ID.replace('=', '%3D')}"
    )

    xml = signed_in.get(links["UBL XML"])
    assert xml.status == 200
    assert xml.body.decode() == INVOICE_XML
    assert xml.header("Content-Type").startswith("application/xml")
    assert xml.header("Content-Disposition") == (
        'attachment; filename="F2026_00001.xml"'
    )

    rendering = signed_in.get(links["HTML"])
    assert rendering.body.decode() == INVOICE_HTML
    assert "sandbox" in rendering.header("Content-Security-Policy")


def test_invoices_page_links_the_pdf_copy(signed_in):
    response = signed_in.get("/portal/invoices")
    links = {a.text: a.get("href") for a in response.document.iter("a")}
    assert links["PDF"] == f"/portal/invoice.pdf?id={INVOICE_ID.replace('=', '%3D')}"

    pdf = signed_in.get(links["PDF"])

    assert pdf.status == 200
    assert pdf.body == INVOICE_PDF
    assert pdf.header("Content-Type") == "application/pdf"
    assert pdf.header("Content-Disposition") == (
        'attachment; filename="F2026_00001.pdf"'
    )
    assert signed_in.saleor.calls[-1].operation == "PortalInvoicePdf"


def test_a_document_without_pdf_copy_or_unknown_is_not_found(signed_in):
    earlier = signed_in.get(f"/portal/invoice.pdf?id={EARLIER_INVOICE_ID}")
    unknown = signed_in.get("/portal/invoice.pdf?id=bm9uZQ==")

    assert earlier.status == 404
    assert "issued before invoices carried a PDF copy" in earlier.text
    assert unknown.status == 404
    assert "No such invoice" in unknown.text


def test_unknown_invoice_is_not_found(signed_in):
    assert signed_in.get("/portal/invoice.xml?id=bm9uZQ==").status == 404


# --- passwords -----------------------------------------------------------------


def test_forgot_password_asks_saleor_and_answers_the_same_for_unknown(browser):
    response = browser.post("/portal/forgot-password", {"email": "a@b.nl"})
    assert response.status == 200
    assert "is on its way" in response.text
    assert browser.saleor.calls[-1].variables == {
        "email": "a@b.nl",
        "redirectUrl": "http://127.0.0.1:3000/portal/set-password",
        "channel": None,
    }
    browser.answer(
        "RequestPasswordReset",
        {
            "data": {
                "requestPasswordReset": {
                    "errors": [error("email", "User not found", "NOT_FOUND")]
                }
            }
        },
    )
    response = browser.post("/portal/forgot-password", {"email": "x@b.nl"})
    assert response.status == 200
    assert "is on its way" in response.text


def test_set_password_page_needs_the_links_email_and_token(browser):
    assert browser.get("/portal/set-password").status == 400
    response = browser.get("/portal/set-password?email=a%40b.nl&token=abc")
    assert response.status == 200
    (form,) = response.document.forms
    assert ("token", "abc") in form.form_values()


def test_set_password_checks_both_entries_then_signs_in(browser):
    form = {"email": "a@b.nl", "token": "abc", "password": "een", "confirm": "twee"}
    response = browser.post("/portal/set-password", form)
    assert response.status == 422
    assert _field_errors(response, "confirm") == ["The two passwords are not the same."]
    assert browser.saleor.calls == []

    response = browser.post("/portal/set-password", {**form, "confirm": "een"})
    assert response.status == 303
    assert browser.saleor.calls[-1].variables == {
        "email": "a@b.nl",
        "token": "abc",
        "password": "een",
    }
    assert browser.portal_sessions.get(browser.cookie) is not None


def test_set_password_refusal_is_shown(browser):
    browser.answer(
        "SetPassword",
        {
            "data": {
                "setPassword": {
                    "token": None,
                    "refreshToken": None,
                    "errors": [error("token", "Invalid or expired token.")],
                }
            }
        },
    )
    response = browser.post(
        "/portal/set-password",
        {"email": "a@b.nl", "token": "old", "password": "x1", "confirm": "x1"},
    )
    assert response.status == 422
    assert "Invalid or expired token." in response.text
    assert browser.cookie == ""


def test_a_top_level_refusal_is_a_page_not_a_failure(signed_in):
    signed_in.answer(
        "PortalMembers",
        {
            "data": {"ociMembers": None},
            "errors": [
                {
                    "message": "You need one of the following permissions.",
                    "extensions": {"exception": {"code": "PermissionDenied"}},
                }
            ],
        },
    )
    response = signed_in.get("/portal/members")
    assert response.status == 403
    assert "You need one of the following permissions." in response.text


def test_invite_keeps_the_procurement_user_id(signed_in):
    signed_in.submit(
        "/portal/members/invite",
        {"email": "a@b.nl", "role": "ORDERER", "externalId": " JJANSEN "},
    )
    assert signed_in.saleor.calls[-1].variables["input"]["externalId"] == "JJANSEN"


def test_head_reads_and_never_changes(signed_in):
    for path in ("/portal/members/invite", "/portal/organisation", "/portal/sign-in"):
        response = signed_in.request("HEAD", path)
        assert response.status == 200, path
        assert response.body == b""
    assert not [c for c in signed_in.saleor.operations() if "Invite" in c]
    assert "PortalOrganisationUpdate" not in signed_in.saleor.operations()


def test_wrong_methods_and_unknown_pages_are_pages(signed_in):
    assert signed_in.get("/portal/sign-out").status == 405
    assert signed_in.get("/portal/nothing-here").status == 404
    assert signed_in.request("DELETE", "/portal/members").status == 405


# --- logos ----------------------------------------------------------------------

# Not a real picture: the portal passes the bytes on, the plugin checks them.
LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"


def test_organisation_page_has_a_multipart_logo_form_and_no_image_without_logo(
    signed_in,
):
    page = signed_in.get("/portal/organisation")
    (form,) = [f for f in page.document.forms if f.action == "/portal/logo"]
    assert form.get("enctype") == "multipart/form-data"
    assert form.inputs["image"].get("type") == "file"
    assert "branch" not in form.inputs
    assert "No logo yet." in page.text
    assert "img-src" not in page.header("Content-Security-Policy")


def test_logo_upload_sends_the_file_unchanged_to_ocilogoupload(signed_in):
    signed_in.answer(
        "PortalLogoUpload",
        {"data": {"ociLogoUpload": {"organisation": {"id": "x"}, "errors": []}}},
    )

    response = signed_in.upload(
        "/portal/logo", {}, {"image": ("logo.png", "image/png", LOGO)}
    )

    assert response.status == 303
    assert response.header("Location") == "/portal/organisation?done=logo#logo"
    call = signed_in.saleor.calls[-1]
    assert call.operation == "PortalLogoUpload"
    assert call.variables == {
        "branch": None,
        "image": FilePart("logo.png", "image/png", LOGO),
    }


def test_branch_logo_upload_names_the_branch_and_returns_to_its_page(signed_in):
    signed_in.answer(
        "PortalLogoUpload",
        {"data": {"ociLogoUpload": {"organisation": {"id": "x"}, "errors": []}}},
    )
    page = signed_in.get(f"/portal/branch?id={BRANCH_ID}")
    (form,) = [f for f in page.document.forms if f.action == "/portal/logo"]
    assert form.inputs["branch"].value == BRANCH_ID

    response = signed_in.upload(
        "/portal/logo",
        {"branch": BRANCH_ID},
        {"image": ("b.jpg", "image/jpeg", LOGO)},
    )

    assert response.status == 303
    assert response.header("Location").endswith("&done=logo#logo")
    assert signed_in.saleor.calls[-1].variables["branch"] == BRANCH_ID


def test_logo_refusal_is_shown_beside_the_file_field(signed_in):
    signed_in.answer(
        "PortalLogoUpload",
        {
            "data": {
                "ociLogoUpload": {
                    "organisation": None,
                    "errors": [
                        error(
                            "image",
                            "SVG logos are not allowed.",
                            "LOGO_FORMAT_NOT_ALLOWED",
                        )
                    ],
                }
            }
        },
    )

    response = signed_in.upload(
        "/portal/logo", {}, {"image": ("l.svg", "image/svg+xml", b"<svg/>")}
    )

    assert response.status == 422
    assert _field_errors(response, "image") == ["SVG logos are not allowed."]
    # The page is long: its top says where to look.
    (alert,) = response.document.find_class("problem")
    assert alert.xpath(".//a/@href") == ["#logo"]


def test_logo_form_without_a_file_is_refused_before_saleor(signed_in):
    response = signed_in.upload("/portal/logo", {}, {"image": ("", "", b"")})

    assert response.status == 422
    assert _field_errors(response, "image") == ["Choose a PNG, JPEG or WebP file."]
    assert "PortalLogoUpload" not in signed_in.saleor.operations()


def test_logo_body_over_the_upload_limit_is_a_413_page_read_to_its_end(signed_in):
    big = bytes(MAX_LOGO_FORM_BYTES)

    response = signed_in.upload(
        "/portal/logo", {}, {"image": ("big.png", "image/png", big)}
    )

    assert response.status == 413
    assert "A logo may be at most 5 MB" in response.text
    # Read and dropped, so that a browser still sending it gets the page.
    assert signed_in.last_input.read() == b""
    assert "PortalLogoUpload" not in signed_in.saleor.operations()


def test_other_forms_keep_their_small_limit(signed_in):
    response = signed_in.submit(
        "/portal/organisation", {"invoiceEmail": "x" * (70 * 1024)}
    )
    assert response.status == 413


def test_logo_upload_needs_the_csrf_token(signed_in):
    response = signed_in.request(
        "POST",
        "/portal/logo",
        body=b'--b\r\nContent-Disposition: form-data; name="image"; '
        b'filename="l.png"\r\n\r\nxx\r\n--b--\r\n',
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status == 403
    assert "PortalLogoUpload" not in signed_in.saleor.operations()


def test_logo_removal_calls_ocilogodelete(signed_in):
    signed_in.answer(
        "PortalLogoDelete",
        {"data": {"ociLogoDelete": {"organisation": {"id": "x"}, "errors": []}}},
    )
    response = signed_in.submit("/portal/logo/remove", {"branch": BRANCH_ID})
    assert response.status == 303
    call = signed_in.saleor.calls[-1]
    assert (call.operation, call.variables) == (
        "PortalLogoDelete",
        {"branch": BRANCH_ID},
    )


def test_a_shown_logo_is_allowed_by_the_pages_policy(signed_in):
    signed_in.answer(
        "PortalMe",
        {
            "data": {
                "ociMe": {
                    "canManage": True,
                    "member": {"id": "x", "email": ADMIN_EMAIL},
                    "organisation": {
                        **ORGANISATION,
                        "logoUrl": "https://media.shop.example/oci-logos/abc.png",
                    },
                }
            }
        },
    )
    page = signed_in.get("/portal/organisation")
    (image,) = page.document.find_class("logo")
    assert image.get("src") == "https://media.shop.example/oci-logos/abc.png"
    assert page.header("Content-Security-Policy").endswith(
        "; img-src https://media.shop.example"
    )
    assert "frame-ancestors 'none'" in page.header("Content-Security-Policy")
