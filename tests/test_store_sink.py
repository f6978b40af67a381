"""The store sink: a new store is streamed into while the build runs, and is all or nothing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.answers import ANSWERS_GRAPH
from kg.build import build
from kg.errors import InputError
from kg.ontology import ONTOLOGY_GRAPH
from kg.sinks import FileSink, StoreSink
from kg.sinks import store as store_module
from kg.stats import STATS_GRAPH
from kg.terms import DEFAULT_BASE
from kg.void_counts import VOID_GRAPH

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
G = "<https://w3id.org/trialkg/graph/NCT00000001>"
LINE = f'<https://w3id.org/trialkg/trial/NCT00000001> <http://schema.org/name> "{{}}" {G} .\n'


def trial_quads(path: Path) -> set[ox.Quad]:
    store = ox.Store.read_only(str(path))
    not_trials = (ONTOLOGY_GRAPH, STATS_GRAPH, ANSWERS_GRAPH, VOID_GRAPH)
    derived = {ox.NamedNode(g) for g in not_trials}
    return {q for q in store if q.graph_name not in derived}


def _figures(path: Path) -> set[ox.Quad]:
    store = ox.Store.read_only(str(path))
    return set(store.quads_for_pattern(None, None, None, ox.NamedNode(VOID_GRAPH)))


def test_streamed_and_spooled_loads_hold_the_same_quads(
    tmp_path: Path, ctgov_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = [str(SEED), str(ctgov_dir / "NCT00000410.json"), str(ctgov_dir / "NCT00000125.xml")]
    streamed = tmp_path / "streamed"
    build(inputs, StoreSink(streamed), base=DEFAULT_BASE)
    monkeypatch.setattr(store_module, "_FD_DIR", tmp_path / "no-such-folder")
    spooled = tmp_path / "spooled"
    sink = StoreSink(spooled)
    assert not sink._stream  # the fallback: spool, then one bulk load
    build(inputs, sink, base=DEFAULT_BASE)
    nq = tmp_path / "g.nq"
    build(inputs, FileSink(nq), base=DEFAULT_BASE)
    reference = ox.Store()  # a store, as it canonicalises literals ("0.50" -> "0.5" decimals)
    reference.load(path=nq, format=ox.RdfFormat.N_QUADS)
    expected = set(reference)
    assert trial_quads(streamed) == trial_quads(spooled) == expected
    assert len(expected) > 1000
    assert _figures(streamed) == _figures(spooled) and _figures(streamed)  # the same figures


def test_the_last_text_of_a_graph_wins_when_streaming(tmp_path: Path) -> None:
    path = tmp_path / "store"
    sink = StoreSink(path)
    sink.add(G, LINE.format("first source"))
    sink.replace(G, LINE.format("merged"))
    sink.commit()
    names = [q.object.value for q in trial_quads(path)]
    assert names == ["merged"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no spool, no temp store


def test_a_failed_load_leaves_no_store_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "store"
    sink = StoreSink(path)
    sink.add(G, LINE.format("fine"))
    sink.add(G, "<not n-quads\n")
    with pytest.raises(InputError, match=r"store: loading the store failed: .*line 2"):
        sink.commit()
    assert list(tmp_path.iterdir()) == []


def test_an_aborted_build_leaves_nothing(tmp_path: Path) -> None:
    sink = StoreSink(tmp_path / "store")
    sink.add(G, LINE.format("fine"))
    sink.abort()
    assert list(tmp_path.iterdir()) == []


def test_an_empty_build_still_makes_a_store_with_the_ontology(tmp_path: Path) -> None:
    path = tmp_path / "store"
    StoreSink(path).commit()
    store = ox.Store.read_only(str(path))
    assert store.contains_named_graph(ox.NamedNode(ONTOLOGY_GRAPH))
    assert not trial_quads(path)
