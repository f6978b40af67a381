"""After ``kg fetch-publications`` the answers graph counts the links, PubMed types and aliases it
wrote: the five sponsor and publication aggregates give the scans' rows on a linked store.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from test_answers import answer_cases, compare
from test_stats_updates import _watch_recounts

from kg.answers import compute
from kg.cli.publications import fetch_publications
from kg.sinks import open_store
from kg.stats import STATS_GRAPH, stats_nquads
from kg.stats import compute as stats_compute


def _differs(before: Path, after: Path) -> bool:
    """Whether linking changed any of the five queries' rows (else the test proves little)."""
    return compute(open_store(before)) != compute(open_store(after))


def test_the_answers_give_the_scans_rows_after_linking(
    linked_gap_store: Path, gap_store_path: Path
) -> None:
    store = open_store(linked_gap_store)
    links = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?t <https://w3id.org/trialkg/ontology#"
        "publicationLink> ?l } }"
    )
    assert isinstance(links, ox.QuerySolutions)
    assert int(next(iter(links))["n"].value) > 0  # type: ignore[union-attr]
    for name, params in answer_cases():
        compare(store, name, params)
    assert _differs(gap_store_path, linked_gap_store)


def test_the_statistics_after_linking_are_a_recount_of_the_store(linked_gap_store: Path) -> None:
    """kg fetch-publications moves the stored statistics (no recount): they equal a recount."""
    store = open_store(linked_gap_store)
    graph = ox.NamedNode(STATS_GRAPH)
    stored = set(store.quads_for_pattern(None, None, None, graph))
    fresh = ox.Store()
    fresh.bulk_load("".join(stats_nquads(stats_compute(store))).encode(), ox.RdfFormat.N_QUADS)
    assert stored == set(fresh.quads_for_pattern(None, None, None, graph))
    classes = [q for q in stored if q.predicate.value.endswith("#countedClass")]
    assert any(q.object.value.endswith("ScholarlyArticle") for q in classes)  # type: ignore[union-attr]


def test_linking_moves_the_statistics_without_a_recount(
    gap_store_path: Path, recorded: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kg fetch-publications is an update like any other: no recount, and a recount's result."""
    monkeypatch.setenv("NCBI_API_KEY", "test-key")
    recounts = _watch_recounts(monkeypatch)
    fetch_publications(None, store=gap_store_path, cache=None)
    assert recounts == []
    test_the_statistics_after_linking_are_a_recount_of_the_store(gap_store_path)
