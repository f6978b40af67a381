"""The shapes file: loads in any RDF tool, agrees with the ontology, and says what it checks."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS
from rdflib.plugins.sparql import prepareQuery

from kg.ontology import ONTOLOGY_FILES, SHAPES_FILE
from kg.terms import TKG
from kg.validate import declared_terms, load_shapes

KGSH = "https://w3id.org/trialkg/shapes#"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path, format="turtle")
    return graph


def _shape_iris(shapes: Graph) -> list[URIRef]:
    kinds = (SH.NodeShape, SH.PropertyShape)
    return sorted({s for k in kinds for s in shapes.subjects(RDF.type, k) if isinstance(s, URIRef)})


def test_shapes_parse_with_pyoxigraph_to_the_same_triples(shapes: Graph) -> None:
    """Pyoxigraph's stricter Turtle parser reads the file as rdflib does."""
    triples = set(ox.parse(path=SHAPES_FILE, format=ox.RdfFormat.TURTLE))
    assert len(triples) == len(shapes)


def test_every_in_list_is_exactly_a_concept_scheme_of_the_ontology(
    shapes: Graph, ontology: Graph
) -> None:
    """Each sh:in list holds every concept of one scheme in the ontology, and nothing else."""
    schemes = {
        scheme: {c for c in ontology.subjects(SKOS.inScheme, scheme)}
        for scheme in ontology.subjects(RDF.type, SKOS.ConceptScheme)
    }
    wrong = []
    for shape, members in shapes.subject_objects(SH["in"]):
        listed = set(Collection(shapes, members))
        matching = [s for s, concepts in schemes.items() if listed <= concepts]
        if len(listed) != len(list(Collection(shapes, members))) or not any(
            schemes[s] == listed for s in matching
        ):
            wrong.append(str(shape))
    assert wrong == []


def test_every_reporting_shape_has_an_english_message(shapes: Graph) -> None:
    """Reports say in words what is wrong: every named shape but the helper has a message."""
    helpers = {URIRef(KGSH + "TrialReference")}
    silent = [
        str(s)
        for s in _shape_iris(shapes)
        if s not in helpers
        and not list(shapes.objects(s, SH.property))
        and not any(
            isinstance(m, Literal) and m.language == "en" for m in shapes.objects(s, SH.message)
        )
    ]
    assert silent == []


def test_every_tkg_term_the_shapes_mention_is_declared_in_the_ontology(shapes: Graph) -> None:
    """A shape about a tkg: term that the ontology lacks would guard nothing."""
    mentioned = {
        str(node)
        for triple in shapes
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(TKG)
    }
    assert sorted(mentioned - declared_terms()) == []


def test_sparql_constraints_are_valid_sparql_for_rdflib_and_oxigraph() -> None:
    """Every SPARQL text of the shapes parses, with the prefixes the shapes declare."""
    from kg.validate._shapes import _sparql_prefixes, _with_prefixes

    graph = load_shapes().graph
    for constraint in graph.objects(None, SH.sparql):
        query = _with_prefixes(
            _sparql_prefixes(graph, constraint), str(graph.value(constraint, SH.select))
        )
        prepareQuery(query)
        ox.Store().query(query)


def test_shapes_use_no_sparql_where_core_suffices(shapes: Graph) -> None:
    """SHACL-SPARQL only in the constraints Core cannot state, and the cross-trial checks."""
    sparql_shapes = {str(s).removeprefix(KGSH) for s in shapes.subjects(SH.sparql, None)}
    assert sparql_shapes == {
        "RegistryLeadSponsor",
        "TrialDateOrder",
        "ResultGroupOfTrial",  # Core cannot follow a count's owner back to its trial
        "DuplicateOrganization",
        "DanglingRelatedTrial",
    }


def test_cross_trial_shapes_are_deactivated_for_per_record_engines(shapes: Graph) -> None:
    """pyshacl and other engines skip the shapes kg runs over a whole store or in Python."""
    deactivated = {
        str(s).removeprefix(KGSH) for s in shapes.subjects(SH.deactivated, Literal(True))
    }
    assert deactivated == {
        "DuplicateOrganization",
        "DanglingRelatedTrial",
        "DeclaredTerms",
        "TrialGraph",
    }


def test_kept_vocabulary_holds_every_property_a_path_names() -> None:
    """Filtering a trial's triples keeps every property that a shape's path reads."""
    shapes = load_shapes()
    for path in ("latitude", "addressCountry", "address", "sponsor", "sameAs"):
        assert "http://schema.org/" + path in shapes.predicates
    for local in ("leadSponsor", "collaborator", "sourceFormat", "maximumAgeYears"):
        assert TKG + local in shapes.predicates
    assert "http://www.w3.org/ns/prov#wasDerivedFrom" in shapes.predicates


def test_kept_vocabulary_leaves_out_what_no_shape_reads() -> None:
    """Criteria text, author lists and alternate names never reach pyshacl."""
    shapes = load_shapes()
    assert not shapes.keeps(TKG + "inclusionCriterion", "x")
    assert not shapes.keeps("http://www.w3.org/1999/02/22-rdf-syntax-ns#first", "x")
    assert not shapes.keeps("http://schema.org/alternateName", "x")
    assert shapes.keeps(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://schema.org/Person"
    )
    assert not shapes.keeps(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://schema.org/Periodical"
    )
