"""What ``kg reindex`` costs: a store of index format 2 taken back to format 1, then reindexed.

Writes into STORE (a store of your own, never a shared one): removes the keys index format 2
added (``tkg:ownTitle``, ``tkg:fineGeoCell``, each trial graph's ``tkg:indexFormat``), sets the
statistics graph's ``tkg:indexFormat`` to "1" (what a build by the older kg left), then times
:func:`kg.reindex.reindex` (CPU and wall) and checks that the store holds the same quads again.

    nice -n 10 python benchmarks/bench_reindex.py /tmp/hp/s10k
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time

import pyoxigraph as ox

from kg.reindex import ADDED_PREDICATES, reindex
from kg.stats import STATS_GRAPH
from kg.terms import TKG


def _digest(store: ox.Store) -> tuple[int, str]:
    """The number of quads holding a format-2 key, and a hash of them (order-free)."""
    acc, n = 0, 0
    for predicate in ADDED_PREDICATES:
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate[1:-1]), None, None):
            acc ^= int.from_bytes(hashlib.sha256(str(quad).encode()).digest()[:8], "big")
            n += 1
    return n, f"{acc:016x}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    args = parser.parse_args()
    store = ox.Store(args.store)
    before = _digest(store)
    stats = ox.NamedNode(STATS_GRAPH)
    fmt = ox.NamedNode(TKG + "indexFormat")
    for predicate in ADDED_PREDICATES:
        quads = [
            q
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate[1:-1]), None, None)
            if q.graph_name != stats
        ]
        for start in range(0, len(quads), 100_000):
            for quad in quads[start : start + 100_000]:
                store.remove(quad)
    for quad in list(store.quads_for_pattern(stats, fmt, None, stats)):
        store.remove(quad)
    store.add(ox.Quad(stats, fmt, ox.Literal("1"), stats))
    store.flush()
    print(f"format-2 keys before: {before[0]:,} (hash {before[1]}); taken back to format 1")
    load = os.getloadavg()[0]
    cpu, wall = time.process_time(), time.perf_counter()
    report = reindex(store)
    store.flush()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    after = _digest(store)
    print(
        f"reindex: {report.upgraded:,} graphs, {report.quads:,} quads, format "
        f"{report.store_format}; CPU {cpu:.1f} s, wall {wall:.1f} s, load {load:.1f}"
        f"-{os.getloadavg()[0]:.1f}; keys after: {after[0]:,} (hash {after[1]}), "
        f"{'the same' if after == before else 'DIFFERENT'}"
    )


if __name__ == "__main__":
    main()
