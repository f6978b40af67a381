"""``kg validate --endpoint`` finds what ``kg validate --store`` finds, however small the endpoint's
row cap: each trial graph is read on its own and whole (in pages), so no cap cuts a trial.

The store: the seed page and two shared records, one of which lost its trial's name (a
violation); warnings and cross-trial findings come from the records themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from engines import KgServe

from kg.build import build
from kg.sinks import StoreSink, open_store
from kg.terms import DEFAULT_BASE
from kg.validate import Report, Severity, validate_endpoint, validate_store

RECORDS = ["NCT05774483.json", "NCT03934658.json"]
BROKEN = "NCT03934658"
CAP = 100


@pytest.fixture(scope="module")
def small_store(
    tmp_path_factory: pytest.TempPathFactory, seed_path: Path, ctgov_dir: Path
) -> Path:
    path = tmp_path_factory.mktemp("validate-endpoint") / "store"
    build([str(seed_path), *(str(ctgov_dir / r) for r in RECORDS)], StoreSink(path),
          base=DEFAULT_BASE, jobs=1)
    store = ox.Store(str(path))
    trial, graph = (ox.NamedNode(f"{DEFAULT_BASE}{kind}/{BROKEN}") for kind in ("trial", "graph"))
    name = ox.NamedNode("http://schema.org/name")
    names = list(store.quads_for_pattern(trial, name, None, graph))
    assert names
    for quad in names:
        store.remove(quad)
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def capped_server(small_store: Path) -> Iterator[KgServe]:
    server = KgServe(small_store, max_rows=CAP).start()
    yield server
    server.stop()


def _summary(report: Report) -> tuple[int, dict[object, int], dict[object, set[str]]]:
    return report.trials, dict(report.per_shape), dict(report.failing)


def test_validating_an_endpoint_with_a_small_cap_finds_what_the_store_finds(
    small_store: Path, capped_server: KgServe
) -> None:
    store = open_store(small_store)
    sizes = [sum(1 for _ in store.quads_for_pattern(None, None, None, g))
             for g in store.named_graphs()]
    assert max(sizes) > 5 * CAP  # every trial graph is larger than one answer of the endpoint
    local = validate_store(store)
    del store
    remote = validate_endpoint(capped_server.query_url)
    assert _summary(remote) == _summary(local)
    assert local.trials == 3
    assert local.failing[Severity.VIOLATION] == {BROKEN}
    violations = {shape for (severity, shape) in local.per_shape if severity is Severity.VIOLATION}
    assert violations == {"https://w3id.org/trialkg/shapes#TrialName"}
    assert local.count(Severity.WARNING) > 0
