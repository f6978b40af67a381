"""The adverse-event feature families: computed from the raw records, selectable, off by default.

Expected features come from a plain reading of every shared record (``json`` and ElementTree):
per trial, each term some participant had, the rate bands its highest group rate reaches, whether
it struck someone as a serious event, and the same presence and bands per organ system.
"""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.similarity.adverse_events import EventCount, event_features
from kg.similarity.evaluate import evaluate
from kg.similarity.evaluate_ae import (
    WEIGHT_STEPS,
    AeComparison,
    compare_adverse_events,
    condition_links,
    format_comparison,
)
from kg.similarity.families import ADVERSE_EVENT_FAMILIES, ADVERSE_EVENTS_DEFAULT, Family
from kg.similarity.features import Feature, FeatureMatrix, TrialFeature, load_features
from kg.similarity.kinds import Method

CTGOV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ctgov"
BANDS = (Fraction(5, 100), Fraction(20, 100))
Raw = tuple[str, str | None, bool, int | None, int | None]  # term, organ, serious, affected, risk


def _key(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def _json_counts(study: dict[str, object]) -> Iterator[Raw]:
    module = study.get("resultsSection", {}).get("adverseEventsModule", {})  # type: ignore[attr-defined]
    for key, serious in (("seriousEvents", True), ("otherEvents", False)):
        for event in module.get(key, []):
            for s in event.get("stats", []):
                affected = s.get("numAffected")
                at_risk = s.get("numAtRisk")
                yield (
                    event["term"],
                    event.get("organSystem"),
                    serious,
                    None if affected is None else int(affected),
                    None if at_risk is None else int(at_risk),
                )


def _xml_counts(root: ET.Element) -> Iterator[Raw]:
    for part, serious in (("serious_events", True), ("other_events", False)):
        path = f"clinical_results/reported_events/{part}/category_list/category"
        for category in root.findall(path):
            organ = (category.findtext("title") or "").strip() or None
            if organ == "Total":
                continue
            for event in category.findall("event_list/event"):
                term = "".join(event.find("sub_title").itertext()).strip()  # type: ignore[union-attr]
                for c in event.findall("counts"):
                    affected, at_risk = c.get("subjects_affected"), c.get("subjects_at_risk")
                    yield (
                        term,
                        organ,
                        serious,
                        None if affected is None else int(affected),
                        None if at_risk is None else int(at_risk),
                    )


def _expected(counts: list[Raw]) -> set[str]:
    """The adverse-event feature keys of one trial, from its raw counts."""
    terms: dict[str, list[Fraction | None]] = {}
    organs: dict[str, list[Fraction | None]] = {}
    serious: set[str] = set()
    for term, organ, is_serious, affected, at_risk in counts:
        if not affected:
            continue
        rate = Fraction(affected, at_risk) if at_risk else None
        terms.setdefault(_key(term), []).append(rate)
        if is_serious:
            serious.add(_key(term))
        if organ is not None:
            organs.setdefault(_key(organ), []).append(rate)
    keys = {f"adverse-event:{t}|serious" for t in serious}
    for family, found in (("adverse-event", terms), ("adverse-event-organ", organs)):
        for name, rates in found.items():
            keys.add(f"{family}:{name}")
            best = max((r for r in rates if r is not None), default=None)
            for band, text in zip(BANDS, ("5%", "20%"), strict=True):
                if best is not None and best >= band:
                    keys.add(f"{family}:{name}|rate>={text}")
    return keys


def _raw_features() -> dict[str, set[str]]:
    """NCT id -> expected adverse-event feature keys, for every shared record."""
    out: dict[str, set[str]] = {}
    for path in sorted(CTGOV.glob("*.json")):
        study = json.loads(path.read_text(encoding="utf-8"))
        out[study["protocolSection"]["identificationModule"]["nctId"]] = _expected(
            list(_json_counts(study))
        )
    for path in sorted(CTGOV.glob("*.xml")):
        root = ET.parse(path).getroot()  # noqa: S314 - the shared records are trusted test data
        out[root.findtext("id_info/nct_id") or path.stem] = _expected(list(_xml_counts(root)))
    return out


RAW = _raw_features()


@pytest.fixture(scope="module")
def ae_features(shared_store: ox.Store) -> FeatureMatrix:
    """Every trial's features with the adverse-event families on."""
    return load_features(shared_store, adverse_events=True)


def _ae_keys(fm: FeatureMatrix, nct: str) -> set[str]:
    row = fm.index(nct)
    assert row is not None
    return {
        fm.features[c].key
        for c in fm.row_features(row)
        if fm.features[c].family in ADVERSE_EVENT_FAMILIES
    }


def test_shared_records_with_adverse_events_in_both_formats() -> None:
    having = [n for n, keys in RAW.items() if keys]
    assert len([n for n in having if (CTGOV / f"{n}.json").exists()]) >= 20
    assert len([n for n in having if (CTGOV / f"{n}.xml").exists()]) >= 50


@pytest.mark.parametrize("nct", sorted(n for n, keys in RAW.items() if keys))
def test_adverse_event_features_equal_the_raw_record(ae_features: FeatureMatrix, nct: str) -> None:
    assert _ae_keys(ae_features, nct) == RAW[nct]


def test_records_without_adverse_events_have_no_such_feature(ae_features: FeatureMatrix) -> None:
    without = [n for n, keys in RAW.items() if not keys]
    assert len(without) > 600
    assert all(not _ae_keys(ae_features, n) for n in without)


def test_adverse_events_are_off_by_default(shared_features: FeatureMatrix) -> None:
    assert ADVERSE_EVENTS_DEFAULT is False
    assert not any(f.family in ADVERSE_EVENT_FAMILIES for f in shared_features.features)


def test_turning_them_on_adds_only_their_families(
    shared_features: FeatureMatrix, ae_features: FeatureMatrix
) -> None:
    off = ae_features.without(ADVERSE_EVENT_FAMILIES)
    assert [f.key for f in off.features] == [f.key for f in shared_features.features]
    assert (off.matrix != shared_features.matrix).nnz == 0


def test_rate_bands_are_cumulative_and_take_the_highest_group() -> None:
    counts = [
        EventCount("t1", "Nausea", "Gastrointestinal disorders", False, 1, 100),  # 1%
        EventCount("t1", "nausea ", "Gastrointestinal disorders", False, 30, 100),  # 30%
        EventCount("t1", "Rash", "Skin", True, 6, 100),  # 6%, serious
        EventCount("t1", "Cough", None, False, 0, 100),  # nobody: no feature
        EventCount("t1", "Fever", None, False, 2, None),  # no at-risk: presence only
    ]
    keys = {f.key for _, f in event_features(counts)}
    assert keys == {
        "adverse-event:nausea",
        "adverse-event:nausea|rate>=5%",
        "adverse-event:nausea|rate>=20%",
        "adverse-event:rash",
        "adverse-event:rash|rate>=5%",
        "adverse-event:rash|serious",
        "adverse-event:fever",
        "adverse-event-organ:gastrointestinal disorders",
        "adverse-event-organ:gastrointestinal disorders|rate>=5%",
        "adverse-event-organ:gastrointestinal disorders|rate>=20%",
        "adverse-event-organ:skin",
        "adverse-event-organ:skin|rate>=5%",
    }


def test_cli_option_shares_adverse_events(
    shared_store_path: Path, kg: Callable[..., tuple[int, str, str]]
) -> None:
    run = kg
    args = ["similar", "NCT00001575", "-k", "3", "-f", "json", "--explain",
            "--store", str(shared_store_path)]
    code, out, _ = run(*args, "--adverse-events")
    assert code == 0
    families = {s["family"] for m in json.loads(out)[0]["matches"] for s in m["shared"]}
    assert "adverse-event" in families or "adverse-event-organ" in families
    code, out, _ = run(*args)
    assert code == 0
    families = {s["family"] for m in json.loads(out)[0]["matches"] for s in m["shared"]}
    assert not families & {"adverse-event", "adverse-event-organ"}


@pytest.fixture(scope="module")
def comparison(shared_store: ox.Store) -> AeComparison:
    """The off/on comparison on the shared store."""
    return compare_adverse_events(shared_store)


def test_comparison_splits_queries_by_results(comparison: AeComparison) -> None:
    queries = set(comparison.with_results) | set(comparison.without_results)
    assert queries == set(comparison.truth.queries)
    assert all(RAW[q] for q in comparison.with_results)
    assert not any(RAW[q] for q in comparison.without_results)
    assert len(comparison.rows) == len(Method) * (1 + len(WEIGHT_STEPS))


def test_comparison_off_rows_equal_the_default_evaluation(
    comparison: AeComparison, shared_store: ox.Store
) -> None:
    _, results, _ = evaluate(shared_store)
    for row in comparison.rows:
        if row.setting == "off":
            assert row.every.recall10 == pytest.approx(results[str(row.method)].recall10)
            assert row.every.mrr == pytest.approx(results[str(row.method)].mrr)


def test_condition_truth_links_only_trials_with_adverse_events(
    comparison: AeComparison,
) -> None:
    assert comparison.condition_queries
    assert all(RAW[q] for q in comparison.condition_queries)
    report = format_comparison(comparison)
    assert "| jaccard | off |" in report
    assert "Shared condition, conditions hidden" in report


def test_condition_links_pair_trials_sharing_a_condition() -> None:
    def feat(family: Family, value: str) -> Feature:
        return Feature(family, f"{family}:{value}", value)

    pairs = [
        TrialFeature("NCT00000001", feat(Family.CONDITION, "asthma")),
        TrialFeature("NCT00000001", feat(Family.ADVERSE_EVENT, "cough")),
        TrialFeature("NCT00000002", feat(Family.CONDITION, "asthma")),
        TrialFeature("NCT00000002", feat(Family.ADVERSE_EVENT, "cough")),
        TrialFeature("NCT00000003", feat(Family.CONDITION, "asthma")),  # no adverse events
    ]
    fm = FeatureMatrix.build(pairs, ["NCT00000001", "NCT00000002", "NCT00000003"])
    assert condition_links(fm) == {
        "NCT00000001": frozenset({"NCT00000002"}),
        "NCT00000002": frozenset({"NCT00000001"}),
    }


def test_evaluate_flag_takes_the_option(
    seed_only_store: Path, kg: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, _ = kg("similar", "--evaluate", "--adverse-events", "--store", str(seed_only_store))
    assert code == 0
    assert out.startswith("Ground truth: 0 linked pairs")


def test_evaluate_module_compares_off_and_on(
    seed_only_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kg.similarity.evaluate import main as evaluate_main

    assert evaluate_main(["--adverse-events-compare", "--store", str(seed_only_store)]) == 0
    out = capsys.readouterr().out
    assert "| jaccard | off |" in out
    assert "| jaccard | on, weights 0.5/0.2 |" in out
