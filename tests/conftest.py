"""Shared test fixtures: fixture-file paths and a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
STALL_SECONDS = 5.0  # how long /stall waits before answering (cut short at teardown)


@pytest.fixture
def ingest_fixtures() -> Path:
    """The folder of ingestion fixture files."""
    return FIXTURES / "ingest"


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # so server_close() joins the handler threads
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that gave up (timeouts) break the pipe; that is expected here."""


@dataclass(frozen=True)
class Drip:
    """A slow answer: after ``delay`` seconds, ``body`` one byte every ``interval`` seconds
    (no Content-Length); with ``slow_headers`` the status line and headers drip too."""

    body: bytes
    interval: float = 0.2
    delay: float = 0.0
    slow_headers: bool = False
    status: int = 200
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)

    def head(self) -> bytes:
        lines = [f"HTTP/1.1 {self.status} Slow", f"Content-Type: {self.content_type}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return ("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1")


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 with routes registered by the test.

    ``route(path, body, content_type, status, headers)`` serves a fixed answer (304 to
    a request whose If-None-Match is the route's ETag header);
    ``/stall`` answers only after ``STALL_SECONDS`` (or at teardown), and
    ``/redirect-loop`` redirects to itself; ``drip(path, Drip(...))`` answers slowly (a
    byte at a time). ``requests`` records each request's path and headers.
    """

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, dict[str, str], bool]] = {}
        self.requests: list[dict[str, str]] = []
        self.posts: list[dict[str, str]] = []  # path, body (text) and headers of each POST
        self.drips: dict[str, Drip] = {}
        self.stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def route(
        self,
        path: str,
        body: bytes,
        content_type: str | None = "text/html",
        status: int = 200,
        headers: dict[str, str] | None = None,
        send_length: bool = True,
    ) -> str:
        """Serve ``body`` at ``path``; return the route's full URL.

        ``send_length=False`` omits Content-Length (the body then ends when the
        connection closes, as HTTP/1.0 allows).
        """
        self.routes[path] = (status, content_type or "", body, dict(headers or {}), send_length)
        return self.url(path)

    def drip(self, path: str, drip: Drip) -> str:
        """Answer ``path`` slowly (see :class:`Drip`); return the route's full URL."""
        self.drips[path] = drip
        return self.url(path)

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=STALL_SECONDS)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # an idle client connection cannot hold a thread forever

            def do_GET(self) -> None:
                server.requests.append({"path": self.path, **dict(self.headers.items())})
                path = self.path.split("?", 1)[0]
                if path == "/stall":
                    server.stopping.wait(STALL_SECONDS)
                    self._answer(200, "text/plain", b"too late", {}, True)
                elif path in server.drips:
                    self._drip(server.drips[path])
                elif path == "/redirect-loop":
                    self._answer(302, "text/plain", b"", {"Location": "/redirect-loop"}, True)
                elif self.path in server.routes or path in server.routes:
                    answer = server.routes.get(self.path, server.routes.get(path))
                    assert answer is not None
                    etag = answer[3].get("ETag")
                    if etag is not None and self.headers.get("If-None-Match") == etag:
                        self._answer(304, "", b"", {"ETag": etag}, False)
                    else:
                        self._answer(*answer)
                else:
                    self._answer(404, "text/plain", b"not found", {}, True)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", errors="replace")
                server.posts.append({"path": self.path, "body": body, **dict(self.headers)})
                self._answer(200, "application/json", b"{}", {}, True)

            def _answer(
                self,
                status: int,
                content_type: str,
                body: bytes,
                headers: dict[str, str],
                send_length: bool,
            ) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                if send_length:
                    self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _drip(self, drip: Drip) -> None:
                """Write the answer a piece at a time until done, the client gives up or
                the server stops."""
                self.close_connection = True
                if server.stopping.wait(drip.delay):
                    return
                head = drip.head()
                pieces = [bytes([b]) for b in head] if drip.slow_headers else [head]
                pieces += [bytes([b]) for b in drip.body]
                try:
                    for n, piece in enumerate(pieces):
                        self.wfile.write(piece)
                        self.wfile.flush()
                        if n < len(pieces) - 1 and server.stopping.wait(drip.interval):
                            return
                except OSError:  # the client gave up: expected
                    return

            def log_message(self, format: str, *args: object) -> None:
                """Keep the test output clean."""

        return Handler


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A local HTTP server (127.0.0.1, free port), shut down after the test."""
    server = LocalHTTPServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def shipped_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder like the checkout's root as shipped, whose ``seeds/`` is the pinned ILRS
    series: tests that rely on ``./seeds`` run here, never in the checkout, whose own
    ``seeds/`` may hold a user's snapshots."""
    from tests.helpers import PINNED

    folder = tmp_path_factory.mktemp("shipped")
    shutil.copytree(PINNED, folder / "seeds")
    return folder


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No test sees the developer's environment or the checkout's ./seeds (the score cache
    and engine tests use it: ``pytestmark = pytest.mark.usefixtures("isolated")``)."""
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.delenv("NARRATIVE_DIFF_CACHE", raising=False)
    monkeypatch.delenv("NARRATIVE_DIFF_WORKERS", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def ilrs_copy(tmp_path):
    """A writable copy of the pinned ILRS series (several languages and lineages)."""
    import shutil

    from tests.helpers import PINNED

    root = tmp_path / "ilrs-corpus"
    shutil.copytree(PINNED, root)
    return root
