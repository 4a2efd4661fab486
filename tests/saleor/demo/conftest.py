"""Fixtures of the browser test: Chromium driven by Playwright, servers in threads.

Playwright's sync API runs an asyncio event loop in the thread that uses it, and
Django refuses ORM calls from a thread with a running loop
(``SynchronousOnlyOperation``). So every Playwright call runs on one thread of its
own (:class:`BrowserThread`) and the test's ORM calls stay on the main thread.
"""

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from wsgiref.simple_server import WSGIServer

import pytest

# The storefront test's fixture: the live server's threads read the test database.
from ..storefront.test_storefront import replica_in_server_threads  # noqa: F401

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling Google's hosts,
# which a machine without internet refuses (many at a time); no sandbox: CI is root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Placing a PO or issuing an invoice in Saleor's live server takes seconds.
STEP_TIMEOUT_MS = 60_000
# No browser step waits longer than this for its thread (its own waits time out
# first; this only keeps a hung browser from hanging the test run).
THREAD_TIMEOUT_SECONDS = 300

T = TypeVar("T")


def _skip(reason: str) -> None:
    pytest.skip(f"BROWSER TEST SKIPPED: {reason}")


@pytest.fixture
def chromium_path() -> str:
    """The system's Chromium: $OCI_CHROMIUM, else /usr/bin/chromium; skip without."""
    given = os.environ.get("OCI_CHROMIUM", "")
    path = given or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        _skip(
            f"no Chromium at {path} ("
            + ("$OCI_CHROMIUM" if given else "default; set OCI_CHROMIUM to another")
            + "); install Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver), as .ci/run does"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        _skip(
            f"Playwright is not importable in this environment ({error}); "
            "scripts/run-tests installs requirements/saleor-tests.txt"
        )
    return path


class BrowserThread:
    """One Chromium page, used only from one thread of its own (module docstring)."""

    def __init__(self, executable_path: str) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="chromium")
        self._objects: dict[str, Any] = {}
        self.run(lambda: self._start(executable_path))

    def _start(self, executable_path: str) -> None:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        self._objects["playwright"] = playwright
        browser = playwright.chromium.launch(
            executable_path=executable_path, args=CHROMIUM_ARGS
        )
        self._objects["browser"] = browser
        # Wide enough for the simulator's tables without horizontal scrolling.
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        self._objects["page"] = page

    def run(self, step: Callable[..., T], *args: Any) -> T:
        """``step(*args)`` on the browser's thread; its result or its exception."""
        return self._executor.submit(step, *args).result(THREAD_TIMEOUT_SECONDS)

    def on_page(self, step: Callable[..., T], *args: Any) -> T:
        """``step(page, *args)`` on the browser's thread."""
        return self.run(lambda: step(self._objects["page"], *args))

    def close(self) -> None:
        def stop() -> None:
            if "browser" in self._objects:
                self._objects["browser"].close()
            if "playwright" in self._objects:
                self._objects["playwright"].stop()

        try:
            self.run(stop)
        finally:
            self._executor.shutdown(wait=False)


@pytest.fixture
def chromium(chromium_path: str) -> Iterator[BrowserThread]:
    browser = BrowserThread(chromium_path)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """$OCI_SCREENSHOT_DIR if set (kept after the run), else a temporary folder."""
    given = os.environ.get("OCI_SCREENSHOT_DIR")
    folder = Path(given) if given else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"browser test screenshots: {folder}")
    return folder


@pytest.fixture
def serve() -> Iterator[Callable[[WSGIServer], None]]:
    """Serve a bound server in a thread until the test ends."""
    started: list[tuple[WSGIServer, threading.Thread]] = []

    def start(server: WSGIServer) -> None:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append((server, thread))

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
