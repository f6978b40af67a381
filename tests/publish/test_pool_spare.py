"""The query pool's spare worker: a short request is not held up by long ones that fill the pool.

Real worker processes on the publishing store; the long query is a cross product that never
ends before the time limit. The checks are on what happens, in which order, with margins of
seconds against queries of milliseconds.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from publish_support import SEED_NCT

from kg.publish.pool import PoolLimits, QueryPool
from kg.publish.sparql import ProtocolError, SparqlResult

_LONG = {"op": "sparql", "query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}
_SHORT = {
    "op": "sparql",
    "query": f'SELECT ?t {{ ?t <http://purl.org/dc/terms/identifier> "{SEED_NCT}" }}',
    "accept": "application/sparql-results+json",
}


def _pool(store: Path, **limits: float | None) -> QueryPool:
    pool = QueryPool(
        store,
        PoolLimits(timeout=4.0, workers=1, queue_timeout=30.0, **limits),  # type: ignore[arg-type]
    )
    pool.start()
    return pool


def _in_thread(pool: QueryPool) -> tuple[threading.Thread, list[object]]:
    out: list[object] = []

    def go() -> None:
        try:
            out.append(pool.run(dict(_LONG)))
        except ProtocolError as exc:
            out.append(exc)

    thread = threading.Thread(target=go)
    thread.start()
    return thread, out


def test_a_short_query_runs_on_the_spare_while_a_long_one_holds_the_workers(
    publish_store_path: Path,
) -> None:
    pool = _pool(publish_store_path, spare_after=0.3, spare_timeout=2.0)
    try:
        long_run, out = _in_thread(pool)
        time.sleep(1.0)  # the long query has held the only worker for more than spare_after
        result = pool.run(dict(_SHORT))
        assert isinstance(result, SparqlResult)
        assert SEED_NCT in result.body.decode()
        assert long_run.is_alive()  # answered while the long query still runs
        assert pool.spare_runs == 1
        long_run.join(30)
        assert isinstance(out[0], ProtocolError) and out[0].status == 503  # its time limit
    finally:
        pool.close()


def test_a_long_query_on_the_spare_is_stopped_there_and_waits_for_a_worker(
    publish_store_path: Path,
) -> None:
    pool = _pool(publish_store_path, spare_after=0.3, spare_timeout=1.0)
    try:
        first, first_out = _in_thread(pool)
        time.sleep(1.0)
        started = time.monotonic()
        second, second_out = _in_thread(pool)  # goes to the spare, is stopped after 1 s there
        first.join(30)
        second.join(30)
        for out in (first_out, second_out):
            assert isinstance(out[0], ProtocolError) and out[0].status == 503
            assert "ran longer than the limit of 4 s" in str(out[0])
        # The second ran its whole time limit on a worker after the first was stopped.
        assert time.monotonic() - started >= 4.0 + 2.0
        assert pool.spare_runs == 0
        assert SEED_NCT in pool.run(dict(_SHORT)).body.decode()  # the spare was replaced
        time.sleep(0.1)
    finally:
        pool.close()


def test_without_a_spare_a_short_query_waits_for_the_long_one(publish_store_path: Path) -> None:
    pool = _pool(publish_store_path, spare_after=None)
    try:
        long_run, _ = _in_thread(pool)
        time.sleep(1.0)
        pool.run(dict(_SHORT))
        assert not long_run.is_alive()  # it had to wait for the worker the long one held
        assert pool.spare_runs == 0
    finally:
        pool.close()
        long_run.join(30)


def test_a_short_query_does_not_take_the_spare_while_a_worker_is_idle(
    publish_store_path: Path,
) -> None:
    pool = QueryPool(publish_store_path, PoolLimits(timeout=4.0, workers=2, spare_after=0.0))
    pool.start()
    try:
        for _ in range(5):  # one at a time: a worker is always idle
            assert SEED_NCT in pool.run(dict(_SHORT)).body.decode()
        assert pool.spare_runs == 0
    finally:
        pool.close()
