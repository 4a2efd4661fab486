"""What the organisation portal asks of Saleor: one method per GraphQL operation.

An administrator signs in with their Saleor e-mail and password (``tokenCreate``);
the tokens stay in the portal's session table (``portal_sessions``) and every call
runs with the session's access token, refreshed with ``tokenRefresh`` before it
runs out. Refusals become :class:`~.shop.ShopRefusal` (with the GraphQL field of
each problem, so pages show it beside its form field); a refresh token Saleor no
longer takes becomes :class:`SignedOut`.
"""

from collections.abc import Callable
from typing import Any

from .graphql_client import FilePart, GraphQLClient, GraphQLResult
from .portal_sessions import PortalSession, PortalSessionTable
from .sessions import token_expiry
from .shop import TOKEN_REFRESH, Problem, ShopRefusal, _data, _payload

_ERRORS = "errors { field code message }"
TOKEN_CREATE = f"""
mutation TokenCreate($email: String!, $password: String!) {{
  tokenCreate(email: $email, password: $password) {{ token refreshToken {_ERRORS} }}
}}
"""
PASSWORD_RESET = f"""
mutation RequestPasswordReset($email: String!, $redirectUrl: String!,
                              $channel: String) {{
  requestPasswordReset(email: $email, redirectUrl: $redirectUrl, channel: $channel) {{
    {_ERRORS}
  }}
}}
"""
SET_PASSWORD = f"""
mutation SetPassword($email: String!, $token: String!, $password: String!) {{
  setPassword(email: $email, token: $token, password: $password) {{
    token refreshToken {_ERRORS}
  }}
}}
"""
_ADDRESS = """
companyName firstName lastName streetAddress1 streetAddress2 postalCode city
country { code }
"""
_BRANCH = f"""
id name code defaultCostCentre invoiceEmail invoicingPreference logoUrl cardLogoUrl
costCentres {{ code name isDefault }}
invoiceAddress {{ {_ADDRESS} }} deliveryAddress {{ {_ADDRESS} }}
"""
ME = f"""
query PortalMe {{
  ociMe {{
    canManage
    member {{ id email firstName lastName role }}
    organisation {{
      id name invoiceEmail invoicingPreference logoUrl
      invoiceAddress {{ {_ADDRESS} }} deliveryAddress {{ {_ADDRESS} }}
      branches {{ {_BRANCH} }}
    }}
  }}
}}
"""
_MEMBER = """
id email firstName lastName role isActive canSignIn invitedAt externalId
branches { id name } defaultBranch { id name } defaultCostCentre
"""
MEMBERS = f"""
query PortalMembers($first: Int!, $after: String, $search: String) {{
  ociMembers(first: $first, after: $after, search: $search) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {_MEMBER} }} }}
  }}
}}
"""
MEMBER_INVITE = f"""
mutation PortalMemberInvite($input: OciMemberInviteInput!) {{
  ociMemberInvite(input: $input) {{ member {{ id email }} delivery {_ERRORS} }}
}}
"""
MEMBER_UPDATE = f"""
mutation PortalMemberUpdate($id: ID!, $input: OciMemberUpdateInput!) {{
  ociMemberUpdate(id: $id, input: $input) {{ member {{ id }} {_ERRORS} }}
}}
"""
MEMBER_INVITE_RESEND = f"""
mutation PortalMemberInviteResend($id: ID!, $redirectUrl: String!) {{
  ociMemberInviteResend(id: $id, redirectUrl: $redirectUrl) {{
    member {{ id }} delivery {_ERRORS}
  }}
}}
"""
BRANCH_CREATE = f"""
mutation PortalBranchCreate($input: OciBranchCreateInput!) {{
  ociBranchCreate(input: $input) {{ branch {{ id }} {_ERRORS} }}
}}
"""
BRANCH_UPDATE = f"""
mutation PortalBranchUpdate($id: ID!, $input: OciBranchInput!) {{
  ociBranchUpdate(id: $id, input: $input) {{ branch {{ id }} {_ERRORS} }}
}}
"""
ORGANISATION_UPDATE = f"""
mutation PortalOrganisationUpdate($id: ID!, $input: OciOrganisationInput!) {{
  ociOrganisationUpdate(id: $id, input: $input) {{ organisation {{ id }} {_ERRORS} }}
}}
"""
LOGO_UPLOAD = f"""
mutation PortalLogoUpload($branch: ID, $image: Upload!) {{
  ociLogoUpload(branch: $branch, image: $image) {{ organisation {{ id }} {_ERRORS} }}
}}
"""
LOGO_DELETE = f"""
mutation PortalLogoDelete($branch: ID) {{
  ociLogoDelete(branch: $branch) {{ organisation {{ id }} {_ERRORS} }}
}}
"""
ORDERS = """
query PortalOrders($first: Int!, $after: String) {
  ociOrganisationOrders(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id number poNumber status createdAt
        total { gross { amount currency } }
        costCentre branch { name } ordererEmail ordererName
        lines { sku productName quantity }
      }
    }
  }
}
"""
INVOICES = """
query PortalInvoices($limit: Int!) {
  ociInvoices(limit: $limit) {
    id number kind issueDate currency payableAmount sentAt sentTo
    periodStart periodEnd
  }
}
"""
INVOICE_DOCUMENTS = """
query PortalInvoiceDocuments($limit: Int!) {
  ociInvoices(limit: $limit) { id number xml html }
}
"""
# Asked for only when a PDF is downloaded: each is a few dozen kilobytes.
INVOICE_PDF = """
query PortalInvoicePdf($limit: Int!) {
  ociInvoices(limit: $limit) { id number pdf }
}
"""

BUDGETS = """
query PortalBudgets {
  ociBudgets {
    id name branchId memberId memberEmail period periodLabel amount currency hard
    spent held left
  }
}
"""
BUDGET_SET = f"""
mutation PortalBudgetSet($input: OciBudgetInput!) {{
  ociBudgetSet(input: $input) {{ budget {{ id }} {_ERRORS} }}
}}
"""
BUDGET_DELETE = f"""
mutation PortalBudgetDelete($id: ID!) {{
  ociBudgetDelete(id: $id) {{ ok {_ERRORS} }}
}}
"""
# ociInvoices answers at most this many, newest first.
MAX_INVOICES = 100


class SignedOut(Exception):
    """The session's tokens no longer work: the person must sign in again."""


class Portal:
    """The portal's operations, bound to one Saleor and one session table."""

    def __init__(self, client: GraphQLClient, sessions: PortalSessionTable) -> None:
        self.client = client
        self.sessions = sessions

    # ------------------------------------------------------------ signing in
    def sign_in(self, email: str, password: str) -> PortalSession:
        payload = _payload(
            self.client.execute(TOKEN_CREATE, {"email": email, "password": password}),
            "tokenCreate",
        )
        return self._open(email, payload)

    def set_password(self, email: str, token: str, password: str) -> PortalSession:
        """Saleor's ``setPassword`` (invitation or reset link); signs the person in."""
        payload = _payload(
            self.client.execute(
                SET_PASSWORD, {"email": email, "token": token, "password": password}
            ),
            "setPassword",
        )
        return self._open(email, payload)

    def request_password_reset(
        self, email: str, redirect_url: str, channel: str | None
    ) -> None:
        _payload(
            self.client.execute(
                PASSWORD_RESET,
                {"email": email, "redirectUrl": redirect_url, "channel": channel},
            ),
            "requestPasswordReset",
        )

    def _open(self, email: str, payload: dict[str, Any]) -> PortalSession:
        token, refresh_token = payload.get("token"), payload.get("refreshToken")
        if not (token and refresh_token):
            raise ShopRefusal([Problem("The shop issued no sign-in for this account.")])
        return self.sessions.open(
            email=email, token=str(token), refresh_token=str(refresh_token)
        )

    def sign_out(self, session: PortalSession) -> None:
        self.sessions.remove(session.id)

    # ------------------------------------------------------------- plumbing
    def _refresh(self, session: PortalSession, *, force: bool = False) -> None:
        with session.refresh_lock:
            now = self.sessions.clock()
            if not force and not session.token_needs_refresh(now):
                return
            try:
                payload = _payload(
                    self.client.execute(
                        TOKEN_REFRESH, {"refreshToken": session.refresh_token}
                    ),
                    "tokenRefresh",
                )
            except ShopRefusal as refusal:
                self.sessions.remove(session.id)
                raise SignedOut(str(refusal)) from refusal
            token = payload.get("token")
            if not token:
                self.sessions.remove(session.id)
                raise SignedOut("The shop issued no new access token.")
            session.token = str(token)
            session.token_expires_at = token_expiry(session.token, now)

    def _run(
        self, session: PortalSession, query: str, variables: dict[str, Any]
    ) -> GraphQLResult:
        return self._with_token(
            session, lambda token: self.client.execute(query, variables, token=token)
        )

    def _with_token(
        self, session: PortalSession, call: Callable[[str], GraphQLResult]
    ) -> GraphQLResult:
        self._refresh(session)
        result = call(session.token)
        if result.token_expired:  # clocks differ: Saleor's word counts
            self._refresh(session, force=True)
            result = call(session.token)
        return result

    def _query(
        self, session: PortalSession, query: str, variables: dict[str, Any]
    ) -> dict[str, Any]:
        return _data(self._run(session, query, variables))

    def _mutate(
        self,
        session: PortalSession,
        query: str,
        name: str,
        variables: dict[str, Any],
    ) -> dict[str, Any]:
        return _payload(self._run(session, query, variables), name)

    # ---------------------------------------------------------------- reading
    def me(self, session: PortalSession) -> dict[str, Any]:
        """``ociMe``; an empty one for an account that is no member."""
        return self._query(session, ME, {}).get("ociMe") or {}

    def members(
        self,
        session: PortalSession,
        first: int,
        after: str | None = None,
        search: str | None = None,
    ) -> dict[str, Any]:
        data = self._query(
            session, MEMBERS, {"first": first, "after": after, "search": search}
        )
        return data.get("ociMembers") or {}

    def member(
        self, session: PortalSession, member_id: str, email: str
    ) -> dict[str, Any] | None:
        """One member, found by e-mail (``ociMembers`` searches) and checked by id."""
        if not email:
            return None
        found = self.members(session, 50, search=email)
        for edge in found.get("edges") or []:
            if edge["node"]["id"] == member_id:
                node: dict[str, Any] = edge["node"]
                return node
        return None

    def orders(
        self, session: PortalSession, first: int, after: str | None = None
    ) -> dict[str, Any]:
        data = self._query(session, ORDERS, {"first": first, "after": after})
        return data.get("ociOrganisationOrders") or {}

    def invoices(self, session: PortalSession) -> list[dict[str, Any]]:
        data = self._query(session, INVOICES, {"limit": MAX_INVOICES})
        return list(data.get("ociInvoices") or [])

    def budgets(self, session: PortalSession) -> list[dict[str, Any]]:
        """The organisation's budgets, each with its use in the current period."""
        return list(self._query(session, BUDGETS, {}).get("ociBudgets") or [])

    def invoice_documents(
        self, session: PortalSession, invoice_id: str
    ) -> dict[str, Any] | None:
        """The invoice's number, UBL XML and HTML; None if not among the newest."""
        data = self._query(session, INVOICE_DOCUMENTS, {"limit": MAX_INVOICES})
        for invoice in data.get("ociInvoices") or []:
            if invoice.get("id") == invoice_id:
                found: dict[str, Any] = invoice
                return found
        return None

    def invoice_pdf(
        self, session: PortalSession, invoice_id: str
    ) -> dict[str, Any] | None:
        """The invoice's number and PDF copy (base64, or None when it has none);
        None if not among the newest."""
        data = self._query(session, INVOICE_PDF, {"limit": MAX_INVOICES})
        for invoice in data.get("ociInvoices") or []:
            if invoice.get("id") == invoice_id:
                found: dict[str, Any] = invoice
                return found
        return None

    # ---------------------------------------------------------------- changing
    def invite(self, session: PortalSession, data: dict[str, Any]) -> str:
        """Invite a person; who delivers the invitation (``delivery``)."""
        payload = self._mutate(
            session, MEMBER_INVITE, "ociMemberInvite", {"input": data}
        )
        return str(payload.get("delivery") or "")

    def update_member(
        self, session: PortalSession, member_id: str, data: dict[str, Any]
    ) -> None:
        self._mutate(
            session,
            MEMBER_UPDATE,
            "ociMemberUpdate",
            {"id": member_id, "input": data},
        )

    def resend_invitation(
        self, session: PortalSession, member_id: str, redirect_url: str
    ) -> None:
        self._mutate(
            session,
            MEMBER_INVITE_RESEND,
            "ociMemberInviteResend",
            {"id": member_id, "redirectUrl": redirect_url},
        )

    def create_branch(self, session: PortalSession, data: dict[str, Any]) -> None:
        self._mutate(session, BRANCH_CREATE, "ociBranchCreate", {"input": data})

    def update_branch(
        self, session: PortalSession, branch_id: str, data: dict[str, Any]
    ) -> None:
        self._mutate(
            session,
            BRANCH_UPDATE,
            "ociBranchUpdate",
            {"id": branch_id, "input": data},
        )

    def upload_logo(
        self, session: PortalSession, branch_id: str | None, image: FilePart
    ) -> None:
        """``ociLogoUpload`` for the admin's organisation, or one of its branches."""
        result = self._with_token(
            session,
            lambda token: self.client.execute_multipart(
                LOGO_UPLOAD, {"branch": branch_id}, {"image": image}, token=token
            ),
        )
        _payload(result, "ociLogoUpload")

    def delete_logo(self, session: PortalSession, branch_id: str | None) -> None:
        self._mutate(session, LOGO_DELETE, "ociLogoDelete", {"branch": branch_id})

    def update_organisation(
        self, session: PortalSession, organisation_id: str, data: dict[str, Any]
    ) -> None:
        self._mutate(
            session,
            ORGANISATION_UPDATE,
            "ociOrganisationUpdate",
            {"id": organisation_id, "input": data},
        )

    def set_budget(self, session: PortalSession, data: dict[str, Any]) -> None:
        """Create (no ``id``) or change a budget: ``ociBudgetSet``."""
        self._mutate(session, BUDGET_SET, "ociBudgetSet", {"input": data})

    def delete_budget(self, session: PortalSession, budget_id: str) -> None:
        self._mutate(session, BUDGET_DELETE, "ociBudgetDelete", {"id": budget_id})
