"""Every answer explains itself: the shared features and the part of the score each gave."""

from __future__ import annotations

import pytest

from kg.errors import UsageError
from kg.similarity.explain import explain, similar
from kg.similarity.features import FeatureMatrix
from kg.similarity.methods import Method

SEED = "NCT03737461"


@pytest.mark.parametrize("method", [Method.JACCARD, Method.COSINE, Method.PAGERANK])
def test_contributions_add_up_to_the_score(shared_features: FeatureMatrix, method: Method) -> None:
    (answer,) = similar(shared_features, [SEED], 5, method)
    for match in answer.matches:
        assert sum(s.contribution for s in match.shared) == pytest.approx(match.score, rel=1e-6)


def test_seed_matches_name_the_back_pain_and_disc_terms(shared_features: FeatureMatrix) -> None:
    (answer,) = similar(shared_features, [SEED], 5)
    labels = {s.feature.label for m in answer.matches for s in m.shared}
    assert {"low back", "degenerative disc", "back pain"} <= labels


def test_shared_features_are_listed_largest_first(shared_features: FeatureMatrix) -> None:
    (answer,) = similar(shared_features, [SEED], 1)
    parts = [s.contribution for s in answer.matches[0].shared]
    assert parts == sorted(parts, reverse=True)


def test_limit_caps_the_listed_features(shared_features: FeatureMatrix) -> None:
    (answer,) = similar(shared_features, [SEED], 3, limit=2)
    assert all(len(m.shared) == 2 for m in answer.matches)


def test_explaining_trials_sharing_nothing_gives_nothing(shared_features: FeatureMatrix) -> None:
    a = shared_features.index(SEED) or 0
    far = next(
        b for b in range(len(shared_features.trials))
        if b != a and not explain(shared_features, a, b, Method.JACCARD, 0.0)
    )
    assert explain(shared_features, a, far, Method.COSINE, 0.0) == []


def test_unknown_trial_is_a_usage_error(shared_features: FeatureMatrix) -> None:
    with pytest.raises(UsageError, match="NCT00000000"):
        similar(shared_features, ["NCT00000000"])


def test_lower_case_ids_are_accepted(shared_features: FeatureMatrix) -> None:
    (answer,) = similar(shared_features, [SEED.lower()], 1)
    assert answer.source == SEED
