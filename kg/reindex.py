"""Bring a store's index triples up to kg's index format without a rebuild (``kg reindex``).

A store built by an older kg holds the index triples of its format (kg.index) in each trial
graph. The keys a later format adds are derived from the graph's own quads, as the build derives
them from the record's triples: this reads each trial graph's quads of the predicates
:func:`kg.index.index_triples` reads, computes its index triples, and adds those of the later
format that the graph lacks (format 2: ``tkg:ownTitle``, ``tkg:fineGeoCell``; formats 3 and 4: the
keys of trials sharing a condition; format 5: MeSH descriptor ids; format 7: the keys of trials
sharing an intervention; format 8: recruiting-near's site keys, kg.index), and replaces the
graph's ``tkg:indexFormat`` note by kg's. The keys of format 1 are not rewritten: a format-1
graph has them already, and those of facilities keyed by name (``Minter.placed``) cannot be told
from the graph alone.
When every trial graph is then of kg's format, the statistics graph says so
(``tkg:indexFormat``); nothing else of it changes (the keys are no counted facts). The dataset
description's figures (kg.void_counts), which count the index triples apart, move by the keys
written; a store without them (an older kg's), or with more keys to write than they can be moved
by, has them counted once (~15 minutes at 100,000 trials) and kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from kg.index import (
    INDEX_FORMAT,
    NAME_SHARING_KEYS,
    SHARING_IDS,
    SHARING_KEYS,
    WANTED,
    index_triples,
)
from kg.stats import STATS_GRAPH
from kg.terms import DEFAULT_BASE, TKG, T
from kg.void_counts import Change, move
from kg.void_counts import read as read_void
from kg.void_counts import write as write_void

__all__ = ["ADDED_PREDICATES", "ReindexReport", "reindex"]

ADDED_PREDICATES = (
    T.ownTitle,
    T.fineGeoCell,
    T.indexFormat,
    *(key for keys in SHARING_KEYS.values() for key in keys),
    *SHARING_IDS.values(),
    T.meshIdKey,
    *NAME_SHARING_KEYS,
    T.recruitingSiteKey,
)
"""The index triples of formats 2 to 8 that format 1 lacks (rendered IRIs)."""

_RECORD_GRAPH = ox.NamedNode(TKG + "recordGraph")
_INDEX_FORMAT = ox.NamedNode(TKG + "indexFormat")
_CURRENT = ox.Literal(INDEX_FORMAT)
_STATS = ox.NamedNode(STATS_GRAPH)


@dataclass(frozen=True, slots=True)
class ReindexReport:
    """What :func:`reindex` did: graphs brought up to the format, graphs already there, quads."""

    upgraded: int
    current: int
    quads: int
    store_format: str | None


def _trial_graphs(store: ox.Store) -> Iterator[tuple[ox.NamedNode, ox.NamedNode]]:
    """Each trial graph with its trial: the ``tkg:recordGraph`` stated in the graph it names."""
    for quad in store.quads_for_pattern(None, _RECORD_GRAPH, None, None):
        graph = quad.graph_name
        if (
            isinstance(quad.subject, ox.NamedNode)
            and isinstance(graph, ox.NamedNode)
            and quad.object == graph
        ):
            yield quad.subject, graph


def _added(store: ox.Store, trial: ox.NamedNode, graph: ox.NamedNode) -> list[ox.Quad]:
    """The index quads of kg's format that the graph lacks."""
    parts = {
        p: [
            (str(q.subject), str(q.object))
            for q in store.quads_for_pattern(None, ox.NamedNode(p[1:-1]), None, graph)
        ]
        for p in WANTED
    }
    wanted = set(ADDED_PREDICATES)
    lines = "".join(
        f"{s} {p} {o} {graph} .\n"
        for s, p, o in index_triples(parts, str(trial), str(graph))
        if p in wanted
    )
    return [q for q in ox.parse(lines, format=ox.RdfFormat.N_QUADS) if q not in store]


def _older_notes(store: ox.Store, graph: ox.NamedNode) -> list[ox.Quad]:
    """The graph's notes of an earlier index format (replaced by kg's)."""
    return [
        q
        for q in store.quads_for_pattern(graph, _INDEX_FORMAT, None, graph)
        if q.object != _CURRENT
    ]


def reindex(store: ox.Store, *, batch: int = 1000) -> ReindexReport:
    """Add the index triples of kg's format to every trial graph of ``store`` that lacks them.

    Graphs are written ``batch`` at a time (one transaction each). Returns what was done; the
    statistics graph's ``tkg:indexFormat`` is raised to kg's format when every trial graph holds
    it and the statistics graph said the store was indexed (a store with an unindexed trial graph
    keeps no index marker: rebuild that trial).
    """
    upgraded = current = total = 0
    pending: list[ox.Quad] = []
    older: list[ox.Quad] = []
    change = Change()  # the dataset figures (kg.void_counts) move by the keys written
    figures = read_void(store)

    def write() -> None:
        change.removed(older)
        for quad in older:
            store.remove(quad)
        change.added({q for q in pending if q not in store})
        store.extend(pending)
        pending.clear()
        older.clear()

    for trial, graph in list(_trial_graphs(store)):
        if ox.Quad(graph, _INDEX_FORMAT, _CURRENT, graph) in store:
            current += 1
            continue
        quads = _added(store, trial, graph)
        pending.extend(quads)
        older.extend(_older_notes(store, graph))
        upgraded += 1
        total += len(quads)
        if upgraded % batch == 0:
            write()
    write()
    moved = move(store, figures, change) if figures is not None else None
    if moved is None:  # none kept (an older kg's store), or too many keys to move them by
        from kg.publish._dataset import detect_base  # on use: the publishing modules are larger
        from kg.publish.void import count_figures

        moved = count_figures(store, detect_base(store) or DEFAULT_BASE)  # once, kept after
    write_void(store, moved)
    marks = list(store.quads_for_pattern(_STATS, _INDEX_FORMAT, None, _STATS))
    if marks and all(m.object != _CURRENT for m in marks):
        for mark in marks:
            store.remove(mark)
        store.add(ox.Quad(_STATS, _INDEX_FORMAT, _CURRENT, _STATS))
    after = [
        m.object.value
        for m in store.quads_for_pattern(_STATS, _INDEX_FORMAT, None, _STATS)
        if isinstance(m.object, ox.Literal)
    ]
    return ReindexReport(upgraded, current, total, after[0] if after else None)
