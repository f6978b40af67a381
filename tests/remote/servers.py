"""A real Oxigraph server process, and a scripted fake HTTP endpoint, for the remote tests.

The ``oxigraph`` package on PyPI ships the ``oxigraph`` binary (``oxigraph serve``). Servers bind a
free port on 127.0.0.1 only; nothing here reaches any other address.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def _binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server binary is missing: pip install 'oxigraph>=0.5.13'")
    return found


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now.

    Under pytest-xdist each worker takes only ports of its own residue (worker N of M: port // 2
    % M == N; Linux hands out odd ports to bind(0), so the parity alone would not do), so two
    workers never pick the same port between its release here and a server's bind.
    """
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    for _ in range(10000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port // 2 % workers == worker % workers:
            return port
    pytest.fail(f"no free port for xdist worker {worker} of {workers} on 127.0.0.1")


class OxigraphServer:
    """One ``oxigraph serve`` process on 127.0.0.1; in memory unless given a location."""

    def __init__(
        self,
        location: Path | None = None,
        *,
        union: bool = True,
        port: int | None = None,
        read_only: bool = False,
    ) -> None:
        self.location = location
        self.union = union
        self.read_only = read_only  # serve-read-only: a store another process also reads
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def store_url(self) -> str:
        return f"{self.base}/store"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    def start(self, wait: float = 30.0) -> OxigraphServer:
        """Start the server and return once it answers a query."""
        command = "serve-read-only" if self.read_only else "serve"
        args = [_binary(), command, "--bind", f"127.0.0.1:{self.port}"]
        if self.location is not None:
            args += ["--location", str(self.location)]
        if self.union:
            args.append("--union-default-graph")
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + wait
        probe = f"{self.query_url}?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                pytest.fail(f"oxigraph serve exited with {self.process.returncode}: {err}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        self.kill()
        pytest.fail(f"oxigraph serve did not answer on {self.base} within {wait} s")

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._close()

    def stop(self) -> None:
        """Stop the process politely, then for good."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()


@dataclass
class FakeEndpoint:
    """What a fake HTTP endpoint answers, and what it was sent."""

    url: str
    status: int = 200
    content_type: str = "application/sparql-results+json"
    body: bytes = b'{"head": {"vars": []}, "results": {"bindings": []}}'
    delay: float = 0.0
    statuses: list[int] = field(default_factory=list)  # answered first, one per request
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    # answers a request itself, as (status, content type, body), or None to answer as scripted
    respond: Callable[[str, str, dict[str, str], bytes], tuple[int, str, bytes] | None] | None = (
        None
    )
