"""The query engines the parity tests compare, each holding the shared records' store.

- Oxigraph server, union default graph or not: ``oxigraph serve-read-only`` on the session's
  store itself (no copy, no load);
- Virtuoso 7 with a small ``ResultSetMaxRows`` (so answers are paged), loaded by its own bulk
  loader (``ld_dir`` / ``rdf_loader_run``) from an N-Quads dump of the store;
- ``kg serve`` with a small ``--max-rows`` (so answers are paged).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from virtuoso import VirtuosoServer

REPO = Path(__file__).resolve().parents[2]


class KgServe:
    """One ``kg serve`` process on a free port of 127.0.0.1."""

    def __init__(self, store: Path, *, max_rows: int, timeout: float = 120.0) -> None:
        self.store = store
        self.max_rows = max_rows
        self.timeout = timeout
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.log: list[str] = []

    @property
    def query_url(self) -> str:
        return f"{self.url}/sparql"

    def start(self, wait: float = 60.0) -> KgServe:
        """Start the server and return once /sparql answers."""
        args = [
            sys.executable, "-m", "kg", "serve", "--store", str(self.store), "--host",
            "127.0.0.1", "--port", "0", "--max-rows", str(self.max_rows), "--workers", "1",
            "--query-timeout", str(self.timeout),
        ]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO
        )
        ready = threading.Event()
        threading.Thread(target=self._drain, args=(ready,), daemon=True).start()
        if not ready.wait(wait):
            self.stop()
            pytest.fail("kg serve did not start:\n" + "\n".join(self.log))
        self.url = next(
            w for line in self.log for w in line.split() if w.startswith("http://")
        ).rstrip("/")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/sparql", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        pytest.fail("kg serve does not answer:\n" + "\n".join(self.log))

    def _drain(self, ready: threading.Event) -> None:
        assert self.process is not None and self.process.stderr is not None
        for raw in iter(self.process.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            self.log.append(line)
            if "serving" in line:
                ready.set()

    def stop(self) -> None:
        """Stop the server."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def bulk_load(server: VirtuosoServer, nquads: Path) -> float:
    """Load an N-Quads file with Virtuoso's bulk loader; return the seconds it took."""
    target = server.load_dir / nquads.name
    if not target.exists():
        try:
            os.link(nquads, target)
        except OSError:  # another file system
            target.write_bytes(nquads.read_bytes())
    started = time.monotonic()
    server.isql(
        f"ld_dir('{server.load_dir}', '{nquads.name}', 'http://example.org/unused');",
        "rdf_loader_run();",
        "checkpoint;",
    )
    return time.monotonic() - started
