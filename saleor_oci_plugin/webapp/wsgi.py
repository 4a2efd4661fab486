"""The WSGI plumbing both apps share: responses, refusals, request bodies.

:class:`PageApp` is the WSGI callable: a subclass routes the request; a
:class:`RequestError` becomes a page with its status; any other failure becomes a
page without details, its traceback going to the log only.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self

StartResponse = Callable[..., Any]
Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: Headers = field(default=())

    @classmethod
    def page(cls, html_text: str, status: int = HTTPStatus.OK) -> Self:
        return cls(
            status,
            html_text.encode("utf-8"),
            (("Content-Type", "text/html; charset=utf-8"),),
        )

    @classmethod
    def see_other(cls, location: str) -> Self:
        return cls(HTTPStatus.SEE_OTHER, b"", (("Location", location),))


class RequestError(Exception):
    """A request the app refuses: shown as a page with ``status``."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


class PageApp:
    """The WSGI callable; one per process, shared by the server's threads."""

    # Who failed, in the log and on the page of an unexpected error.
    app_name = "app"
    # Sent with every response that does not set the header itself (a common
    # Content-Security-Policy is always sent: policies add up).
    common_headers: Headers = ()

    def route(self, environ: dict[str, Any]) -> Response:
        raise NotImplementedError

    def message_response(self, title: str, message: str, status: int) -> Response:
        """A page telling the visitor ``message``."""
        raise NotImplementedError

    def failure_response(self, error: Exception) -> Response | None:
        """A page for a failure the app expects (an upstream down); None if not."""
        return None

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        try:
            response = self.route(environ)
        except RequestError as error:
            response = self.message_response(error.title, error.message, error.status)
        except Exception as error:  # the last guard: a page, the trace logged
            expected = self.failure_response(error)
            if expected is None:
                # The subclass's module logger, as before the move.
                logging.getLogger(type(self).__module__).exception(
                    "the %s failed on %s", self.app_name, environ.get("PATH_INFO")
                )
                expected = self.message_response(
                    "Something went wrong",
                    f"The {self.app_name} hit an unexpected error; its log has the "
                    "details.",
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                )
            response = expected
        status = HTTPStatus(response.status)
        # A response's own header wins over a common one of the same name; but
        # content security policies add up (a browser enforces each of them).
        own = {name.lower() for name, _ in response.headers} - {
            "content-security-policy"
        }
        headers = [
            *response.headers,
            *(h for h in self.common_headers if h[0].lower() not in own),
            ("Content-Length", str(len(response.body))),
        ]
        start_response(f"{status.value} {status.phrase}", headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else response.body]


def read_body(environ: dict[str, Any], limit: int, reader: str) -> bytes:
    """The request body, refused without a Content-Length or above ``limit`` bytes.

    ``reader`` names the app in the refusal ("The simulator").
    """
    length_text = environ.get("CONTENT_LENGTH") or ""
    if not length_text.strip().isdigit():
        raise RequestError(
            HTTPStatus.LENGTH_REQUIRED,
            "Length required",
            "The request must say its Content-Length.",
        )
    length = int(length_text)
    if length > limit:
        raise RequestError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "Too large",
            f"{reader} reads at most {limit} bytes here.",
        )
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    return body
