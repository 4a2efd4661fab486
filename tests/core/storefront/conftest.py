"""A stand-in GraphQL server on 127.0.0.1 for the HTTP client's tests only."""

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


# (status, extra headers, body) for a request.
Answer = tuple[int, dict[str, str], bytes]


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


@pytest.fixture
def stand_in_graphql_server() -> Iterator[StandInGraphQLServer]:
    """Not Saleor: an HTTP server answering what each test sets in ``answer``."""
    stand_in = StandInGraphQLServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Received(self.path, dict(self.headers), self.rfile.read(length))
            stand_in.requests.append(request)
            time.sleep(stand_in.delay)
            status, headers, body = stand_in.answer(request)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stand_in.url = f"http://127.0.0.1:{server.server_port}/graphql/"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
