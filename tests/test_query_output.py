"""What ``kg query`` writes: the store's own serialization, and pages that say what they leave out.

The streamed bytes are compared with kg's own writers on the same rows (every named query on the
shared records, and hostile literals); every page is compared with the slice of the whole answer
(run the ordinary way), and its count with the whole answer's length.
"""

from __future__ import annotations

import dataclasses
import random
import shlex
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_indexed import _cases  # the indexed queries' parameters, sampled from the store

from kg.errors import UsageError
from kg.indexed import choose, store_ask, store_lookup
from kg.queries import (
    Bindings,
    NamedQuery,
    OutputFormat,
    ResultTable,
    bind_params,
    format_results,
    list_queries,
    load_data,
    load_query,
    run_query,
)
from kg.query_output import (
    Page,
    count_query,
    limited_query,
    rank_paged,
    read_page,
    stream_answer,
    unbound_projection,
)

_FORMATS = (OutputFormat.CSV, OutputFormat.TSV, OutputFormat.JSON)


def _example_params(query: NamedQuery) -> dict[str, str]:
    """The ``--param`` values of the query's ``# example:`` line."""
    words = shlex.split(query.example)
    return dict(
        words[i + 1].partition("=")[::2] for i, w in enumerate(words[:-1]) if w in ("--param", "-p")
    )


def _every_case(store: ox.Store) -> list[tuple[str, dict[str, str]]]:
    cases = [(q.name, _example_params(q)) for q in list_queries()]
    return cases + _cases(store, 4, seed=5)


def _run(store: ox.Store) -> object:
    def run(q: NamedQuery, b: Bindings) -> ResultTable:
        return run_query(store, q, b, indexed=False)

    return run


def test_the_store_writes_what_kg_writes_for_every_named_query(shared_store: ox.Store) -> None:
    streamed = native = 0
    for name, params in _every_case(shared_store):
        query = load_query(name)
        bindings = bind_params(query, params)
        chosen = choose(query, bindings, store_ask(shared_store), lookup=store_lookup(shared_store))
        table = run_query(shared_store, chosen, bindings, indexed=False)
        if chosen.native:  # kg reads the answer itself (kg.native) and writes it with its writer
            for fmt in _FORMATS:
                out = stream_answer(shared_store, chosen, bindings, fmt)
                assert out is not None and out[0].decode("utf-8") == format_results(table, fmt)
            native += 1
            chosen = dataclasses.replace(chosen, native="")  # its SPARQL, streamed: the same rows
        for fmt in _FORMATS:
            out = stream_answer(shared_store, chosen, bindings, fmt)
            assert out is not None, (name, fmt)  # every named query can be streamed
            assert out[0].decode("utf-8") == format_results(table, fmt), (name, params, fmt)
            assert out[1] == bool(table.rows), (name, params)
            streamed += bool(table.rows)
    assert streamed > 100  # not a comparison of empty answers
    assert native > 5  # recruiting-near and the answers graph's aggregates


_HOSTILE = """\
<http://e/s1> <http://e/p> "a, \\"quoted\\"\\nline\\ttab\\r\\\\ é ✓ \\u0001" <http://e/g> .
<http://e/s1> <http://e/q> "18"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://e/g> .
<http://e/s2> <http://e/p> ""@EN-gb <http://e/g> .
<http://e/s2> <http://e/q> "-0.50"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://e/g> .
<http://e/s3> <http://e/p> _:b1 <http://e/g> .
<http://e/s3> <http://e/q> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> <http://e/g> .
<http://e/s4> <http://e/p> "2020-01-01T10:00:00.000+00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>\
 <http://e/g> .
<http://e/s4> <http://e/q> "+007"^^<http://www.w3.org/2001/XMLSchema#integer> <http://e/g> .
<http://e/s5> <http://e/p> "x"^^<http://e/own-type> <http://e/g> .
<http://e/s5> <http://e/q> "5"^^<http://www.w3.org/2001/XMLSchema#int> <http://e/g> .
<http://e/s6> <http://e/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> <http://e/g> .
"""


def test_hostile_literals_are_written_the_same_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "hostile.nq"
    path.write_text(_HOSTILE, encoding="utf-8")
    store = load_data(path, ontology=False)
    text = "SELECT ?s ?o ?n { ?s <http://e/p> ?o OPTIONAL { ?s <http://e/q> ?n } } ORDER BY ?s"
    query = NamedQuery("hostile", text, "", (), "")
    table = run_query(store, query, {}, indexed=False)
    assert len(table.rows) == 6
    for fmt in _FORMATS:
        out = stream_answer(store, query, {}, fmt)
        assert out is not None
        assert out[0].decode("utf-8") == format_results(table, fmt), fmt


def test_bound_parameters_leave_the_projection_as_they_leave_kgs_table() -> None:
    text = "SELECT DISTINCT ?nct ?other WHERE { ?t <http://e/id> ?nct ; <http://e/o> ?other }"
    assert unbound_projection(text, frozenset({"nct"})) == (
        "SELECT DISTINCT  ?other WHERE { ?t <http://e/id> ?nct ; <http://e/o> ?other }"
    )
    assert unbound_projection(text, frozenset({"nct", "other"})) is None  # nothing left
    assert unbound_projection("SELECT * { ?s ?p ?o }", frozenset({"s"})) is None
    store = ox.Store()
    assert stream_answer(store, NamedQuery("q", "SELECT * { ?s ?p ?o }", "", (), ""),
                         {ox.Variable("s"): ox.NamedNode("http://e/s")}, OutputFormat.CSV) is None
    assert stream_answer(store, NamedQuery("q", text, "", (), ""), {}, OutputFormat.TABLE) is None


def _check_pages(
    store: ox.Store, name: str, params: dict[str, str], *, on_store: bool, size: int
) -> int:
    """Read the answer page by page; the pages and the counts must be the whole answer's."""
    query = load_query(name)
    bindings = bind_params(query, params)
    # kg's look-ups as kg query makes them: adverse-events-by-intervention resolves its trials
    # first (its scan took ~4 of this test's minutes).
    chosen = choose(query, bindings, store_ask(store), lookup=store_lookup(store))
    whole = run_query(store, chosen, bindings, indexed=False)
    run = _run(store)
    size = max(size, -(-len(whole.rows) // 3))  # at most 3 pages: each may read the whole answer
    got: list[object] = []
    offset = 0
    while True:
        result = read_page(chosen, bindings, Page(size, offset), run,  # type: ignore[arg-type]
                           store if on_store else None)
        assert result.total == len(whole.rows), (name, params, offset)
        assert result.table.variables == whole.variables
        got += result.table.rows
        offset += size
        if offset >= len(whole.rows):
            break
    assert got == list(whole.rows), (name, params)
    past = read_page(chosen, bindings, Page(size, len(whole.rows) + 3), run,  # type: ignore[arg-type]
                     store if on_store else None)
    assert past.table.rows == () and past.total == len(whole.rows)
    rng = random.Random(len(whole.rows))  # noqa: S311 - test sampling
    for _ in range(2):  # small pages anywhere
        at, few = rng.randrange(len(whole.rows) + 1), rng.randint(1, 5)
        page = read_page(chosen, bindings, Page(few, at), run,  # type: ignore[arg-type]
                         store if on_store else None)
        assert page.table.rows == whole.rows[at : at + few], (name, params, at, few)
        assert page.total == len(whole.rows)
    return len(whole.rows)


def test_pages_are_the_whole_answer_in_slices_and_say_how_many_rows_there_are(
    shared_store: ox.Store,
) -> None:
    rng = random.Random(7)  # noqa: S311 - test sampling
    ranked = set()
    # Every query by its example, and a few drawn (each page of a query without ranks reads its
    # whole answer: the drawn cases of _every_case made this test ~6 minutes).
    cases = [(q.name, _example_params(q)) for q in list_queries()]
    for name, params in cases + _cases(shared_store, 1, seed=5):
        query = load_query(name)
        chosen = choose(query, bind_params(query, params), store_ask(shared_store),
                        lookup=store_lookup(shared_store))
        if rank_paged(chosen):
            ranked.add(name)
        size = rng.choice([1, 7, 50, 1000])
        rows = _check_pages(shared_store, name, params, on_store=True, size=size)
        if rows < 400:  # the endpoint's way (LIMIT/OFFSET, COUNT) on the smaller answers
            _check_pages(shared_store, name, params, on_store=False, size=size)
    assert ranked == {"trials-per-city", "sponsor-network", "published-without-results"}


def test_ranked_pages_of_a_synthetic_registry_read_the_ranks_it_wrote(tmp_path: Path) -> None:
    from kg.build import build
    from kg.sinks import StoreSink, open_store
    from kg.synth import load_params, write_zip
    from kg.terms import DEFAULT_BASE

    registry = write_zip(tmp_path / "synth.zip", load_params(), 120, seed=4)
    path = tmp_path / "store"
    build([str(registry)], StoreSink(path), base=DEFAULT_BASE)
    store = open_store(path)
    for name in ("trials-per-city", "sponsor-network", "published-without-results"):
        for size in (1, 13):
            assert _check_pages(store, name, {}, on_store=True, size=size) > 13


def test_the_endpoint_forms_of_a_page_and_of_the_count() -> None:
    text = "PREFIX s: <x:>\nSELECT ?a WHERE { ?a s:p ?b } ORDER BY ?b # last\nLIMIT 10 OFFSET 2"
    query = NamedQuery("q", text, "", (), "")
    assert limited_query(query, Page(4, 3)).text.endswith("LIMIT 4\nOFFSET 5\n")
    assert limited_query(query, Page(40, 8)).text.endswith("LIMIT 2\nOFFSET 10\n")  # within its own
    counted = count_query(query).text
    assert counted.startswith("PREFIX s: <x:>\nSELECT (COUNT(*) AS ?rows) WHERE { {\nSELECT ?a")
    assert counted.endswith("LIMIT 10 OFFSET 2\n} }")  # the comment cannot swallow the braces


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (-1, 0), (5, -1)])
def test_a_page_of_no_rows_or_before_the_first_is_refused(limit: int, offset: int) -> None:
    with pytest.raises(UsageError):
        Page(limit, offset)
