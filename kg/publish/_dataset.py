"""Read the data graphs of a store: which graphs, and their triples in a stable, streamable order.

The store holds one named graph per trial record, maybe graphs of computed data (similarities),
and the ontology in its own graph. Exports and descriptions cover the data graphs only: the
ontology is published at its own IRI.

The grouped triple formats (Turtle, JSON-LD, RDF/XML) are written from the union of the data
graphs, one subject at a time, in IRI order: a triple that several records state (an
organisation's name) is written once, the output is byte-identical for the same data, and only
the list of subjects is held in memory (by the store's query engine), never the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from kg.errors import UsageError
from kg.ontology import ONTOLOGY_GRAPH
from kg.sinks.file import PREFIXES as _DATA_PREFIXES

__all__ = [
    "DATA_PREFIXES",
    "PREFIXES",
    "RDF_TYPE",
    "data_graphs",
    "detect_base",
    "group_triples",
    "iter_quads",
    "iter_subject_groups",
    "iter_subjects",
    "subject_triples",
    "trial_graphs",
]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

DATA_PREFIXES: dict[str, str] = dict(_DATA_PREFIXES)
"""Prefixes written in data exports (Turtle, TriG, RDF/XML): the vocabularies of the data."""

PREFIXES: dict[str, str] = {
    **_DATA_PREFIXES,
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dctypes": "http://purl.org/dc/dcmitype/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "pav": "http://purl.org/pav/",
    "spdx": "http://spdx.org/rdf/terms#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "formats": "http://www.w3.org/ns/formats/",
}
"""Every prefix kg knows (descriptions use VoID, DCAT...): vocabularies only, never data IRIs."""

_ONTOLOGY = ox.NamedNode(ONTOLOGY_GRAPH)
_TRIAL_GRAPH = re.compile(r"^(?P<base>.+[/#])graph/(?P<nct>NCT\d{8})$")


def data_graphs(store: ox.Store) -> list[ox.NamedNode | ox.BlankNode]:
    """Return the named graphs that hold data (every graph but the ontology's), sorted."""
    graphs = [g for g in store.named_graphs() if g != _ONTOLOGY]
    return sorted(graphs, key=lambda g: (isinstance(g, ox.BlankNode), g.value))


def detect_base(store: ox.Store) -> str | None:
    """Return the base IRI of the data, read from the name of a trial's graph, or None."""
    for graph in store.named_graphs():
        if isinstance(graph, ox.NamedNode) and (m := _TRIAL_GRAPH.match(graph.value)):
            return m.group("base")
    return None


def trial_graphs(store: ox.Store, nct_ids: Iterable[str]) -> list[ox.NamedNode]:
    """Return the named graph of each trial record, found by the trial's NCT id.

    Raises:
        UsageError: a trial that has no record in the store.
    """
    identifier = ox.NamedNode("http://purl.org/dc/terms/identifier")
    out: list[ox.NamedNode] = []
    for nct in nct_ids:
        key = nct.strip().upper()
        found = [
            q.graph_name
            for q in store.quads_for_pattern(None, identifier, ox.Literal(key), None)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith(f"/{key}")
        ]
        if not found:
            raise UsageError(f"no record of trial {key!r} in the store")
        out.append(found[0])
    return list(dict.fromkeys(out))


def iter_quads(store: ox.Store, graphs: Sequence[ox.NamedNode | ox.BlankNode]) -> Iterator[ox.Quad]:
    """Yield every quad of the given graphs, graph by graph (streams from the store)."""
    for graph in graphs:
        yield from store.quads_for_pattern(None, None, None, graph)


_SUBJECTS = "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"


def iter_subjects(
    store: ox.Store, graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None
) -> Iterator[ox.NamedNode | ox.BlankNode]:
    """Yield the distinct subjects of the named graphs (or of ``graphs``), blank nodes first.

    The subjects are sorted here rather than by ``ORDER BY``, which is several times slower in
    the store; only the subjects are held, never their triples.
    """
    if graphs is None:
        result = store.query(_SUBJECTS)
    else:
        result = store.query(_SUBJECTS, named_graphs=list(graphs))
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT query
    blanks: list[ox.BlankNode] = []
    iris: list[str] = []
    for solution in result:
        subject = solution[0]
        if isinstance(subject, ox.NamedNode):
            iris.append(subject.value)
        elif isinstance(subject, ox.BlankNode):
            blanks.append(subject)
    del result
    blanks.sort(key=lambda b: b.value)
    yield from blanks
    iris.sort()
    for value in iris:
        yield ox.NamedNode(value)


def _sorted(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Sort one subject's triples: rdf:type first, then by predicate IRI, then by object."""
    keyed = sorted(
        ((t.predicate.value, t) for t in triples), key=lambda k: (k[0] != RDF_TYPE, k[0])
    )
    out: list[ox.Triple] = []
    i, n = 0, len(keyed)
    while i < n:
        j = i + 1
        while j < n and keyed[j][0] == keyed[i][0]:
            j += 1
        if j - i == 1:
            out.append(keyed[i][1])
        else:  # several objects: order them by their N-Triples form (the store's order varies)
            out.extend(sorted((k[1] for k in keyed[i:j]), key=lambda t: str(t.object)))
        i = j
    return out


def subject_triples(
    store: ox.Store,
    subject: ox.NamedNode | ox.BlankNode,
    graphs: frozenset[ox.NamedNode | ox.BlankNode] | None = None,
) -> list[ox.Triple]:
    """Return the distinct triples of a subject in the data graphs (or ``graphs``), sorted.

    ``rdf:type`` comes first, then predicates in IRI order, objects in N-Triples order.
    """
    found: dict[ox.Triple, None] = {}
    for q in store.quads_for_pattern(subject, None, None, None):
        g = q.graph_name
        if isinstance(g, ox.DefaultGraph) or g == _ONTOLOGY:
            continue
        if graphs is not None and g not in graphs:
            continue
        found[q.triple] = None
    return _sorted(list(found))


def iter_subject_groups(
    store: ox.Store, graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None
) -> Iterator[list[ox.Triple]]:
    """Yield the union of the data graphs (or ``graphs``) one subject at a time, in IRI order."""
    wanted = frozenset(graphs) if graphs is not None else None
    for subject in iter_subjects(store, graphs):
        triples = subject_triples(store, subject, wanted)
        if triples:
            yield triples


def group_triples(triples: Iterable[ox.Triple]) -> list[list[ox.Triple]]:
    """Group triples by subject (subjects in order of first appearance), each group sorted."""
    groups: dict[object, dict[ox.Triple, None]] = {}
    for t in triples:
        groups.setdefault(t.subject, {})[t] = None
    return [_sorted(list(g)) for g in groups.values()]
