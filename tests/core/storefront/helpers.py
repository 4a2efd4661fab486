"""Calling the storefront's WSGI app in-process, with an in-process stand-in for
Saleor's GraphQL API (no HTTP: the HTTP client has its own tests)."""

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from saleor_oci_plugin.storefront import Settings, StorefrontApp
from saleor_oci_plugin.storefront.graphql_client import GraphQLResult
from saleor_oci_plugin.storefront.sessions import SessionTable
from tests.core.webapp_helpers import WSGIResult, call_wsgi

FORM_TYPE = "application/x-www-form-urlencoded"
CHECKOUT_ID = "Q2hlY2tvdXQ6MDAwMA=="
# Global ids are base64: this one has a "/" and a "+" to exercise the routing.
PRODUCT_ID = "UHJvZHVjdDox/+A="
VARIANT_ID = "UHJvZHVjdFZhcmlhbnQ6MQ=="
LINE_ID = "Q2hlY2tvdXRMaW5lOjE="
RETURN_FORM = (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8">\n</head>\n<body>\n'
    '<form id="oci-return" method="post" action="https://srm.example/hook">\n'
    '<input type="hidden" name="NEW_ITEM-DESCRIPTION[1]" value="Gift box">\n'
    "</form>\n</body>\n</html>\n"
)


def make_jwt(expires_at: float) -> str:
    """A token shaped like Saleor's (the signature is not checked here)."""

    def part(document: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()

    return f"{part({'alg': 'RS256'})}.{part({'exp': expires_at})}.c2ln"


Handler = Callable[[dict[str, Any], str | None], dict[str, Any]]


@dataclass
class Call:
    operation: str
    variables: dict[str, Any]
    token: str | None


@dataclass
class StandInSaleor:
    """Answers GraphQL operations by name, the way Saleor's API shapes them."""

    clock: Callable[[], float]
    handlers: dict[str, Handler] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
    ) -> GraphQLResult:
        match = re.search(r"(?:query|mutation)\s+(\w+)", query)
        assert match, query
        name = match.group(1)
        self.calls.append(Call(name, variables or {}, token))
        handler = self.handlers.get(name) or DEFAULT_HANDLERS[name]
        document = handler(variables or {}, token)
        return GraphQLResult(
            data=document.get("data"), errors=tuple(document.get("errors", ()))
        )

    def execute_multipart(
        self,
        query: str,
        variables: dict[str, Any],
        files: dict[str, Any],
        *,
        token: str | None = None,
    ) -> GraphQLResult:
        """As :meth:`execute`; the files (``FilePart``) are in the call's variables."""
        return self.execute(query, {**variables, **files}, token=token)

    def operations(self) -> list[str]:
        return [call.operation for call in self.calls]

    def answer(self, name: str, payload: dict[str, Any]) -> None:
        """Answer a mutation with this payload (e.g. ``{"errors": [...]}``)."""
        field_name = MUTATION_FIELDS[name]
        self.handlers[name] = lambda variables, token: {"data": {field_name: payload}}


def _money(amount: str, currency: str = "EUR") -> dict[str, Any]:
    return {"net": {"amount": amount, "currency": currency}}


MUTATION_FIELDS = {
    "OciSessionTokenCreate": "ociSessionTokenCreate",
    "TokenRefresh": "tokenRefresh",
    "LinesAdd": "ociCheckoutLinesAdd",
    "LinesUpdate": "checkoutLinesUpdate",
    "LinesDelete": "checkoutLinesDelete",
    "CardSet": "ociGreetingCardSet",
    "Transfer": "ociCheckoutTransfer",
    "Cancel": "ociCheckoutCancel",
    "OrderingSet": "ociCheckoutOrderingSet",
}
BRANCH_NOORD = "T2NpQnJhbmNoOjE="
BRANCH_ZUID = "T2NpQnJhbmNoOjI="

DEFAULT_HANDLERS: dict[str, Handler] = {
    "OciSessionTokenCreate": lambda variables, token: {
        "data": {
            "ociSessionTokenCreate": {
                "token": make_jwt(4_000_000_000),
                "refreshToken": "refresh-1",
                "session": {"expiresAt": "2096-01-01T12:00:00+00:00"},
                "checkout": {"id": CHECKOUT_ID},
                "errors": [],
            }
        }
    },
    "TokenRefresh": lambda variables, token: {
        "data": {"tokenRefresh": {"token": make_jwt(4_000_000_000), "errors": []}}
    },
    "CheckoutChannel": lambda variables, token: {
        "data": {"checkout": {"channel": {"slug": "oci-demo"}}}
    },
    "Products": lambda variables, token: {
        "data": {
            "ociCatalogue": {
                "edges": [
                    {
                        "node": {
                            "id": PRODUCT_ID,
                            "name": "Kerstpakket <Groot> & «Luxe»",
                            "variants": [
                                {"unitPrice": {"amount": 42.5, "currency": "EUR"}}
                            ],
                        }
                    }
                ]
            }
        }
    },
    "Product": lambda variables, token: {
        "data": {
            "product": {
                "id": PRODUCT_ID,
                "name": "Kerstpakket <Groot> & «Luxe»",
                "seoDescription": "Een mand vol <b>lekkers</b>",
                "variants": [
                    {
                        "id": VARIANT_ID,
                        "name": "",
                        "sku": "XMAS-1",
                        "pricing": {"price": _money("42.50")},
                    }
                ],
            }
            if variables["id"] == PRODUCT_ID
            else None
        }
    },
    "Checkout": lambda variables, token: {
        "data": {
            "checkout": {
                "lines": [
                    {
                        "id": LINE_ID,
                        "quantity": 2,
                        "variant": {
                            "id": VARIANT_ID,
                            "name": "",
                            "sku": "XMAS-1",
                            "product": {
                                "id": PRODUCT_ID,
                                "name": "Kerstpakket <Groot> & «Luxe»",
                            },
                        },
                        "unitPrice": _money("42.5"),
                        "totalPrice": _money("85"),
                    }
                ],
                "totalPrice": _money("85"),
            },
            "ociCheckoutBudgets": [
                {
                    "summary": "EUR 412.00 of EUR 1,000.00 left in December 2026",
                    "hard": True,
                }
            ],
        }
    },
    **{
        name: (
            lambda field: lambda variables, token: {"data": {field: {"errors": []}}}
        )(field)
        for name, field in MUTATION_FIELDS.items()
        if name in ("LinesAdd", "LinesUpdate", "LinesDelete", "CardSet", "OrderingSet")
    },
    "Ordering": lambda variables, token: {
        "data": {
            "ociSession": {
                "member": {
                    "email": "jan@ziekenhuis.example",
                    "firstName": "Jan",
                    "lastName": "de Vries",
                },
                "branch": {"id": BRANCH_NOORD, "name": "Locatie Noord"},
                "costCentre": "KP-4711",
                "orderingBranches": [
                    {
                        "branch": {"id": BRANCH_NOORD, "name": "Locatie Noord"},
                        "costCentres": [
                            {"code": "KP-4711", "name": "Keuken", "isDefault": True},
                            {"code": "KP-4712", "name": "Zalen", "isDefault": False},
                        ],
                    },
                    {
                        "branch": {"id": BRANCH_ZUID, "name": "Locatie <Zuid>"},
                        "costCentres": [],
                    },
                ],
            }
        }
    },
    "Transfer": lambda variables, token: {
        "data": {
            "ociCheckoutTransfer": {
                "transfer": {"id": "abc", "html": RETURN_FORM},
                "errors": [],
            }
        }
    },
    "Cancel": lambda variables, token: {
        "data": {"ociCheckoutCancel": {"form": {"html": RETURN_FORM}, "errors": []}}
    },
}


class Browser:
    """The app in-process, with every response kept for checks across all of them."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now
        self.sessions = SessionTable(clock=lambda: self.now)
        self.saleor = StandInSaleor(clock=lambda: self.now)
        self.app = StorefrontApp(
            Settings(),
            sessions=self.sessions,
            client=self.saleor,  # type: ignore[arg-type]
        )
        self.responses: list[WSGIResult] = []

    def request(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        form: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> WSGIResult:
        if body is None:
            body = urlencode(form or {}).encode()
        result = call_wsgi(
            self.app, method, path, body=body, content_type=FORM_TYPE, query=query
        )
        self.responses.append(result)
        return result

    def get(self, path: str, query: str = "") -> WSGIResult:
        return self.request("GET", path, query=query)

    def post(self, path: str, form: dict[str, str]) -> WSGIResult:
        return self.request("POST", path, form=form)

    def punch_in(self, code: str = "one-time-code") -> str:
        """Follow the punch-in; the session's base path, e.g. ``/s/<id>/``."""
        response = self.get("/punchout", urlencode({"oci_code": code}))
        assert response.status == 303, response.text
        return response.header("Location")

    def form_token(self, base: str) -> str:
        return self.sessions.get(base.split("/")[2]).form_token  # type: ignore[union-attr]
