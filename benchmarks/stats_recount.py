"""CPU of recounting a kg store's statistics and answers, checked against the graphs it holds.

    python benchmarks/stats_recount.py STORE

Opens the store read-only, runs ``kg.stats.compute`` (every graph counted from the store: what an
update cost before kg.stats_delta) and ``kg.answers.compute`` (what every write runs), and
compares what they would write with the graphs the store holds (a new store's statistics come
from the build workers' counts, an updated store's from the stored ones moved by the update).
"""

from __future__ import annotations

import sys
import time

import pyoxigraph as ox

from kg import answers, answers_graph, stats


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
    held = set(store.quads_for_pattern(None, None, None, ox.NamedNode(answers.ANSWERS_GRAPH)))
    cpu, wall = time.process_time(), time.perf_counter()
    rows = answers.compute(store)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    text = "".join(answers_graph.answers_nquads(rows)).encode()
    again = set(ox.parse(text, ox.RdfFormat.N_QUADS))
    sys.stdout.write(
        f"answers: {cpu:.1f} CPU s, {wall:.1f} s wall; quads held {len(held):,}, "
        f"recomputed {len(again):,}; same: {held == again}\n"
    )


if __name__ == "__main__":
    main()
