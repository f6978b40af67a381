"""Methods: symmetric where they should be, in [0, 1], deterministic, and equal to networkx."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from kg.similarity import methods
from kg.similarity.features import FeatureMatrix
from kg.similarity.methods import (
    Method,
    feature_graph,
    networkx_scores,
    pair_scores,
    top_k,
    top_k_all,
)

SEED = "NCT03737461"
SAMPLE = range(0, 708, 37)


@pytest.mark.parametrize("method", [Method.JACCARD, Method.COSINE])
def test_overlap_scores_are_symmetric(shared_features: FeatureMatrix, method: Method) -> None:
    for a in SAMPLE:
        nb = top_k(shared_features, a, 5, method)
        for b, score in zip(nb.targets, nb.scores, strict=True):
            back = pair_scores(shared_features, int(b), np.array([a]), method)[0]
            assert back == score


@pytest.mark.parametrize("method", list(Method))
def test_scores_lie_in_unit_interval(shared_features: FeatureMatrix, method: Method) -> None:
    for nb in top_k_all(shared_features, 10, method, rows=np.array(list(SAMPLE))):
        assert np.all((nb.scores > 0) & (nb.scores <= 1))


@pytest.mark.parametrize("method", list(Method))
def test_scores_are_ranked_best_first(shared_features: FeatureMatrix, method: Method) -> None:
    nb = top_k(shared_features, shared_features.index(SEED) or 0, 10, method)
    assert list(nb.scores) == sorted(nb.scores, reverse=True)
    assert len(nb.targets) == 10


@pytest.mark.parametrize("method", [Method.JACCARD, Method.COSINE])
def test_all_pairs_top_k_equals_one_by_one(shared_features: FeatureMatrix, method: Method) -> None:
    every = {nb.source: nb for nb in top_k_all(shared_features, 10, method)}
    for row in SAMPLE:
        one = top_k(shared_features, row, 10, method)
        assert list(every[row].targets) == list(one.targets)
        assert list(every[row].scores) == list(one.scores)


@pytest.mark.parametrize("method", [Method.JACCARD, Method.COSINE])
def test_fast_mode_finds_the_same_answers_on_the_shared_records(
    shared_features: FeatureMatrix, method: Method
) -> None:
    fast = list(top_k_all(shared_features, 10, method, exact=False))
    exact = list(top_k_all(shared_features, 10, method))
    assert [list(n.targets) for n in fast] == [list(n.targets) for n in exact]


def test_all_pairs_stays_exact_when_most_features_count_as_common(
    shared_features: FeatureMatrix, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(methods, "_PAIR_BUDGET", 1)  # nearly every feature goes the slow way
    every = {nb.source: nb for nb in top_k_all(shared_features, 10, Method.JACCARD, batch=100)}
    for row in SAMPLE:
        assert list(every[row].targets) == list(top_k(shared_features, row, 10).targets)


@pytest.mark.parametrize("method", list(Method))
def test_pagerank_batches_equal_single_queries(
    shared_features: FeatureMatrix, method: Method
) -> None:
    rows = np.array(list(SAMPLE)[:6])
    batch = list(top_k_all(shared_features, 10, method, rows=rows, batch=3))
    for nb in batch:
        assert list(nb.targets) == list(top_k(shared_features, nb.source, 10, method).targets)


def test_ties_break_by_nct_id(make_matrix: Callable[[dict[str, list[str]]], FeatureMatrix]) -> None:
    fm = make_matrix(
        {"NCT00000003": ["x", "y"], "NCT00000001": ["x", "y"], "NCT00000002": ["x", "y"],
         "NCT00000009": ["z"], "NCT00000008": ["z"]}
    )
    nb = top_k(fm, fm.index("NCT00000003") or 0, 5)
    assert [fm.trials[t] for t in nb.targets] == ["NCT00000001", "NCT00000002"]


def test_answers_are_deterministic(shared_features: FeatureMatrix) -> None:
    first = list(top_k_all(shared_features, 10, Method.COSINE, rows=np.array([1, 2, 3])))
    again = list(top_k_all(shared_features, 10, Method.COSINE, rows=np.array([1, 2, 3])))
    assert [list(n.targets) for n in first] == [list(n.targets) for n in again]


def test_trial_without_shared_features_has_no_neighbours(
    make_matrix: Callable[[dict[str, list[str]]], FeatureMatrix],
) -> None:
    fm = make_matrix({"NCT00000001": ["a"], "NCT00000002": ["b"], "NCT00000003": ["b"]})
    for method in Method:
        assert len(top_k(fm, 0, 5, method).targets) == 0


@pytest.mark.parametrize("method", [Method.JACCARD, Method.COSINE])
def test_sparse_scores_equal_networkx_pairwise(
    shared_features: FeatureMatrix, method: Method
) -> None:
    graph = feature_graph(shared_features)
    for row in (shared_features.index(SEED) or 0, 5, 400):
        reference = networkx_scores(graph, shared_features.trials[row], method)
        nb = top_k(shared_features, row, len(shared_features.trials), method)
        mine = {shared_features.trials[t]: s for t, s in zip(nb.targets, nb.scores, strict=True)}
        assert mine.keys() == reference.keys()
        assert all(abs(mine[t] - reference[t]) < 1e-8 for t in mine)


def test_pagerank_agrees_with_networkx(shared_features: FeatureMatrix) -> None:
    graph = feature_graph(shared_features)
    row = shared_features.index(SEED) or 0
    reference = networkx_scores(graph, SEED, Method.PAGERANK)
    best = sorted(reference, key=lambda t: (-reference[t], t))[:10]
    nb = top_k(shared_features, row, 10, Method.PAGERANK)
    mine = [shared_features.trials[t] for t in nb.targets]
    assert mine[:2] == best[:2]
    assert len(set(mine) & set(best)) >= 9
    assert all(abs(s - reference[t]) < 1e-4 for t, s in zip(mine, nb.scores, strict=True))


def test_pagerank_is_a_probability(shared_features: FeatureMatrix) -> None:
    nb = top_k(shared_features, 0, 708, Method.PAGERANK)
    assert 0 < nb.scores.sum() <= 1
