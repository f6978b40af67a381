"""Pages of a SELECT query: the query's own order kept, every projected variable after it, the
query's own LIMIT and OFFSET respected; pages of a real store's answer join up to the answer."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.remote_pages import Pager


def test_a_query_is_taken_apart_where_pages_differ() -> None:
    text = (
        'PREFIX s: <http://schema.org/>\nSELECT ?c (COUNT(?t) AS ?n) WHERE { ?t s:x "ORDER BY }" '
        "# LIMIT 3 in a comment }\n} GROUP BY ?c HAVING (COUNT(?t) > 1)\n"
        "ORDER BY DESC(?n) # most first\nOFFSET 5 LIMIT 20\n"
    )
    pager = Pager.parse(text)
    assert pager.prologue == "PREFIX s: <http://schema.org/>\n"
    assert pager.body.endswith("GROUP BY ?c HAVING (COUNT(?t) > 1)\n")
    assert pager.order == "DESC(?n) # most first"
    assert (pager.limit, pager.offset) == (20, 5)
    assert pager.remaining(15) == 5
    page = pager.page(["c", "n"], 10, 5, wrap=False)
    assert page.endswith("ORDER BY DESC(?n) # most first\n  ?c ?n\nLIMIT 5\nOFFSET 15\n")


@pytest.mark.parametrize("text", [
    "ASK { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "SELECT ?x WHERE { ?x ?p ?o } VALUES ?x { <http://a> }",
])
def test_what_cannot_be_paged_is_refused(text: str) -> None:
    with pytest.raises(QueryError):
        Pager.parse(text)


@pytest.mark.parametrize("wrap", [False, True])
@pytest.mark.parametrize("size", [1, 3, 7, 100])
def test_pages_join_up_to_the_whole_answer_in_its_order(
    seed_store: ox.Store, wrap: bool, size: int
) -> None:
    text = (
        "PREFIX s: <http://schema.org/>\n"
        "SELECT DISTINCT ?name ?site WHERE { ?site a <https://w3id.org/trialkg/ontology#Site> "
        "OPTIONAL { ?site s:name ?name } } ORDER BY DESC(STR(?name))"
    )
    whole = [tuple(row) for row in seed_store.query(text, use_default_graph_as_union=True)]
    assert len(whole) == 9
    pager = Pager.parse(text)
    rows: list[tuple[object, ...]] = []
    while True:
        page = pager.page(["name", "site"], len(rows), size, wrap=wrap)
        got = [tuple(r) for r in seed_store.query(page, use_default_graph_as_union=True)]
        rows += got
        if len(got) < size:
            break
    assert rows == whole
