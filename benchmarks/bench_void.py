"""The counts of ``kg void`` and ``kg serve``'s ``/void``: kept figures, aggregates, a pass.

    python benchmarks/bench_void.py STORE [--no-count] [--no-pass] [--base IRI]

Times, in this process, one after the other, on the store opened read-only:
``kg.publish.void.collect_statistics`` as ``kg void`` runs it (the figures kept with the store,
kg.void_counts, when it has them), ``count_statistics`` (the store's aggregate queries, what kg
void runs on a store without figures) and the pass kg made before d3a3891 (every subject's quads
read into Python, one subject at a time, from a sorted list of every subject); prints wall and
CPU seconds, the peak RSS of the process after each, and whether they gave the same counts.
``--no-count`` and ``--no-pass`` leave out the slow ones (~15 and over 20 minutes at 100,000
synthetic trials). Markdown on stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from _harness import log, md_table

from kg.ontology import ONTOLOGY_GRAPH
from kg.publish._dataset import RDF_TYPE, iter_subjects
from kg.publish.void import (
    _DERIVED,
    _EXAMPLE_CLASSES,
    _INDEX,
    Statistics,
    collect_statistics,
    count_statistics,
)
from kg.void_counts import read

_TYPE = ox.NamedNode(RDF_TYPE)
_ONTOLOGY = ox.NamedNode(ONTOLOGY_GRAPH)


def by_pass(store: ox.Store, uri_space: str | None = None) -> Statistics:
    """The counts as kg made them before d3a3891: one pass, one subject at a time."""
    stats = Statistics()
    for subject in iter_subjects(store):
        triples: set[ox.Triple] = set()
        keys: set[ox.Triple] = set()
        for q in store.quads_for_pattern(subject, None, None, None):
            graph = q.graph_name
            if graph == _ONTOLOGY or isinstance(graph, ox.DefaultGraph):
                continue
            if graph in _DERIVED:
                stats.derived[graph.value] += 1
            elif q.predicate in _INDEX:
                keys.add(q.triple)
            else:
                triples.add(q.triple)
        for t in keys:
            stats.index[t.predicate.value] += 1
        if not triples:
            continue
        stats.subjects += 1
        stats.triples += len(triples)
        if isinstance(subject, ox.NamedNode) and (
            uri_space is None or subject.value.startswith(uri_space)
        ):
            stats.entities += 1
        for t in triples:
            stats.properties[t.predicate.value] += 1
            if t.predicate == _TYPE and isinstance(t.object, ox.NamedNode):
                cls = t.object.value
                stats.classes[cls] += 1
                if cls in _EXAMPLE_CLASSES and isinstance(subject, ox.NamedNode):
                    stats.examples.setdefault(cls, subject.value)
    return stats


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--no-count", action="store_true", help="leave out the aggregates")
    parser.add_argument("--no-pass", action="store_true", help="leave out the pass")
    parser.add_argument("--base", default="https://w3id.org/trialkg/", help="the URI space")
    args = parser.parse_args()
    store = ox.Store.read_only(str(args.store))
    load = os.getloadavg()[0]
    kept = "kept figures" if read(store) is not None else "no figures kept: aggregates"
    ways = [(f"kg void today ({kept})", collect_statistics)]
    if not args.no_count:
        ways.append(("aggregates (count_statistics)", count_statistics))
    if not args.no_pass:
        ways.append(("one pass (before d3a3891)", by_pass))
    rows: list[list[object]] = []
    found: list[Statistics] = []
    for name, count in ways:
        wall, cpu = time.perf_counter(), time.process_time()
        stats = count(store, args.base)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        log(f"{name}: {wall:.1f} s wall, {cpu:.1f} s CPU, {stats.triples:,} triples")
        found.append(stats)
        rows.append([name, f"{wall:.1f}", f"{cpu:.1f}", f"{_peak_gib():.2f}", stats.triples,
                     stats.subjects, len(stats.classes), len(stats.properties)])
    print(f"Command: `python benchmarks/bench_void.py {' '.join(sys.argv[1:])}` "
          f"(load average {load:.2f} at the start)\n")
    print(md_table(["way", "wall s", "CPU s", "peak RSS GiB so far", "triples", "subjects",
                    "classes", "properties"], rows))
    if len(found) > 1:
        same = all(f == found[0] for f in found[1:])
        print(f"\nThe same counts: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
