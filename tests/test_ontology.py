"""The ontology declares every tkg: term, and a SKOS concept for every registry code kg knows."""

from __future__ import annotations

import json
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg import terms
from kg.ontology import ONTOLOGY_FILES

ONTOLOGY_DIR = Path(__file__).resolve().parents[1] / "ontology"
KG_TTL = ONTOLOGY_DIR / "kg.ttl"
CONTEXT = ONTOLOGY_DIR / "context.jsonld"
ONTOLOGY = URIRef("https://w3id.org/trialkg/ontology")
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty)
ENUMS = sorted(terms.SCHEMES, key=lambda enum: enum.__name__)


@pytest.fixture(scope="module")
def graph() -> Graph:
    """Load the ontology once for the module."""
    graph = Graph()
    for path in ONTOLOGY_FILES:  # kg.ttl and results.ttl: one ontology graph
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def context() -> dict[str, Any]:
    """Load the JSON-LD context's term definitions."""
    document = json.loads(CONTEXT.read_text(encoding="utf-8"))
    definitions: dict[str, Any] = document["@context"]
    return definitions


def _tkg_subjects(graph: Graph, rdf_type: URIRef) -> list[URIRef]:
    return sorted(
        s
        for s in graph.subjects(RDF.type, rdf_type)
        if isinstance(s, URIRef) and s.startswith(terms.TKG)
    )


def _tkg_properties(graph: Graph) -> list[URIRef]:
    return sorted({p for t in PROPERTY_TYPES for p in _tkg_subjects(graph, t)})


def _declared(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, *PROPERTY_TYPES, SKOS.ConceptScheme, SKOS.Concept)
    return {s for kind in kinds for s in _tkg_subjects(graph, kind)}


def _expand(context: dict[str, Any], value: str) -> str:
    """Expand a compact IRI with the context's own prefixes; return other values unchanged."""
    prefix, sep, local = value.partition(":")
    namespace = context.get(prefix)
    if sep and not local.startswith("//") and isinstance(namespace, str):
        return namespace + local
    return value


def _context_iris(context: dict[str, Any]) -> dict[str, str]:
    """Map each term the context defines to the IRI it expands to (keywords, aliases left out)."""
    iris = {}
    for term, definition in context.items():
        target = definition["@id"] if isinstance(definition, dict) else definition
        if term.startswith("@") or not isinstance(target, str) or target.startswith("@"):
            continue
        iris[term] = _expand(context, target)
    return iris


def test_ontology_parses_with_rdflib(graph: Graph) -> None:
    """Rdflib reads the Turtle and finds the ontology's header."""
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph


def test_ontology_parses_with_pyoxigraph_to_the_same_triples(graph: Graph) -> None:
    """Pyoxigraph's stricter parser reads the same number of distinct triples as rdflib."""
    triples = {
        t
        for path in ONTOLOGY_FILES
        for t in pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE)
    }
    assert len(triples) == len(graph)


def test_ontology_has_title_license_and_version(graph: Graph) -> None:
    """The ontology header says what it is, under which license and which version."""
    assert graph.value(ONTOLOGY, DCTERMS.title) is not None
    assert graph.value(ONTOLOGY, DCTERMS.license) is not None
    assert graph.value(ONTOLOGY, OWL.versionInfo) is not None


@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_code_is_a_concept_in_its_scheme(graph: Graph, enum: type[Enum]) -> None:
    """Each registry code's concept is a skos:Concept in the code list's scheme."""
    scheme = URIRef(terms.scheme(enum))
    missing = [
        member.value
        for member in enum
        if (URIRef(terms.concept_iri(member)), RDF.type, SKOS.Concept) not in graph
        or (URIRef(terms.concept_iri(member)), SKOS.inScheme, scheme) not in graph
    ]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert missing == []


@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_code_concept_has_the_code_as_notation(graph: Graph, enum: type[Enum]) -> None:
    """A concept's only skos:notation is the registry code as a plain string."""
    wrong = {
        member.value: sorted(
            graph.objects(URIRef(terms.concept_iri(member)), SKOS.notation), key=str
        )
        for member in enum
    }
    assert {code: notes for code, notes in wrong.items() if notes != [Literal(code)]} == {}


@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_code_concept_has_an_english_pref_label(graph: Graph, enum: type[Enum]) -> None:
    """Each concept has exactly one English skos:prefLabel."""
    unlabelled = []
    for member in enum:
        labels = graph.objects(URIRef(terms.concept_iri(member)), SKOS.prefLabel)
        english = [
            label for label in labels if isinstance(label, Literal) and label.language == "en"
        ]
        if len(english) != 1:
            unlabelled.append(member.value)
    assert unlabelled == []


@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_scheme_holds_only_the_codes_of_its_enum(graph: Graph, enum: type[Enum]) -> None:
    """No concept in a scheme is left over from a code the model no longer has."""
    in_scheme = {str(c) for c in graph.subjects(SKOS.inScheme, URIRef(terms.scheme(enum)))}
    assert in_scheme == {terms.concept_iri(member) for member in enum}


def test_no_two_concepts_in_a_scheme_share_a_notation(graph: Graph) -> None:
    """Notations identify concepts within their scheme."""
    clashes = []
    for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):
        notations = Counter(
            str(notation)
            for concept in graph.subjects(SKOS.inScheme, scheme)
            for notation in graph.objects(concept, SKOS.notation)
        )
        clashes += [(str(scheme), n) for n, count in notations.items() if count > 1]
    assert clashes == []


def test_every_tkg_property_has_label_comment_domain_and_range(graph: Graph) -> None:
    """A property without label, comment, domain or range is undocumented."""
    needed = (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range)
    lacking = [
        (str(p), str(need))
        for p in _tkg_properties(graph)
        for need in needed
        if not graph.value(p, need)
    ]
    assert lacking == []


def test_ontology_has_no_blank_nodes(graph: Graph) -> None:
    """Blank nodes make the ontology graph differ between builds (its digest changes, so every push
    resends it) and SPARQL Update INSERT DATA on Virtuoso refuses them (SP031)."""
    blank = [t for t in graph if any(isinstance(term, BNode) for term in t)]
    assert blank == []


def test_every_tkg_class_has_label_and_comment(graph: Graph) -> None:
    """A class without label or comment is undocumented."""
    lacking = [
        (str(c), str(need))
        for c in _tkg_subjects(graph, OWL.Class)
        for need in (RDFS.label, RDFS.comment)
        if not graph.value(c, need)
    ]
    assert lacking == []


def test_datatype_properties_range_over_datatypes(graph: Graph) -> None:
    """Datatype properties have an xsd: range, or rdfs:Literal for dates of varying precision."""
    wrong = [
        (str(p), str(r))
        for p in _tkg_subjects(graph, OWL.DatatypeProperty)
        for r in graph.objects(p, RDFS.range)
        if r != RDFS.Literal and not str(r).startswith(str(XSD))
    ]
    assert wrong == []


def test_object_properties_range_over_classes(graph: Graph) -> None:
    """Object properties never have a datatype range."""
    wrong = [
        (str(p), str(r))
        for p in _tkg_subjects(graph, OWL.ObjectProperty)
        for r in graph.objects(p, RDFS.range)
        if r == RDFS.Literal or str(r).startswith(str(XSD))
    ]
    assert wrong == []


def test_no_tkg_term_is_both_object_and_datatype_property(graph: Graph) -> None:
    """A property is either an object or a datatype property."""
    both = set(_tkg_subjects(graph, OWL.ObjectProperty)) & set(
        _tkg_subjects(graph, OWL.DatatypeProperty)
    )
    assert both == set()


def test_every_tkg_term_the_ontology_mentions_is_declared(graph: Graph) -> None:
    """A tkg: IRI used anywhere in the file (a typo, a removed term) must be declared in it."""
    mentioned = {
        node
        for triple in graph
        for node in triple
        if isinstance(node, URIRef) and node.startswith(terms.TKG)
    }
    assert sorted(mentioned - _declared(graph), key=str) == []


def test_context_maps_schema_org_as_vocabulary(context: dict[str, Any]) -> None:
    """Unprefixed names in compacted exports are schema.org terms."""
    assert context["@vocab"] == terms.SCHEMA
    assert context["tkg"] == terms.TKG


def test_every_tkg_term_in_the_context_is_declared_in_the_ontology(
    graph: Graph, context: dict[str, Any]
) -> None:
    """The context maps no tkg: name that the ontology lacks."""
    mapped = {URIRef(i) for i in _context_iris(context).values() if i.startswith(terms.TKG)}
    mapped.discard(URIRef(terms.TKG))
    assert sorted(mapped - _declared(graph)) == []


def test_context_has_a_term_for_every_tkg_class_and_property(
    graph: Graph, context: dict[str, Any]
) -> None:
    """Each tkg: class and property compacts to its local name."""
    iris = _context_iris(context)
    terms_of_ontology = [*_tkg_subjects(graph, OWL.Class), *_tkg_properties(graph)]
    unmapped = [str(t) for t in terms_of_ontology if iris.get(t.removeprefix(terms.TKG)) != str(t)]
    assert unmapped == []


def test_context_coerces_every_tkg_object_property_to_iris(
    graph: Graph, context: dict[str, Any]
) -> None:
    """Object property values are IRIs in compacted exports, not strings."""
    uncoerced = [
        str(p)
        for p in _tkg_subjects(graph, OWL.ObjectProperty)
        if context.get(p.removeprefix(terms.TKG), {}).get("@type") != "@id"
    ]
    assert uncoerced == []


def test_compacted_document_expands_to_typed_triples(context: dict[str, Any]) -> None:
    """A compacted export reads back with IRIs for coded values and typed dates and counts."""
    trial = terms.DEFAULT_BASE + "trial/NCT03737461"
    document = {
        "@context": context,
        "@id": trial,
        "@type": "MedicalTrial",
        "phase": "tkg:phase-PHASE2",
        "status": "schema:ActiveNotRecruiting",
        "firstPostedDate": "2018-11-09",
        "enrollment": 240,
    }
    parsed = {
        quad.triple
        for quad in pyoxigraph.parse(json.dumps(document), format=pyoxigraph.RdfFormat.JSON_LD)
    }
    s, tkg, schema = pyoxigraph.NamedNode(trial), terms.TKG, terms.SCHEMA
    iri, date = pyoxigraph.NamedNode, pyoxigraph.NamedNode(terms.XSD + "date")
    assert parsed == {
        pyoxigraph.Triple(s, iri(terms.RDF + "type"), iri(schema + "MedicalTrial")),
        pyoxigraph.Triple(s, iri(tkg + "phase"), iri(tkg + "phase-PHASE2")),
        pyoxigraph.Triple(s, iri(schema + "status"), iri(schema + "ActiveNotRecruiting")),
        pyoxigraph.Triple(
            s, iri(tkg + "firstPostedDate"), pyoxigraph.Literal("2018-11-09", datatype=date)
        ),
        pyoxigraph.Triple(s, iri(tkg + "enrollment"), pyoxigraph.Literal(240)),
    }
