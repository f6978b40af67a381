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


def test_only_shacl_sparql_shapes_are_left_to_pyshacl() -> None:
    graph = load_shapes().graph
    the_plan = plan()
    sparql = {
        str(s) for s in graph.subjects(SH.sparql, None) if (s, SH.deactivated, None) not in graph
    }
    assert sparql and set(the_plan.fallback) == sparql
    reduced = the_plan.reduced
    assert reduced is not None
    targeted = {str(s) for t in TARGETS for s in reduced.subjects(t, None)}
    deactivated = {str(s) for s in graph.subjects(SH.deactivated, None)}
    originally = {str(s) for t in TARGETS for s in graph.subjects(t, None)}
    assert targeted == sparql | (originally & deactivated)
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
