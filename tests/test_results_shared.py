"""Every shared record's posted results in the graph agree with a plain reading of its file.

Expected numbers come from the raw JSON (``resultsSection``) and XML (``clinical_results``) with
dict access and ElementTree here, never from kg's readers: adverse-event nodes and the sums of their
affected / at-risk / event counts, the groups' totals, flow entries and the sum of their counts,
baseline measures and measurements, outcome measurements (numeric sum, text values), analyses and
p-values. A record without results gets none of the results nodes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

CTGOV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ctgov"
PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)")
XML_TOTALS = {
    "Total, serious adverse events": "serious_affected",
    "Total, other adverse events": "other_affected",
    "Total, all-cause mortality": "deaths_affected",
}
PREFIXES = """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
# One aggregate per figure over the trial's pattern: OPTIONALs side by side would multiply rows.
AGGREGATE = (
    "SELECT ?nct ({} AS ?n) WHERE {{ GRAPH ?g {{ ?t dcterms:identifier ?nct ; {} }} }}"
    " GROUP BY ?nct"
)
FIGURE_PATTERNS = {
    "groups": ("COUNT(DISTINCT ?x)", "tkg:resultGroup ?x"),
    "ae": ("COUNT(DISTINCT ?x)", "tkg:adverseEvent ?x"),
    "ae_serious": (
        "COUNT(DISTINCT ?x)",
        "tkg:adverseEvent ?x . ?x tkg:seriousness tkg:seriousness-SERIOUS",
    ),
    "ae_stats": ("COUNT(DISTINCT ?s)", "tkg:adverseEvent/tkg:eventStats ?s"),
    "affected": ("SUM(?v)", "tkg:adverseEvent/tkg:eventStats ?s . ?s tkg:affected ?v"),
    "at_risk": ("SUM(?v)", "tkg:adverseEvent/tkg:eventStats ?s . ?s tkg:atRisk ?v"),
    "events": ("SUM(?v)", "tkg:adverseEvent/tkg:eventStats ?s . ?s tkg:events ?v"),
    "serious_affected": ("SUM(?v)", "tkg:resultGroup ?x . ?x tkg:seriousAffected ?v"),
    "other_affected": ("SUM(?v)", "tkg:resultGroup ?x . ?x tkg:otherAffected ?v"),
    "deaths_affected": ("SUM(?v)", "tkg:resultGroup ?x . ?x tkg:deathsAffected ?v"),
    "milestones": ("COUNT(DISTINCT ?x)", "tkg:flowMilestone ?x"),
    "milestone_counts": ("COUNT(DISTINCT ?c)", "tkg:flowMilestone/tkg:groupCount ?c"),
    "milestone_sum": ("SUM(?v)", "tkg:flowMilestone/tkg:groupCount ?c . ?c tkg:count ?v"),
    "drop_reasons": ("COUNT(DISTINCT ?x)", "tkg:dropReason ?x"),
    "drop_sum": ("SUM(?v)", "tkg:dropReason/tkg:groupCount ?c . ?c tkg:count ?v"),
    "baseline_measures": ("COUNT(DISTINCT ?x)", "tkg:baselineMeasure ?x"),
    "baseline_measurements": ("COUNT(DISTINCT ?m)", "tkg:baselineMeasure/tkg:measurement ?m"),
    "outcomes": ("COUNT(DISTINCT ?x)", "tkg:resultOutcome ?x"),
    "outcome_measurements": ("COUNT(DISTINCT ?m)", "tkg:resultOutcome/tkg:measurement ?m"),
    "outcome_sum": ("SUM(?v)", "tkg:resultOutcome/tkg:measurement ?m . ?m tkg:value ?v"),
    "outcome_texts": (
        "COUNT(DISTINCT ?m)",
        "tkg:resultOutcome/tkg:measurement ?m . ?m tkg:valueText ?v",
    ),
    "analyses": ("COUNT(DISTINCT ?a)", "tkg:resultOutcome/tkg:analysis ?a"),
    "p_values": ("COUNT(DISTINCT ?a)", "tkg:resultOutcome/tkg:analysis ?a . ?a tkg:pValue ?p"),
    "outcome_analyzed": ("COUNT(DISTINCT ?c)", "tkg:resultOutcome/tkg:analyzedCount ?c"),
    "outcome_analyzed_sum": (
        "SUM(?v)",
        "tkg:resultOutcome/tkg:analyzedCount ?c . ?c tkg:count ?v",
    ),
    "outcome_class_analyzed": (
        "COUNT(DISTINCT ?c)",
        "tkg:resultOutcome/tkg:analyzedCount ?c . ?c tkg:className ?k",
    ),
    "baseline_analyzed_sum": ("SUM(?v)", "tkg:baselineAnalyzed ?c . ?c tkg:count ?v"),
    "baseline_class_analyzed": ("COUNT(DISTINCT ?c)", "tkg:baselineMeasure/tkg:analyzedCount ?c"),
    "baseline_class_analyzed_sum": (
        "SUM(?v)",
        "tkg:baselineMeasure/tkg:analyzedCount ?c . ?c tkg:count ?v",
    ),
    "non_inferiority_comments": (
        "COUNT(DISTINCT ?a)",
        "tkg:resultOutcome/tkg:analysis ?a . ?a tkg:nonInferiorityComment ?x",
    ),
    "tested_non_inferiority": (
        "COUNT(DISTINCT ?a)",
        "tkg:resultOutcome/tkg:analysis ?a . ?a tkg:testedNonInferiority true",
    ),
    "other_analysis_descriptions": (
        "COUNT(DISTINCT ?a)",
        "tkg:resultOutcome/tkg:analysis ?a . ?a tkg:otherAnalysisDescription ?x",
    ),
    "ci_upper_comments": (
        "COUNT(DISTINCT ?a)",
        "tkg:resultOutcome/tkg:analysis ?a . ?a tkg:ciUpperLimitComment ?x",
    ),
    "pi_employee": ("COUNT(DISTINCT ?t)", "tkg:piSponsorEmployee true"),
    "pi_not_employee": ("COUNT(DISTINCT ?t)", "tkg:piSponsorEmployee false"),
    "restrictive": ("COUNT(DISTINCT ?t)", "tkg:restrictiveAgreement true"),
    "not_restrictive": ("COUNT(DISTINCT ?t)", "tkg:restrictiveAgreement false"),
    "restriction_lte60": ("COUNT(DISTINCT ?t)", "tkg:restrictionType tkg:restrictionType-LTE60"),
    "restriction_gt60": ("COUNT(DISTINCT ?t)", "tkg:restrictionType tkg:restrictionType-GT60"),
    "restriction_other": ("COUNT(DISTINCT ?t)", "tkg:restrictionType tkg:restrictionType-OTHER"),
    "restriction_details": ("COUNT(DISTINCT ?x)", "tkg:restrictionDetails ?x"),
}
QUERIES = {name: AGGREGATE.format(*parts) for name, parts in FIGURE_PATTERNS.items()}
FIGURES = sorted(QUERIES)
# Anything a results module adds; a record without results has none of these.
RESULT_PROPERTIES = (
    "resultGroup resultsModule adverseEvent flowMilestone dropReason baselineMeasure resultOutcome "
    "baselineAnalyzed resultsLimitations resultsContactOrganization piSponsorEmployee "
    "restrictiveAgreement restrictionType restrictionDetails"
).split()


def _whole(value: object) -> int:
    text = str(value).strip()
    assert text.isdigit(), text
    return int(text)


def _numeric(values: list[str | None]) -> tuple[Decimal, int]:
    """Sum the values that are plain numbers; count the others (kept as text)."""
    total, texts = Decimal(0), 0
    for v in values:
        if v is None or not v.strip():
            continue
        if PLAIN_NUMBER.fullmatch(v.strip()):
            total += Decimal(v.strip())
        else:
            texts += 1
    return total, texts


def _json_measurements(measure: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        m
        for c in measure.get("classes", [])
        for cat in c.get("categories", [])
        for m in cat.get("measurements", [])
    ]


def expected_json(results: dict[str, Any]) -> dict[str, Decimal | int]:
    """The figures of one API v2 resultsSection, read with plain dict access."""
    flow = results.get("participantFlowModule", {})
    base = results.get("baselineCharacteristicsModule", {})
    outcomes = results.get("outcomeMeasuresModule", {}).get("outcomeMeasures", [])
    ae = results.get("adverseEventsModule", {})
    events = ae.get("seriousEvents", []) + ae.get("otherEvents", [])
    stats = [s for e in events for s in e.get("stats", [])]
    periods = flow.get("periods", [])
    milestones = [m for p in periods for m in p.get("milestones", [])]
    drops = [d for p in periods for d in p.get("dropWithdraws", [])]
    groups = {g["id"] for module in (flow, base) for g in module.get("groups", [])}
    groups |= {g["id"] for g in ae.get("eventGroups", [])}
    outcome_groups = sum(len({g["id"] for g in o.get("groups", [])}) for o in outcomes)
    values = [m.get("value") for o in outcomes for m in _json_measurements(o)]
    total, texts = _numeric(values)
    analyses = [a for o in outcomes for a in o.get("analyses", [])]
    egroups = ae.get("eventGroups", [])
    return {
        "groups": len(groups) + outcome_groups,
        "ae": len(events),
        "ae_serious": len(ae.get("seriousEvents", [])),
        "ae_stats": len(stats),
        "affected": sum(_whole(s["numAffected"]) for s in stats if "numAffected" in s),
        "at_risk": sum(_whole(s["numAtRisk"]) for s in stats if "numAtRisk" in s),
        "events": sum(_whole(s["numEvents"]) for s in stats if "numEvents" in s),
        "serious_affected": sum(
            _whole(g["seriousNumAffected"]) for g in egroups if "seriousNumAffected" in g
        ),
        "other_affected": sum(
            _whole(g["otherNumAffected"]) for g in egroups if "otherNumAffected" in g
        ),
        "deaths_affected": sum(
            _whole(g["deathsNumAffected"]) for g in egroups if "deathsNumAffected" in g
        ),
        "milestones": len(milestones),
        "milestone_counts": sum(len(m.get("achievements", [])) for m in milestones),
        "milestone_sum": sum(
            _whole(a["numSubjects"]) for m in milestones for a in m.get("achievements", [])
        ),
        "drop_reasons": len(drops),
        "drop_sum": sum(_whole(r["numSubjects"]) for d in drops for r in d.get("reasons", [])),
        "baseline_measures": len(base.get("measures", [])),
        "baseline_measurements": sum(len(_json_measurements(m)) for m in base.get("measures", [])),
        "outcomes": len(outcomes),
        "outcome_measurements": len(values),
        "outcome_sum": total,
        "outcome_texts": texts,
        "analyses": len(analyses),
        "p_values": sum(1 for a in analyses if str(a.get("pValue") or "").strip()),
        **_json_analyzed(outcomes, base),
        "non_inferiority_comments": sum(1 for a in analyses if a.get("nonInferiorityComment")),
        "tested_non_inferiority": sum(1 for a in analyses if a.get("testedNonInferiority") is True),
        "other_analysis_descriptions": sum(
            1 for a in analyses if a.get("otherAnalysisDescription")
        ),
        "ci_upper_comments": sum(1 for a in analyses if a.get("ciUpperLimitComment")),
        **_json_agreement(results.get("moreInfoModule", {}).get("certainAgreement", {})),
    }


def _json_analyzed(
    outcomes: list[dict[str, Any]], base: dict[str, Any]
) -> dict[str, Decimal | int]:
    """Numbers analysed: per outcome and per class of an outcome or baseline measure."""

    def counts(node: dict[str, Any]) -> list[int]:
        return [_whole(c["value"]) for d in node.get("denoms", []) for c in d.get("counts", [])]

    def class_counts(measure: dict[str, Any]) -> list[tuple[str, int]]:
        return [
            ((c.get("title") or "").strip(), n)
            for c in measure.get("classes", [])
            for n in counts(c)
        ]

    outcome_classes = [x for o in outcomes for x in class_counts(o)]
    baseline_classes = [x for m in base.get("measures", []) for x in class_counts(m)]
    return {
        "outcome_analyzed": sum(len(counts(o)) for o in outcomes) + len(outcome_classes),
        "outcome_analyzed_sum": sum(sum(counts(o)) for o in outcomes)
        + sum(n for _, n in outcome_classes),
        "outcome_class_analyzed": sum(1 for title, _ in outcome_classes if title),
        "baseline_analyzed_sum": sum(counts(base)),
        "baseline_class_analyzed": len(baseline_classes),
        "baseline_class_analyzed_sum": sum(n for _, n in baseline_classes),
    }


def _json_agreement(agreement: dict[str, Any]) -> dict[str, Decimal | int]:
    kind = agreement.get("restrictionType")
    return {
        "pi_employee": int(agreement.get("piSponsorEmployee") is True),
        "pi_not_employee": int(agreement.get("piSponsorEmployee") is False),
        "restrictive": int(agreement.get("restrictiveAgreement") is True),
        "not_restrictive": int(agreement.get("restrictiveAgreement") is False),
        "restriction_lte60": int(kind == "LTE60"),
        "restriction_gt60": int(kind == "GT60"),
        "restriction_other": int(kind == "OTHER"),
        "restriction_details": int(bool((agreement.get("otherDetails") or "").strip())),
    }


def _xml_values(measure: ET.Element | None) -> list[ET.Element]:
    return [] if measure is None else measure.findall(".//measurement_list/measurement")


def expected_xml(results: ET.Element) -> dict[str, Decimal | int]:
    """The figures of one legacy <clinical_results>, read with ElementTree."""
    reported = results.find("reported_events")
    events, totals = [], {"serious_affected": 0, "other_affected": 0, "deaths_affected": 0}
    serious = 0
    for part in ("serious_events", "other_events"):
        for category in (
            [] if reported is None else reported.findall(f"{part}/category_list/category")
        ):
            for event in category.findall("event_list/event"):
                if (category.findtext("title") or "").strip() == "Total":
                    key = XML_TOTALS[(event.findtext("sub_title") or "").strip()]
                    totals[key] += sum(
                        _whole(c.get("subjects_affected")) for c in event.findall("counts")
                    )
                else:
                    events.append(event)
                    serious += part == "serious_events"
    stats = [c for e in events for c in e.findall("counts")]
    flow = results.find("participant_flow")
    periods = [] if flow is None else flow.findall("period_list/period")
    milestones = [m for p in periods for m in p.findall("milestone_list/milestone")]
    drops = [
        d for p in periods for d in p.findall("drop_withdraw_reason_list/drop_withdraw_reason")
    ]
    baseline = results.find("baseline")
    measures = [] if baseline is None else baseline.findall("measure_list/measure")
    outcomes = results.findall("outcome_list/outcome")
    values = [m.get("value") for o in outcomes for m in _xml_values(o.find("measure"))]
    total, texts = _numeric(values)
    analyses = [a for o in outcomes for a in o.findall("analysis_list/analysis")]
    group_ids = {
        g.get("group_id")
        for module in (flow, baseline, reported)
        if module is not None
        for g in module.findall("group_list/group")
    }
    outcome_groups = sum(
        len({g.get("group_id") for g in o.findall("group_list/group")}) for o in outcomes
    )

    def summed(items: list[ET.Element], attr: str) -> int:
        return sum(_whole(i.get(attr)) for i in items if i.get(attr) is not None)

    return {
        "groups": len(group_ids) + outcome_groups,
        "ae": len(events),
        "ae_serious": serious,
        "ae_stats": len(stats),
        "affected": summed(stats, "subjects_affected"),
        "at_risk": summed(stats, "subjects_at_risk"),
        "events": summed(stats, "events"),
        **totals,
        "milestones": len(milestones),
        "milestone_counts": sum(
            len(m.findall("participants_list/participants")) for m in milestones
        ),
        "milestone_sum": sum(
            summed(m.findall("participants_list/participants"), "count") for m in milestones
        ),
        "drop_reasons": len(drops),
        "drop_sum": sum(
            summed(d.findall("participants_list/participants"), "count") for d in drops
        ),
        "baseline_measures": len(measures),
        "baseline_measurements": sum(len(_xml_values(m)) for m in measures),
        "outcomes": len(outcomes),
        "outcome_measurements": len(values),
        "outcome_sum": total,
        "outcome_texts": texts,
        "analyses": len(analyses),
        "p_values": sum(1 for a in analyses if (a.findtext("p_value") or "").strip()),
        **_xml_analyzed(outcomes, baseline),
        "non_inferiority_comments": sum(1 for a in analyses if _text(a, "non_inferiority_desc")),
        "tested_non_inferiority": 0,  # the legacy XML has no such element
        "other_analysis_descriptions": sum(1 for a in analyses if _text(a, "other_analysis_desc")),
        "ci_upper_comments": sum(1 for a in analyses if _text(a, "ci_upper_limit_na_comment")),
        **_xml_agreement(results.find("certain_agreements")),
    }


def _text(el: ET.Element, tag: str) -> str:
    found = el.find(tag)
    return "" if found is None else "".join(found.itertext()).strip()


def _xml_analyzed(outcomes: list[ET.Element], baseline: ET.Element | None) -> dict[str, int]:
    """Numbers analysed: per outcome and per class of an outcome or baseline measure."""

    def counts(node: ET.Element) -> list[int]:
        found = node.findall("analyzed_list/analyzed/count_list/count")
        return [_whole(c.get("value")) for c in found]

    def class_counts(measure: ET.Element) -> list[tuple[str, int]]:
        return [
            (_text(c, "title"), n) for c in measure.findall("class_list/class") for n in counts(c)
        ]

    measures = [m for o in outcomes if (m := o.find("measure")) is not None]
    outcome_classes = [x for m in measures for x in class_counts(m)]
    base_measures = [] if baseline is None else baseline.findall("measure_list/measure")
    baseline_classes = [x for m in base_measures for x in class_counts(m)]
    return {
        "outcome_analyzed": sum(len(counts(m)) for m in measures) + len(outcome_classes),
        "outcome_analyzed_sum": sum(sum(counts(m)) for m in measures)
        + sum(n for _, n in outcome_classes),
        "outcome_class_analyzed": sum(1 for title, _ in outcome_classes if title),
        "baseline_analyzed_sum": 0 if baseline is None else sum(counts(baseline)),
        "baseline_class_analyzed": len(baseline_classes),
        "baseline_class_analyzed_sum": sum(n for _, n in baseline_classes),
    }


def _xml_agreement(agreements: ET.Element | None) -> dict[str, int]:
    """Certain agreements: the legacy XML writes the registry's fixed sentences, else own text."""
    employee = "" if agreements is None else _text(agreements, "pi_employee")
    text = "" if agreements is None else _text(agreements, "restrictive_agreement")
    text = " ".join(text.split())
    restrictive = bool(text) and not text.startswith("There is NOT an agreement")
    embargo = text.startswith("The only disclosure restriction on the PI is that the sponsor")
    lte60 = restrictive and embargo and "period that is less than or equal to 60 days" in text
    gt60 = restrictive and embargo and "period that is more than 60 days" in text
    other = restrictive and not (lte60 or gt60)
    return {
        "pi_employee": int("ARE employed" in employee),
        "pi_not_employee": int("NOT employed" in employee),
        "restrictive": int(restrictive),
        "not_restrictive": int(bool(text) and not restrictive),
        "restriction_lte60": int(lte60),
        "restriction_gt60": int(gt60),
        "restriction_other": int(other),
        "restriction_details": int(other),
    }


def _raw_results() -> dict[str, dict[str, Decimal | int] | None]:
    """NCT id -> the expected figures of its results, None for a record without results."""
    out: dict[str, dict[str, Decimal | int] | None] = {}
    for path in sorted(CTGOV.glob("*.json")):
        study = json.loads(path.read_text(encoding="utf-8"))
        nct = study["protocolSection"]["identificationModule"]["nctId"]
        out[nct] = expected_json(study["resultsSection"]) if study.get("resultsSection") else None
    for path in sorted(CTGOV.glob("*.xml")):
        root = ET.parse(path).getroot()  # noqa: S314 - the shared records are trusted test data
        nct = root.findtext("id_info/nct_id")
        assert nct is not None
        results = root.find("clinical_results")
        out[nct] = None if results is None else expected_xml(results)
    return out


RAW = _raw_results()
WITH_RESULTS = sorted(n for n, figures in RAW.items() if figures is not None)


def _figure(term: ox.Term | None) -> Decimal | int:
    assert isinstance(term, ox.Literal)
    return Decimal(term.value) if "." in term.value else int(term.value)


@pytest.fixture(scope="module")
def graph_figures(shared_store: ox.Store) -> dict[str, dict[str, Decimal | int]]:
    """NCT id -> figure -> the value the shared store's graph gives (absent: no row)."""
    out: dict[str, dict[str, Decimal | int]] = {}
    for figure, query in QUERIES.items():
        rows = shared_store.query(PREFIXES + query)
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            nct = row["nct"]
            assert isinstance(nct, ox.Literal)
            out.setdefault(nct.value, {})[figure] = _figure(row["n"])
    return out


def test_the_shared_records_hold_results_in_both_formats() -> None:
    assert len([n for n in WITH_RESULTS if (CTGOV / f"{n}.json").exists()]) >= 31
    assert len([n for n in WITH_RESULTS if (CTGOV / f"{n}.xml").exists()]) >= 60


@pytest.mark.parametrize("nct", WITH_RESULTS)
def test_results_figures_equal_the_raw_record(
    graph_figures: dict[str, dict[str, Decimal | int]], nct: str
) -> None:
    expected = RAW[nct]
    assert expected is not None
    got = graph_figures.get(nct, {})
    assert {f: got.get(f, 0) for f in FIGURES} == {f: expected[f] for f in FIGURES}


def test_records_without_results_have_no_results_nodes(shared_store: ox.Store) -> None:
    values = " ".join(f"tkg:{p}" for p in RESULT_PROPERTIES)
    rows = shared_store.query(
        PREFIXES
        + "SELECT DISTINCT ?nct WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ; ?p ?o } "
        + f"VALUES ?p {{ {values} }} }}"
    )
    assert isinstance(rows, ox.QuerySolutions)
    having = {row["nct"].value for row in rows}  # type: ignore[union-attr]
    without = {n for n, figures in RAW.items() if figures is None}
    assert len(without) > 500
    assert having & without == set()
    assert having == set(WITH_RESULTS)
