"""Fixtures of the similarity tests: the shared store's features (read once) and tiny matrices."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.similarity.features import Family, Feature, FeatureMatrix, TrialFeature, load_features

SEED = "NCT03737461"
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="session")
def shared_features(shared_store: ox.Store) -> FeatureMatrix:
    """Every trial's features in the store of the seed plus the shared records."""
    return load_features(shared_store)


def _feature(family: Family, value: str) -> Feature:
    return Feature(family, f"{family}:{value}", value)


def _tiny(pairs: dict[str, list[str]]) -> FeatureMatrix:
    return FeatureMatrix.build(
        (TrialFeature(nct, _feature(Family.CONDITION, c)) for nct, cs in pairs.items() for c in cs),
        pairs,
        titles={nct: f"Trial {nct[-2:]}" for nct in pairs},
    )


@pytest.fixture
def make_matrix() -> Callable[[dict[str, list[str]]], FeatureMatrix]:
    """Build a matrix from trial -> condition names (each a feature of the condition family)."""
    return _tiny


@pytest.fixture(scope="session")
def seed_only_store(tmp_path_factory: pytest.TempPathFactory, seed_nq: Path) -> Path:
    """An on-disk store holding the seed alone: nothing to share a feature with."""
    path = tmp_path_factory.mktemp("seed-only") / "store"
    store = ox.Store(str(path))
    store.bulk_load(path=str(seed_nq), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    return path


@pytest.fixture
def kg(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``kg`` through its real entry point: exit code, stdout, stderr."""

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["kg", *args])
        with pytest.raises(SystemExit) as exit_:
            main()
        out = capsys.readouterr()
        code = exit_.value.code
        return (code if isinstance(code, int) else 1), out.out, out.err

    return run
