"""Pages of a named query on a pushed endpoint: the rows of the embedded store's pages, the count
of the whole answer, by ranks where the variant allows it (``# pages: rank`` or ``block``) and by
LIMIT/OFFSET and COUNT else."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from servers import OxigraphServer

from kg.indexed import choose, endpoint_ask
from kg.queries import Bindings, NamedQuery, ResultTable, bind_params, load_query, run_query
from kg.query_output import Page, rank_paged, read_page
from kg.rank_blocks import block_paged
from kg.remote import Endpoint, query_endpoint

CASES = [
    ("trials-per-city", {}, True),
    ("sponsor-network", {}, True),
    ("published-without-results", {}, True),
    ("sponsors-by-class", {"class": "INDUSTRY"}, True),
    ("publications-per-sponsor", {"role": "any"}, True),
    ("sponsor-publications", {"role": "lead"}, True),
    ("trial-sites", {"nct": "NCT03737461"}, False),
]


@pytest.mark.parametrize(("name", "params", "ranked"), CASES, ids=[c[0] for c in CASES])
def test_an_endpoints_pages_are_the_stores(
    shared_store: ox.Store,
    shared_server: OxigraphServer,
    name: str,
    params: dict[str, str],
    ranked: bool,
) -> None:
    endpoint = Endpoint(shared_server.query_url, timeout=120)
    query = load_query(name)
    bindings = bind_params(query, params)
    chosen = choose(query, bindings, endpoint_ask(endpoint))
    assert (rank_paged(chosen) or block_paged(chosen)) is ranked
    whole = run_query(shared_store, query, bindings, indexed=False)
    assert len(whole.rows) > 3

    def run(q: NamedQuery, b: Bindings) -> ResultTable:
        return query_endpoint(endpoint, q, b, indexed=False)

    size = max(1, len(whole.rows) // 3)
    for offset in (0, size, len(whole.rows) - 1, len(whole.rows) + 5):
        page = read_page(chosen, bindings, Page(size, offset), run)
        assert page.table.rows == whole.rows[offset : offset + size], offset
        assert page.total == len(whole.rows)
