"""The dataset description's figures by a plain reading of every quad: the tests' reference."""

from __future__ import annotations

import pyoxigraph as ox

from kg.answers import ANSWERS_GRAPH
from kg.index import INDEX_PREDICATES
from kg.ontology import ONTOLOGY_GRAPH, PUBLICATIONS_ONTOLOGY_GRAPH
from kg.publish.void import Statistics
from kg.stats import STATS_GRAPH

VOID_GRAPH = f"{STATS_GRAPH}/void"  # written out: the tests do not read it from kg
MAIN = ("MedicalTrial", "MedicalObservationalStudy", "Organization", "Person", "ScholarlyArticle")


def counted_by_reading(store: ox.Store, uri_space: str) -> Statistics:
    """Every quad read once: the data graphs' distinct triples, subjects, classes, examples.

    The data graphs are every named graph but the two ontologies and the three graphs kg derives
    (statistics, answers, the figures themselves), whose quads are counted apart; the index
    triples (look-up keys) are counted apart by property, and their subjects are not subjects.
    """
    ontologies = {ox.NamedNode(ONTOLOGY_GRAPH), ox.NamedNode(PUBLICATIONS_ONTOLOGY_GRAPH)}
    derived = {ox.NamedNode(g) for g in (STATS_GRAPH, ANSWERS_GRAPH, VOID_GRAPH)}
    index = {ox.NamedNode(p) for p in INDEX_PREDICATES}
    kind = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    data: set[ox.Triple] = set()
    stats = Statistics()
    for quad in store:
        graph = quad.graph_name
        if isinstance(graph, ox.DefaultGraph) or graph in ontologies:
            continue
        if graph in derived:
            stats.derived[graph.value] += 1
        else:
            data.add(quad.triple)
    subjects = set()
    for t in data:
        if t.predicate in index:
            stats.index[t.predicate.value] += 1
            continue
        stats.triples += 1
        stats.properties[t.predicate.value] += 1
        subjects.add(t.subject)
        if t.predicate == kind and isinstance(t.object, ox.NamedNode):
            stats.classes[t.object.value] += 1
    stats.subjects = len(subjects)
    stats.entities = sum(
        1 for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(uri_space)
    )
    for t in sorted(
        (t for t in data if t.predicate == kind and isinstance(t.subject, ox.NamedNode)),
        key=lambda t: t.subject.value,
    ):
        cls = t.object.value
        if cls.startswith("http://schema.org/") and cls[18:] in MAIN:
            stats.examples.setdefault(cls, t.subject.value)
    return stats
