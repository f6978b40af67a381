"""The shapes graph (``ontology/shapes.ttl``), parsed once per process, and what reports need of it.

Besides the rdflib graph pyshacl runs, this module derives from the shapes, never by hand:

- the vocabulary the per-record shapes read (predicates and classes), so each trial's graph is
  handed to pyshacl without the triples no shape can see (criteria text, author lists...);
- the field a node-level shape is about (its ``kgsh:field``, else the last ``sh:path`` inside it);
- the cross-trial shapes (deactivated, ``sh:sparql``) that run over a whole store;
- the ``tkg:`` terms the ontology declares.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from kg.ontology import ONTOLOGY_FILES, SHAPES_FILE
from kg.terms import TKG

__all__ = [
    "PREFIXES",
    "SHAPES_NS",
    "CrossCheck",
    "Shapes",
    "compact",
    "declared_terms",
    "load_shapes",
    "path_text",
]

SHAPES_NS = "https://w3id.org/trialkg/shapes#"
DECLARED_TERMS = URIRef(SHAPES_NS + "DeclaredTerms")
DECLARED_TERM_COMPONENT = URIRef(SHAPES_NS + "DeclaredTermConstraintComponent")
TRIAL_GRAPH_SHAPE = URIRef(SHAPES_NS + "TrialGraph")
FIELD = URIRef(SHAPES_NS + "field")  # the property a node-level shape's results are about
TRIAL_GRAPH_COMPONENT = URIRef(SHAPES_NS + "TrialGraphConstraintComponent")
STUDY_CLASSES = frozenset(
    {
        "http://schema.org/MedicalStudy",
        "http://schema.org/MedicalTrial",
        "http://schema.org/MedicalObservationalStudy",
        TKG + "ExpandedAccessStudy",
    }
)

PREFIXES: dict[str, str] = {
    "schema": "http://schema.org/",
    "tkg": TKG,
    "kgsh": SHAPES_NS,
    "dcterms": "http://purl.org/dc/terms/",
    "bibo": "http://purl.org/ontology/bibo/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sh": str(SH),
    "rdf": str(RDF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}

_PATH_KINDS = {
    SH.inversePath: "^{}",
    SH.zeroOrMorePath: "{}*",
    SH.oneOrMorePath: "{}+",
    SH.zeroOrOnePath: "{}?",
}
# Parameters whose values name a property of the focus or value node.
_PROPERTY_PARAMETERS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
_NESTING = (SH["or"], SH["and"], SH.xone)
_PREFIXED = re.compile(r"\b([A-Za-z][\w-]*):([A-Za-z_][\w-]*)")
_FULL_IRI = re.compile(r"<([^<>\s]+)>")


def compact(iri: str) -> str:
    """Return ``prefix:local`` for an IRI of a known vocabulary, else the IRI in angle brackets.

    >>> compact("http://schema.org/name"), compact("https://example.org/x")
    ('schema:name', '<https://example.org/x>')
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w-]+", iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def path_text(graph: Graph, node: Node) -> str:
    """Render a SHACL property path as SPARQL property path syntax with full IRIs."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in graph:
        return "/".join(path_text(graph, item) for item in Collection(graph, node))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        parts = [path_text(graph, item) for item in Collection(graph, alternatives)]
        return "(" + "|".join(parts) + ")"
    for kind, template in _PATH_KINDS.items():
        inner = graph.value(node, kind)
        if inner is not None:
            return template.format(path_text(graph, inner))
    return str(node)


def _path_predicates(graph: Graph, node: Node) -> Iterator[URIRef]:
    if isinstance(node, URIRef):
        yield node
        return
    if (node, RDF.first, None) in graph:
        for item in Collection(graph, node):
            yield from _path_predicates(graph, item)
        return
    for kind in (SH.alternativePath, *_PATH_KINDS):
        inner = graph.value(node, kind)
        if inner is not None:
            yield from _path_predicates(graph, inner)


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """A deactivated SPARQL shape that runs over a whole store (``$this`` left free)."""

    shape: str
    query: str
    severity: str
    message: str


@dataclass(frozen=True, slots=True)
class Shapes:
    """The parsed shapes graph and what kg derives from it."""

    graph: Graph
    predicates: frozenset[str]
    classes: frozenset[str]
    fields: dict[str, str]
    severities: dict[str, str]
    messages: dict[str, str]
    cross_checks: tuple[CrossCheck, ...]
    vocabulary: frozenset[Node]

    def keeps(self, predicate: str, obj: str) -> bool:
        """Say whether a triple can matter to the per-record shapes (see :func:`load_shapes`)."""
        if predicate == _RDF_TYPE:
            return obj in self.classes
        return predicate in self.predicates


_RDF_TYPE = str(RDF.type)


def _english(graph: Graph, node: Node, prop: URIRef) -> str:
    values = [v for v in graph.objects(node, prop) if isinstance(v, Literal)]
    english = [v for v in values if v.language in (None, "en")]
    return str((english or values)[0]) if values else ""


def _last_path(graph: Graph, shape: Node) -> Node | None:
    """Return the last ``sh:path`` met walking a shape's nested shapes in list order."""
    found: Node | None = graph.value(shape, SH.path)
    for parameter in _NESTING:
        for members in graph.objects(shape, parameter):
            for member in Collection(graph, members):
                found = _last_path(graph, member) or found
    inner = graph.value(shape, SH["not"])
    if inner is not None:
        found = _last_path(graph, inner) or found
    return found


def _sparql_prefixes(graph: Graph, constraint: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for holder in graph.objects(constraint, SH.prefixes):
        for declaration in graph.objects(holder, SH.declare):
            out[str(graph.value(declaration, SH.prefix))] = str(
                graph.value(declaration, SH.namespace)
            )
    return out


def _with_prefixes(prefixes: dict[str, str], select: str) -> str:
    # The standard SHACL-SPARQL step (https://www.w3.org/TR/shacl/#sparql-prefixes): the declared
    # prefixes of the shapes graph, written before the query text of the shapes graph.
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
    return head + select


def _query_iris(prefixes: dict[str, str], select: str) -> set[str]:
    iris = {m.group(1) for m in _FULL_IRI.finditer(select)}
    for prefix, local in _PREFIXED.findall(select):
        if prefix in prefixes:
            iris.add(prefixes[prefix] + local)
    return iris


def _shape_nodes(graph: Graph) -> set[Node]:
    kinds = (SH.NodeShape, SH.PropertyShape)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind)} | set(
        graph.subjects(SH.path, None)
    )


@functools.cache
def load_shapes() -> Shapes:
    """Parse ``ontology/shapes.ttl`` once per process and derive what validation needs.

    The kept vocabulary is every predicate a per-record shape can read (paths, including those
    inside sequence, alternative and inverse paths; ``sh:targetSubjectsOf``/``sh:targetObjectsOf``;
    property-pair parameters; IRIs in SPARQL constraints) and every class a target or ``sh:class``
    names. A triple outside it cannot change any result of those shapes; the tests check that
    validating with and without it gives the same results.
    """
    graph = Graph().parse(SHAPES_FILE, format="turtle")
    predicates: set[str] = set()
    classes: set[str] = set()
    fields: dict[str, str] = {}
    severities: dict[str, str] = {}
    messages: dict[str, str] = {}
    checks: list[CrossCheck] = []
    for path in graph.objects(None, SH.path):
        predicates.update(str(p) for p in _path_predicates(graph, path))
    for prop in (SH.targetSubjectsOf, SH.targetObjectsOf, *_PROPERTY_PARAMETERS):
        predicates.update(str(p) for p in graph.objects(None, prop))
    for prop in (SH.targetClass, SH["class"]):
        classes.update(str(c) for c in graph.objects(None, prop))
    for shape in _shape_nodes(graph):
        if isinstance(shape, BNode):
            continue
        key = str(shape)
        severities[key] = str(graph.value(shape, SH.severity, default=SH.Violation))
        messages[key] = _english(graph, shape, SH.message)
        field = graph.value(shape, FIELD) or _last_path(graph, shape)
        if field is not None:
            fields[key] = path_text(graph, field)
        deactivated = graph.value(shape, SH.deactivated) == Literal(True)
        for constraint in graph.objects(shape, SH.sparql):
            prefixes = _sparql_prefixes(graph, constraint)
            select = str(graph.value(constraint, SH.select))
            if deactivated:
                checks.append(
                    CrossCheck(
                        key, _with_prefixes(prefixes, select), severities[key], messages[key]
                    )
                )
            else:
                predicates.update(_query_iris(prefixes, select))
    predicates.discard(_RDF_TYPE)
    return Shapes(
        graph=graph,
        predicates=frozenset(predicates),
        classes=frozenset(classes),
        fields=fields,
        severities=severities,
        messages=messages,
        cross_checks=tuple(sorted(checks, key=lambda c: c.shape)),
        vocabulary=frozenset(t for triple in graph for t in triple if isinstance(t, URIRef)),
    )


_DECLARING_TYPES = frozenset(
    {
        "http://www.w3.org/2002/07/owl#Class",
        "http://www.w3.org/2002/07/owl#ObjectProperty",
        "http://www.w3.org/2002/07/owl#DatatypeProperty",
        "http://www.w3.org/2002/07/owl#AnnotationProperty",
        "http://www.w3.org/2004/02/skos/core#Concept",
        "http://www.w3.org/2004/02/skos/core#ConceptScheme",
    }
)


@functools.cache
def declared_terms() -> frozenset[str]:
    """Return every ``tkg:`` IRI the ontology files declare (as class, property or concept)."""
    rdf_type = ox.NamedNode(_RDF_TYPE)
    return frozenset(
        t.subject.value
        for path in ONTOLOGY_FILES
        for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
        if t.predicate == rdf_type
        and isinstance(t.subject, ox.NamedNode)
        and t.subject.value.startswith(TKG)
        and isinstance(t.object, ox.NamedNode)
        and t.object.value in _DECLARING_TYPES
    )
