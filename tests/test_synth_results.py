"""Synthetic results sections: at the shared records' rate and sizes, every module, read by kg."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from kg.mapping import map_trial
from kg.sources.ctgov_json import parse_study
from kg.synth import Generator, load_params

CTGOV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ctgov"
MODULES = {
    "participantFlowModule",
    "baselineCharacteristicsModule",
    "outcomeMeasuresModule",
    "adverseEventsModule",
    "moreInfoModule",
}
N = 800


def _sizes(sections: list[dict[str, object]]) -> list[int]:
    return [len(json.dumps(s, indent=2)) for s in sections]


@pytest.fixture(scope="module")
def synthetic() -> list[dict[str, object]]:
    return list(Generator(load_params(), seed=3).studies(N))


@pytest.fixture(scope="module")
def real() -> list[dict[str, object]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(CTGOV.glob("*.json"))]


def test_the_share_of_trials_with_results_is_the_shared_records(
    synthetic: list[dict[str, object]], real: list[dict[str, object]]
) -> None:
    share = sum("resultsSection" in s for s in synthetic) / len(synthetic)
    real_share = sum("resultsSection" in s for s in real) / len(real)
    assert abs(share - real_share) < 0.025  # 800 draws: about 2 standard errors


def test_results_sections_are_of_the_shared_records_sizes(
    synthetic: list[dict[str, object]], real: list[dict[str, object]]
) -> None:
    made = _sizes([s["resultsSection"] for s in synthetic if "resultsSection" in s])
    seen = _sizes([s["resultsSection"] for s in real if "resultsSection" in s])
    assert 0.6 < statistics.median(made) / statistics.median(seen) < 1.6
    assert 0.6 < statistics.mean(made) / statistics.mean(seen) < 1.6


def test_every_synthetic_results_section_has_every_module_and_maps(
    synthetic: list[dict[str, object]],
) -> None:
    with_results = [s for s in synthetic if "resultsSection" in s]
    assert with_results
    for study in with_results[:10]:
        section = study["resultsSection"]
        assert isinstance(section, dict) and set(section) == MODULES
        trial = parse_study(study, "synthetic.json")
        assert trial.results is not None and trial.results.adverse_events is not None
        predicates = {p for _, p, _ in map_trial(trial)}
        assert "<https://w3id.org/trialkg/ontology#flowMilestone>" in predicates
        assert "<https://w3id.org/trialkg/ontology#analysis>" in predicates or not any(
            "analyses" in m
            for m in section["outcomeMeasuresModule"]["outcomeMeasures"]  # type: ignore[index]
        )
