"""The threaded WSGI server both apps listen with, and how they serve until stopped."""

import logging
import socketserver
from collections.abc import Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import WSGIApplication

# Listening on one of these keeps the app to this machine.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """One thread per request: a slow upstream answer does not stop other pages."""

    daemon_threads = True


class LoggingRequestHandler(WSGIRequestHandler):
    """Request lines go to ``logger_name`` (not stderr), after :meth:`redact`."""

    logger_name = "saleor_oci_plugin.webapp.http"

    def log_message(self, format: str, *args: object) -> None:
        logging.getLogger(self.logger_name).info(
            "%s %s", self.address_string(), self.redact(format % args)
        )

    @staticmethod
    def redact(message: str) -> str:
        """The log line as it may be kept; override to hide secrets in paths."""
        return message


def make_threaded_server[App: WSGIApplication](
    host: str,
    port: int,
    make_app: Callable[[int], App],
    handler_class: type[WSGIRequestHandler] = LoggingRequestHandler,
) -> tuple[WSGIServer, App]:
    """Bind the server (port 0 picks a free one), then make the app for that port.

    The app is made after binding because it needs the port actually bound to
    know its own address.
    """
    server = make_server(
        host,
        port,
        lambda environ, start_response: [],  # replaced below, once the port is known
        server_class=ThreadingWSGIServer,
        handler_class=handler_class,
    )
    app = make_app(server.server_port)
    server.set_app(app)
    return server, app


def serve_until_interrupted(server: WSGIServer, program: str) -> None:
    """Serve until Ctrl-C, then release the port."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(f"{program}: stopped")
    finally:
        server.server_close()


def browser_base_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches a server bound to ``host``."""
    # A wildcard bind address is no address a browser can go to.
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
