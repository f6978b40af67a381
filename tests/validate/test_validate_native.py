"""The fast engine's native batch (literals left pyoxigraph terms) gives pyshacl's results.

The shapes and records of the other tests run through it already (``check_batch`` uses it:
tests/validate/test_validate_fast.py compares it with pyshacl on the shared records and every
mutation); here the Core constraints ontology/shapes.ttl does not use, and what tells the two term
systems apart: typed literals rdflib normalises to one value (``"01"^^xsd:integer``), ill-typed
literals, ``xsd:string`` against plain strings in ``sh:in``, language tags.
"""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
from rdflib import Graph
from rdflib.namespace import SH
from test_validate_fast import _CORE, _DATA

from kg.validate._batch import Batch
from kg.validate._convert import graph_of, quiet_literals, rdflib_triples
from kg.validate._engine import Labels, raw_results
from kg.validate._fast import compile_shapes, native_plan, plan, run_units
from kg.validate._native import native_term, native_triples, rd
from kg.validate._rules import Data
from kg.validate._shapes import load_shapes

_MORE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:Once a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:k ; sh:maxCount 1 ;
    sh:message "once" .
ex:InOne a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:k ; sh:in ( 1 ) ;
    sh:message "in one" .
ex:Date a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:d ; sh:datatype xsd:date ;
    sh:message "date" .
ex:Typed a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:t ;
    sh:in ( "x" "y"^^xsd:string ) ; sh:message "typed" .
ex:Tag a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:label ; sh:pattern "^X" ;
    sh:flags "i" ; sh:message "tag" .
"""
_MORE_DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:a5 a ex:A ; ex:k "01"^^xsd:integer, "1"^^xsd:integer ; ex:d "2019-02-30"^^xsd:date ;
    ex:t "x", "y" ; ex:label "x"@EN, "X"@en-GB .
ex:a6 a ex:A ; ex:k "2"^^xsd:integer, "02"^^xsd:integer, 1 ; ex:d "2019-02-28"^^xsd:date,
    "2019-02-28" ; ex:t "y"^^xsd:string .
"""


def _key(r: object) -> tuple[str, ...]:
    return tuple(str(getattr(r, f)) for f in ("focus", "path", "value", "shape", "component"))


def test_the_core_constraints_on_the_native_batch_agree_with_pyshacl() -> None:
    shapes = Graph().parse(data=_CORE + _MORE_SHAPES, format="turtle")
    messages = {str(s): str(m) for s, m in shapes.subject_objects(SH.message)}
    triples = [
        (t.subject, t.predicate, t.object)
        for t in ox.parse(_DATA + _MORE_DATA, format=ox.RdfFormat.TURTLE)
    ]
    # pyshacl on the rdflib graph the pyshacl engine makes of the same pyoxigraph triples.
    reference_graph = graph_of(rdflib_triples(triples))
    _, results, _ = pyshacl.validate(
        reference_graph, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    reference = sorted(_key(r) for r in raw_results(results))
    compiled = compile_shapes(shapes, messages, native=True)
    assert compiled.fallback == {}
    with quiet_literals():
        data = Data.native(graph_of([tuple(map(native_term, t)) for t in triples]), rd)
        found = [
            r.__class__(rd(r.focus), r.path, rd(r.value), r.severity, r.shape, r.component, "")
            for r in run_units(data, compiled)
        ]
    fast = sorted(_key(r) for r in found)
    shapes_found = {k[3].rsplit("/", 1)[1] for k in reference}
    assert {"Once", "InOne", "Date", "Typed", "Tag"} <= shapes_found
    assert fast == reference


def test_the_native_batch_reads_what_the_rdflib_batch_reads(valid_quads: list[ox.Quad]) -> None:
    triples = [(q.subject, q.predicate, q.object) for q in valid_quads]
    labels = Labels("https://w3id.org/trialkg/trial/NCT03737461", "NCT03737461")
    with quiet_literals():
        native = Batch([(labels, triples)], native=True)
        kept = native_triples(triples, {})
        as_rdflib = {(s, p, rd(o)) for s, p, o in kept}
        assert as_rdflib == set(rdflib_triples(triples, load_shapes().keeps))
        assert len(native.graph) == len(as_rdflib)
        assert native_plan().reduced is None and plan().reduced is None
