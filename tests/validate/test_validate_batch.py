"""Trials validated together in one pyshacl run get the findings each gets alone; reports count.

The copies are the valid registry record under other NCT numbers: they share its organisations,
people, publication and related trial, as trials of the real registry do.
"""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox
from validate_support import NCT, RECORD, mapped_quads, store_of

from kg.terms import DEFAULT_BASE
from kg.validate import (
    Finding,
    Severity,
    TrialGraph,
    check_batch,
    check_trial,
    iter_store_trials,
    validate_store,
)

LEAD = ox.NamedNode(f"{DEFAULT_BASE}org/montpellier-university")
AGENCY_CLASS = ox.NamedNode("https://w3id.org/trialkg/ontology#agencyClass")
LATITUDE = ox.NamedNode("http://schema.org/latitude")
DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def copies(n: int, quads: list[ox.Quad]) -> list[ox.Quad]:
    """Return ``n`` copies of one record's quads, each under its own NCT number."""
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    out = []
    for k in range(n):
        copy = text.replace(NCT.encode(), f"NCT0{k:07d}".encode())
        out += ox.parse(copy, format=ox.RdfFormat.N_QUADS)
    return out


def _units(quads: list[ox.Quad]) -> list[TrialGraph]:
    return sorted(iter_store_trials(store_of(quads)), key=lambda u: u.nct_id)


def _keys(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    return sorted((f.trial, f.node, f.shape, f.value_label) for f in findings)


def _without_lead_agency_class_in_first(quads: list[ox.Quad]) -> list[ox.Quad]:
    first = ox.NamedNode(f"{DEFAULT_BASE}graph/NCT00000000")
    return [
        q
        for q in quads
        if not (q.subject == LEAD and q.predicate == AGENCY_CLASS and q.graph_name == first)
    ]


def test_a_batch_gives_each_trial_the_findings_it_has_alone() -> None:
    """Three copies validated together: per trial, the same findings as validated one by one."""
    geo = ox.NamedNode("http://schema.org/geo")
    quads = [q for q in mapped_quads(RECORD) if q.predicate != geo]  # warns for each site
    units = _units(_without_lead_agency_class_in_first(copies(3, quads)))
    together = [_keys(r.findings) for r in check_batch(units)]
    assert together == [_keys(check_trial(u).findings) for u in units]
    assert [len(keys) for keys in together] == [3, 2, 2]


def test_a_shared_node_is_judged_on_each_trial_s_own_triples() -> None:
    """A lead sponsor without agency class in one trial only: that trial warns, the others don't."""
    quads = _without_lead_agency_class_in_first(copies(3, mapped_quads(RECORD)))
    findings = [f for r in check_batch(_units(quads)) for f in r.findings]
    warned = [(f.trial, f.node) for f in findings if f.shape.endswith("#SponsorAgencyClass")]
    assert warned == [("NCT00000000", "org/montpellier-university")]


def test_the_report_counts_findings_it_does_not_hold() -> None:
    """Fifty trials, each with one bad latitude: counted right, findings only streamed."""
    geo = ox.NamedNode(f"{DEFAULT_BASE}trial/{NCT}/site/1/geo")
    quads = [q for q in mapped_quads(RECORD) if not (q.subject == geo and q.predicate == LATITUDE)]
    bad = ox.Quad(geo, LATITUDE, ox.Literal("123.5", datatype=DECIMAL), quads[0].graph_name)
    streamed: list[Finding] = []
    report = validate_store(
        store_of(copies(50, [*quads, bad])), cross_trial=False, on_findings=streamed.extend
    )
    latitude = (Severity.VIOLATION, "https://w3id.org/trialkg/shapes#GeoLatitude")
    assert (report.trials, report.violations, report.per_shape[latitude]) == (50, 50, 50)
    assert report.trials_with(Severity.VIOLATION) == 50
    assert report.findings == len(streamed)
    held = [f.name for f in dataclasses.fields(report) if isinstance(getattr(report, f.name), list)]
    assert held == []
