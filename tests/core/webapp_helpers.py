"""What the simulator's and the storefront's tests share: a stand-in HTTP server on
127.0.0.1 and calling a WSGI app in-process (``closed_port`` is in conftest.py).

No Django here: the core tier runs without it.
"""

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any
from wsgiref.util import setup_testing_defaults

import lxml.html


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


# (status, headers, body) to answer a request with.
Answer = tuple[int, dict[str, str], bytes]


@contextmanager
def local_http_server(answer: Callable[[Received], Answer]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering each POST with ``answer(request)``.

    Yields the server's base URL, ``http://127.0.0.1:<port>``.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Received(self.path, dict(self.headers), self.rfile.read(length))
            status, headers, body = answer(request)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout tests)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass(frozen=True)
class WSGIResult:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        """The first header called ``name`` (any case); "" if there is none."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def document(self) -> lxml.html.HtmlElement:
        return lxml.html.document_fromstring(self.body)


def call_wsgi(
    app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]],
    method: str,
    path: str,
    *,
    body: bytes = b"",
    content_type: str = "",
    query: str = "",
    content_length: str | None = None,
) -> WSGIResult:
    """Call ``app`` in-process as a WSGI server would (``content_length`` overrides
    the body's own length, to send a wrong or missing one)."""
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    environ.update(
        REQUEST_METHOD=method,
        PATH_INFO=path,
        QUERY_STRING=query,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(len(body)) if content_length is None else content_length,
    )
    environ["wsgi.input"] = BytesIO(body)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = int(status.split()[0])
        seen["headers"] = headers

    chunks = b"".join(app(environ, start_response))
    return WSGIResult(seen["status"], seen["headers"], chunks)
