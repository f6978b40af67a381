"""The RDF document of one resource: what ``/trial/NCT...`` (and every data IRI) dereferences to.

A resource's document holds:

* its own triples and those of the parts it owns (IRIs under its own: a trial's sites, their
  addresses and coordinates, its eligibility and outcomes; a publication's author-list cells),
  and of blank nodes it points to;
* the type, name and identifier of every other resource it links to, so a reader can show
  names without fetching each link;
* up to ``inbound_limit`` triples that point at it from elsewhere (an organisation's trials), with
  the names of their subjects, and the whole of every ``tkg:Similarity`` node about it.

A named graph's IRI (``/graph/NCT...``) dereferences to the graph itself: the trial's record as
read from its source, with its provenance.
"""

from __future__ import annotations

from collections import deque

import pyoxigraph as ox

from kg.ontology import ONTOLOGY_GRAPH
from kg.publish._dataset import group_triples, subject_triples
from kg.publish._lookup import DCT, RDF, SCHEMA, TKG

__all__ = ["describe", "is_graph", "own_graphs"]

_LABEL_PREDICATES = (
    ox.NamedNode(RDF + "type"),
    ox.NamedNode(SCHEMA + "name"),
    ox.NamedNode(DCT + "identifier"),
)
_SIMILARITY = ox.NamedNode(TKG + "Similarity")
_TYPE = ox.NamedNode(RDF + "type")


def is_graph(store: ox.Store, node: ox.NamedNode) -> bool:
    """Tell whether an IRI names a graph of the store."""
    return bool(store.contains_named_graph(node))


_OWN_GRAPHS = 8
"""Graphs of a resource's own statements in which the labels of what it links to are looked for."""


def own_graphs(store: ox.Store, node: ox.NamedNode) -> list[ox.NamedNode | ox.BlankNode]:
    """Return (some of) the data graphs that hold statements about ``node``."""
    graphs: dict[ox.NamedNode | ox.BlankNode, None] = {}
    for q in store.quads_for_pattern(node, None, None, None):
        g = q.graph_name
        if isinstance(g, ox.NamedNode | ox.BlankNode) and _is_data(q):
            graphs[g] = None
            if len(graphs) >= _OWN_GRAPHS:
                break
    return list(graphs)


def _labels(
    store: ox.Store,
    node: ox.NamedNode | ox.BlankNode,
    graphs: list[ox.NamedNode | ox.BlankNode],
) -> list[ox.Triple]:
    """Return the labels of a linked resource as the described resource's own graphs state them.

    A sponsor, a country or a MeSH term is named in every trial graph that links to it (100,000
    times for a country of a registry): reading all of them took ~1 s a page at 100,000 trials.
    The record's own graph names what it links to; only a resource named in none of those graphs
    is read whole.
    """
    found: dict[ox.Triple, None] = {}
    for g in graphs:
        for q in store.quads_for_pattern(node, None, None, g):
            if q.predicate in _LABEL_PREDICATES:
                found[q.triple] = None
    if found:
        return list(found)
    return [t for t in subject_triples(store, node) if t.predicate in _LABEL_PREDICATES]


def describe(
    store: ox.Store, node: ox.NamedNode, *, inbound_limit: int = 500
) -> list[list[ox.Triple]]:
    """Return the document of a resource as triples grouped by subject (the resource first)."""
    if is_graph(store, node):
        seen: dict[ox.Triple, None] = {}
        for q in store.quads_for_pattern(None, None, None, node):
            seen[q.triple] = None
        groups = group_triples(seen)
        groups.sort(key=lambda g: g[0].subject != node)
        return groups
    owned_prefix = node.value.rstrip("/") + "/"
    triples: dict[ox.Triple, None] = {}
    described: set[ox.NamedNode | ox.BlankNode] = set()
    todo: deque[ox.NamedNode | ox.BlankNode] = deque([node])
    linked: dict[ox.NamedNode, None] = {}
    while todo:
        subject = todo.popleft()
        if subject in described:
            continue
        described.add(subject)
        for t in subject_triples(store, subject):
            triples[t] = None
            obj = t.object
            if isinstance(obj, ox.BlankNode) or (
                isinstance(obj, ox.NamedNode) and obj.value.startswith(owned_prefix)
            ):
                todo.append(obj)
            elif isinstance(obj, ox.NamedNode) and t.predicate != _TYPE:
                linked[obj] = None
    inbound = 0
    for q in store.quads_for_pattern(None, None, node, None):
        if inbound >= inbound_limit:
            break
        source = q.subject
        if source in described or not isinstance(source, ox.NamedNode | ox.BlankNode):
            continue
        t = q.triple
        if t in triples or not _is_data(q):
            continue
        triples[t] = None
        inbound += 1
        if isinstance(source, ox.NamedNode):
            linked[source] = None
        if ox.Quad(source, _TYPE, _SIMILARITY, q.graph_name) in store:
            for st in subject_triples(store, source):
                triples[st] = None
                if isinstance(st.object, ox.NamedNode) and st.predicate != _TYPE:
                    linked[st.object] = None
    graphs = own_graphs(store, node)
    for other in linked:
        if other not in described:
            for t in _labels(store, other, graphs):
                triples[t] = None
    groups = group_triples(triples)
    groups.sort(key=lambda g: (g[0].subject != node, not _owned(g[0].subject, owned_prefix)))
    return groups


def _owned(subject: object, prefix: str) -> bool:
    return isinstance(subject, ox.NamedNode) and subject.value.startswith(prefix)


def _is_data(quad: ox.Quad) -> bool:
    g = quad.graph_name
    return not isinstance(g, ox.DefaultGraph) and not (
        isinstance(g, ox.NamedNode) and g.value == ONTOLOGY_GRAPH
    )
