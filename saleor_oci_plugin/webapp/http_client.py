"""POSTing over HTTP with ``urllib``: a timeout on every call, no proxy, no redirects.

No proxy from the environment is used and redirects are not followed (a redirected
POST loses its body, and both apps talk straight to the server they were given).
:meth:`NoRedirectClient.post` returns every HTTP answer, 4xx and 5xx too, and
raises :class:`NoAnswerError` with a message for people when there is none;
a redirect raises :class:`RedirectNotFollowed`, for the caller to say which option
to correct.
"""

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


class NoAnswerError(Exception):
    """No HTTP answer to use; the message says what happened."""


class RedirectNotFollowed(NoAnswerError):
    """The server answered with a redirect, which is not followed."""

    def __init__(self, url: str, status: int, location: str) -> None:
        super().__init__(
            f"{url} answered HTTP {status}, a redirect to {location or 'elsewhere'}."
        )
        self.url = url
        self.status = status
        self.location = location


@dataclass(frozen=True, slots=True)
class HTTPAnswer:
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx answer


class NoRedirectClient:
    """POSTs with a timeout, reading at most ``max_answer_bytes`` of each answer."""

    def __init__(self, timeout: float, max_answer_bytes: int) -> None:
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), _NoRedirects()
        )

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HTTPAnswer:
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return HTTPAnswer(
                    response.status,
                    response.headers.get("Content-Type", ""),
                    response.read(self.max_answer_bytes),
                )
        except urllib.error.HTTPError as error:
            with error:
                error_headers = error.headers
                if 300 <= error.code < 400:
                    location = (
                        error_headers.get("Location", "") if error_headers else ""
                    )
                    raise RedirectNotFollowed(url, error.code, location) from error
                # An error status still has a body that says more (GraphQL's does).
                return HTTPAnswer(
                    error.code,
                    error_headers.get("Content-Type", "") if error_headers else "",
                    error.read(self.max_answer_bytes),
                )
        except TimeoutError as error:
            raise NoAnswerError(self._timeout_message(url)) from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise NoAnswerError(self._timeout_message(url)) from error
            raise NoAnswerError(
                f"The shop at {url} could not be reached: {error.reason}."
            ) from error
        except (OSError, ValueError) as error:  # reset connections, bad URLs
            raise NoAnswerError(f"The call to {url} failed: {error}.") from error

    def _timeout_message(self, url: str) -> str:
        return f"The shop at {url} did not answer within {self.timeout:g} seconds."


def excerpt(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters: for messages to people."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
