"""Stores as an older kg left them: each trial graph's note of its index format (kg.index)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.stats import STATS_GRAPH, refresh
from kg.terms import TKG


def note_index_format(store: ox.Store, stored: str, graph: ox.NamedNode | None = None) -> None:
    """Note ``graph`` (every trial graph when None) as of index format ``stored``; recount."""
    note = ox.NamedNode(TKG + "indexFormat")
    for quad in list(store.quads_for_pattern(None, note, None, graph)):
        if quad.graph_name != ox.NamedNode(STATS_GRAPH):
            store.remove(quad)
            store.add(ox.Quad(quad.subject, note, ox.Literal(stored), quad.graph_name))
    refresh(store)  # a recount: the store's format is its graphs' lowest
