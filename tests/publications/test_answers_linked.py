"""After ``kg fetch-publications`` the answers graph counts the links, PubMed types and aliases it
wrote: the five sponsor and publication aggregates give the scans' rows on a linked store.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from test_answers import answer_cases, compare

from kg.answers import compute
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
