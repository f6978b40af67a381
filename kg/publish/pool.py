"""Run SPARQL queries in worker processes, each with the store open read-only, under a time limit.

The query engine cannot be interrupted from Python once a query runs (a sort or an aggregate
over the whole store computes before the first row), so each query goes to a worker process;
one that overruns its time is killed and replaced, and the other workers keep answering. A
request waits for a free worker (at most ``queue_timeout``, then 503 busy): a burst of queries
queues up rather than failing.

A spare worker keeps short requests from waiting behind long ones: a request that finds every
worker busy for ``spare_after`` seconds or more (each running a long query: a registry-wide
aggregate, a page of trial documents does not count, it never uses the pool) runs on the spare,
for ``spare_timeout`` seconds at most; a query that needs longer is stopped there and waits for a
worker as before, its try on the spare lost. With two workers held by two aggregates, a query by
NCT id answers in milliseconds instead of waiting up to the time limit.
"""

from __future__ import annotations

import logging
import os
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
    page_rows: int = 1000
    """Rows of a named query's page when no ``limit`` is asked and the answer has more than
    ``max_rows`` rows."""
    spare_after: float | None = 1.0
    """A request that finds every worker busy this long runs on a spare worker (None: none)."""
    spare_timeout: float = 2.0
    """Seconds a request may run on the spare worker before it waits for another worker."""


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
    """A fixed set of query workers over one store, and a spare one for requests held up."""

    def __init__(self, store: Path, limits: PoolLimits | None = None) -> None:
        """Prepare workers for ``store`` (they start with :meth:`start`)."""
        self.store = store
        self.limits = limits or PoolLimits()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy: dict[_Worker, float] = {}  # a busy worker (not the spare) -> since when
        self._spare: _Worker | None = None  # the spare worker when it is idle
        self._all: set[_Worker] = set()
        self._closed = False
        self.spare_runs = 0
        """Requests the spare worker answered (for tests and benchmarks)."""

    def start(self, wait: float = 60.0) -> None:
        """Start the workers and wait until each has opened the store.

        Raises:
            OSError: a worker could not open the store.
        """
        spare = self.limits.spare_after is not None
        workers = [self._spawn() for _ in range(max(1, self.limits.workers) + spare)]
        deadline = time.monotonic() + wait
        try:
            for w in workers:
                w.wait_ready(deadline)
        except (OSError, _TimeoutError) as exc:
            self.close()
            raise OSError(f"query workers did not start: {exc or 'timed out'}") from exc
        with self._cond:
            if spare:
                self._spare = workers.pop()
            self._idle.extend(workers)
            self._cond.notify_all()

    def _spawn(self) -> _Worker:
        worker = _Worker(self.store, self.limits)
        with self._cond:
            self._all.add(worker)
        return worker

    def _held_up(self, now: float) -> float | None:
        """Seconds until every worker has been busy ``spare_after`` (0: now); None: never."""
        after = self.limits.spare_after
        if after is None or self._spare is None or not self._busy:
            return None
        return max(0.0, max(self._busy.values()) + after - now)

    def _take(self) -> tuple[_Worker, bool]:
        """Wait for a worker: an idle one, else the spare once every worker is held up."""
        deadline = time.monotonic() + self.limits.queue_timeout
        with self._cond:
            while True:
                now = time.monotonic()
                if self._idle:
                    worker = self._idle.pop()
                    self._busy[worker] = now
                    return worker, False
                until = self._held_up(now)
                if until == 0.0 and self._spare is not None:
                    worker, self._spare = self._spare, None
                    return worker, True
                remaining = deadline - now
                if remaining <= 0:
                    raise ProtocolError(503, "the endpoint is busy; try again shortly")
                self._cond.wait(remaining if until is None else min(remaining, until + 0.001))

    def _give_back(self, worker: _Worker, spare: bool) -> None:
        with self._cond:
            if spare:
                self._spare = worker
            else:
                self._busy.pop(worker, None)
                self._idle.append(worker)
            self._cond.notify_all()

    def _retire(self, worker: _Worker, spare: bool) -> None:
        worker.kill()
        with self._cond:
            self._all.discard(worker)
            self._busy.pop(worker, None)
            if self._closed:
                return
        self._give_back(self._spawn(), spare)  # it opens the store while the others work

    def _ask(
        self, worker: _Worker, spare: bool, request: dict[str, Any], timeout: float
    ) -> tuple[dict[str, Any], bytes]:
        try:
            worker.wait_ready(time.monotonic() + 60.0)
            answer = worker.ask(request, time.monotonic() + timeout)
        except _TimeoutError:
            self._retire(worker, spare)
            raise
        except (OSError, ValueError) as exc:
            self._retire(worker, spare)
            raise ProtocolError(500, f"the query worker failed: {exc}") from exc
        self._give_back(worker, spare)
        return answer

    def run(self, request: dict[str, Any]) -> SparqlResult:
        """Run one request (``{"op": "sparql", "query": ...}`` or ``{"op": "named", ...}``).

        A request that finds every worker busy for ``spare_after`` seconds or more runs on the
        spare worker, for ``spare_timeout`` seconds at most; one that takes longer there is
        stopped and waits for a worker as any other (the spare is there for short requests held
        up by long ones, not to run a third long one).

        Raises:
            ProtocolError: the worker refused the query (its status), the query overran the
                time limit (503), or no worker was free in time (503).
        """
        timeout = self.limits.timeout
        worker, spare = self._take()
        try:
            if spare:
                try:
                    header, body = self._ask(worker, True, request, self.limits.spare_timeout)
                    with self._cond:
                        self.spare_runs += 1
                except _TimeoutError:
                    worker, spare = self._take_worker(), False
                    header, body = self._ask(worker, False, request, timeout)
            else:
                header, body = self._ask(worker, False, request, timeout)
        except _TimeoutError:
            raise ProtocolError(
                503, f"the query ran longer than the limit of {timeout:g} s and was stopped"
            ) from None
        status = int(header.get("status", 500))
        if status != 200:
            raise ProtocolError(status, str(header.get("error", "query failed")))
        media_type, truncated = str(header["media_type"]), bool(header.get("truncated"))
        if "page" in header:  # a named query's page: the whole answer's rows, the page's place
            total, offset, limit, shown = (int(v) for v in header["page"])
            return SparqlResult(200, media_type, body, truncated, total, offset, limit, shown)
        return SparqlResult(200, media_type, body, truncated)

    def _take_worker(self) -> _Worker:
        """Wait for a worker that is not the spare."""
        deadline = time.monotonic() + self.limits.queue_timeout
        with self._cond:
            while not self._idle:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ProtocolError(503, "the endpoint is busy; try again shortly")
                self._cond.wait(remaining)
            worker = self._idle.pop()
            self._busy[worker] = time.monotonic()
            return worker

    def close(self) -> None:
        """Stop every worker."""
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._spare = None
            self._cond.notify_all()
        for w in workers:
            w.kill()
