"""Run SPARQL queries in worker processes, each with the store open read-only, under a time limit.

The query engine cannot be interrupted from Python once a query runs (a sort or an aggregate
over the whole store computes before the first row), so each query goes to a worker process;
one that overruns its time is killed and replaced, and the other workers keep answering. A
request waits for a free worker (at most ``queue_timeout``, then 503 busy): a burst of queries
queues up rather than failing.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

import kg
from kg.publish._worker import write_frame
from kg.publish.sparql import ProtocolError, SparqlResult

__all__ = ["PoolLimits", "QueryPool"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PoolLimits:
    """Bounds of the SPARQL endpoint."""

    timeout: float = 10.0
    """Seconds a query may run (and a request may wait for a worker)."""
    max_rows: int = 10_000
    """Rows (or triples) a result may hold; more are cut."""
    max_query_bytes: int = 32 * 1024
    """Longest query text accepted."""
    workers: int = 2
    """Worker processes."""
    queue_timeout: float = 30.0
    """Seconds a request may wait for a free worker before it gets 503 (busy)."""


class _TimeoutError(Exception):
    pass


class _Worker:
    def __init__(self, store: Path, limits: PoolLimits) -> None:
        env = dict(os.environ)
        root = str(Path(kg.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(  # noqa: S603 - our own module, no shell
            [
                sys.executable,
                "-m",
                "kg.publish._worker",
                str(store),
                str(limits.max_rows),
                str(limits.max_query_bytes),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None  # noqa: S101
        self.stdin: IO[bytes] = self.proc.stdin
        self.stdout: IO[bytes] = self.proc.stdout
        self.ready = False

    def _read_exact(self, size: int, deadline: float) -> bytes:
        fd = self.stdout.fileno()
        chunks: list[bytes] = []
        remaining = size
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise _TimeoutError
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise OSError("the query worker stopped")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def read_frame(self, deadline: float) -> bytes:
        (size,) = struct.unpack(">I", self._read_exact(4, deadline))
        return self._read_exact(size, deadline)

    def wait_ready(self, deadline: float) -> None:
        if self.ready:
            return
        header = orjson.loads(self.read_frame(deadline))
        self.read_frame(deadline)
        if not header.get("ready"):
            raise OSError(header.get("error") or "the query worker could not open the store")
        self.ready = True

    def ask(self, request: dict[str, Any], deadline: float) -> tuple[dict[str, Any], bytes]:
        write_frame(self.stdin, orjson.dumps(request))
        self.stdin.flush()
        header = orjson.loads(self.read_frame(deadline))
        body = self.read_frame(deadline)
        return header, body

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.stdin, self.stdout):
            try:
                stream.close()
            except OSError as exc:  # a broken pipe on close: the process is gone anyway
                log.debug("closing a worker pipe: %s", exc)


class QueryPool:
    """A fixed set of query workers over one store."""

    def __init__(self, store: Path, limits: PoolLimits | None = None) -> None:
        """Prepare workers for ``store`` (they start with :meth:`start`)."""
        self.store = store
        self.limits = limits or PoolLimits()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self, wait: float = 60.0) -> None:
        """Start the workers and wait until each has opened the store.

        Raises:
            OSError: a worker could not open the store.
        """
        workers = [self._spawn() for _ in range(max(1, self.limits.workers))]
        deadline = time.monotonic() + wait
        try:
            for w in workers:
                w.wait_ready(deadline)
        except (OSError, _TimeoutError) as exc:
            self.close()
            raise OSError(f"query workers did not start: {exc or 'timed out'}") from exc
        for w in workers:
            self._idle.put(w)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.store, self.limits)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return
        self._idle.put(self._spawn())  # it opens the store while the others work

    def run(self, request: dict[str, Any]) -> SparqlResult:
        """Run one request (``{"op": "sparql", "query": ...}`` or ``{"op": "named", ...}``).

        Raises:
            ProtocolError: the worker refused the query (its status), the query overran the
                time limit (503), or no worker was free in time (503).
        """
        timeout = self.limits.timeout
        try:
            worker = self._idle.get(timeout=self.limits.queue_timeout)
        except queue.Empty:
            raise ProtocolError(503, "the endpoint is busy; try again shortly") from None
        try:
            worker.wait_ready(time.monotonic() + 60.0)
            header, body = worker.ask(request, time.monotonic() + timeout)
        except _TimeoutError:
            self._retire(worker)
            raise ProtocolError(
                503, f"the query ran longer than the limit of {timeout:g} s and was stopped"
            ) from None
        except (OSError, ValueError) as exc:
            self._retire(worker)
            raise ProtocolError(500, f"the query worker failed: {exc}") from exc
        self._idle.put(worker)
        status = int(header.get("status", 500))
        if status != 200:
            raise ProtocolError(status, str(header.get("error", "query failed")))
        media_type, truncated = str(header["media_type"]), bool(header.get("truncated"))
        if "page" in header:  # a named query's page: the whole answer's rows, the page's place
            total, offset, limit, shown = (int(v) for v in header["page"])
            return SparqlResult(200, media_type, body, truncated, total, offset, limit, shown)
        return SparqlResult(200, media_type, body, truncated)

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
