"""Features come from the graph, weighted by rarity, never from identifiers or asserted links."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kg.similarity.features import Family, FeatureMatrix, text_terms

SEED = "NCT03737461"
SEED_RELATED = ("NCT04759105", "NCT05066334", "NCT01290367", "NCT03692221", "NCT03712527")


def _keys(fm: FeatureMatrix, nct: str) -> set[str]:
    row = fm.index(nct)
    assert row is not None
    return {fm.features[c].key for c in fm.row_features(row)}


def test_text_terms_drop_nct_ids_and_numbers() -> None:
    assert text_terms("See NCT01234567 and 2019 results") == ["see"]


def test_text_terms_fold_case_accents_and_plurals() -> None:
    assert text_terms("Lésions DISCS") == ["lesion", "disc", "lesion disc"]


def test_seed_page_without_conditions_has_title_terms(shared_features: FeatureMatrix) -> None:
    keys = _keys(shared_features, SEED)
    assert not any(k.startswith(f"{Family.CONDITION}:") for k in keys)
    assert {"term:low back", "term:degenerative disc", "term:intradiscal"} <= keys


def test_seed_features_include_sponsors_sites_countries_and_design(
    shared_features: FeatureMatrix,
) -> None:
    families = {k.split(":", 1)[0] for k in _keys(shared_features, SEED)}
    expected = {"sponsor", "site", "country", "phase", "design", "sex", "age", "intervention"}
    assert expected <= families


def test_related_trials_and_own_identifiers_are_never_features(
    shared_features: FeatureMatrix,
) -> None:
    text = " ".join(f.key for f in shared_features.features)
    assert not any(nct.lower() in text.lower() for nct in (SEED, *SEED_RELATED))


def test_trials_only_listed_as_related_have_no_row(shared_features: FeatureMatrix) -> None:
    assert all(shared_features.index(nct) is None for nct in SEED_RELATED)


def test_every_record_is_a_row(shared_features: FeatureMatrix) -> None:
    assert len(shared_features.trials) == 708
    assert list(shared_features.trials) == sorted(shared_features.trials)


def test_feature_of_one_trial_weighs_nothing(
    make_matrix: Callable[[dict[str, list[str]]], FeatureMatrix],
) -> None:
    fm = make_matrix({"NCT00000001": ["a", "b"], "NCT00000002": ["a"], "NCT00000003": ["c"]})
    weights = {f.label: w for f, w in zip(fm.features, fm.weights, strict=True)}
    assert weights["b"] == 0.0
    assert weights["a"] > 0.0


def test_rarer_feature_weighs_more(
    make_matrix: Callable[[dict[str, list[str]]], FeatureMatrix],
) -> None:
    fm = make_matrix(
        {"NCT00000001": ["common", "rare"], "NCT00000002": ["common", "rare"],
         "NCT00000003": ["common"], "NCT00000004": ["common"]}
    )
    weights = {f.label: w for f, w in zip(fm.features, fm.weights, strict=True)}
    assert weights["rare"] > weights["common"]


def test_without_drops_a_family(shared_features: FeatureMatrix) -> None:
    fm = shared_features.without([Family.PUBLICATION])
    assert not any(f.family is Family.PUBLICATION for f in fm.features)
    assert fm.trials == shared_features.trials


def test_shared_node_features_have_labels(shared_features: FeatureMatrix) -> None:
    shared = np.flatnonzero(shared_features.df >= 2)
    assert all(shared_features.features[c].label for c in shared)
