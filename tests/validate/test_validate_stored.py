"""Trials read from an on-disk store by the worker processes give the findings read here give.

``validate_store(..., path=DIR)`` sends the workers graph names only; each opens the store
read-only and reads its own trials. The findings must equal those of the same trials read by this
process (one process) and of the same trials sent as N-Quads text (a store in memory, 2 processes).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_validate_batch import LATITUDE
from validate_support import NCT, RECORD, mapped_quads, store_of

from kg.terms import DEFAULT_BASE
from kg.validate import Finding, StoredTrial, TrialGraph, iter_store_trials, validate_store
from kg.validate._units import read_unit

DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


@pytest.fixture(scope="module")
def registry() -> list[ox.Quad]:
    """Forty copies of the valid record, every third with a latitude out of range."""
    geo = ox.NamedNode(f"{DEFAULT_BASE}trial/{NCT}/site/1/geo")
    quads = [q for q in mapped_quads(RECORD) if not (q.subject == geo and q.predicate == LATITUDE)]
    out = []
    for k in range(40):
        value = "123.5" if k % 3 == 0 else "43.6"
        bad = ox.Quad(geo, LATITUDE, ox.Literal(value, datatype=DECIMAL), quads[0].graph_name)
        out += _renumbered([*quads, bad], k)
    return out


def _renumbered(quads: list[ox.Quad], k: int) -> list[ox.Quad]:
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    text = text.replace(NCT.encode(), f"NCT1{k:07d}".encode())
    return list(ox.parse(text, format=ox.RdfFormat.N_QUADS))


@pytest.fixture(scope="module")
def on_disk(registry: list[ox.Quad], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("validate") / "store"
    store = ox.Store(str(path))
    store.extend(registry)
    store.flush()
    del store
    return path


def _findings(store: ox.Store, **options: object) -> Counter[Finding]:
    found: list[Finding] = []
    report = validate_store(store, cross_trial=False, on_findings=found.extend, **options)  # type: ignore[arg-type]
    assert report.trials == 40
    return Counter(found)


def test_workers_reading_the_store_find_what_one_process_finds(
    registry: list[ox.Quad], on_disk: Path
) -> None:
    here = _findings(store_of(registry), jobs=1)
    assert sum(1 for f in here if f.shape.endswith("#GeoLatitude")) == 14
    sent_as_text = _findings(store_of(registry), jobs=2)
    read_by_workers = _findings(ox.Store.read_only(str(on_disk)), jobs=2, path=on_disk)
    read_here = _findings(ox.Store.read_only(str(on_disk)), jobs=1)
    assert sent_as_text == here
    assert read_by_workers == here
    assert read_here == here


def test_a_stored_trial_reads_the_quads_its_text_holds(on_disk: Path) -> None:
    store = ox.Store.read_only(str(on_disk))
    stored = sorted(iter_store_trials(store, stored=True), key=lambda u: u.nct_id)
    texts = sorted(iter_store_trials(store), key=lambda u: u.nct_id)
    assert len(stored) == len(texts) == 40
    assert all(isinstance(u, StoredTrial) for u in stored)
    assert all(isinstance(u, TrialGraph) for u in texts)
    for a, b in zip(stored, texts, strict=True):
        assert (a.nct_id, a.iri) == (b.nct_id, b.iri)
        assert sorted(map(str, read_unit(a, store))) == sorted(map(str, read_unit(b)))


def test_a_stored_trial_needs_a_store() -> None:
    with pytest.raises(RuntimeError, match="no store opened"):
        read_unit(StoredTrial("NCT00000001", f"{DEFAULT_BASE}trial/NCT00000001", "urn:x:g"))
