"""The answers graph (kg.answers) gives the five sponsor and publication aggregates the scans' rows.

Each comparison first checks that the indexed variant was picked (a silent fallback cannot pass),
then compares its rows, in order, with the shipped scan's on the same store, for every value of
the parameters that changes the rows.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from test_indexed import _compare as compare

from kg.answers import ANSWERS_GRAPH, ROLES
from kg.build import build
from kg.indexed import capabilities, choose, store_ask
from kg.queries import bind_params, load_query
from kg.sinks import StoreSink, open_store
from kg.terms import DEFAULT_BASE, TKG

Params = dict[str, str]

ANSWERED = (
    "publications-per-sponsor",
    "sponsor-publications",
    "sponsor-network",
    "published-without-results",
    "trials-without-results-publication",
)


def answer_cases() -> list[tuple[str, Params]]:
    """Every answered query with each parameter value that selects other rows."""
    cases: list[tuple[str, Params]] = [("sponsor-network", {}), ("published-without-results", {})]
    for role in (*ROLES, "nobody"):
        cases.append(("publications-per-sponsor", {"role": role}))
        cases.append(("sponsor-publications", {"role": role}))
    for as_of, years, which in [
        ("2025-06-30", "2", "without"),
        ("2025-06-30", "2", "all"),
        ("2019-01-01", "0", "all"),
        ("2030-12-31", "10", "without"),
        ("today", "2", "all"),
    ]:
        cases.append(
            ("trials-without-results-publication", {"asOf": as_of, "years": years, "which": which})
        )
    return cases


def test_the_answers_give_the_scans_rows_on_the_shared_records(shared_store: ox.Store) -> None:
    assert "answers" in capabilities(store_ask(shared_store))
    sizes = {(name, tuple(p.items())): len(compare(shared_store, name, p).rows)
             for name, p in answer_cases()}
    assert all(sizes[name, ()] > 10 for name in ("sponsor-network", "published-without-results"))
    assert sizes["publications-per-sponsor", (("role", "lead"),)] > 100
    assert sizes["sponsor-publications", (("role", "collaborator"),)] > 5
    assert sizes["publications-per-sponsor", (("role", "nobody"),)] == 0


def test_the_answers_give_the_scans_rows_on_a_synthetic_registry(tmp_path: Path) -> None:
    from kg.synth import load_params, write_zip

    registry = write_zip(tmp_path / "synth.zip", load_params(), 200, seed=5)
    path = tmp_path / "store"
    build([str(registry)], StoreSink(path), base=DEFAULT_BASE)
    store = open_store(path)
    nonempty = sum(bool(compare(store, name, p).rows) for name, p in answer_cases())
    assert nonempty >= 10


def test_a_store_without_the_answers_graph_runs_the_scans(tmp_path: Path, seed_path: Path) -> None:
    path = tmp_path / "store"
    build([str(seed_path)], StoreSink(path), base=DEFAULT_BASE)
    store = ox.Store(str(path))
    store.remove_graph(ox.NamedNode(ANSWERS_GRAPH))
    assert capabilities(store_ask(store)) == {
        "statistics", "index", "index 2", "index 3", "index 4", "index 5", "index 6", "index 7",
        "index 8",
    }
    for name, params in answer_cases():
        query = load_query(name)
        assert choose(query, bind_params(query, params), store_ask(store)) is query


@pytest.mark.parametrize("kind", ["shared"])
def test_the_answers_graph_holds_no_type_and_no_schema_term(
    shared_store: ox.Store, kind: str
) -> None:
    """No scan query, class count or shape sees the answer rows."""
    quads = list(shared_store.quads_for_pattern(None, None, None, ox.NamedNode(ANSWERS_GRAPH)))
    assert len(quads) > 1000, kind
    assert all(q.predicate.value.startswith(TKG) for q in quads)
