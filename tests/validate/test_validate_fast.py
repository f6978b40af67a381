"""The fast engine gives exactly pyshacl's findings, and leaves pyshacl what it cannot compile.

Both engines validate the same batches (the seed, every shared record, every mutation of the shape
tests); their findings must be equal as multisets: trial, severity, focus node, path, value,
message, source shape and constraint component.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from test_validate_mutations import MUTATIONS, PAIRS, Data, _pair_id
from typer.testing import CliRunner
from validate_support import store_of

from kg.cli import app
from kg.validate import Engine, Finding, TrialGraph, check_batch, iter_store_trials, load_shapes
from kg.validate._fast import compile_shapes, plan
from kg.validate._run import _batches

KGSH = "https://w3id.org/trialkg/shapes#"
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _findings(units: Iterable[TrialGraph], engine: Engine) -> Counter[Finding]:
    found: Counter[Finding] = Counter()
    for batch in _batches(units):
        for result in check_batch(batch, engine):
            found.update(result.findings)
    return found


def _same(units: list[TrialGraph]) -> Counter[Finding]:
    fast = _findings(units, Engine.FAST)
    reference = _findings(units, Engine.PYSHACL)
    assert sorted(map(repr, fast - reference)) == []  # found only by the fast engine
    assert sorted(map(repr, reference - fast)) == []  # missed by the fast engine
    return fast


def test_the_seed_gives_the_same_findings(seed_store: ox.Store) -> None:
    found = _same(list(iter_store_trials(seed_store)))
    assert found, "the seed has warnings to compare"


def test_every_shared_record_gives_the_same_findings(shared_store: ox.Store) -> None:
    units = list(iter_store_trials(shared_store))
    assert len(units) > 700
    found = _same(units)
    shapes = {f.shape.removeprefix(KGSH) for f in found}
    assert {"SiteCoordinates", "CompletedTrialResults", "CitationRead"} <= shapes


@pytest.mark.parametrize("pair", sorted(MUTATIONS), ids=_pair_id)
def test_every_mutation_gives_the_same_findings(
    pair: tuple[str, str], valid_quads: list[ox.Quad]
) -> None:
    broken = Data(valid_quads)
    MUTATIONS[pair](broken)
    found = _same(list(iter_store_trials(store_of(broken.quads))))
    cross_trial = pair[0] in {"DanglingRelatedTrial", "DuplicateOrganization", "DeclaredTerms"}
    if not cross_trial:
        assert pair in {(f.shape.removeprefix(KGSH), f.component.split("#")[1]) for f in found}


def test_the_mutations_cover_every_pair_of_the_shapes() -> None:
    assert sorted(set(PAIRS) - set(MUTATIONS)) == []


def test_no_shape_is_left_to_pyshacl() -> None:
    graph = load_shapes().graph
    the_plan = plan()
    sparql = {
        str(s) for s in graph.subjects(SH.sparql, None) if (s, SH.deactivated, None) not in graph
    }
    assert sparql and {s.key for s in the_plan.sparql} == sparql
    assert the_plan.fallback == {}
    assert the_plan.reduced is None
    assert len(the_plan.compiled) > 70


_UNSUPPORTED = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:Whole a sh:NodeShape ; sh:targetClass ex:A ; sh:closed true ; sh:message "closed" .
ex:Parts a sh:NodeShape ; sh:targetClass ex:B ; sh:property ex:Fast, ex:Slow .
ex:Fast a sh:PropertyShape ; sh:path ex:p ; sh:minCount 1 ; sh:message "fast" .
ex:Slow a sh:PropertyShape ; sh:path ex:q ; sh:minLength 3 ; sh:message "slow" .
ex:Silent a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:r ; sh:maxCount 1 .
ex:Nested a sh:PropertyShape ; sh:targetClass ex:D ; sh:path ex:s ;
    sh:or ( [ sh:datatype ex:T ] [ sh:uniqueLang true ] ) ; sh:message "nested" .
"""


def test_a_shape_the_fast_engine_cannot_compile_stays_with_pyshacl() -> None:
    graph = Graph().parse(data=_UNSUPPORTED, format="turtle")
    ex = "https://example.org/"
    messages = {f"{ex}{n}": n.lower() for n in ("Whole", "Fast", "Slow", "Nested")}
    compiled = compile_shapes(graph, messages)
    assert set(compiled.fallback) == {
        f"{ex}Whole",
        f"{ex}Parts sh:property {ex}Slow",
        f"{ex}Silent",  # no message: pyshacl writes its own
        f"{ex}Nested",
    }
    assert compiled.compiled == [f"{ex}Fast"]
    reduced = compiled.reduced
    assert reduced is not None
    assert (URIRef(f"{ex}Parts"), SH.property, URIRef(f"{ex}Slow")) in reduced
    assert (URIRef(f"{ex}Parts"), SH.property, URIRef(f"{ex}Fast")) not in reduced
    for name in ("Whole", "Silent", "Nested", "Parts"):
        assert (URIRef(f"{ex}{name}"), SH.targetClass, None) in reduced


def test_the_cli_engines_print_the_same_report(seed_nq: Path) -> None:
    runner = CliRunner()
    outputs = {}
    for engine in ("fast", "pyshacl"):
        result = runner.invoke(
            app, ["validate", str(seed_nq), "--engine", engine, "--format", "json", "-j", "1"]
        )
        assert result.exit_code == 0, result.output
        outputs[engine] = json.loads(result.stdout)
    assert outputs["fast"]["results"], "the seed has warnings to compare"
    assert outputs["fast"] == outputs["pyshacl"]


def test_the_cli_refuses_an_unknown_engine(seed_nq: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(seed_nq), "--engine", "jena"])
    assert result.exit_code == 2


# Constraint kinds the fast engine implements that ontology/shapes.ttl does not use (yet), each
# with data that passes and data that fails it: both engines must agree on them too.
_CORE = """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:Kind a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:p ; sh:nodeKind sh:IRI ;
    sh:message "kind" .
ex:Exclusive a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:n ;
    sh:minExclusive 0 ; sh:maxExclusive 10 ; sh:message "exclusive" .
ex:Xone a sh:NodeShape ; sh:targetClass ex:A ;
    sh:xone ( [ sh:path ex:p ; sh:minCount 1 ] [ sh:path ex:q ; sh:minCount 1 ] ) ;
    sh:message "xone" .
ex:And a sh:PropertyShape ; sh:targetSubjectsOf ex:q ; sh:path ex:q ;
    sh:and ( [ sh:datatype xsd:string ] [ sh:pattern "^a" ] ) ; sh:message "and" .
ex:Node a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:p ; sh:node ex:Named ;
    sh:message "node" .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ] .
ex:Sequence a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ( ex:p ex:name ) ;
    sh:maxCount 1 ; sh:message "sequence" .
ex:Inverse a sh:PropertyShape ; sh:targetObjectsOf ex:p ; sh:path [ sh:inversePath ex:p ] ;
    sh:class ex:A ; sh:message "inverse" .
ex:Pair a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:n ; sh:disjoint ex:m ;
    sh:lessThanOrEquals ex:m ; sh:hasValue 3 ; sh:message "pair" .
ex:Lang a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:label ;
    sh:datatype rdf:langString ; sh:in ( "x"@en "y" ) ; sh:message "lang" .
"""
_DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:a1 a ex:A ; ex:p ex:b1 ; ex:n 3 ; ex:m 3, 5 ; ex:label "x"@en .
ex:a2 a ex:A ; ex:p "lit", ex:b2 ; ex:q "abc" ; ex:n 0, 10, "7" ; ex:m 2 ; ex:label "y", "z"@en .
ex:a3 a ex:A ; ex:q "bcd", 5 ; ex:n 3.5 ; ex:label "x"^^xsd:string .
ex:b1 ex:name "B1" .
ex:b2 ex:name "B2", "B two" ; a ex:A .
ex:c ex:p ex:a3 .
_:x ex:q "a" .
"""


def test_the_core_constraints_our_shapes_do_not_use_agree_with_pyshacl() -> None:
    import pyshacl

    from kg.validate._convert import graph_of
    from kg.validate._engine import raw_results
    from kg.validate._fast import fast_results

    shapes = Graph().parse(data=_CORE, format="turtle")
    data = graph_of(Graph().parse(data=_DATA, format="turtle"))
    messages = {str(s): str(m) for s, m in shapes.subject_objects(SH.message)}
    compiled = compile_shapes(shapes, messages)
    assert compiled.fallback == {}
    _, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )

    def key(r: object) -> tuple[str, ...]:
        return tuple(str(getattr(r, f)) for f in ("focus", "path", "value", "shape", "component"))

    fast = sorted(key(r) for r in fast_results(data, compiled))
    reference = sorted(key(r) for r in raw_results(results))
    assert len(reference) > 15
    assert fast == reference


_SPARQL = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
<https://example.org/shapes> sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/" ] .
ex:Order a sh:NodeShape ; sh:targetClass ex:A ; sh:message "order" ;
    sh:sparql [ sh:prefixes <https://example.org/shapes> ; sh:select \"\"\"
        SELECT $this ?path ?value WHERE {
            { $this ex:start ?first ; ex:end ?value . BIND(ex:end AS ?path) }
            UNION { $this ex:start ?first ; ex:stop ?value . }
            FILTER(STR(?value) < STR(?first))
        } \"\"\" ] .
ex:Twice a sh:NodeShape ; sh:targetSubjectsOf ex:start ; sh:message "twice" ;
    sh:sparql [ sh:prefixes <https://example.org/shapes> ; sh:select \"\"\"
        SELECT $this WHERE { $this ex:start ?x . FILTER NOT EXISTS { $this ex:end ?y } }
        \"\"\" ] .
ex:Optional a sh:NodeShape ; sh:targetClass ex:A ; sh:message "optional" ;
    sh:sparql [ sh:prefixes <https://example.org/shapes> ; sh:select \"\"\"
        SELECT $this ?value WHERE { ?value ex:start ?x . OPTIONAL { $this ex:end ?x } }
        \"\"\" ] .
ex:Failure a sh:NodeShape ; sh:targetClass ex:A ; sh:message "failure" ;
    sh:sparql [ sh:prefixes <https://example.org/shapes> ; sh:select \"\"\"
        SELECT $this ?failure WHERE { $this ex:start ?x . BIND(true AS ?failure) }
        \"\"\" ] .
ex:Any a sh:NodeShape ; sh:targetClass ex:A ; sh:message "any" ;
    sh:sparql [ sh:prefixes <https://example.org/shapes> ; sh:select \"\"\"
        SELECT $this ?value WHERE { $this ?p ?value . FILTER(isLiteral(?value)) }
        \"\"\" ] .
"""
_SPARQL_DATA = """
@prefix ex: <https://example.org/> .
ex:a1 a ex:A ; ex:start "2020-02" ; ex:end "2019-01", "2021" ; ex:stop "2019" .
ex:a2 a ex:A ; ex:start "2020", "2021" ; ex:end "2019" .
ex:a3 a ex:B ; ex:start "2020" ; ex:end "2019" .
ex:a4 ex:start "1" .
"""


def test_the_sparql_shapes_agree_with_pyshacl_and_the_unprovable_stay_with_it() -> None:
    import pyshacl

    from kg.validate._convert import graph_of
    from kg.validate._engine import raw_results
    from kg.validate._sparql import sparql_results

    shapes = Graph().parse(data=_SPARQL, format="turtle")
    messages = {str(s): str(m) for s, m in shapes.subject_objects(SH.message)}
    compiled = compile_shapes(shapes, messages)
    ex = "https://example.org/"
    assert {s.key for s in compiled.sparql} == {f"{ex}Order", f"{ex}Twice"}
    assert set(compiled.fallback) == {f"{ex}Optional", f"{ex}Failure", f"{ex}Any"}
    data = Graph().parse(data=_SPARQL_DATA, format="turtle")
    triples = [
        tuple(ox.NamedNode(str(t)) if isinstance(t, URIRef) else ox.Literal(str(t)) for t in triple)
        for triple in data
    ]
    only = Graph()
    for triple in shapes:
        if not {str(triple[0])} & {f"{ex}Optional", f"{ex}Failure", f"{ex}Any"}:
            only.add(triple)
    _, results, _ = pyshacl.validate(
        graph_of(data), shacl_graph=only, inference="none", allow_warnings=True
    )

    def key(r: object) -> tuple[str, ...]:
        return tuple(str(getattr(r, f)) for f in ("focus", "path", "value", "shape", "message"))

    rows = sparql_results(compiled.sparql, [triples])[0]  # type: ignore[list-item]
    fast = sorted(key(r) for r in rows)
    reference = sorted(key(r) for r in raw_results(results))
    assert len(reference) >= 4
    assert fast == reference
