"""trials-without-results-publication read by kg itself from the completed-row keys (kg.completed).

Every comparison is with the scan (``queries/trials-without-results-publication.rq`` run as
written), rows and order, and checks that kg did read the answer itself: whole, and by pages
(``kg query --limit``'s reader among them). Then the cases where kg must not answer: a store
without the keys (an older kg's), keys that do not fit together, a key that says ``false``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from build_support import store_copy, synthetic_store

from kg.answers import ANSWERS_GRAPH, Answers
from kg.answers_graph import completed_keys, refresh
from kg.completed import completed_page
from kg.indexed import choose, store_ask
from kg.native import native_page, native_table
from kg.queries import NamedQuery, ResultTable, bind_params, load_query, run_query
from kg.query_output import Page, read_page
from kg.sinks import open_store
from kg.terms import TKG

NAME = "trials-without-results-publication"
_KEY = ox.NamedNode(f"{TKG}completedRowsKey")
_GRAPH = ox.NamedNode(ANSWERS_GRAPH)

# Each parameter value that selects other rows, the variant's odd ones included: a day that is
# no date (no row: the cast fails), a year before 100, a negative number of years, a which that
# is neither value (as without), and today.
CASES: list[dict[str, str]] = [
    {},
    {"which": "all"},
    {"asOf": "2025-06-30"},
    {"asOf": "2025-06-30", "which": "all"},
    {"asOf": "2019-01-01", "years": "0", "which": "all"},
    {"asOf": "2030-12-31", "years": "10"},
    {"asOf": "2040-01-01", "years": "0", "which": "all"},
    {"asOf": "not a day"},
    {"asOf": "0099-01-01", "which": "all"},
    {"years": "-3", "which": "other"},
    {"asOf": "today", "years": "1", "which": "all"},
]


def _scan(store: ox.Store, params: dict[str, str]) -> ResultTable:
    query = load_query(NAME)
    return run_query(store, query, bind_params(query, params), indexed=False)


def _chosen(
    store: ox.Store, params: dict[str, str]
) -> tuple[NamedQuery, dict[ox.Variable, object]]:
    query = load_query(NAME)
    bindings = bind_params(query, params)
    chosen = choose(query, bindings, store_ask(store))
    assert chosen.native == "answers"  # the variant kg may read itself
    return chosen, bindings  # type: ignore[return-value]


def _read_by_kg(store: ox.Store, params: dict[str, str]) -> int:
    """kg's own reading gives the scan's rows, whole, as keys and by pages; returns the rows."""
    scan = _scan(store, params)
    chosen, bindings = _chosen(store, params)
    whole = native_table(store, chosen, bindings)  # type: ignore[arg-type]
    assert whole is not None, params  # kg read it: not the SPARQL
    assert whole == scan, params
    assert run_query(store, load_query(NAME), bindings) == scan  # type: ignore[arg-type]
    sparql = run_query(store, dataclasses.replace(chosen, native=""), bindings, indexed=False)  # type: ignore[arg-type]
    assert sparql == scan  # the variant's SPARQL too
    rows = len(scan.rows)
    for offset, limit in ((0, 10), (rows // 2, 7), (max(0, rows - 3), 10), (rows + 5, 10)):
        page = native_page(store, chosen, bindings, offset, limit)  # type: ignore[arg-type]
        assert page is not None
        assert page == (ResultTable(scan.variables, scan.rows[offset : offset + limit]), rows)

        def run(q: NamedQuery, b: object) -> ResultTable:
            raise AssertionError("kg read the page itself: no query runs")

        paged = read_page(chosen, bindings, Page(limit, offset), run, store)  # type: ignore[arg-type]
        assert paged.table.rows == scan.rows[offset : offset + limit] and paged.total == rows
    return rows


def test_kg_reads_the_scans_rows_on_the_shared_records(shared_store: ox.Store) -> None:
    sizes = [_read_by_kg(shared_store, params) for params in CASES]
    assert sizes[1] > 100 and sizes[0] > 10  # not a comparison of empty answers
    assert sizes[CASES.index({"asOf": "not a day"})] == 0
    scan = load_query(NAME)  # the scan itself has no native header: its SPARQL runs
    assert native_table(shared_store, scan, bind_params(scan, {})) is None


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 synthetic trials, built once."""
    return synthetic_store(tmp_path_factory.mktemp("completed"), 200, seed=11)


def test_kg_reads_the_scans_rows_on_a_synthetic_registry(registry: Path) -> None:
    store = open_store(registry)
    sizes = [_read_by_kg(store, params) for params in CASES]
    assert sizes[1] > 10 and max(sizes) > 20


def _keys(store: ox.Store) -> list[ox.Quad]:
    return list(store.quads_for_pattern(_GRAPH, _KEY, None, _GRAPH))


def _first(quad: ox.Quad) -> int:
    """A key's first rank (the first line's second value)."""
    return int(json.loads(quad.object.value.split("\n")[0])[1])


def test_keys_of_a_few_rows_each_read_in_their_order(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys of 7 rows each (1,000 in a build): kg puts them back in rank order, whatever the
    order the store gives them in."""
    import kg.answers_graph

    store = store_copy(registry, tmp_path / "store")
    monkeypatch.setattr(kg.answers_graph, "COMPLETED_KEY_ROWS", 7)
    refresh(store)
    keys = _keys(store)
    assert len(keys) >= 5
    firsts = sorted(_first(q) for q in keys)
    assert firsts == list(range(0, 7 * len(keys), 7))
    for params in CASES:
        _read_by_kg(store, params)


def test_a_store_without_the_keys_runs_the_sparql(registry: Path, tmp_path: Path) -> None:
    """An answers graph written by an older kg (no keys): the SPARQL answers, the same rows."""
    store = store_copy(registry, tmp_path / "store")
    for quad in _keys(store):
        store.remove(quad)
    for params in ({}, {"which": "all"}):
        chosen, bindings = _chosen(store, params)
        assert native_table(store, chosen, bindings) is None  # type: ignore[arg-type]
        assert run_query(store, load_query(NAME), bindings) == _scan(store, params)  # type: ignore[arg-type]


def test_keys_that_do_not_fit_together_run_the_sparql(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.answers_graph

    store = store_copy(registry, tmp_path / "store")
    monkeypatch.setattr(kg.answers_graph, "COMPLETED_KEY_ROWS", 7)
    refresh(store)
    bindings = _chosen(store, {"asOf": "2100-01-01", "which": "all"})[1]  # every row
    assert completed_page(store, bindings, 0, None) is not None  # type: ignore[arg-type]
    keys = sorted(_keys(store), key=_first)
    store.remove(keys[1])  # a key lost: its rows would be missing
    assert completed_page(store, bindings, 0, None) is None  # type: ignore[arg-type]
    store.add(keys[1])
    assert completed_page(store, bindings, 0, None) is not None  # type: ignore[arg-type]
    store.remove(keys[-1])  # the last: fewer rows than each key says there are
    assert completed_page(store, bindings, 0, None) is None  # type: ignore[arg-type]
    store.add(keys[-1])
    first, _ = keys[2].object.value.split("\n")  # type: ignore[union-attr]
    store.remove(keys[2])  # a key whose other columns are not its rows'
    store.add(ox.Quad(_GRAPH, _KEY, ox.Literal(f"{first}\n[]"), _GRAPH))
    assert completed_page(store, bindings, 0, None) is None  # type: ignore[arg-type]
    assert completed_page(store, bindings, 0, 1) is not None  # type: ignore[arg-type]
    store.add(ox.Quad(_GRAPH, _KEY, ox.Literal("[1,0,3,[]]\n[]"), _GRAPH))  # a second first
    assert completed_page(store, bindings, 0, None) is None  # type: ignore[arg-type]


def test_a_value_the_keys_do_not_write_makes_them_say_false(
    registry: Path, tmp_path: Path
) -> None:
    """A blank-node trial (not kg's output, but a store can hold one): the keys say false, and
    kg runs the SPARQL."""
    answers = Answers()
    nct, day = ox.Literal("NCT00000001"), ox.Literal("2001-01-01")
    answers.completed.append((ox.BlankNode("t"), nct, day, None, None, False, 0, 0))
    assert completed_keys(answers) == ["false"]
    answers.completed[0] = (ox.NamedNode("http://example.org/t"), nct, day, None, None, False, 0, 0)
    assert json.loads(completed_keys(answers)[0].split("\n")[0])[:3] == [1, 0, 1]
    assert completed_keys(Answers()) == ["[1,0,0,[]]\n[]"]  # no row: still a key
    store = store_copy(registry, tmp_path / "store")
    for quad in _keys(store):
        store.remove(quad)
    store.add(ox.Quad(_GRAPH, _KEY, ox.Literal("false"), _GRAPH))
    chosen, bindings = _chosen(store, {"which": "all"})
    assert native_table(store, chosen, bindings) is None  # type: ignore[arg-type]
    assert run_query(store, load_query(NAME), bindings) == _scan(store, {"which": "all"})  # type: ignore[arg-type]
