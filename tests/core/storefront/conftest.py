"""A stand-in GraphQL server on 127.0.0.1 for the HTTP client's tests only."""

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from tests.core.webapp_helpers import Answer, Received, local_http_server


@dataclass
class StandInGraphQLServer:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answer: Callable[[Received], Answer] = lambda request: (404, {}, b"")
    delay: float = 0.0

    def answer_json(self, document: dict, status: int = 200) -> None:
        self.answer = lambda request: (
            status,
            {"Content-Type": "application/json"},
            json.dumps(document).encode(),
        )

    def respond(self, request: Received) -> Answer:
        self.requests.append(request)
        time.sleep(self.delay)
        return self.answer(request)


@pytest.fixture
def stand_in_graphql_server() -> Iterator[StandInGraphQLServer]:
    """Not Saleor: an HTTP server answering what each test sets in ``answer``."""
    stand_in = StandInGraphQLServer()
    with local_http_server(stand_in.respond) as base_url:
        stand_in.url = base_url + "/graphql/"
        yield stand_in
