"""Units of work of validation: a trial's triples as text, or its named graph in a store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

__all__ = ["Spo", "StoredTrial", "TrialGraph", "Unit", "as_spo", "open_worker_store", "read_unit"]

# A triple as the checks read it: each term taken out of its quad once (pyoxigraph makes a new
# Python object on each access of a quad's term, a third of the checks' time when repeated).
Spo = tuple[
    ox.NamedNode | ox.BlankNode | ox.Triple,
    ox.NamedNode,
    ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
]


def as_spo(triples: Iterable[ox.Quad | ox.Triple | Spo]) -> list[Spo]:
    """Return the triples as (subject, predicate, object) tuples (tuples are kept as they are)."""
    return [t if isinstance(t, tuple) else (t.subject, t.predicate, t.object) for t in triples]


@dataclass(frozen=True, slots=True)
class TrialGraph:
    """One trial's triples as N-Quads (or N-Triples) text, and the IRI of its trial node."""

    nct_id: str
    iri: str
    text: bytes


@dataclass(frozen=True, slots=True)
class StoredTrial:
    """One trial's named graph in a store, read by the process that validates it.

    A worker process reads it from its own read-only handle on the store
    (:func:`open_worker_store`), so reading the store is shared out between the workers like the
    rest, and no trial's triples are written as text to be parsed again.
    """

    nct_id: str
    iri: str
    graph: str


Unit = TrialGraph | StoredTrial
_EVERY_TRIPLE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
_WORKER_STORE: list[ox.Store] = []  # this process's read-only handle (a worker's)


def open_worker_store(path: str) -> None:
    """Open a store read-only for the :class:`StoredTrial` units this process will be given."""
    _WORKER_STORE[:] = [ox.Store.read_only(path)]


def read_unit(unit: Unit, store: ox.Store | None = None) -> list[Spo]:
    """Return a unit's quads: parsed from its text, or read from a store (default: the worker's)."""
    if isinstance(unit, TrialGraph):
        return as_spo(ox.parse(unit.text, format=ox.RdfFormat.N_QUADS))
    if store is None:
        if not _WORKER_STORE:
            raise RuntimeError("no store opened in this process for stored trials")
        store = _WORKER_STORE[0]
    # A SELECT over the graph gives the same triples as ``quads_for_pattern`` for 5-15% less CPU
    # (no quad object made per triple; measured at 100,000 trials, benchmarks/RESULTS.md).
    solutions = store.query(_EVERY_TRIPLE, default_graph=ox.NamedNode(unit.graph))
    if not isinstance(solutions, ox.QuerySolutions):  # a SELECT always gives solutions
        raise TypeError("a SELECT query gave no solutions")
    return list(map(tuple, solutions))
