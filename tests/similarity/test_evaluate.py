"""The evaluation finds its ground truth in the data and every method beats random."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.similarity.evaluate import Scores, Truth, evaluate, format_report, ground_truth


@pytest.fixture(scope="module")
def truth(shared_store: ox.Store) -> Truth:
    """The linked pairs of the shared records."""
    return ground_truth(shared_store)


@pytest.fixture(scope="module")
def figures(shared_store: ox.Store) -> tuple[Truth, dict[str, Scores], int]:
    """The full evaluation on the shared store."""
    return evaluate(shared_store)


def test_trials_citing_the_same_pmid_are_linked(truth: Truth) -> None:
    assert "NCT04469387" in truth.links["NCT04467944"]
    assert "NCT04467944" in truth.links["NCT04469387"]


def test_nct_id_cited_in_a_description_is_a_link(truth: Truth) -> None:
    assert "NCT06972459" in truth.links["NCT06993792"]


def test_seed_related_trials_outside_the_store_are_not_links(truth: Truth) -> None:
    assert "NCT03737461" not in truth.links


def test_every_method_beats_random_by_a_wide_margin(
    figures: tuple[Truth, dict[str, Scores], int],
) -> None:
    _, results, _ = figures
    random = results["random"]
    for name in ("jaccard", "cosine", "pagerank"):
        assert results[name].recall10 > 10 * random.recall10
        assert results[name].mrr > 10 * random.mrr


def test_random_baseline_is_the_exact_expectation(
    figures: tuple[Truth, dict[str, Scores], int],
) -> None:
    _, results, trials = figures
    assert results["random"].recall10 == pytest.approx(10 / (trials - 1))


def test_report_is_a_markdown_table(figures: tuple[Truth, dict[str, Scores], int]) -> None:
    report = format_report(*figures)
    assert "| ranker | recall@5 | recall@10 | MRR | recall@10 vs random |" in report
    assert "| same condition |" in report
