"""kg void's figures kept with the store (kg.void_counts): counted by every build, moved by every
write, and always those of a plain reading of every quad (tests/void_support.py); where kg cannot
keep them exact it keeps none, and kg void counts the store.

The updates (adding, replacing, keeping, re-adding trials, any sequence of them) are checked in
tests/test_stats_updates.py, kg fetch-publications' alias moves in
tests/publications/test_publication_identity.py and kg reindex in tests/test_indexed_formats.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from void_support import counted_by_reading

import kg.publish.void as void
from kg.build import build
from kg.publish.void import collect_statistics, count_statistics, describe_dataset
from kg.reindex import reindex
from kg.sinks import StoreSink, open_store
from kg.terms import DEFAULT_BASE
from kg.void_counts import VOID_GRAPH, Tally, count_graph, read

SEED = Path(__file__).resolve().parents[1] / "data" / "000_9a170ffc83e8bfff.txt"


def _kept(store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> void.Statistics:
    """The figures as kg void reads them, with counting the store made impossible."""

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the store was counted: its figures were not used")

    with monkeypatch.context() as patched:
        patched.setattr(void, "count_statistics", never)
        return collect_statistics(store, DEFAULT_BASE)


def test_a_new_stores_figures_are_kept_and_are_those_of_reading_every_quad(
    shared_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seed (a web page naming five related trials by their own IRIs) and every shared
    record, built by the workers: the kept figures, read without counting, equal the reading."""
    assert read(shared_store) is not None
    got = _kept(shared_store, monkeypatch)
    assert got == counted_by_reading(shared_store, DEFAULT_BASE)
    assert got.triples > 1_000_000 and got.subjects > 100_000 and len(got.examples) == 5


def test_the_description_is_the_same_from_the_figures_as_counted(shared_store: ox.Store) -> None:
    kept = describe_dataset(shared_store, DEFAULT_BASE)
    counted = describe_dataset(
        shared_store, DEFAULT_BASE, statistics=count_statistics(shared_store, DEFAULT_BASE)
    )
    assert sorted(map(str, kept)) == sorted(map(str, counted))


def _versions(folder: Path, ctgov_dir: Path, nct: str) -> list[Path]:
    """Two records of one trial (the second with another title and site city): a merge."""
    doc = json.loads((ctgov_dir / f"{nct}.json").read_text("utf-8"))
    other = copy.deepcopy(doc)
    proto = other["protocolSection"]
    proto["identificationModule"]["briefTitle"] = "Another title of the same trial"
    proto["contactsLocationsModule"]["locations"][0]["city"] = "Elsewhere"
    out = []
    for n, record in enumerate((doc, other)):
        path = folder / f"{nct}-{n}.json"
        path.write_text(json.dumps(record), "utf-8")
        out.append(path)
    return out


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_trial_merged_from_two_records_is_counted_once(
    tmp_path: Path, ctgov_dir: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first record's graph is replaced by the merged one: its counts are taken back."""
    inputs = [
        *_versions(tmp_path, ctgov_dir, "NCT04638790"),
        ctgov_dir / "NCT04757038.json",
        SEED,
    ]
    build([str(p) for p in inputs], StoreSink(tmp_path / "store"), base=DEFAULT_BASE, jobs=jobs)
    store = open_store(tmp_path / "store")
    assert read(store) is not None
    assert _kept(store, monkeypatch) == counted_by_reading(store, DEFAULT_BASE)


def test_a_synthetic_registry_built_by_two_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.synth import load_params, write_zip

    zipped = write_zip(tmp_path / "synth.zip", load_params(), 80, seed=11)
    build([str(zipped)], StoreSink(tmp_path / "store"), base=DEFAULT_BASE, jobs=2)
    store = open_store(tmp_path / "store")
    assert _kept(store, monkeypatch) == counted_by_reading(store, DEFAULT_BASE)


def _small_store(tmp_path: Path, ctgov_dir: Path) -> Path:
    path = tmp_path / "store"
    records = ("NCT04638790", "NCT04757038", "NCT05142982")
    build([str(ctgov_dir / f"{n}.json") for n in records], StoreSink(path), base=DEFAULT_BASE)
    return path


def test_a_graph_another_program_wrote_makes_kg_void_count_and_reindex_keep_again(
    tmp_path: Path, ctgov_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _small_store(tmp_path, ctgov_dir)
    store = ox.Store(str(path))
    store.add(
        ox.Quad(
            ox.NamedNode("https://example.org/thing"),
            ox.NamedNode("http://schema.org/name"),
            ox.Literal("written by another program"),
            ox.NamedNode("https://example.org/graph"),
        )
    )
    assert read(store) is None  # counted for another number of graphs: not used
    assert collect_statistics(store, DEFAULT_BASE) == counted_by_reading(store, DEFAULT_BASE)
    reindex(store)  # counts them once and keeps them
    assert read(store) is not None
    assert _kept(store, monkeypatch) == counted_by_reading(store, DEFAULT_BASE)


def test_an_update_too_large_to_track_drops_the_figures(
    tmp_path: Path, ctgov_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.sinks.store as sink
    import kg.void_counts as counts

    path = _small_store(tmp_path, ctgov_dir)
    monkeypatch.setattr(counts, "MOVE_LIMIT", 100)
    monkeypatch.setattr(sink, "MOVE_LIMIT", 100)
    build([str(ctgov_dir / "NCT03064438.json")], StoreSink(path), base=DEFAULT_BASE)
    store = open_store(path)
    assert not store.contains_named_graph(ox.NamedNode(VOID_GRAPH))  # never a stale figure
    assert collect_statistics(store, DEFAULT_BASE) == counted_by_reading(store, DEFAULT_BASE)


def test_another_uri_space_is_counted(
    tmp_path: Path, ctgov_dir: Path
) -> None:
    store = open_store(_small_store(tmp_path, ctgov_dir))
    elsewhere = "https://example.org/elsewhere/"
    assert read(store) is not None
    got = collect_statistics(store, elsewhere)
    assert got == counted_by_reading(store, elsewhere) and got.entities == 0


def test_a_graph_with_a_blank_node_keeps_no_figures(tmp_path: Path) -> None:
    graph = f"<{DEFAULT_BASE}graph/NCT00000001>"
    trial = f"<{DEFAULT_BASE}trial/NCT00000001>"
    name = "<http://schema.org/name>"
    plain = count_graph(graph, [(trial, name, '"A trial"')], DEFAULT_BASE)
    blank = count_graph(graph, [(trial, "<http://schema.org/funder>", "_:b0")], DEFAULT_BASE)
    assert not plain.unsure and plain.own == ((name[1:-1], 1),) and blank.unsure
    tally = Tally(tmp_path, DEFAULT_BASE)
    tally.add(graph, plain)
    tally.add(f"<{DEFAULT_BASE}graph/NCT00000002>", blank)
    assert tally.counts(ox.Store()) is None
