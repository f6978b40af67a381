"""Fixtures of the remote tests: Oxigraph servers the suite starts and stops by itself.

The shared session server keeps its data in memory: the shared set loads about three times faster
than into an on-disk location; persistence across a restart is tested by the interrupted-push test,
with a server on an on-disk ``--location``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from servers import FakeEndpoint, OxigraphServer
from virtuoso import VirtuosoServer

from kg.sinks.remote import push


@pytest.fixture
def make_server() -> Iterator[type[OxigraphServer]]:
    """Start servers for one test; every one still running is stopped at its end."""
    started: list[OxigraphServer] = []

    class Tracked(OxigraphServer):
        def start(self, wait: float = 30.0) -> OxigraphServer:
            started.append(self)
            return super().start(wait)

    yield Tracked
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def shared_server(
    shared_store_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OxigraphServer]:
    """A server holding the shared records' store, pushed by ``kg push`` over the GSP."""
    server = OxigraphServer().start()
    try:
        journal = tmp_path_factory.mktemp("shared-push") / "journal.jsonl"
        report = push(shared_store_path, store_url=server.store_url, journal=journal, batch=256)
        assert report.sent == report.graphs > 500
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_endpoint() -> Iterator[FakeEndpoint]:
    """A scripted HTTP server on 127.0.0.1, for failures a real store will not stage on demand."""

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            """A client that gave up (timed out) is expected here."""

    state = FakeEndpoint("")

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            state.seen.append((self.command, self.path, dict(self.headers), self.rfile.read(size)))
            time.sleep(state.delay)
            status = state.statuses.pop(0) if state.statuses else state.status
            content_type, body = state.content_type, state.body
            if state.respond is not None:
                own = state.respond(self.command, self.path, dict(self.headers), state.seen[-1][3])
                if own is not None:
                    status, content_type, body = own
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self.answer()

        def do_POST(self) -> None:
            self.answer()

        def do_PUT(self) -> None:
            self.answer()

        def do_DELETE(self) -> None:
            self.answer()

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output clean."""

    server = Server(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def virtuoso() -> Iterator[VirtuosoServer]:
    """One empty Virtuoso 7 server for the session (Debian's package; see .ci/system-setup.sh)."""
    server = VirtuosoServer().start()
    try:
        yield server
    finally:
        server.stop()
