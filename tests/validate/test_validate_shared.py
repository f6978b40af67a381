"""The seed and every shared ClinicalTrials.gov record validate without violations.

The shared store (``conftest.shared_store_path``: the seed, every JSON and XML record) is validated
once for the session. Two speed-ups of kg's validation are checked against plain pyshacl here: the
triples no shape reads are left out, and the shapes are harvested once per process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kg.sinks import open_store
from kg.validate import (
    Finding,
    Labels,
    Report,
    Severity,
    TrialGraph,
    load_shapes,
    run_pyshacl,
    shacl_findings,
    to_rdflib,
    validate_file,
    validate_store,
)

# Warnings the shared records give, and why (README, "Validation").
EXPECTED_WARNINGS = {
    "SiteCoordinates",  # legacy XML and the web page give no coordinates
    "CompletedTrialResults",  # completed trials without posted results (many need none)
    "CitationRead",  # free-text references: books, web pages, talks
    "DuplicateOrganization",  # spellings one letter-case apart kept as two organisations
    "DanglingRelatedTrial",  # the seed's related trials are not in the shared set
    "SponsorAgencyClass",  # NCT03182660, a withheld record, names its sponsor "[Redacted]"
    "CountryRecognised",  # a country name with no ISO 3166 code
}


@pytest.fixture(scope="session")
def shared_run(shared_store_path: Path) -> tuple[Report, list[Finding]]:
    """The report of the whole shared store, validated once with both cores, and its violations."""
    violations: list[Finding] = []

    def keep(findings: list[Finding]) -> None:
        violations.extend(f for f in findings if f.severity is Severity.VIOLATION)

    report = validate_store(open_store(shared_store_path), jobs=2, on_findings=keep)
    return report, violations


@pytest.fixture(scope="session")
def shared_report(shared_run: tuple[Report, list[Finding]]) -> Report:
    """The report of the whole shared store."""
    return shared_run[0]


@pytest.fixture(scope="session")
def sample(shared_store_path: Path) -> list[TrialGraph]:
    """Every 30th trial graph of the shared store: JSON, XML and the seed page alike."""
    store = open_store(shared_store_path)
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    units = []
    for graph in graphs[::30]:
        m = re.fullmatch(r"(.*/)graph/(NCT\d{8})", graph)
        if m:
            quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
            units.append(TrialGraph(m[2], f"{m[1]}trial/{m[2]}", text))
    return units


def _lines(findings: list[Finding]) -> list[str]:
    return [
        f"{f.trial}: {f.field}: {f.message}: {f.value_label} [{f.shape}]"
        for f in sorted(findings, key=Finding.sort_key)
    ]


def test_no_shared_record_breaks_the_contract(shared_run: tuple[Report, list[Finding]]) -> None:
    """The seed and every shared JSON and XML record: zero violations."""
    report, violations = shared_run
    assert (_lines(violations)[:20], report.violations) == ([], 0)


def test_every_trial_of_the_shared_store_is_checked(
    shared_report: Report, shared_store_path: Path
) -> None:
    """One trial checked per trial graph of the store."""
    store = open_store(shared_store_path)
    graphs = [g for g in store.named_graphs() if "/graph/NCT" in str(g)]
    assert shared_report.trials == len(graphs) > 700


def test_shared_records_give_only_the_documented_warnings(shared_report: Report) -> None:
    """Each kind of warning the shared set gives is listed, with its reason, in the README."""
    kinds = {shape.rsplit("#", 1)[-1] for _, shape in shared_report.per_shape}
    assert kinds - EXPECTED_WARNINGS == set()


def test_the_seed_validates_with_site_and_related_trial_warnings_only(seed_nq: Path) -> None:
    """The seed page has no coordinates and names related trials that are not in its file."""
    report = validate_file(seed_nq)
    kinds = {shape.rsplit("#", 1)[-1] for _, shape in report.per_shape}
    assert (report.trials, report.violations, kinds) == (
        1,
        0,
        {"SiteCoordinates", "DanglingRelatedTrial"},
    )


def _results(graph: Graph) -> set[tuple[str, str, str, str]]:
    return {
        (
            str(graph.value(r, SH.focusNode)),
            str(graph.value(r, SH.sourceShape)),
            str(graph.value(r, SH.sourceConstraintComponent)),
            str(graph.value(r, SH.value)),
        )
        for r in graph.objects(None, SH.result)
    }


def _quads(unit: TrialGraph) -> list[ox.Quad]:
    return list(ox.parse(unit.text, format=ox.RdfFormat.N_QUADS))


def _all_results(units: Iterable[TrialGraph], keep: bool) -> list[set[tuple[str, str, str, str]]]:
    shapes = load_shapes()
    return [
        _results(run_pyshacl(to_rdflib(_quads(u), shapes.keeps if keep else None))) for u in units
    ]


def test_leaving_out_unread_triples_changes_no_result(sample: list[TrialGraph]) -> None:
    """pyshacl gives the same results on a trial's whole graph and on the triples kg keeps."""
    assert _all_results(sample, keep=True) == _all_results(sample, keep=False)


def test_harvesting_the_shapes_once_gives_the_results_of_plain_pyshacl(
    sample: list[TrialGraph],
) -> None:
    """kg's reuse of pyshacl's shapes harvest changes no result of ``pyshacl.validate``."""
    shapes = load_shapes()
    graphs = [to_rdflib(_quads(u), shapes.keeps) for u in sample]
    plain = [
        _results(pyshacl.validate(g, shacl_graph=shapes.graph, inference="none")[1]) for g in graphs
    ]
    assert [_results(run_pyshacl(g)) for g in graphs] == plain


def test_sample_trials_have_findings_to_compare(sample: list[TrialGraph]) -> None:
    """The equivalence tests above compare results, not only empty reports."""
    shapes = load_shapes()
    found = [
        shacl_findings(g, run_pyshacl(g), u.nct_id, Labels(u.iri))
        for u in sample
        for g in [to_rdflib(_quads(u), shapes.keeps)]
    ]
    assert sum(1 for f in found if f) >= 3
