"""Calling Saleor's GraphQL endpoint over HTTP with ``urllib``.

Every call has a timeout; no proxy from the environment is used and redirects are
not followed (a redirected POST loses its body, and the storefront talks straight
to the Saleor it was given). :meth:`GraphQLClient.execute` raises
:class:`SaleorUnavailable` with a message for people when there is no GraphQL
result at all; errors inside a result are data, for the caller to show.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_ANSWER_BYTES = 10 * 1024 * 1024
USER_AGENT = "oci-storefront (saleor-oci-plugin)"
# What Saleor says when an access token's five minutes are over.
EXPIRED_TOKEN_CODES = frozenset({"ExpiredSignatureError", "JWT_SIGNATURE_EXPIRED"})


class SaleorUnavailable(Exception):
    """No usable answer from Saleor; the message says what happened."""


@dataclass(frozen=True, slots=True)
class GraphQLResult:
    data: dict[str, Any] | None
    errors: tuple[dict[str, Any], ...] = ()

    @property
    def error_messages(self) -> tuple[str, ...]:
        return tuple(str(error.get("message", error)) for error in self.errors)

    @property
    def token_expired(self) -> bool:
        """Saleor refused the access token because it has expired."""
        for error in self.errors:
            extensions = error.get("extensions")
            exception = (
                extensions.get("exception") if isinstance(extensions, dict) else None
            )
            code = exception.get("code") if isinstance(exception, dict) else None
            if code in EXPIRED_TOKEN_CODES or "Signature has expired" in str(
                error.get("message", "")
            ):
                return True
        return False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx answer


class GraphQLClient:
    """POSTs GraphQL documents to one URL, optionally with a bearer token."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), _NoRedirects()
        )

    def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
    ) -> GraphQLResult:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        status, answer = self._post(body, headers)
        try:
            # Decimals stay exact: prices are shown as Saleor sent them.
            document = json.loads(answer, parse_float=Decimal)
        except ValueError:
            document = None
        if not isinstance(document, dict) or not (
            "data" in document or "errors" in document
        ):
            raise SaleorUnavailable(
                f"The shop answered HTTP {status} without a GraphQL result: "
                f"{_excerpt(answer.decode('utf-8', errors='replace'))}"
            )
        errors = document.get("errors") or []
        data = document.get("data")
        return GraphQLResult(
            data=data if isinstance(data, dict) else None,
            errors=tuple(
                error if isinstance(error, dict) else {"message": str(error)}
                for error in (errors if isinstance(errors, list) else [errors])
            ),
        )

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.url, data=body, method="POST", headers=headers
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as error:
            with error:
                if 300 <= error.code < 400:
                    location = (
                        error.headers.get("Location", "") if error.headers else ""
                    )
                    raise SaleorUnavailable(
                        f"The shop at {self.url} answered with a redirect "
                        f"(HTTP {error.code}) to {location or 'elsewhere'}; start the "
                        "storefront with --saleor-url set to Saleor's own address."
                    ) from error
                # Saleor answers GraphQL errors with 400 too: the body says more.
                return error.code, error.read(MAX_ANSWER_BYTES)
        except TimeoutError as error:
            raise SaleorUnavailable(self._timeout_message()) from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise SaleorUnavailable(self._timeout_message()) from error
            raise SaleorUnavailable(
                f"The shop at {self.url} could not be reached: {error.reason}."
            ) from error
        except (OSError, ValueError) as error:  # reset connections, bad URLs
            raise SaleorUnavailable(
                f"The call to {self.url} failed: {error}."
            ) from error

    def _timeout_message(self) -> str:
        return f"The shop at {self.url} did not answer within {self.timeout:g} seconds."


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
