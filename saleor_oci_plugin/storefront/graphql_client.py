"""Calling Saleor's GraphQL endpoint over HTTP with ``urllib``.

Every call has a timeout; no proxy from the environment is used and redirects are
not followed (a redirected POST loses its body, and the storefront talks straight
to the Saleor it was given). :meth:`GraphQLClient.execute` raises
:class:`SaleorUnavailable` with a message for people when there is no GraphQL
result at all; errors inside a result are data, for the caller to show.
"""

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from saleor_oci_plugin.webapp import graphql
from saleor_oci_plugin.webapp.http_client import (
    HTTPAnswer,
    NoAnswerError,
    NoRedirectClient,
    RedirectNotFollowed,
    excerpt,
)

MAX_ANSWER_BYTES = 10 * 1024 * 1024
# How much of an unexpected answer a message quotes.
EXCERPT_LIMIT = 300
USER_AGENT = "oci-storefront (saleor-oci-plugin)"
# What Saleor says when an access token's five minutes are over.
EXPIRED_TOKEN_CODES = frozenset({"ExpiredSignatureError", "JWT_SIGNATURE_EXPIRED"})


@dataclass(frozen=True, slots=True)
class FilePart:
    """A file sent with a GraphQL multipart request."""

    filename: str
    content_type: str
    content: bytes


class SaleorUnavailable(Exception):
    """No usable answer from Saleor; the message says what happened."""


class GraphQLResult(graphql.GraphQLResult):
    """A result that can also tell an expired access token."""

    __slots__ = ()

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


class GraphQLClient:
    """POSTs GraphQL documents to one URL, optionally with a bearer token."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self._http = NoRedirectClient(timeout, MAX_ANSWER_BYTES)

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
        return self._result(self._post(body, headers))

    def execute_multipart(
        self,
        query: str,
        variables: dict[str, Any],
        files: Mapping[str, FilePart],
        *,
        token: str | None = None,
    ) -> GraphQLResult:
        """Send ``files`` for the named variables (set to null) as a GraphQL
        multipart request: ``operations``, ``map``, then one part per file
        (https://github.com/jaydenseric/graphql-multipart-request-spec)."""
        boundary = "oci-" + secrets.token_hex(16)
        operations = {
            "query": query,
            "variables": {**variables, **dict.fromkeys(files)},
        }
        file_map = {
            str(index): [f"variables.{name}"] for index, name in enumerate(files)
        }
        parts = [
            _form_part(boundary, "operations", json.dumps(operations).encode()),
            _form_part(boundary, "map", json.dumps(file_map).encode()),
            *(
                _form_part(boundary, str(index), part.content, part)
                for index, part in enumerate(files.values())
            ),
        ]
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self._result(self._post(body, headers))

    def _result(self, answer: HTTPAnswer) -> GraphQLResult:
        # Decimals stay exact: prices are shown as Saleor sent them.
        result = GraphQLResult.from_body(answer.body, parse_float=Decimal)
        if result is None:
            raise SaleorUnavailable(
                f"The shop answered HTTP {answer.status} without a GraphQL result: "
                f"{excerpt(answer.text, EXCERPT_LIMIT)}"
            )
        return result

    def _post(self, body: bytes, headers: dict[str, str]) -> HTTPAnswer:
        try:
            return self._http.post(self.url, body, headers)
        except RedirectNotFollowed as redirect:
            raise SaleorUnavailable(
                f"The shop at {self.url} answered with a redirect "
                f"(HTTP {redirect.status}) to {redirect.location or 'elsewhere'}; "
                "start the storefront with --saleor-url set to Saleor's own address."
            ) from redirect
        except NoAnswerError as error:
            raise SaleorUnavailable(str(error)) from error


def _form_part(
    boundary: str, name: str, content: bytes, file: FilePart | None = None
) -> bytes:
    """One part of a multipart/form-data body; names and file names are quoted
    with their quotes and line breaks replaced, so none can end the header."""
    disposition = f'form-data; name="{_quoted(name)}"'
    head = ""
    if file is not None:
        disposition += f'; filename="{_quoted(file.filename)}"'
        content_type = _quoted(file.content_type) or "application/octet-stream"
        head = f"Content-Type: {content_type}\r\n"
    return (
        f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{head}\r\n".encode()
        + content
        + b"\r\n"
    )


def _quoted(text: str) -> str:
    return "".join("_" if char in '"\\\r\n' else char for char in text)
