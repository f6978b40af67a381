"""Fixtures of the publication tests: the recorded server, stores, and no network at all.

Every test of this folder runs with sockets refused to any host but the loopback one, and with
$KG_EUTILS_URL and $KG_CROSSREF_URL pointing at 127.0.0.1.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pubserver import GAP_RECORDS, REPO, SEED, Recorded, loopback_only, serving

from kg.build import build
from kg.cli.publications import fetch_publications
from kg.sinks import StoreSink

# --- no network ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection and name lookup beyond the loopback interface."""
    loopback_only(monkeypatch)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorded]:
    """Start the recorded server and point $KG_EUTILS_URL and $KG_CROSSREF_URL at it."""
    with serving(monkeypatch) as api:
        yield api


# --- stores -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _seed_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pub-seed") / "store"
    build([str(SEED)], StoreSink(path))
    return path


@pytest.fixture
def seed_store_path(_seed_store_template: Path, tmp_path: Path) -> Path:
    """A store of the seed trial, this test's own copy (tests write to it)."""
    path = tmp_path / "store"
    shutil.copytree(_seed_store_template, path)
    return path


@pytest.fixture(scope="session")
def _gap_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ctgov = REPO.parent / "shared" / "data" / "ctgov"
    records = [str(ctgov / f"{nct}.json") for nct in GAP_RECORDS]
    path = tmp_path_factory.mktemp("pub-gap") / "store"
    build([str(SEED), *records], StoreSink(path))
    return path


@pytest.fixture
def gap_store_path(_gap_store_template: Path, tmp_path: Path) -> Path:
    """A store of the seed and five completed shared trials, this test's own copy."""
    path = tmp_path / "gap-store"
    shutil.copytree(_gap_store_template, path)
    return path


@pytest.fixture(scope="session")
def linked_gap_store(_gap_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gap store once linked (the report tests only read it)."""
    path = tmp_path_factory.mktemp("linked-gap") / "store"
    shutil.copytree(_gap_store_template, path)
    with pytest.MonkeyPatch.context() as mp:
        loopback_only(mp)
        mp.setenv("NCBI_API_KEY", "test-key")
        with serving(mp):
            fetch_publications(None, store=path, cache=None)
    return path
