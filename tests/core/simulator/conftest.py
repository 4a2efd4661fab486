"""A stand-in shop on 127.0.0.1 for the simulator's HTTP client, and a closed port."""

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


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


@pytest.fixture
def stub_shop() -> Iterator[StubShop]:
    """An HTTP server on 127.0.0.1 answering what the test sets in ``answer``."""
    shop = StubShop(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Received(self.path, dict(self.headers), self.rfile.read(length))
            shop.requests.append(request)
            status, content_type, body = shop.answer(request)
            try:
                self.send_response(status)
                if content_type.startswith("Location: "):
                    self.send_header("Location", content_type.split(" ", 1)[1])
                else:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    shop.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield shop
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
