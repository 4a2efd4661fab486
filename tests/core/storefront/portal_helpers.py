"""The portal in-process: a browser with a cookie jar, and Saleor's portal answers
from the stand-in (no HTTP, no Saleor)."""

import base64
from io import BytesIO
from typing import Any
from urllib.parse import urlencode, urlsplit
from wsgiref.util import setup_testing_defaults

from saleor_oci_plugin.storefront import Settings, StorefrontApp
from saleor_oci_plugin.storefront.portal_sessions import (
    COOKIE_NAME,
    PortalSessionTable,
)
from saleor_oci_plugin.storefront.sessions import SessionTable
from tests.core.webapp_helpers import WSGIResult

from .helpers import FORM_TYPE, StandInSaleor, make_jwt

ADMIN_EMAIL = "beheer@ziekenhuis-oost.example"
PASSWORD = "geheim-wachtwoord"
ORGANISATION_ID = "T2NpT3JnYW5pc2F0aW9uOjE="
BRANCH_ID = "T2NpQnJhbmNoOjE="
MEMBER_ID = "T2NpTWVtYmVyOjI="
INVOICE_ID = "T2NpSW52b2ljZTox"
INVOICE_XML = '<?xml version="1.0"?><Invoice><ID>F2026-00001</ID></Invoice>'
INVOICE_HTML = "<!DOCTYPE html><html><body><h1>Factuur F2026-00001</h1></body></html>"
INVOICE_PDF = b"%PDF-1.4 stand-in for F2026-00001\n%%EOF\n"
# Issued before invoices carried a PDF copy.
EARLIER_INVOICE_ID = "T2NpSW52b2ljZTow"

ORGANISATION = {
    "id": ORGANISATION_ID,
    "name": "Ziekenhuis Oost",
    "invoiceEmail": "crediteuren@ziekenhuis-oost.example",
    "invoicingPreference": "PER_ORDER",
    "branches": [
        {
            "id": BRANCH_ID,
            "name": "Locatie Noord",
            "code": "NOORD",
            "defaultCostCentre": "KP-4711",
            "invoiceEmail": "",
            "invoicingPreference": None,
            "costCentres": [
                {"code": "KP-4711", "name": "Keuken", "isDefault": True},
                {"code": "KP-4712", "name": "Zalen", "isDefault": False},
            ],
        }
    ],
}
MEMBER = {
    "id": MEMBER_ID,
    "email": "jan@ziekenhuis-oost.example",
    "firstName": "Jan",
    "lastName": "de <Vries>",
    "role": "ORDERER",
    "isActive": True,
    "canSignIn": False,
    "invitedAt": "2026-12-01T10:00:00+00:00",
    "externalId": "",
    "branches": [{"id": BRANCH_ID, "name": "Locatie Noord"}],
    "defaultBranch": {"id": BRANCH_ID, "name": "Locatie Noord"},
    "defaultCostCentre": "KP-4712",
}


def _me(can_manage: bool = True) -> dict[str, Any]:
    return {
        "data": {
            "ociMe": {
                "canManage": can_manage,
                "member": {"id": "x", "email": ADMIN_EMAIL},
                "organisation": ORGANISATION,
            }
        }
    }


def _ok(name: str) -> Any:
    return lambda variables, token: {"data": {name: {"errors": []}}}


PORTAL_HANDLERS = {
    "TokenCreate": lambda variables, token: {
        "data": {
            "tokenCreate": {
                "token": make_jwt(4_000_000_000),
                "refreshToken": "portal-refresh",
                "errors": [],
            }
            if variables["password"] == PASSWORD
            else {
                "token": None,
                "refreshToken": None,
                "errors": [
                    {
                        "field": "email",
                        "code": "INVALID_CREDENTIALS",
                        "message": "Please, enter valid credentials",
                    }
                ],
            }
        }
    },
    "PortalMe": lambda variables, token: _me(),
    "PortalMembers": lambda variables, token: {
        "data": {
            "ociMembers": {
                "totalCount": 30,
                "pageInfo": {"hasNextPage": True, "endCursor": "Y3Vyc29yOjI1"},
                "edges": [{"node": MEMBER}],
            }
        }
    },
    "PortalMemberInvite": lambda variables, token: {
        "data": {
            "ociMemberInvite": {
                "member": {"id": MEMBER_ID, "email": variables["input"]["email"]},
                "delivery": "PLUGIN_MAIL",
                "errors": [],
            }
        }
    },
    "PortalMemberUpdate": _ok("ociMemberUpdate"),
    "PortalMemberInviteResend": _ok("ociMemberInviteResend"),
    "PortalBranchCreate": _ok("ociBranchCreate"),
    "PortalBranchUpdate": _ok("ociBranchUpdate"),
    "PortalOrganisationUpdate": _ok("ociOrganisationUpdate"),
    "PortalOrders": lambda variables, token: {
        "data": {
            "ociOrganisationOrders": {
                "pageInfo": {"hasNextPage": False, "endCursor": None},
                "edges": [
                    {
                        "node": {
                            "id": "T3JkZXI6MQ==",
                            "number": "17",
                            "poNumber": "4500012345",
                            "status": "UNCONFIRMED",
                            "createdAt": "2026-12-02T09:00:00+00:00",
                            "total": {"gross": {"amount": 142.5, "currency": "EUR"}},
                            "costCentre": "KP-4712",
                            "branch": {"name": "Locatie Noord"},
                            "ordererEmail": "jan@ziekenhuis-oost.example",
                            "ordererName": "Jan de Vries",
                            "lines": [
                                {
                                    "sku": "GB-ZORG-01",
                                    "productName": "Zorgpakket",
                                    "quantity": 3,
                                }
                            ],
                        }
                    }
                ],
            }
        }
    },
    "PortalInvoices": lambda variables, token: {
        "data": {
            "ociInvoices": [
                {
                    "id": INVOICE_ID,
                    "number": "F2026-00001",
                    "kind": "invoice",
                    "issueDate": "2026-12-02",
                    "currency": "EUR",
                    "payableAmount": "142.50",
                    "sentAt": None,
                    "sentTo": "",
                    "periodStart": None,
                    "periodEnd": None,
                }
            ]
        }
    },
    "PortalInvoiceDocuments": lambda variables, token: {
        "data": {
            "ociInvoices": [
                {
                    "id": INVOICE_ID,
                    "number": "F2026/00001",
                    "xml": INVOICE_XML,
                    "html": INVOICE_HTML,
                }
            ]
        }
    },
    "PortalInvoicePdf": lambda variables, token: {
        "data": {
            "ociInvoices": [
                {
                    "id": INVOICE_ID,
                    "number": "F2026/00001",
                    "pdf": base64.b64encode(INVOICE_PDF).decode(),
                },
                {"id": EARLIER_INVOICE_ID, "number": "F2025/00009", "pdf": None},
            ]
        }
    },
    "RequestPasswordReset": _ok("requestPasswordReset"),
    "SetPassword": lambda variables, token: {
        "data": {
            "setPassword": {
                "token": make_jwt(4_000_000_000),
                "refreshToken": "portal-refresh-2",
                "errors": [],
            }
        }
    },
}


def error(field: str | None, message: str, code: str = "INVALID") -> dict[str, Any]:
    return {"field": field, "code": code, "message": message}


class PortalBrowser:
    """The storefront app in-process, keeping the portal's cookie as a browser does."""

    def __init__(self, settings: Settings | None = None, now: float = 1e6) -> None:
        self.now = now
        self.saleor = StandInSaleor(clock=lambda: self.now)
        self.saleor.handlers.update(PORTAL_HANDLERS)
        self.portal_sessions = PortalSessionTable(clock=lambda: self.now)
        self.app = StorefrontApp(
            settings or Settings(),
            sessions=SessionTable(clock=lambda: self.now),
            client=self.saleor,  # type: ignore[arg-type]
            portal_sessions=self.portal_sessions,
        )
        self.cookie = ""
        self.last_input = BytesIO()
        self.origin: str | None = None
        self.scheme = "http"

    def answer(self, name: str, document: dict[str, Any]) -> None:
        self.saleor.handlers[name] = lambda variables, token: document

    def request(
        self,
        method: str,
        url: str,
        form: dict[str, Any] | None = None,
        *,
        body: bytes | None = None,
        content_type: str = FORM_TYPE,
    ) -> WSGIResult:
        parts = urlsplit(url)
        if body is None:
            body = urlencode(form or {}, doseq=True).encode()
        environ: dict[str, Any] = {}
        setup_testing_defaults(environ)
        environ.update(
            REQUEST_METHOD=method,
            PATH_INFO=parts.path,
            QUERY_STRING=parts.query,
            CONTENT_TYPE=content_type,
            CONTENT_LENGTH=str(len(body)),
            HTTP_HOST="127.0.0.1:3000",
        )
        environ["wsgi.url_scheme"] = self.scheme
        if self.cookie:
            environ["HTTP_COOKIE"] = f"{COOKIE_NAME}={self.cookie}"
        if self.origin is not None:
            environ["HTTP_ORIGIN"] = self.origin
        environ["wsgi.input"] = self.last_input = BytesIO(body)
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            seen["status"] = int(status.split()[0])
            seen["headers"] = headers

        content = b"".join(self.app(environ, start_response))
        result = WSGIResult(seen["status"], seen["headers"], content)
        set_cookie = result.header("Set-Cookie")
        if set_cookie:
            value = set_cookie.split(";")[0].split("=", 1)[1]
            self.cookie = "" if "Max-Age=0" in set_cookie else value
        return result

    def get(self, url: str) -> WSGIResult:
        return self.request("GET", url)

    def post(self, url: str, form: dict[str, Any]) -> WSGIResult:
        return self.request("POST", url, form)

    def sign_in(self) -> WSGIResult:
        response = self.post(
            "/portal/sign-in", {"email": ADMIN_EMAIL, "password": PASSWORD}
        )
        assert response.status == 303, response.text
        return response

    @property
    def csrf_token(self) -> str:
        session = self.portal_sessions.get(self.cookie)
        assert session is not None
        return session.csrf_token

    def upload(
        self, url: str, form: dict[str, str], files: dict[str, tuple[str, str, bytes]]
    ) -> WSGIResult:
        """POST a multipart/form-data form with the session's CSRF token, as a
        browser sends a form with a file (``files``: name -> filename, type, bytes)."""
        boundary = "----browser-boundary-7MA4YWxkTrZu0gW"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in {"csrf_token": self.csrf_token, **form}.items()
        ]
        for name, (filename, content_type, content) in files.items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            )
            parts.append(head.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            "POST",
            url,
            body=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )

    def submit(self, url: str, form: dict[str, Any]) -> WSGIResult:
        """POST with the session's CSRF token, as the portal's own forms do."""
        return self.post(url, {"csrf_token": self.csrf_token, **form})
