"""Whole answers of the derived graphs' aggregates read by kg from their row keys (kg.answer_rows).

The answers graph's (kg.answers_graph) and the statistics graph's (kg.stats: trials-per-city and
sponsors-by-class, whose keys hold a class concept that kg joins to its code when it reads).

Every comparison is with the scan (``queries/NAME.rq`` run as written), rows and order, and
checks that kg did read the answer itself. Then the cases where kg must not: a page (read by
ranks), a role kg does not key, a store without the keys (an older kg's), keys that do not fit
together or whose columns are not the query's, a key that says ``false``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pyoxigraph as ox
import pytest
from build_support import store_copy, synthetic_store

import kg.stats
from kg.answer_rows import ROW_KEYED, STATS_KEYED
from kg.answers import ANSWERS_GRAPH, ROLES
from kg.answers_graph import refresh, row_key_node
from kg.indexed import choose, store_ask
from kg.native import native_page, native_table
from kg.queries import NamedQuery, ResultTable, bind_params, load_query, run_query
from kg.query_output import OutputFormat, Page, read_page, stream_answer
from kg.sinks import open_store
from kg.stats import STATS_GRAPH
from kg.terms import TKG

_KEY = ox.NamedNode(f"{TKG}answerRowsKey")
_GRAPH = ox.NamedNode(ANSWERS_GRAPH)
_BY_ROLE = ("publications-per-sponsor", "sponsor-publications")
_CLASSES = ("any", "INDUSTRY", "OTHER", "NIH", "FED", "NETWORK", "UNKNOWN", "not-a-class")


def _cases() -> list[tuple[str, dict[str, str]]]:
    cases: list[tuple[str, dict[str, str]]] = []
    for name in ROW_KEYED:
        if name in _BY_ROLE:
            cases += [(name, {"role": role}) for role in ROLES]
        elif name == "sponsors-by-class":
            cases += [(name, {"class": code}) for code in _CLASSES]
        else:
            cases.append((name, {}))
    return cases


def _chosen(store: ox.Store, name: str, params: dict[str, str]) -> tuple[NamedQuery, object]:
    query = load_query(name)
    bindings = bind_params(query, params)
    chosen = choose(query, bindings, store_ask(store))
    assert chosen.native == ("statistics" if name in STATS_KEYED else "answers"), name
    return chosen, bindings


def _read_by_kg(store: ox.Store, name: str, params: dict[str, str]) -> int:
    """kg's reading of the whole answer is the scan's; a page is read by its ranks."""
    query = load_query(name)
    scan = run_query(store, query, bind_params(query, params), indexed=False)
    chosen, bindings = _chosen(store, name, params)
    whole = native_table(store, chosen, bindings)  # type: ignore[arg-type]
    assert whole is not None, (name, params)  # kg read it: not the SPARQL
    assert whole == scan, (name, params)
    plain = NamedQuery(name, chosen.text, "", chosen.params, "")  # its SPARQL, as an endpoint runs
    assert run_query(store, plain, bindings, indexed=False) == scan, (name, params)  # type: ignore[arg-type]
    written = stream_answer(store, chosen, bindings, OutputFormat.CSV)  # type: ignore[arg-type]
    assert written == stream_answer(store, query, bindings, OutputFormat.CSV)  # type: ignore[arg-type]
    assert native_page(store, chosen, bindings, 0, 10) is None  # type: ignore[arg-type]

    def run(q: NamedQuery, b: object) -> ResultTable:
        return run_query(store, q, b, indexed=False)  # type: ignore[arg-type]

    page = read_page(chosen, bindings, Page(10, 3), run, store)  # type: ignore[arg-type]
    assert page.table.rows == scan.rows[3:13] and page.total == len(scan.rows)
    return len(scan.rows)


def test_kg_reads_the_scans_whole_answers_on_the_shared_records(shared_store: ox.Store) -> None:
    sizes = {(name, tuple(p.values())): _read_by_kg(shared_store, name, p) for name, p in _cases()}
    assert sizes["sponsor-network", ()] > 10 and sizes["published-without-results", ()] > 10
    assert sizes["publications-per-sponsor", ("lead",)] > 100
    assert sizes["sponsor-publications", ("collaborator",)] > 5
    assert sizes["trials-per-city", ()] > 500 and sizes["sponsors-by-class", ("any",)] > 500
    assert 0 < sizes["sponsors-by-class", ("INDUSTRY",)] < sizes["sponsors-by-class", ("any",)]
    assert sizes["sponsors-by-class", ("not-a-class",)] == 0
    query = load_query("publications-per-sponsor")  # a role kg does not key: the SPARQL
    chosen, bindings = _chosen(shared_store, "publications-per-sponsor", {"role": "nobody"})
    assert native_table(shared_store, chosen, bindings) is None  # type: ignore[arg-type]
    assert run_query(shared_store, query, bindings).rows == ()  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 synthetic trials, built once."""
    return synthetic_store(tmp_path_factory.mktemp("answer-rows"), 150, seed=12)


def _keys(store: ox.Store, node: str, graph: str = ANSWERS_GRAPH) -> list[ox.Quad]:
    found = list(store.quads_for_pattern(ox.NamedNode(node), _KEY, None, ox.NamedNode(graph)))
    return sorted(found, key=lambda q: orjson.loads(q.object.value)[1])


def test_keys_of_a_few_rows_each_on_a_synthetic_registry(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As built (1,000 rows a key), then keys of 7 rows each: the scan's answers."""
    import kg.answers_graph

    store = open_store(registry)
    sizes = [_read_by_kg(store, name, params) for name, params in _cases()]
    assert max(sizes) > 20
    store = store_copy(registry, tmp_path / "store")
    monkeypatch.setattr(kg.answers_graph, "ROW_KEY_ROWS", 7)
    monkeypatch.setattr(kg.stats, "ROW_KEY_ROWS", 7)
    refresh(store)
    kg.stats.refresh(store)
    assert len(_keys(store, row_key_node("sponsor-network"))) >= 3
    for name in STATS_KEYED:
        assert len(_keys(store, kg.stats.row_key_node(name), STATS_GRAPH)) >= 3
    for name, params in _cases():
        _read_by_kg(store, name, params)


def test_keys_kg_cannot_be_sure_of_run_the_sparql(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.answers_graph

    store = store_copy(registry, tmp_path / "store")
    monkeypatch.setattr(kg.answers_graph, "ROW_KEY_ROWS", 7)
    refresh(store)
    chosen, bindings = _chosen(store, "sponsor-network", {})
    node = row_key_node("sponsor-network")
    keys = _keys(store, node)
    scan = run_query(store, load_query("sponsor-network"), bindings, indexed=False)  # type: ignore[arg-type]

    def check(broken: bool) -> None:
        assert (native_table(store, chosen, bindings) is None) == broken  # type: ignore[arg-type]
        assert run_query(store, chosen, bindings) == scan  # type: ignore[arg-type]

    check(False)
    store.remove(keys[1])  # a key lost: its rows would be missing
    check(True)
    store.add(keys[1])
    store.remove(keys[-1])  # the last: fewer rows than the keys say there are
    check(True)
    store.add(keys[-1])
    past = ox.Quad(  # a value index past the key's values (its first row's first is 0)
        keys[2].subject, _KEY, ox.Literal(keys[2].object.value.replace("[[0,", "[[999,", 1)), _GRAPH
    )
    store.remove(keys[2])
    store.add(past)
    check(True)
    store.remove(past)
    store.add(keys[2])
    check(False)
    form, first, total, columns, values, indexes = orjson.loads(keys[0].object.value)
    other = ox.Literal(orjson.dumps([form, first, total, columns[::-1], values, indexes]).decode())
    store.remove(keys[0])  # columns not the query's (a variant changed since the keys)
    store.add(ox.Quad(keys[0].subject, _KEY, other, _GRAPH))
    check(True)
    for quad in _keys(store, node):
        store.remove(quad)
    store.add(ox.Quad(ox.NamedNode(node), _KEY, ox.Literal("false"), _GRAPH))
    check(True)  # a key saying false
    store.remove(ox.Quad(ox.NamedNode(node), _KEY, ox.Literal("false"), _GRAPH))
    check(True)  # no keys: an answers graph written by an older kg


def test_a_value_the_keys_do_not_write_makes_them_say_false() -> None:
    """A blank-node organisation (not kg's output, but a store can hold one): that answer's key
    says false (kg then runs its SPARQL: tests above); the other answers keep theirs."""
    from kg.answers import Answers
    from kg.answers_graph import answers_nquads

    answers = Answers()
    answers.network[(ox.BlankNode("x"), ox.NamedNode("http://example.org/b"))] = ("A", "B", 2)
    keys = {
        line.split(" ", 1)[0][1:-1]: line.split(" ", 2)[2].rsplit(" ", 2)[0]
        for line in answers_nquads(answers)
        if f"<{TKG}answerRowsKey>" in line
    }
    assert keys[row_key_node("sponsor-network")] == '"false"'
    empty = ox.Literal(orjson.dumps([1, 0, 0, ["nct", "title", "status", "hasResults",
                                                  "publications", "trial"], [], []]).decode())
    assert keys[row_key_node("published-without-results")] == str(empty)
    assert len(keys) == 2 + 2 * len(ROLES)  # every role's keys, empty ones too


def test_statistics_keys_kg_cannot_be_sure_of_run_the_sparql(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sponsors-by-class joins its codes when kg reads: a class or a code that the FILTER
    compares otherwise, or a concept with two codes, runs the SPARQL; a concept without a code
    drops its rows, as the SPARQL does. trials-per-city: a lost key, a key saying false."""
    from kg.ontology import ONTOLOGY_GRAPH
    from kg.row_keys import Term
    from kg.terms import SKOS

    store = store_copy(registry, tmp_path / "store")
    monkeypatch.setattr(kg.stats, "ROW_KEY_ROWS", 7)
    kg.stats.refresh(store)
    notation = ox.NamedNode(f"{SKOS}notation")
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    concept = {
        q.object.value: q.subject
        for q in store.quads_for_pattern(None, notation, None, ontology)
        if isinstance(q.object, ox.Literal)
    }

    def check(
        name: str, params: dict[str, str] | None, broken: bool, ordered: bool = True, **bound: Term
    ) -> int:
        query = load_query(name)
        bindings = dict(bind_params(query, params or {}))
        bindings.update({ox.Variable(k): v for k, v in bound.items()})
        chosen = choose(query, bindings, store_ask(store))
        scan = run_query(store, query, bindings, indexed=False)
        assert (native_table(store, chosen, bindings) is None) == broken, (name, params, bound)
        rows = run_query(store, chosen, bindings).rows
        if ordered:
            assert rows == scan.rows, (name, params, bound)
        else:  # the variant's order is the ranks', which the codes of the last write made
            assert Counter(rows) == Counter(scan.rows), (name, params, bound)
        return len(scan.rows)

    industry = check("sponsors-by-class", {"class": "INDUSTRY"}, False)
    assert industry > 5
    check("sponsors-by-class", None, True, **{"class": ox.Literal("INDUSTRY", language="en")})
    check("sponsors-by-class", None, True, **{"class": ox.NamedNode("http://example.org/c")})
    elsewhere = ox.Quad(
        concept["INDUSTRY"], notation, ox.Literal("INDUSTRY2"), ox.NamedNode("http://example.org/g")
    )
    store.add(elsewhere)  # a second code, in another graph of the union: two rows a sponsor
    assert check("sponsors-by-class", {"class": "any"}, True, ordered=False) > check(
        "sponsors-by-class", {"class": "INDUSTRY2"}, True
    ) == industry
    store.remove(elsewhere)
    typed = ox.Quad(concept["NIH"], notation, ox.Literal("NIH", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#token")), ontology)
    plain = ox.Quad(concept["NIH"], notation, ox.Literal("NIH"), ontology)
    store.remove(plain)
    store.add(typed)  # a code the FILTER compares as a token, not as a string
    check("sponsors-by-class", {"class": "NIH"}, True)
    store.remove(typed)  # no code: the rows of that class go, as in the SPARQL
    assert check("sponsors-by-class", {"class": "any"}, False) > 0
    assert check("sponsors-by-class", {"class": "NIH"}, False) == 0
    store.add(plain)
    node = kg.stats.row_key_node("trials-per-city")
    keys = _keys(store, node, STATS_GRAPH)
    assert len(keys) >= 3
    check("trials-per-city", None, False)
    store.remove(keys[1])
    check("trials-per-city", None, True)
    for quad in _keys(store, node, STATS_GRAPH):
        store.remove(quad)
    said = ox.Quad(ox.NamedNode(node), _KEY, ox.Literal("false"), ox.NamedNode(STATS_GRAPH))
    store.add(said)
    check("trials-per-city", None, True)
    store.remove(said)
    check("trials-per-city", None, True)  # no keys: a statistics graph of an older kg
