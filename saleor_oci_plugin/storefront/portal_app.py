"""The organisation portal's routes, under ``/portal``.

``GET  /portal/``                       the members page, or sign-in
``GET|POST /portal/sign-in``            ``tokenCreate``; sets the session cookie
``POST /portal/sign-out``               forgets the tokens, clears the cookie
``GET|POST /portal/forgot-password``    ``requestPasswordReset``
``GET|POST /portal/set-password``       the invitation / reset link: ``setPassword``
``GET  /portal/members``                members, paged (``after``), ``search``
``GET|POST /portal/members/invite``     ``ociMemberInvite``
``GET|POST /portal/member?id=&email=``  ``ociMemberUpdate``
``POST /portal/member/active``          deactivate / reactivate
``POST /portal/member/resend``          ``ociMemberInviteResend``
``GET  /portal/branches``               branches and their cost centres
``GET|POST /portal/branches/new``       ``ociBranchCreate``
``GET|POST /portal/branch?id=``         ``ociBranchUpdate``
``GET|POST /portal/organisation``       ``ociOrganisationUpdate``
``POST /portal/logo``                   ``ociLogoUpload`` (multipart; ``branch``)
``POST /portal/logo/remove``            ``ociLogoDelete`` (``branch``)
``GET  /portal/budgets``                ``ociBudgets``: each budget's use
``GET|POST /portal/budgets/new``        ``ociBudgetSet`` (a new budget)
``GET|POST /portal/budget?id=``         ``ociBudgetSet`` (a budget of the list)
``POST /portal/budget/delete``          ``ociBudgetDelete``
``GET  /portal/orders``                 ``ociOrganisationOrders``, paged
``GET  /portal/invoices``               ``ociInvoices``
``GET  /portal/invoice.xml?id=``        the UBL XML, as a download
``GET  /portal/invoice.html?id=``       the HTML rendering
``GET  /portal/invoice.pdf?id=``        the PDF copy, as a download

Every POST of a signed-in person carries the session's CSRF token; every POST
is refused when the browser says it comes from another origin.
"""

import base64
import binascii
import email.parser
import email.policy
import hmac
import logging
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from saleor_oci_plugin.webapp.wsgi import RequestError, read_body

from . import portal_pages as pages
from .graphql_client import FilePart, GraphQLClient
from .portal import Portal, SignedOut
from .portal_pages import FormState, Viewer
from .portal_sessions import (
    PortalSession,
    PortalSessionTable,
    clear_cookie,
    session_id_from_cookie,
    set_cookie,
)
from .responses import Response, url_origins
from .settings import Settings
from .shop import Problem, ShopRefusal

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 64 * 1024
# A logo is at most 5 MB (buyers/logos.py, checked again by the plugin); the
# upload form's body may hold that and the form's few other fields.
MAX_LOGO_BYTES = 5 * 1024 * 1024
MAX_LOGO_FORM_BYTES = MAX_LOGO_BYTES + MAX_FORM_BYTES
# A browser shows a refusal only if the server reads what it sends: an upload a
# little too large is read and dropped before the 413; a far larger one is not.
MAX_DISCARDED_BYTES = 4 * MAX_LOGO_FORM_BYTES
# Branch check boxes make a form's fields many: enough for a large organisation.
MAX_FORM_FIELDS = 500
MEMBERS_PER_PAGE = 25
ORDERS_PER_PAGE = 25
# Portal pages are never framed (clickjacking): the punch-out pages may be.
PORTAL_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
PORTAL_REFERRER_POLICY = "same-origin"
# The invoice's HTML rendering: styles only, no scripts, no requests, sandboxed.
INVOICE_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
)
_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")
SET_PASSWORD_PATH = "/portal/set-password"

Form = dict[str, list[str]]
Files = dict[str, FilePart]


class PortalRoutes:
    """The portal part of the storefront; one per process, shared by threads."""

    def __init__(
        self,
        settings: Settings,
        client: GraphQLClient,
        sessions: PortalSessionTable | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = PortalSessionTable() if sessions is None else sessions
        self.portal = Portal(client, self.sessions)

    # ------------------------------------------------------------ routing
    def route(self, environ: dict[str, Any], method: str, path: str) -> Response:
        # HEAD is GET without the body (PageApp drops it): it never changes a thing.
        method = "GET" if method == "HEAD" else method
        if method == "POST":
            _check_origin(environ)
        open_pages: dict[str, Callable[[dict[str, Any], str], Response]] = {
            "/portal/sign-in": self.sign_in,
            "/portal/forgot-password": self.forgot_password,
            "/portal/set-password": self.set_password,
        }
        if path in open_pages:
            _allow(method, "GET", "POST")
            return open_pages[path](environ, method)
        session = self._session(environ)
        if path in ("/portal", "/portal/"):
            _allow(method, "GET")
            return Response.see_other(
                "/portal/members" if session else "/portal/sign-in"
            )
        if session is None:
            if method == "POST":
                raise RequestError(
                    HTTPStatus.FORBIDDEN,
                    "Signed out",
                    "Your portal session has ended; sign in again and repeat this.",
                )
            return Response.see_other("/portal/sign-in")
        form: Form = {}
        files: Files = {}
        if method == "POST":
            if path == pages.LOGO_PATH:
                form, files = _read_upload_form(environ)
            else:
                form = _read_form(environ)
            if not hmac.compare_digest(
                _first(form, "csrf_token").encode(), session.csrf_token.encode()
            ):
                raise RequestError(
                    HTTPStatus.FORBIDDEN,
                    "Not done",
                    "This form did not come from this portal's own page; reload the "
                    "page and try again.",
                )
        if path == "/portal/sign-out":
            _allow(method, "POST")
            self.portal.sign_out(session)
            return Response.see_other("/portal/sign-in").with_headers(
                ("Set-Cookie", clear_cookie(secure=self._secure(environ)))
            )
        query = _query(environ)
        try:
            return self._signed_in(session, environ, method, path, form, query, files)
        except ShopRefusal as refusal:
            # A refusal no form expects (e.g. a permission Saleor denies): a page
            # saying so, never a failure.
            viewer = Viewer(session.email, session.csrf_token)
            return page(
                pages.refused_page(viewer, refusal.problems),
                HTTPStatus.FORBIDDEN
                if "PermissionDenied" in refusal.codes
                else HTTPStatus.UNPROCESSABLE_ENTITY,
            )
        except SignedOut:
            return Response.see_other("/portal/sign-in?ended=1").with_headers(
                ("Set-Cookie", clear_cookie(secure=self._secure(environ)))
            )

    def _signed_in(
        self,
        session: PortalSession,
        environ: dict[str, Any],
        method: str,
        path: str,
        form: Form,
        query: dict[str, str],
        files: Files,
    ) -> Response:
        me = self.portal.me(session)
        organisation = me.get("organisation") or {}
        viewer = Viewer(session.email, session.csrf_token, organisation.get("name", ""))
        if not me.get("canManage"):
            return page(pages.not_admin_page(viewer), HTTPStatus.FORBIDDEN)
        routes: dict[str, tuple[tuple[str, ...], Callable[..., Response]]] = {
            "/portal/members": (("GET",), self.members),
            "/portal/members/invite": (("GET", "POST"), self.invite),
            "/portal/member": (("GET", "POST"), self.member),
            "/portal/member/active": (("POST",), self.member_active),
            "/portal/member/resend": (("POST",), self.member_resend),
            "/portal/branches": (("GET",), self.branches),
            "/portal/branches/new": (("GET", "POST"), self.branch_new),
            "/portal/branch": (("GET", "POST"), self.branch),
            "/portal/organisation": (("GET", "POST"), self.organisation),
            pages.LOGO_PATH: (("POST",), self.logo),
            pages.LOGO_REMOVE_PATH: (("POST",), self.logo_remove),
            "/portal/budgets": (("GET",), self.budgets),
            "/portal/budgets/new": (("GET", "POST"), self.budget_new),
            "/portal/budget": (("GET", "POST"), self.budget),
            "/portal/budget/delete": (("POST",), self.budget_delete),
            "/portal/orders": (("GET",), self.orders),
            "/portal/invoices": (("GET",), self.invoices),
            "/portal/invoice.xml": (("GET",), self.invoice_xml),
            "/portal/invoice.html": (("GET",), self.invoice_html),
            "/portal/invoice.pdf": (("GET",), self.invoice_pdf),
        }
        if path not in routes:
            raise RequestError(
                HTTPStatus.NOT_FOUND, "Not found", f"The portal has no page {path}."
            )
        methods, handler = routes[path]
        _allow(method, *methods)
        return handler(
            session=session,
            viewer=viewer,
            organisation=organisation,
            method=method,
            form=form,
            query=query,
            files=files,
        )

    def _session(self, environ: dict[str, Any]) -> PortalSession | None:
        session_id = session_id_from_cookie(environ.get("HTTP_COOKIE", ""))
        return self.sessions.get(session_id) if session_id else None

    def _secure(self, environ: dict[str, Any]) -> bool:
        return environ.get("wsgi.url_scheme") == "https" or (
            self.settings.public_base.startswith("https://")
        )

    @property
    def set_password_url(self) -> str:
        """Where invitation and reset links lead (Saleor adds email and token)."""
        return self.settings.public_base + SET_PASSWORD_PATH

    def _signed_in_response(
        self, environ: dict[str, Any], session: PortalSession
    ) -> Response:
        return Response.see_other("/portal/members").with_headers(
            ("Set-Cookie", set_cookie(session.id, secure=self._secure(environ)))
        )

    # -------------------------------------------------------- signing in
    def sign_in(self, environ: dict[str, Any], method: str) -> Response:
        if method == "GET":
            notice = (
                "Your session has ended; sign in again."
                if _query(environ).get("ended")
                else ""
            )
            return page(pages.sign_in_page(FormState(), notice))
        form = _read_form(environ)
        email = _first(form, "email").strip()
        state = FormState({"email": [email]})
        if not email or not _first(form, "password"):
            state.problems = [
                Problem("Enter your e-mail address and password.", field="email")
            ]
            return page(pages.sign_in_page(state), HTTPStatus.UNPROCESSABLE_ENTITY)
        try:
            session = self.portal.sign_in(email, _first(form, "password"))
        except ShopRefusal as refusal:
            state.problems = _on_field(refusal.problems, "email")
            return page(pages.sign_in_page(state), HTTPStatus.UNPROCESSABLE_ENTITY)
        logger.info("portal: %s signed in", email)
        return self._signed_in_response(environ, session)

    def forgot_password(self, environ: dict[str, Any], method: str) -> Response:
        if method == "GET":
            return page(pages.forgot_password_page(FormState()))
        form = _read_form(environ)
        email = _first(form, "email").strip()
        state = FormState({"email": [email]})
        if not email:
            state.problems = [Problem("Enter your e-mail address.", field="email")]
            return page(
                pages.forgot_password_page(state), HTTPStatus.UNPROCESSABLE_ENTITY
            )
        try:
            self.portal.request_password_reset(
                email, self.set_password_url, self.settings.channel or None
            )
        except ShopRefusal as refusal:
            # An unknown address gets the same answer as a known one.
            shown = [p for p in refusal.problems if p.code != "NOT_FOUND"]
            if shown:
                state.problems = _on_field(shown, "email")
                return page(
                    pages.forgot_password_page(state), HTTPStatus.UNPROCESSABLE_ENTITY
                )
        return page(pages.forgot_password_page(state, sent=True))

    def set_password(self, environ: dict[str, Any], method: str) -> Response:
        if method == "GET":
            query = _query(environ)
            state = FormState(
                {"email": [query.get("email", "")], "token": [query.get("token", "")]}
            )
            if not (query.get("email") and query.get("token")):
                raise RequestError(
                    HTTPStatus.BAD_REQUEST,
                    "Link incomplete",
                    "This page needs the e-mail address and token of the link in "
                    "your invitation or password e-mail; open that link again.",
                )
            return page(pages.set_password_page(state))
        form = _read_form(environ)
        state = FormState(
            {"email": form.get("email", []), "token": form.get("token", [])}
        )
        password = _first(form, "password")
        if not password:
            state.problems = [Problem("Choose a password.", field="password")]
        elif password != _first(form, "confirm"):
            state.problems = [
                Problem("The two passwords are not the same.", field="confirm")
            ]
        if state.problems:
            return page(pages.set_password_page(state), HTTPStatus.UNPROCESSABLE_ENTITY)
        try:
            session = self.portal.set_password(
                _first(form, "email"), _first(form, "token"), password
            )
        except ShopRefusal as refusal:
            state.problems = _on_field(refusal.problems, "password")
            return page(pages.set_password_page(state), HTTPStatus.UNPROCESSABLE_ENTITY)
        return self._signed_in_response(environ, session)

    # ------------------------------------------------------------ members
    def members(
        self, *, session: PortalSession, viewer: Viewer, query: dict[str, str], **_: Any
    ) -> Response:
        search, after = query.get("search", "").strip(), query.get("after", "")
        connection = self.portal.members(
            session, MEMBERS_PER_PAGE, after or None, search or None
        )
        notice = {
            "invited": "Invitation sent.",
            "saved": "Saved.",
            "resent": "Invitation sent again.",
        }.get(query.get("done", ""), "")
        return page(
            pages.members_page(
                viewer, connection, search=search, after=after, notice=notice
            )
        )

    def invite(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        organisation: dict[str, Any],
        method: str,
        form: Form,
        **_: Any,
    ) -> Response:
        if method == "GET":
            state = FormState({"role": ["ORDERER"]})
            return page(pages.member_form_page(viewer, organisation, state))
        state = FormState(form)
        data = {
            "email": _first(form, "email").strip(),
            **_member_input(form),
            "redirectUrl": self.set_password_url,
        }
        if _first(form, "externalId").strip():
            data["externalId"] = _first(form, "externalId").strip()
        try:
            self.portal.invite(session, data)
        except ShopRefusal as refusal:
            state.problems = refusal.problems
            return page(
                pages.member_form_page(viewer, organisation, state),
                HTTPStatus.UNPROCESSABLE_ENTITY,
            )
        return Response.see_other("/portal/members?done=invited")

    def member(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        organisation: dict[str, Any],
        method: str,
        form: Form,
        query: dict[str, str],
        **_: Any,
    ) -> Response:
        source = query if method == "GET" else {k: _first(form, k) for k in form}
        member = self.portal.member(
            session, source.get("id", ""), source.get("email", "")
        )
        if member is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND,
                "No such member",
                "Your organisation has no such member; go back to the members list.",
            )
        if method == "GET":
            state = FormState.of(
                {
                    "email": member["email"],
                    "firstName": member.get("firstName"),
                    "lastName": member.get("lastName"),
                    "role": member.get("role"),
                    "branches": [b["id"] for b in member.get("branches") or []],
                    "defaultBranch": (member.get("defaultBranch") or {}).get("id"),
                    "defaultCostCentre": member.get("defaultCostCentre"),
                    "externalId": member.get("externalId"),
                }
            )
            return page(
                pages.member_form_page(viewer, organisation, state, member=member)
            )
        state = FormState(form)
        data = {**_member_input(form), "externalId": _first(form, "externalId")}
        try:
            self.portal.update_member(session, member["id"], data)
        except ShopRefusal as refusal:
            state.problems = refusal.problems
            return page(
                pages.member_form_page(viewer, organisation, state, member=member),
                HTTPStatus.UNPROCESSABLE_ENTITY,
            )
        return Response.see_other("/portal/members?done=saved")

    def member_active(
        self, *, session: PortalSession, viewer: Viewer, form: Form, **_: Any
    ) -> Response:
        active = _first(form, "isActive") == "true"
        return self._member_action(
            session,
            viewer,
            lambda: self.portal.update_member(
                session, _first(form, "id"), {"isActive": active}
            ),
            "saved",
        )

    def member_resend(
        self, *, session: PortalSession, viewer: Viewer, form: Form, **_: Any
    ) -> Response:
        return self._member_action(
            session,
            viewer,
            lambda: self.portal.resend_invitation(
                session, _first(form, "id"), self.set_password_url
            ),
            "resent",
        )

    def _member_action(
        self,
        session: PortalSession,
        viewer: Viewer,
        action: Callable[[], None],
        done: str,
    ) -> Response:
        try:
            action()
        except ShopRefusal as refusal:
            connection = self.portal.members(session, MEMBERS_PER_PAGE)
            return page(
                pages.members_page(
                    viewer, connection, search="", after="", problems=refusal.problems
                ),
                HTTPStatus.UNPROCESSABLE_ENTITY,
            )
        return Response.see_other(f"/portal/members?done={done}")

    # ----------------------------------------------------------- branches
    def branches(
        self,
        *,
        viewer: Viewer,
        organisation: dict[str, Any],
        query: dict[str, str],
        **_: Any,
    ) -> Response:
        notice = {"created": "Branch created.", "saved": "Saved."}.get(
            query.get("done", ""), ""
        )
        return page(pages.branches_page(viewer, organisation, notice))

    def branch_new(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        method: str,
        form: Form,
        **_: Any,
    ) -> Response:
        if method == "GET":
            return page(pages.branch_form_page(viewer, FormState()))
        state = FormState(form)
        try:
            self.portal.create_branch(session, branch_input(form))
        except ShopRefusal as refusal:
            state.problems = refusal.problems
            return page(
                pages.branch_form_page(viewer, state), HTTPStatus.UNPROCESSABLE_ENTITY
            )
        return Response.see_other("/portal/branches?done=created")

    def branch(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        organisation: dict[str, Any],
        method: str,
        form: Form,
        query: dict[str, str],
        **_: Any,
    ) -> Response:
        branch_id = query.get("id", "") if method == "GET" else _first(form, "id")
        branch = _branch_of(organisation, branch_id)
        if method == "GET":
            return page(
                pages.branch_form_page(viewer, _branch_state(branch), branch),
                images=pages.logo_urls(branch),
            )
        state = FormState(form)
        try:
            self.portal.update_branch(session, branch["id"], branch_input(form))
        except ShopRefusal as refusal:
            state.problems = refusal.problems
            return page(
                pages.branch_form_page(viewer, state, branch),
                HTTPStatus.UNPROCESSABLE_ENTITY,
                images=pages.logo_urls(branch),
            )
        return Response.see_other("/portal/branches?done=saved")

    # ------------------------------------------------------- organisation
    def organisation(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        organisation: dict[str, Any],
        method: str,
        form: Form,
        query: dict[str, str],
        **_: Any,
    ) -> Response:
        if method == "GET":
            notice = {"saved": "Saved.", "logo": "Logo saved."}.get(
                query.get("done", ""), ""
            )
            return page(
                pages.organisation_page(
                    viewer, organisation, _organisation_state(organisation), notice
                ),
                images=pages.logo_urls(organisation),
            )
        state = FormState(form)
        try:
            self.portal.update_organisation(
                session, organisation["id"], organisation_input(form)
            )
        except ShopRefusal as refusal:
            state.problems = refusal.problems
            return page(
                pages.organisation_page(viewer, organisation, state),
                HTTPStatus.UNPROCESSABLE_ENTITY,
                images=pages.logo_urls(organisation),
            )
        return Response.see_other("/portal/organisation?done=saved")

    # --------------------------------------------------------------- logos
    def logo(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        organisation: dict[str, Any],
        form: Form,
        files: Files,
        **_: Any,
    ) -> Response:
        branch_id = _first(form, "branch")
        branch = _branch_of(organisation, branch_id) if branch_id else None
        image = files.get("image")
        try:
            if image is None or not image.content:
                raise ShopRefusal(
                    [Problem("Choose a PNG, JPEG or WebP file.", field="image")]
                )
            self.portal.upload_logo(session, branch_id or None, image)
        except ShopRefusal as refusal:
            return _logo_refused(viewer, organisation, branch, refusal.problems)
        return _logo_done(branch)

    def logo_remove(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        organisation: dict[str, Any],
        form: Form,
        **_: Any,
    ) -> Response:
        branch_id = _first(form, "branch")
        branch = _branch_of(organisation, branch_id) if branch_id else None
        try:
            self.portal.delete_logo(session, branch_id or None)
        except ShopRefusal as refusal:
            return _logo_refused(viewer, organisation, branch, refusal.problems)
        return _logo_done(branch)

    # ------------------------------------------------------------ budgets
    def budgets(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        organisation: dict[str, Any],
        query: dict[str, str],
        **_: Any,
    ) -> Response:
        notice = {
            "created": "Budget created.",
            "saved": "Saved.",
            "deleted": "Budget deleted.",
        }.get(query.get("done", ""), "")
        return page(
            pages.budgets_page(
                viewer, organisation, self.portal.budgets(session), notice
            )
        )

    def budget_new(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        organisation: dict[str, Any],
        method: str,
        form: Form,
        **_: Any,
    ) -> Response:
        if method == "GET":
            state = FormState.of({"period": "MONTH", "currency": "EUR", "kind": "hard"})
            return page(pages.budget_form_page(viewer, organisation, state))
        state = FormState(form)
        try:
            data = budget_input(form)
            scope = self._budget_scope(session, organisation, form)
            self.portal.set_budget(session, {**data, **scope})
        except ShopRefusal as refusal:
            state.problems = refusal.problems
            return page(
                pages.budget_form_page(viewer, organisation, state),
                HTTPStatus.UNPROCESSABLE_ENTITY,
            )
        return Response.see_other("/portal/budgets?done=created")

    def _budget_scope(
        self, session: PortalSession, organisation: dict[str, Any], form: Form
    ) -> dict[str, str]:
        """The new budget's branch or member (found by e-mail), as input."""
        branch_id = _first(form, "scope")
        email = _first(form, "memberEmail").strip()
        if branch_id and email:
            raise ShopRefusal(
                [Problem("A branch or a member, not both.", "INVALID", "memberEmail")]
            )
        if email:
            found = self.portal.members(session, 50, search=email)
            member_ids = [
                edge["node"]["id"]
                for edge in found.get("edges") or []
                if edge["node"]["email"].lower() == email.lower()
            ]
            if not member_ids:
                raise ShopRefusal(
                    [
                        Problem(
                            "No member of your organisation has this e-mail.",
                            "NOT_FOUND",
                            "memberEmail",
                        )
                    ]
                )
            return {"member": member_ids[0]}
        if branch_id:
            if branch_id not in {
                branch["id"] for branch in organisation.get("branches") or []
            }:
                raise ShopRefusal(
                    [Problem("Choose one of your branches.", "NOT_FOUND", "scope")]
                )
            return {"branch": branch_id}
        return {}

    def _own_budget(self, session: PortalSession, budget_id: str) -> dict[str, Any]:
        budget = next(
            (b for b in self.portal.budgets(session) if b["id"] == budget_id), None
        )
        if budget is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND,
                "No such budget",
                "Your organisation has no such budget; go back to the budgets list.",
            )
        return budget

    def budget(
        self,
        *,
        session: PortalSession,
        viewer: Viewer,
        organisation: dict[str, Any],
        method: str,
        form: Form,
        query: dict[str, str],
        **_: Any,
    ) -> Response:
        budget_id = query.get("id", "") if method == "GET" else _first(form, "id")
        budget = self._own_budget(session, budget_id)
        if method == "GET":
            state = FormState.of(
                {
                    "name": budget.get("name"),
                    "period": str(budget.get("period") or "").upper(),
                    "amount": f"{float(budget.get('amount') or 0):.2f}",
                    "currency": budget.get("currency"),
                    "kind": "hard" if budget.get("hard") else "soft",
                }
            )
            return page(pages.budget_form_page(viewer, organisation, state, budget))
        state = FormState(form)
        try:
            self.portal.set_budget(session, {"id": budget["id"], **budget_input(form)})
        except ShopRefusal as refusal:
            state.problems = refusal.problems
            return page(
                pages.budget_form_page(viewer, organisation, state, budget),
                HTTPStatus.UNPROCESSABLE_ENTITY,
            )
        return Response.see_other("/portal/budgets?done=saved")

    def budget_delete(
        self, *, session: PortalSession, form: Form, **_: Any
    ) -> Response:
        budget = self._own_budget(session, _first(form, "id"))
        self.portal.delete_budget(session, budget["id"])
        return Response.see_other("/portal/budgets?done=deleted")

    # --------------------------------------------------- orders, invoices
    def orders(
        self, *, session: PortalSession, viewer: Viewer, query: dict[str, str], **_: Any
    ) -> Response:
        after = query.get("after", "")
        connection = self.portal.orders(session, ORDERS_PER_PAGE, after or None)
        return page(pages.orders_page(viewer, connection, after))

    def invoices(self, *, session: PortalSession, viewer: Viewer, **_: Any) -> Response:
        return page(pages.invoices_page(viewer, self.portal.invoices(session)))

    def _invoice(self, session: PortalSession, query: dict[str, str]) -> dict[str, Any]:
        invoice = self.portal.invoice_documents(session, query.get("id", ""))
        if invoice is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND,
                "No such invoice",
                "This invoice is not among your organisation's newest invoices.",
            )
        return invoice

    def invoice_xml(
        self, *, session: PortalSession, query: dict[str, str], **_: Any
    ) -> Response:
        invoice = self._invoice(session, query)
        return Response(
            HTTPStatus.OK,
            str(invoice["xml"]).encode("utf-8"),
            (
                ("Content-Type", "application/xml; charset=utf-8"),
                (
                    "Content-Disposition",
                    f'attachment; filename="{_filename(invoice["number"])}.xml"',
                ),
                ("Content-Security-Policy", "default-src 'none'; sandbox"),
            ),
        )

    def invoice_pdf(
        self, *, session: PortalSession, query: dict[str, str], **_: Any
    ) -> Response:
        invoice = self.portal.invoice_pdf(session, query.get("id", ""))
        if invoice is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND,
                "No such invoice",
                "This invoice is not among your organisation's newest invoices.",
            )
        try:
            pdf = base64.b64decode(invoice.get("pdf") or "", validate=True)
        except (binascii.Error, ValueError):
            pdf = b""
        if not pdf:
            raise RequestError(
                HTTPStatus.NOT_FOUND,
                "No PDF copy",
                "This document was issued before invoices carried a PDF copy; "
                "download its UBL XML or HTML instead.",
            )
        return Response(
            HTTPStatus.OK,
            pdf,
            (
                ("Content-Type", "application/pdf"),
                (
                    "Content-Disposition",
                    f'attachment; filename="{_filename(invoice["number"])}.pdf"',
                ),
                ("Content-Security-Policy", "default-src 'none'; sandbox"),
            ),
        )

    def invoice_html(
        self, *, session: PortalSession, query: dict[str, str], **_: Any
    ) -> Response:
        invoice = self._invoice(session, query)
        return Response(
            HTTPStatus.OK,
            str(invoice["html"]).encode("utf-8"),
            (
                ("Content-Type", "text/html; charset=utf-8"),
                (
                    "Content-Disposition",
                    f'inline; filename="{_filename(invoice["number"])}.html"',
                ),
                ("Content-Security-Policy", INVOICE_HTML_POLICY),
            ),
        )


def _branch_of(organisation: dict[str, Any], branch_id: str) -> dict[str, Any]:
    """The organisation's branch with this id, or a 404 page."""
    for branch in organisation.get("branches") or []:
        if branch["id"] == branch_id:
            found: dict[str, Any] = branch
            return found
    raise RequestError(
        HTTPStatus.NOT_FOUND,
        "No such branch",
        "Your organisation has no such branch; go back to the branches list.",
    )


def _branch_state(branch: dict[str, Any]) -> FormState:
    """The branch form with the branch's settings as Saleor has them."""
    return FormState.of(
        {
            "name": branch["name"],
            "code": branch.get("code"),
            "costCentres": pages.cost_centres_text(branch.get("costCentres") or []),
            "defaultCostCentre": branch.get("defaultCostCentre"),
            "invoiceEmail": branch.get("invoiceEmail"),
            "invoicingPreference": branch.get("invoicingPreference"),
            **pages.address_values("invoiceAddress", branch.get("invoiceAddress")),
            **pages.address_values("deliveryAddress", branch.get("deliveryAddress")),
        }
    )


def _organisation_state(organisation: dict[str, Any]) -> FormState:
    """The organisation form with its settings as Saleor has them."""
    return FormState.of(
        {
            "invoiceEmail": organisation.get("invoiceEmail"),
            "invoicingPreference": organisation.get("invoicingPreference"),
            **pages.address_values(
                "invoiceAddress", organisation.get("invoiceAddress")
            ),
            **pages.address_values(
                "deliveryAddress", organisation.get("deliveryAddress")
            ),
        }
    )


def _logo_done(branch: dict[str, Any] | None) -> Response:
    if branch is None:
        return Response.see_other("/portal/organisation?done=logo#logo")
    return Response.see_other(pages.branch_path(branch) + "&done=logo#logo")


def _logo_refused(
    viewer: Viewer,
    organisation: dict[str, Any],
    branch: dict[str, Any] | None,
    problems: Sequence[Problem],
) -> Response:
    """The organisation's (or branch's) page again, the problems beside the file."""
    if branch is None:
        html_text = pages.organisation_page(
            viewer,
            organisation,
            _organisation_state(organisation),
            logo_problems=problems,
        )
        images = pages.logo_urls(organisation)
    else:
        html_text = pages.branch_form_page(
            viewer, _branch_state(branch), branch, logo_problems=problems
        )
        images = pages.logo_urls(branch)
    return page(html_text, HTTPStatus.UNPROCESSABLE_ENTITY, images=images)


# ----------------------------------------------------------------- inputs
def _member_input(form: Form) -> dict[str, Any]:
    """The member form as ``ociMemberInvite`` / ``ociMemberUpdate`` input."""
    return {
        "firstName": _first(form, "firstName").strip(),
        "lastName": _first(form, "lastName").strip(),
        "role": _first(form, "role") or "ORDERER",
        "branches": [value for value in form.get("branches", []) if value],
        "defaultBranch": _first(form, "defaultBranch") or None,
        "defaultCostCentre": _first(form, "defaultCostCentre").strip(),
    }


def parse_cost_centres(text: str) -> list[dict[str, str]]:
    """The textarea's lines (``CODE name``) as ``OciCostCentreInput`` values."""
    centres = []
    for line in text.splitlines():
        code, _space, name = line.strip().partition(" ")
        if code:
            centres.append({"code": code, "name": name.strip()})
    return centres


def branch_input(form: Form) -> dict[str, Any]:
    """The branch form as ``OciBranchCreateInput`` / ``OciBranchInput``."""
    return {
        "name": _first(form, "name").strip(),
        "code": _first(form, "code").strip(),
        "costCentres": parse_cost_centres(_first(form, "costCentres")),
        "defaultCostCentre": _first(form, "defaultCostCentre").strip(),
        "invoiceEmail": _first(form, "invoiceEmail").strip(),
        "invoicingPreference": _first(form, "invoicingPreference") or None,
        **_addresses_input(form),
    }


def organisation_input(form: Form) -> dict[str, Any]:
    """The organisation form as ``OciOrganisationInput``."""
    data: dict[str, Any] = {
        "invoiceEmail": _first(form, "invoiceEmail").strip(),
        **_addresses_input(form),
    }
    if _first(form, "invoicingPreference"):
        data["invoicingPreference"] = _first(form, "invoicingPreference")
    return data


def _addresses_input(form: Form) -> dict[str, Any]:
    """Saleor ``AddressInput``s from the address fieldsets; null where every part
    is empty (no address). Saleor checks them."""
    addresses: dict[str, Any] = {}
    for address, _title, _hint in pages.ADDRESSES:
        parts = {
            part: _first(form, f"{address}.{part}").strip()
            for part, _label in pages.ADDRESS_PARTS
        }
        if "country" in parts:
            parts["country"] = parts["country"].upper()
        addresses[address] = (
            {part: value for part, value in parts.items() if value}
            if any(parts.values())
            else None
        )
    return addresses


# ---------------------------------------------------------------- helpers
# Budget.amount: 12 digits before the decimal point, 2 after.
MAX_BUDGET = Decimal(10**12)


def budget_input(form: Form) -> dict[str, Any]:
    """The budget form as ``ociBudgetSet`` input; what cannot be a budget is
    refused here, beside its field (Saleor's scalar would refuse it without)."""
    problems = []
    text = _first(form, "amount").strip().replace(" ", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        problems.append(Problem("An amount above 0, e.g. 1000.", "INVALID", "amount"))
    elif amount >= MAX_BUDGET or amount != amount.quantize(Decimal("0.01")):
        problems.append(
            Problem(
                "At most 999,999,999,999.99, with at most two decimals.",
                "INVALID",
                "amount",
            )
        )
    hold_days_text = _first(form, "holdDays").strip()
    hold_days = None
    if hold_days_text:
        if hold_days_text.isdigit() and 1 <= int(hold_days_text) <= 365:
            hold_days = int(hold_days_text)
        else:
            problems.append(
                Problem("A number of days from 1 to 365.", "INVALID", "holdDays")
            )
    period = _first(form, "period")
    if period not in {value for value, _label in pages.BUDGET_PERIODS}:
        problems.append(Problem("Choose a period.", "INVALID", "period"))
    if problems:
        raise ShopRefusal(problems)
    data: dict[str, Any] = {
        "name": _first(form, "name").strip(),
        "period": period,
        "amount": str(amount),
        "currency": _first(form, "currency").strip().upper(),
        "hard": _first(form, "kind") != "soft",
    }
    if hold_days is not None:
        data["holdDays"] = hold_days
    return data


def page(
    html_text: str, status: int = HTTPStatus.OK, images: Sequence[str] = ()
) -> Response:
    """A portal page: the storefront's headers, never framed; pictures (logos)
    only from the origins of ``images``.

    Its referrer policy is ``same-origin``, not the punch-out pages'
    ``no-referrer``: with ``no-referrer`` browsers send ``Origin: null`` with the
    page's forms, which the origin check could not tell from another site's.
    Portal URLs hold no session id; other sites still get no referrer.
    """
    response = Response.page(html_text, status)
    origins = url_origins(images)
    policy = (
        f"{PORTAL_POLICY}; img-src {' '.join(origins)}" if origins else PORTAL_POLICY
    )
    return Response(
        response.status,
        response.body,
        (
            *(
                (name, policy if name == "Content-Security-Policy" else value)
                for name, value in response.headers
            ),
            ("Referrer-Policy", PORTAL_REFERRER_POLICY),
        ),
    )


def _on_field(problems: Sequence[Problem], field: str) -> list[Problem]:
    """Problems without a field of the form go beside ``field``."""
    return [
        problem if problem.field else Problem(problem.message, problem.code, field)
        for problem in problems
    ]


def _allow(method: str, *allowed: str) -> None:
    if method in allowed or (method == "HEAD" and "GET" in allowed):
        return
    raise RequestError(
        HTTPStatus.METHOD_NOT_ALLOWED,
        "Method not allowed",
        f"{method}: use {' or '.join(allowed)}.",
    )


def _check_origin(environ: dict[str, Any]) -> None:
    """A browser's POST from another site's page is refused (``Origin``)."""
    origin = environ.get("HTTP_ORIGIN")
    if origin is None:
        return  # not sent by every browser for same-origin forms; tokens decide
    own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
    if origin.lower() != own.lower():
        raise RequestError(
            HTTPStatus.FORBIDDEN,
            "Not done",
            "This form was sent from another site; open the portal and try again.",
        )


def _read_form(environ: dict[str, Any]) -> Form:
    body = read_body(environ, MAX_FORM_BYTES, "The portal")
    try:
        pairs = parse_qsl(
            body.decode("utf-8", errors="replace"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
        )
    except ValueError as error:
        raise RequestError(
            HTTPStatus.BAD_REQUEST, "Not done", "This is not one of the portal's forms."
        ) from error
    form: Form = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


def _read_upload_form(environ: dict[str, Any]) -> tuple[Form, Files]:
    """A multipart/form-data body of at most MAX_LOGO_FORM_BYTES: its fields and
    its files. A larger body is refused (413) before it is read."""
    content_type = environ.get("CONTENT_TYPE") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        raise RequestError(
            HTTPStatus.BAD_REQUEST,
            "Not done",
            "A logo is sent with the portal's upload form (multipart/form-data).",
        )
    length_text = (environ.get("CONTENT_LENGTH") or "").strip()
    if length_text.isdigit() and int(length_text) > MAX_LOGO_FORM_BYTES:
        _discard_body(environ, int(length_text))
        raise RequestError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "Logo too large",
            f"A logo may be at most {MAX_LOGO_BYTES // (1024 * 1024)} MB; choose a "
            "smaller file.",
        )
    body = read_body(environ, MAX_LOGO_FORM_BYTES, "The portal")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise RequestError(
            HTTPStatus.BAD_REQUEST, "Not done", "This is not one of the portal's forms."
        )
    form: Form = {}
    files: Files = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        content = part.get_payload(decode=True)
        content = content if isinstance(content, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            form.setdefault(name, []).append(content.decode("utf-8", "replace"))
        elif name not in files:
            files[name] = FilePart(filename, part.get_content_type(), content)
    if len(form) > MAX_FORM_FIELDS:
        raise RequestError(
            HTTPStatus.BAD_REQUEST, "Not done", "This is not one of the portal's forms."
        )
    return form, files


def _discard_body(environ: dict[str, Any], length: int) -> None:
    """Read and drop a refused body of up to MAX_DISCARDED_BYTES, so that the
    browser, still sending it, receives the refusal page."""
    if length > MAX_DISCARDED_BYTES:
        return
    stream = environ["wsgi.input"]
    left = length
    while left > 0:
        chunk = stream.read(min(left, 64 * 1024))
        if not chunk:
            return
        left -= len(chunk)


def _first(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def _query(environ: dict[str, Any]) -> dict[str, str]:
    parsed = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=20)
    return {key: values[0] for key, values in parsed.items()}


def _filename(number: object) -> str:
    return _SAFE_FILENAME.sub("_", str(number))[:80] or "invoice"
