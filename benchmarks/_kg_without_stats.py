"""``kg`` as the command line runs it, less issue 15's work: what that work costs a build today.

``python benchmarks/_kg_without_stats.py build ZIP --store DIR [-j N] [--no-results]`` runs
``kg build`` with issue 15's steps replaced (in this process and the workers it forks):

- in ``kg.build.map_record``, no look-up keys (``kg.index.index_triples`` gives none), no
  statistics counts (``kg.stats.count_triples`` gives None) and no reading of the triples for
  them (``kg.index.split`` gives empty lists): a record maps as before issue 15;
- ``kg.sinks.store._finalise`` ends a new store as before issue 15: the ontology, ``optimize``,
  ``flush``; no statistics graph, no answers graph, no sponsors' missing keys.

Everything else (reading, mapping, the other issues' facts, the streamed load) is today's code, so
``benchmarks/build_cost.py ZIP --parts`` compares like with like in one script. The store it
makes is not a kg store of today (no statistics, no keys): for measuring only.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable

import pyoxigraph as ox

import kg.sinks.store as store_module
from kg.cli import main
from kg.ontology import load_ontology, load_publications_ontology
from kg.stats import Statistics

build_module = sys.modules["kg.build"]  # kg.build the module (kg exports a function of that name)


def no_split(triples: Iterable[object], wanted: Collection[str]) -> dict[str, list[object]]:
    """Read nothing: every predicate the index and the statistics would read, with no pairs."""
    return {p: [] for p in wanted}


def finalise(store: ox.Store, counted: Statistics | None, *, publications_ontology: bool) -> None:
    """Add the ontology to a freshly loaded store, compact it and write it out."""
    load_ontology(store)
    if publications_ontology:
        load_publications_ontology(store)
    store.optimize()
    store.flush()


if __name__ == "__main__":
    build_module.split = no_split
    build_module.index_triples = lambda *_args, **_kw: []
    build_module.count_triples = lambda *_args: None
    store_module._finalise = finalise
    sys.argv[0] = "kg"
    main()
