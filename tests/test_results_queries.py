"""The results queries against rows computed from the raw shared records (JSON and XML).

``trial-adverse-events``, ``trial-results``, ``adverse-events-by-intervention`` and
``results-summary`` run on the shared store; the expected rows come from plain dict access and
ElementTree over the files, never from kg's readers.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.queries import bind_params, load_query, run_query

CTGOV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ctgov"
PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)")
Row = dict[str, str | None]


@dataclass(frozen=True)
class Event:
    """One listed adverse event of a raw record, its counts per group id."""

    serious: bool
    term: str
    organ: str | None
    counts: tuple[
        tuple[str, int | None, int | None, int | None], ...
    ]  # group, affected, at risk, events


@dataclass(frozen=True)
class Record:
    """What the queries need of one raw record."""

    nct: str
    interventions: frozenset[str]  # names, casefolded, and MeSH descriptor ids
    modules: frozenset[str]
    events: tuple[Event, ...]


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _json_record(doc: dict[str, Any]) -> Record:
    protocol = doc["protocolSection"]
    nct = protocol["identificationModule"]["nctId"]
    names = {
        i["name"].strip().casefold()
        for i in protocol.get("armsInterventionsModule", {}).get("interventions", [])
    }
    browse = doc.get("derivedSection", {}).get("interventionBrowseModule", {})
    names |= {m["id"].casefold() for key in ("meshes", "ancestors") for m in browse.get(key, [])}
    results = doc.get("resultsSection") or {}
    modules = {
        code
        for key, code in (
            ("participantFlowModule", "PARTICIPANT_FLOW"),
            ("baselineCharacteristicsModule", "BASELINE"),
            ("adverseEventsModule", "ADVERSE_EVENTS"),
        )
        if results.get(key)
    }
    if results.get("outcomeMeasuresModule", {}).get("outcomeMeasures"):
        modules.add("OUTCOME_MEASURES")
    info = results.get("moreInfoModule", {})
    if (
        info.get("limitationsAndCaveats", {}).get("description")
        or info.get("pointOfContact", {}).get("organization")
        or info.get("certainAgreement")
    ):
        modules.add("MORE_INFO")
    ae = results.get("adverseEventsModule", {})
    events = tuple(
        Event(
            key == "seriousEvents",
            e["term"],
            e.get("organSystem"),
            tuple(
                (
                    s["groupId"],
                    _int(s.get("numAffected")),
                    _int(s.get("numAtRisk")),
                    _int(s.get("numEvents")),
                )
                for s in e.get("stats", [])
            ),
        )
        for key in ("seriousEvents", "otherEvents")
        for e in ae.get(key, [])
    )
    return Record(nct, frozenset(names), frozenset(modules), events)


def _text(el: ET.Element | None, path: str) -> str | None:
    found = None if el is None else el.find(path)
    return None if found is None else ("".join(found.itertext()).strip() or None)


def _xml_record(root: ET.Element) -> Record:
    nct = root.findtext("id_info/nct_id") or ""
    names = {(_text(i, "intervention_name") or "").casefold() for i in root.findall("intervention")}
    results = root.find("clinical_results")
    modules: set[str] = set()
    events: list[Event] = []
    if results is not None:
        for tag, code in (
            ("participant_flow", "PARTICIPANT_FLOW"),
            ("baseline", "BASELINE"),
            ("outcome_list/outcome", "OUTCOME_MEASURES"),
            ("reported_events", "ADVERSE_EVENTS"),
        ):
            if results.find(tag) is not None:
                modules.add(code)
        if (
            _text(results, "limitations_and_caveats")
            or _text(results, "point_of_contact/organization")
            or _text(results, "certain_agreements/pi_employee")
            or _text(results, "certain_agreements/restrictive_agreement")
        ):
            modules.add("MORE_INFO")
        for part in ("serious_events", "other_events"):
            for category in results.findall(f"reported_events/{part}/category_list/category"):
                organ = _text(category, "title")
                for e in category.findall("event_list/event"):
                    if organ == "Total":
                        continue
                    counts = tuple(
                        (
                            c.get("group_id") or "",
                            _int(c.get("subjects_affected")),
                            _int(c.get("subjects_at_risk")),
                            _int(c.get("events")),
                        )
                        for c in e.findall("counts")
                    )
                    events.append(
                        Event(part == "serious_events", _text(e, "sub_title") or "", organ, counts)
                    )
    return Record(nct, frozenset(names), frozenset(modules), tuple(events))


def _raw() -> dict[str, Record]:
    out = {}
    for path in sorted(CTGOV.glob("*.json")):
        record = _json_record(json.loads(path.read_text(encoding="utf-8")))
        out[record.nct] = record
    for path in sorted(CTGOV.glob("*.xml")):
        record = _xml_record(ET.parse(path).getroot())  # noqa: S314 - trusted test data
        out[record.nct] = record
    return out


RAW = _raw()


def rows(store: ox.Store, name: str, **params: str) -> list[Row]:
    query = load_query(name)
    table = run_query(store, query, bind_params(query, params))
    return [
        {v: (c.value if c is not None else None) for v, c in zip(table.variables, row, strict=True)}
        for row in table.rows
    ]


def rate(affected: int | None, at_risk: int | None) -> Decimal | None:
    """Affected / at risk in percent, two decimals, ties rounded up (SPARQL's ROUND)."""
    if affected is None or not at_risk:
        return None
    return (Decimal(10000 * affected) / Decimal(at_risk)).quantize(Decimal(1), ROUND_HALF_UP) / 100


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# --- trial-adverse-events -------------------------------------------------------------------------


WITH_RESULTS = sorted(nct for nct, record in RAW.items() if record.modules)
WITHOUT_RESULTS = sorted(nct for nct, record in RAW.items() if not record.modules)[:5]


@pytest.mark.parametrize("nct", ["NCT03694327", "NCT00777179", "NCT01065844", "NCT00000134"])
def test_trial_adverse_events_are_the_records_events_per_group(
    shared_store: ox.Store, nct: str
) -> None:
    expected, got = _adverse_event_rows(shared_store, nct)
    assert len(expected) > 3
    assert got == expected


@pytest.mark.parametrize("nct", WITH_RESULTS + WITHOUT_RESULTS)
def test_trial_adverse_events_of_every_shared_record(shared_store: ox.Store, nct: str) -> None:
    expected, got = _adverse_event_rows(shared_store, nct)
    assert got == expected


def _adverse_event_rows(
    shared_store: ox.Store, nct: str
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The rows a plain reading of the record expects, and those the query gives."""
    record = RAW[nct]
    ordered = [e for e in record.events if e.serious] + [e for e in record.events if not e.serious]
    expected = [
        (
            "SERIOUS" if e.serious else "OTHER",
            e.organ,
            e.term,
            group,
            affected,
            at_risk,
            rate(affected, at_risk),
            events,
        )
        for e in ordered
        for group, affected, at_risk, events in sorted(e.counts)
    ]
    got = [
        (
            r["seriousness"],
            r["organSystem"],
            r["term"],
            r["groupCode"],
            _int(r["affected"]),
            _int(r["atRisk"]),
            _dec(r["ratePercent"]),
            _int(r["events"]),
        )
        for r in rows(shared_store, "trial-adverse-events", nct=nct)
    ]
    return expected, got


# --- trial-results --------------------------------------------------------------------------------


def _key(title: str) -> str:
    return re.sub(r"\W+", " ", title.casefold()).strip()


def _value(value: str | None) -> Decimal | str | None:
    if value is not None and PLAIN_NUMBER.fullmatch(value.strip()):
        return Decimal(value.strip())
    return value


def _json_results_rows(nct: str) -> list[tuple[object, ...]]:
    doc = json.loads((CTGOV / f"{nct}.json").read_text(encoding="utf-8"))
    out: list[tuple[object, ...]] = []
    outcomes = doc["resultsSection"].get("outcomeMeasuresModule", {}).get("outcomeMeasures", [])
    for n, o in enumerate(outcomes, 1):
        measurements = [
            (c.get("title"), cat.get("title"), m)
            for c in o.get("classes", [])
            for cat in c.get("categories", [])
            for m in cat.get("measurements", [])
        ]
        for cls, cat, m in measurements:
            out.append(
                (
                    n,
                    o["type"],
                    _key(o["title"]),
                    "measurement",
                    m["groupId"],
                    cls,
                    cat,
                    _value(m.get("value")),
                    None,
                )
            )
        for a in o.get("analyses", []):
            for group in sorted(a.get("groupIds", [])):
                out.append(
                    (
                        n,
                        o["type"],
                        _key(o["title"]),
                        "analysis",
                        group,
                        None,
                        None,
                        None,
                        a.get("pValue"),
                    )
                )
    return out


def _xml_results_rows(nct: str) -> list[tuple[object, ...]]:
    root = ET.parse(CTGOV / f"{nct}.xml").getroot()  # noqa: S314 - trusted test data
    out: list[tuple[object, ...]] = []
    kinds = {
        "Primary": "PRIMARY",
        "Secondary": "SECONDARY",
        "Other Pre-specified": "OTHER_PRE_SPECIFIED",
        "Post-Hoc": "POST_HOC",
    }
    for n, o in enumerate(root.findall("clinical_results/outcome_list/outcome"), 1):
        kind, title = kinds[_text(o, "type") or ""], _key(_text(o, "title") or "")
        for c in o.findall("measure/class_list/class"):
            for cat in c.findall("category_list/category"):
                for m in cat.findall("measurement_list/measurement"):
                    out.append(
                        (
                            n,
                            kind,
                            title,
                            "measurement",
                            m.get("group_id"),
                            _text(c, "title"),
                            _text(cat, "title"),
                            _value(m.get("value")),
                            None,
                        )
                    )
        for a in o.findall("analysis_list/analysis"):
            for group in sorted(_text(g, ".") or "" for g in a.findall("group_id_list/group_id")):
                out.append(
                    (n, kind, title, "analysis", group, None, None, None, _text(a, "p_value"))
                )
    return out


@pytest.mark.parametrize("nct", ["NCT04520009", "NCT05372913", "NCT01642004", "NCT00000134"])
def test_trial_results_are_the_records_measurements_and_analyses(
    shared_store: ox.Store, nct: str
) -> None:
    raw, got = _results_rows(shared_store, nct)
    assert raw
    # per outcome: measurements in source order, then analyses, each analysis' groups by code
    assert got == raw


@pytest.mark.parametrize("nct", WITH_RESULTS + WITHOUT_RESULTS)
def test_trial_results_of_every_shared_record(shared_store: ox.Store, nct: str) -> None:
    raw, got = _results_rows(shared_store, nct)
    assert got == raw


def _results_rows(
    shared_store: ox.Store, nct: str
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The rows a plain reading of the record expects, and those the query gives."""
    if not RAW[nct].modules:
        raw: list[tuple[object, ...]] = []
    elif (CTGOV / f"{nct}.json").exists():
        raw = _json_results_rows(nct)
    else:
        raw = _xml_results_rows(nct)
    got = [
        (
            int(r["outcomePosition"] or 0),
            r["outcomeType"],
            _key(r["outcomeTitle"] or ""),
            r["row"],
            r["groupCode"],
            r["className"],
            r["categoryName"],
            _value(r["value"]),
            r["pValue"],
        )
        for r in rows(shared_store, "trial-results", nct=nct)
    ]
    return raw, got


# --- adverse-events-by-intervention ---------------------------------------------------------------


def _by_intervention(key: str, seriousness: str) -> dict[tuple[str, str | None], tuple[int, ...]]:
    """(term, organ system) -> trials listing it, affected and at risk summed over their groups."""
    trials: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    sums: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0])
    for record in RAW.values():
        if key.casefold() not in record.interventions:
            continue
        for e in record.events:
            if seriousness != "any" and e.serious != (seriousness == "SERIOUS"):
                continue
            trials[e.term, e.organ].add(record.nct)
            for _, affected, at_risk, _ in e.counts:
                sums[e.term, e.organ][0] += affected or 0
                sums[e.term, e.organ][1] += at_risk or 0
    return {k: (len(v), *sums[k]) for k, v in trials.items()}


@pytest.mark.parametrize(
    ("intervention", "seriousness"),
    [("placebo", "SERIOUS"), ("PLACEBO", "any"), ("D000077716", "any"), ("Sham", "OTHER")],
)
def test_adverse_events_by_intervention_sum_the_trials_of_the_intervention(
    shared_store: ox.Store, intervention: str, seriousness: str
) -> None:
    expected = _by_intervention(intervention, seriousness)
    found = rows(
        shared_store,
        "adverse-events-by-intervention",
        intervention=intervention,
        seriousness=seriousness,
    )
    got = {
        (r["term"] or "", r["organSystem"]): (
            int(r["trials"] or 0),
            int(r["affected"] or 0),
            int(r["atRisk"] or 0),
        )
        for r in found
    }
    assert len(got) == len(found)  # one row per term and organ system
    assert expected
    assert got == expected
    assert all(
        _dec(r["ratePercent"]) == rate(int(r["affected"] or 0), int(r["atRisk"] or 0))
        for r in found
    )
    order = [(-int(r["trials"] or 0), -int(r["affected"] or 0)) for r in found]
    assert order == sorted(order)


# --- results-summary ------------------------------------------------------------------------------


def test_results_summary_counts_the_trials_posting_each_module(shared_store: ox.Store) -> None:
    counts: dict[str, int] = defaultdict(int)
    for record in RAW.values():
        for module in record.modules:
            counts[module] += 1
        counts["ANY"] += bool(record.modules)
    got = {r["module"]: int(r["trials"] or 0) for r in rows(shared_store, "results-summary")}
    assert counts["ANY"] >= 90
    assert got == dict(counts)
