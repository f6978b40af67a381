"""The statistics and index stay exact through updates: a store built in steps (new trials, newer
records replacing older ones, older records that are kept, the same record again) holds the same
statistics graph as a fresh build of the records that won, and its indexed queries give the
scans' rows.

Records are shared records with a changed source date (``versionHolder``, which decides whether an
update replaces a trial) and, in a later version, a changed first site, lead sponsor name,
first intervention name and overall status, so every table moves, and a condition shared with the
other trials of that version (version C also loses its title: its conditions' keys of index
format 3 become the untitled ones, and the scans take any graph's title).
"""

from __future__ import annotations

import copy
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from void_support import counted_by_reading

from kg.answer_rows import ROW_KEYED
from kg.answers import ANSWERS_GRAPH
from kg.build import build
from kg.indexed import capabilities, choose, store_ask
from kg.native import native_table
from kg.publish.void import collect_statistics
from kg.queries import bind_params, load_query, run_query
from kg.sinks import StoreSink, open_store
from kg.stats import STATS_GRAPH
from kg.terms import DEFAULT_BASE
from kg.void_counts import read as read_void

NCTS = ("NCT04638790", "NCT04757038", "NCT05142982", "NCT03064438", "NCT04909229")
# (source date, change tag): version 0 is the record as shared, dated early; 1 and 2 change it.
VERSIONS = (("2020-01-01", None), ("2030-01-01", "B"), ("2025-06-01", "C"))
AGGREGATES = (
    "trials-per-country",
    "trials-per-city",
    "dataset-summary",
    "sponsors-by-class",
    "publications-per-sponsor",
    "sponsor-publications",
    "sponsor-network",
    "published-without-results",
    "trials-without-results-publication",
)


@dataclass(frozen=True, slots=True)
class Record:
    """One version of one shared record, written to a file."""

    nct: str
    version: int
    path: Path

    @property
    def date(self) -> str:
        return VERSIONS[self.version][0]


def _variant(doc: dict[str, Any], date: str, tag: str | None) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["derivedSection"].setdefault("miscInfoModule", {})["versionHolder"] = date
    if tag is None:
        return out
    proto = out["protocolSection"]
    site = proto["contactsLocationsModule"]["locations"][0]
    site["city"] = f"Testville {tag}"
    site["country"] = "France" if tag == "B" else "Japan"
    site["geoPoint"] = {"lat": 43.61 if tag == "B" else 35.68, "lon": 3.87 if tag == "B" else 139.7}
    lead = proto["sponsorCollaboratorsModule"]["leadSponsor"]
    lead["name"] = f"Shared Sponsor {tag}"
    interventions = proto.get("armsInterventionsModule", {}).get("interventions", [])
    if interventions:
        interventions[0]["name"] = f"Common Drug {tag}"
    proto["statusModule"]["overallStatus"] = "RECRUITING" if tag == "B" else "COMPLETED"
    conditions = proto.setdefault("conditionsModule", {}).setdefault("conditions", [])
    conditions.extend(["Shared Condition", f"Shared Condition {tag}"])
    if tag == "C":
        del proto["identificationModule"]["briefTitle"]
    return out


@pytest.fixture(scope="module")
def records(
    tmp_path_factory: pytest.TempPathFactory, ctgov_dir: Path
) -> dict[tuple[str, int], Record]:
    folder = tmp_path_factory.mktemp("versions")
    out: dict[tuple[str, int], Record] = {}
    for nct in NCTS:
        doc = json.loads((ctgov_dir / f"{nct}.json").read_text("utf-8"))
        for version, (date, tag) in enumerate(VERSIONS):
            path = folder / f"{nct}-v{version}.json"
            path.write_text(json.dumps(_variant(doc, date, tag)), "utf-8")
            out[nct, version] = Record(nct, version, path)
    return out


def _stats(path: Path) -> set[ox.Quad]:
    """The statistics graph and the answers graph (kg.answers)."""
    store = open_store(path)
    return {
        q for g in (STATS_GRAPH, ANSWERS_GRAPH)
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
    }


def _apply(stored: dict[str, Record], step: list[Record]) -> None:
    """What a build into the store keeps: a record replaces the stored one unless that is newer."""
    for record in step:
        kept = stored.get(record.nct)
        if kept is None or kept.date <= record.date:
            stored[record.nct] = record


def _check(path: Path, stored: dict[str, Record], work: Path) -> None:
    fresh = work / f"fresh-{len(list(work.iterdir()))}"
    build([str(r.path) for r in stored.values()], StoreSink(fresh), base=DEFAULT_BASE)
    assert _stats(path) == _stats(fresh)
    store = open_store(path)
    # kg void's figures, kept and moved by every update: those of reading every quad
    assert read_void(store) is not None
    assert collect_statistics(store, DEFAULT_BASE) == counted_by_reading(store, DEFAULT_BASE)
    assert capabilities(store_ask(store)) == {
        "statistics", "index", "index 2", "index 3",
        "index 4", "index 5", "index 6", "index 7", "index 8", "answers"
    }
    cases = [(name, {}) for name in AGGREGATES]
    by_role = ("publications-per-sponsor", "sponsor-publications")
    cases += [(name, {"role": "any"}) for name in by_role]
    cases += [("trials-without-results-publication", {"asOf": "2030-01-01", "which": "all"})]
    cases += [("sponsor-trials", {"sponsor": f"shared sponsor {tag}"}) for tag in "BC"]
    cases += [("trials-sharing-intervention", {"nct": nct}) for nct in sorted(stored)]
    cases += [("trials-sharing-condition", {"nct": nct}) for nct in sorted(stored)]
    cases += [("recruiting-near", {"lat": "43.6", "lon": "3.9", "km": km}) for km in ("30", "5")]
    for name, params in cases:
        query = load_query(name)
        bindings = bind_params(query, params)
        picked = choose(query, bindings, store_ask(store))
        assert picked is not query
        if name == "trials-sharing-condition":  # format 4's keys
            assert "tkg:conditionTrialId" in picked.text, name
        if name == "trials-sharing-intervention":  # format 7's keys
            assert "tkg:interventionNameTrialId" in picked.text, name
        if name == "recruiting-near":  # format 2's keys (km 30: quarter-degree cells)
            assert "tkg:ownTitle" in picked.text, name
            assert ("tkg:fineGeoCell" in picked.text) == (params["km"] == "5"), params
        expected = run_query(store, query, bindings, indexed=False)
        assert run_query(store, query, bindings) == expected, (name, params)
        if name in ("recruiting-near", "trials-without-results-publication", *ROW_KEYED):
            # format 8's site keys, the answers graph's completed-row and row keys, the statistics
            # graph's row keys: read by kg itself
            assert native_table(store, picked, bindings) == expected, (name, params)


@pytest.fixture
def recounts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The updates that recounted the whole store instead of moving the stored statistics."""
    return _watch_recounts(monkeypatch)


def _watch_recounts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import kg.sinks.store as sink

    calls: list[str] = []
    whole = sink.refresh_stats

    def counted(store: ox.Store, counted: object = None) -> object:
        if counted is None:  # a new store sums its build's counts; an update that recounts
            calls.append("recount")
        return whole(store, counted)  # type: ignore[arg-type]

    monkeypatch.setattr(sink, "refresh_stats", counted)
    return calls


def test_statistics_after_adding_replacing_keeping_and_re_adding_trials(
    tmp_path: Path, records: dict[tuple[str, int], Record], recounts: list[str]
) -> None:
    path, work = tmp_path / "store", tmp_path / "work"
    work.mkdir()
    stored: dict[str, Record] = {}
    steps = [
        [records[NCTS[0], 0], records[NCTS[1], 0]],  # a new store
        [records[NCTS[2], 0]],  # a new trial
        [records[NCTS[0], 1]],  # a newer record replaces a trial
        [records[NCTS[0], 2]],  # an older record: the stored trial is kept
        [records[NCTS[1], 2], records[NCTS[3], 1]],  # a replacement and a new trial together
        [records[NCTS[2], 0]],  # the same record again
    ]
    for n, step in enumerate(steps):
        build([str(r.path) for r in step], StoreSink(path), base=DEFAULT_BASE)
        _apply(stored, step)
        recounted = len(recounts)
        _check(path, stored, work)
        del recounts[recounted:]  # the fresh builds of _check count their own records
        assert recounts == [], n  # every update moved the stored statistics
    store = open_store(path)
    untitled = ox.NamedNode("https://w3id.org/trialkg/ontology#conditionUntitledTrial")
    assert {q.object.value.rsplit("/", 1)[-1]  # version C, stored: its untitled keys
            for q in store.quads_for_pattern(None, untitled, None, None)} == {NCTS[1]}
    sharing = load_query("trials-sharing-condition")
    shared = run_query(store, sharing, bind_params(sharing, {"nct": NCTS[0]}))
    others = {row[shared.variables.index("otherNct")].value for row in shared.rows}  # type: ignore[union-attr]
    assert {NCTS[1], NCTS[3]} <= others  # "Shared Condition": an untitled trial and a titled one
    rows = run_query(store, load_query("trials-per-city"), {})
    cities = {row[0].value for row in rows.rows if row[0] is not None}
    assert {"Testville B", "Testville C"} <= cities  # the changed versions are counted


_STEP = st.lists(
    st.tuples(st.sampled_from(NCTS), st.sampled_from(range(len(VERSIONS)))),
    min_size=1,
    max_size=3,
    unique_by=lambda item: item[0],  # one version of a trial per build: no merge
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(_STEP, min_size=1, max_size=4))
def test_statistics_after_any_sequence_of_updates_equal_a_fresh_build(
    records: dict[tuple[str, int], Record], steps: list[list[tuple[str, int]]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        recounts = _watch_recounts(mp)
        path, work = Path(tmp) / "store", Path(tmp) / "work"
        work.mkdir()
        stored: dict[str, Record] = {}
        for step in steps:
            chosen = [records[item] for item in step]
            build([str(r.path) for r in chosen], StoreSink(path), base=DEFAULT_BASE)
            _apply(stored, chosen)
        assert recounts == []  # every update moved the stored statistics
        _check(path, stored, work)
