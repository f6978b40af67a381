"""A trial page shows the posted results: flow, baseline, outcomes with analyses, adverse events.

Expected numbers come from the raw records (plain JSON / ElementTree); the page is built by
``build_page`` on a store of two records and rendered with the server's templates.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kg.build import build
from kg.publish._responses import TEMPLATES
from kg.publish.results_view import Results
from kg.publish.views import build_page
from kg.sinks import FileSink
from kg.terms import DEFAULT_BASE

CTGOV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ctgov"
JSON_NCT, XML_NCT, BARE_NCT = "NCT03694327", "NCT01642004", "NCT00000410"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    out = tmp_path_factory.mktemp("results-page") / "two.nq"
    records = [CTGOV / f"{JSON_NCT}.json", CTGOV / f"{XML_NCT}.xml", CTGOV / f"{BARE_NCT}.json"]
    build([str(p) for p in records], FileSink(out), base=DEFAULT_BASE)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    return store


def _results(store: ox.Store, nct: str, sort: str | None = None) -> Results:
    page = build_page(store, DEFAULT_BASE, ox.NamedNode(f"{DEFAULT_BASE}trial/{nct}"), ae_sort=sort)
    results = page.sections["results"]
    assert isinstance(results, Results)
    return results


def _json_events(nct: str) -> list[tuple[str, str, int, int]]:
    ae = json.loads((CTGOV / f"{nct}.json").read_text("utf-8"))["resultsSection"][
        "adverseEventsModule"
    ]
    return [
        (e["term"], s["groupId"], s["numAffected"], s["numAtRisk"])
        for key in ("seriousEvents", "otherEvents")
        for e in ae.get(key, [])
        for s in e["stats"]
    ]


def test_adverse_events_are_every_event_and_group_sorted_by_rate(store: ox.Store) -> None:
    raw = _json_events(JSON_NCT)
    rows = _results(store, JSON_NCT).adverse_events
    assert sorted((r.term, r.group[-6:-1], r.affected, r.at_risk) for r in rows) == sorted(raw)
    rates = [r.rate if r.rate is not None else Decimal(-1) for r in rows]
    assert rates == sorted(rates, reverse=True)
    top = max(raw, key=lambda e: Decimal(e[2]) / e[3])
    assert rows[0].rate == (Decimal(100 * top[2]) / top[3]).quantize(Decimal("0.01"))


def test_adverse_events_sort_by_the_asked_column(store: ox.Store) -> None:
    rows = _results(store, JSON_NCT, "term").adverse_events
    assert [r.term.casefold() for r in rows] == sorted(r.term.casefold() for r in rows)
    assert _results(store, JSON_NCT, "nonsense").ae_sort == "rate"


def test_flow_baseline_and_outcomes_follow_the_record(store: ox.Store) -> None:
    results = json.loads((CTGOV / f"{JSON_NCT}.json").read_text("utf-8"))["resultsSection"]
    shown = _results(store, JSON_NCT)
    periods = results["participantFlowModule"]["periods"]
    entries = [m for p in periods for m in p.get("milestones", []) + p.get("dropWithdraws", [])]
    assert shown.flow is not None and len(shown.flow.rows) == len(entries)
    assert shown.flow.rows[0][1:] == tuple(
        a["numSubjects"] for a in periods[0]["milestones"][0]["achievements"]
    )
    measures = results["baselineCharacteristicsModule"]["measures"]
    assert [t.title for t in shown.baseline] == [m["title"] for m in measures]
    outcomes = results["outcomeMeasuresModule"]["outcomeMeasures"]
    assert len(shown.outcomes) == len(outcomes)


def test_xml_outcomes_show_their_analyses(store: ox.Store) -> None:
    root = ET.parse(CTGOV / f"{XML_NCT}.xml").getroot()  # noqa: S314 - trusted test data
    outcomes = root.findall("clinical_results/outcome_list/outcome")
    shown = _results(store, XML_NCT).outcomes
    assert [len(o.analyses) for o in shown] == [
        len(o.findall("analysis_list/analysis")) for o in outcomes
    ]
    p_values = [a.p_value for o in shown for a in o.analyses]
    assert p_values == [
        a.findtext("p_value").strip() if a.findtext("p_value") else None
        for o in outcomes
        for a in o.findall("analysis_list/analysis")
    ]


def test_the_page_renders_the_results_and_a_trial_without_results_has_none(store: ox.Store) -> None:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )
    template = env.get_template("resource.html")
    pages = {}
    for nct in (JSON_NCT, BARE_NCT):
        page = build_page(store, DEFAULT_BASE, ox.NamedNode(f"{DEFAULT_BASE}trial/{nct}"))
        pages[nct] = template.render(
            title=page.title, page=page, downloads=[], alternates=[], jsonld="{}"
        )
    html = pages[JSON_NCT]
    assert 'id="results"' in html and 'id="flow"' in html and 'id="adverse-events"' in html
    assert html.count('class="adverse-event"') == len(_json_events(JSON_NCT))
    assert 'href="?ae-sort=term#adverse-events"' in html
    assert "<script>" not in html.split('id="results"')[1]  # the CSP allows no script
    assert 'id="results"' not in pages[BARE_NCT]
