"""CPU of recounting a kg store's statistics (what an update costs), checked against the graph.

    python benchmarks/stats_recount.py STORE

Opens the store read-only, runs ``kg.stats.compute`` (every graph counted from the store, as a
build into an existing store does), and compares the statistics it would write with the graph
the store holds (a new store's graph comes from the build workers' counts instead).
"""

from __future__ import annotations

import sys
import time

import pyoxigraph as ox

from kg import stats


def main() -> None:
    store = ox.Store.read_only(sys.argv[1])
    held = set(store.quads_for_pattern(None, None, None, ox.NamedNode(stats.STATS_GRAPH)))
    cpu, wall = time.process_time(), time.perf_counter()
    recount = stats.compute(store)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    fresh = ox.Store()
    fresh.load("".join(stats.stats_nquads(recount)).encode(), ox.RdfFormat.N_QUADS)
    sys.stdout.write(
        f"recount: {cpu:.1f} CPU s, {wall:.1f} s wall, {recount.trial_graphs:,} trial graphs; "
        f"statistics quads held {len(held):,}, recounted {len(fresh):,}; "
        f"same: {held == set(fresh)}\n"
    )


if __name__ == "__main__":
    main()
