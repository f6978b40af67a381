"""A new store's statistics summed as records arrive (kg.stats_tally); merged trials taken back."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import MapOptions, Mapped, build, map_document
from kg.sinks import StoreSink
from kg.sinks import store as store_module
from kg.sources import iter_input_files
from kg.stats import STATS_GRAPH, GraphCounts, Statistics, compute, stats_nquads
from kg.stats_tally import Tally
from tests.test_merge import api_record

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"


def _counts(ctgov_dir: Path, n: int) -> list[GraphCounts]:
    files = sorted(ctgov_dir.iterdir())[:n]
    out: list[GraphCounts] = []
    for doc in iter_input_files([str(f) for f in files]):
        for item in map_document(doc, MapOptions()):
            if isinstance(item, Mapped) and item.counts is not None:
                out.append(item.counts)
    return out


def _summed(counts: list[GraphCounts]) -> Statistics:
    stats = Statistics()
    for c in counts:
        stats.add(c)
    return stats


def test_sums_less_some_graphs_equal_the_sums_of_the_rest(ctgov_dir: Path) -> None:
    counts = _counts(ctgov_dir, 120)
    assert len(counts) >= 100
    assert sum(len(c.cities) for c in counts) > 200  # sites in many cities, shared ones too
    rng = random.Random(15)  # noqa: S311 - a fixed sample, not a secret
    for _ in range(5):
        taken = set(rng.sample(range(len(counts)), 40))
        tally = Tally()
        for c in counts:
            tally.add(c)
        for i in sorted(taken):
            tally.remove(counts[i])
        kept = [c for i, c in enumerate(counts) if i not in taken]
        assert tally.statistics() == _summed(kept)
        assert tally.statistics() != _summed(counts)
    tally = Tally()
    for c in counts:
        tally.add(c)
    for c in reversed(counts):
        tally.remove(c)
    assert tally == Tally()  # nothing is left behind


def _stats_quads(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, ox.NamedNode(STATS_GRAPH)))


def _recounted(store: ox.Store) -> set[ox.Quad]:
    fresh = ox.Store()
    fresh.load("".join(stats_nquads(compute(store))).encode(), ox.RdfFormat.N_QUADS)
    return {ox.Quad(q.subject, q.predicate, q.object, q.graph_name) for q in fresh}


@pytest.mark.parametrize("stream", [True, False])
def test_a_new_store_with_a_merged_trial_takes_its_first_counts_back(
    tmp_path: Path, ctgov_dir: Path, monkeypatch: pytest.MonkeyPatch, stream: bool
) -> None:
    api = tmp_path / "NCT03737461.json"
    api.write_text(json.dumps(api_record()), "utf-8")
    if not stream:
        monkeypatch.setattr(store_module, "_FD_DIR", tmp_path / "no-such-folder")
    given: list[object] = []
    whole = store_module.refresh_stats

    def watched(store: ox.Store, counted: object = None) -> object:
        given.append(counted)
        return whole(store, counted)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "refresh_stats", watched)
    others = sorted(ctgov_dir.glob("*.json"))[:3]
    path = tmp_path / "store"
    sink = StoreSink(path)
    assert sink.sums and sink._stream is stream
    report = build([str(SEED), *map(str, others), str(api)], sink)
    assert (report.records, report.merged, report.errors) == (1 + len(others), 1, [])
    (counted,) = given
    assert isinstance(counted, Statistics)  # the build's own sums, not a recount
    store = ox.Store.read_only(str(path))
    held = _stats_quads(store)
    assert held == _recounted(store)
    # the merged trial's lead sponsor is counted once, from the merged graph (the api record's)
    assert counted.trial_graphs == 1 + len(others)


def test_a_replaced_graph_without_its_first_counts_taken_back_is_recounted(
    tmp_path: Path,
) -> None:
    graph = "<https://w3id.org/trialkg/graph/NCT00000001>"
    trial = "<https://w3id.org/trialkg/trial/NCT00000001>"
    text = f'{trial} <http://schema.org/name> "x" {graph} .\n'
    sink = StoreSink(tmp_path / "store")
    sink.count(graph, GraphCounts(trial_graph=True))
    sink.add(graph, text)
    assert sink._counted() is not None
    sink.count(graph, GraphCounts(trial_graph=True))
    sink.replace(graph, text)  # no uncount: the sums would hold the graph twice
    assert sink._counted() is None
    sink.abort()
