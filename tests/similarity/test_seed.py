"""The acceptance case: the seed page ranks the shared low-back-pain / disc-disease trials first."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app

SEED = "NCT03737461"
# The shared records' own condition names that say chronic low back pain or disc disease.
LBP_OR_DDD = ("back pain", "low-back pain", "degenerative disc", "disc degeneration",
              "disc disease", "disk degeneration", "discogenic")
SPINE = ("disc", "disk", "spin", "back", "lumbar", "sciatica", "radiculopathy")

_CONDITIONS = """
PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?nct ?name WHERE { ?t dcterms:identifier ?nct ; schema:healthCondition ?c .
                          ?c schema:name ?name }
"""


@pytest.fixture(scope="module")
def conditions(shared_store: ox.Store) -> dict[str, str]:
    """NCT id -> its condition names, lower case, joined."""
    out: dict[str, list[str]] = {}
    result = shared_store.query(_CONDITIONS, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    for sol in result:
        out.setdefault(sol["nct"].value, []).append(sol["name"].value.lower())
    return {k: " | ".join(v) for k, v in out.items()}


@pytest.fixture(scope="module")
def answer(shared_store_path: Path) -> str:
    """`kg similar NCT03737461 --explain` over the seed plus the shared records."""
    result = CliRunner().invoke(
        app, ["similar", SEED, "--explain", "--store", str(shared_store_path)]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def _ranked(answer: str) -> list[str]:
    return [line.split()[1] for line in answer.splitlines() if line[:4].strip().isdigit()]


def test_seed_top_five_are_low_back_pain_or_disc_disease_trials(
    answer: str, conditions: dict[str, str]
) -> None:
    top = _ranked(answer)[:5]
    assert len(top) == 5
    assert all(any(word in conditions.get(t, "") for word in LBP_OR_DDD) for t in top)


def test_seed_top_ten_are_all_spine_trials(answer: str, conditions: dict[str, str]) -> None:
    top = _ranked(answer)
    assert len(top) == 10
    assert all(any(word in conditions.get(t, "") for word in SPINE) for t in top)


def test_seed_answer_names_the_shared_features(answer: str) -> None:
    assert "term: low back" in answer
    assert "term: degenerative disc" in answer
    # The Montpellier university hospital sponsors the seed and one shared record (its name may
    # be reconciled to another spelling, so only the town is checked).
    assert any("sponsor: " in line and "Montpellier" in line for line in answer.splitlines())
    assert "intervention: sham procedure" in answer
