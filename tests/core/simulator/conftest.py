"""A stand-in shop on 127.0.0.1 for the simulator's HTTP client."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from tests.core.webapp_helpers import Received, local_http_server

# (status, content type, body) for a request; a 3xx answer's content type slot may
# be "Location: <url>" instead.
Answer = tuple[int, str, bytes]


@dataclass
class StubShop:
    url: str
    requests: list[Received] = field(default_factory=list)
    answer: Callable[[Received], Answer] = lambda request: (404, "text/plain", b"")

    def answer_json(self, document: dict, status: int = 200) -> None:
        self.answer = lambda request: (
            status,
            "application/json",
            json.dumps(document).encode(),
        )

    def respond(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        """The answer the test set, with its content type slot as a header."""
        self.requests.append(request)
        status, content_type, body = self.answer(request)
        if content_type.startswith("Location: "):
            return status, {"Location": content_type.split(" ", 1)[1]}, body
        return status, {"Content-Type": content_type}, body


@pytest.fixture
def stub_shop() -> Iterator[StubShop]:
    """An HTTP server on 127.0.0.1 answering what the test sets in ``answer``."""
    shop = StubShop(url="")
    with local_http_server(shop.respond) as url:
        shop.url = url
        yield shop
