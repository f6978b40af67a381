"""A store pushed to a SPARQL endpoint carries its statistics and answers graphs: the endpoint runs
the indexed variants, with the rows of the scans."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from servers import OxigraphServer

from kg.indexed import INDEXED_DIR, capabilities, choose, endpoint_ask, endpoint_lookup
from kg.queries import bind_params, load_query, run_query
from kg.remote import Endpoint, query_endpoint

CASES = [
    ("trials-per-country", {}),
    ("trials-per-city", {}),
    ("dataset-summary", {}),
    ("sponsors-by-class", {"class": "INDUSTRY"}),
    ("sponsor-trials", {"sponsor": "UNIVERSITY HOSPITAL, MONTPELLIER"}),
    ("trials-sharing-condition", {"nct": "NCT03828656"}),
    ("trials-sharing-intervention", {"nct": "NCT06751849"}),
    ("recruiting-near", {"lat": "40.71", "lon": "-74.01", "km": "25"}),
    ("publications-per-sponsor", {"role": "any"}),
    ("sponsor-publications", {"role": "lead"}),
    ("sponsor-network", {}),
    ("published-without-results", {}),
    ("trials-without-results-publication", {"asOf": "2025-06-30", "which": "all"}),
    ("adverse-events-by-intervention", {"intervention": "PLACEBO", "seriousness": "any"}),
]


def test_every_indexed_variant_is_checked_remotely() -> None:
    assert sorted(p.stem for p in INDEXED_DIR.glob("*.rq")) == sorted(n for n, _ in CASES)


@pytest.mark.parametrize(("name", "params"), CASES, ids=[n for n, _ in CASES])
def test_an_endpoint_runs_the_indexed_variant_with_the_scans_rows(
    shared_store: ox.Store, shared_server: OxigraphServer, name: str, params: dict[str, str]
) -> None:
    endpoint = Endpoint(shared_server.query_url, timeout=120)
    assert capabilities(endpoint_ask(endpoint)) == {
        "statistics", "index", "index 2", "index 3",
        "index 4", "index 5", "index 6", "index 7", "index 8", "answers"
    }
    query = load_query(name)
    bindings = bind_params(query, params)
    lookup = endpoint_lookup(endpoint)  # adverse-events-by-intervention's trials, found first
    assert choose(query, bindings, endpoint_ask(endpoint), lookup=lookup) is not query
    scan = run_query(shared_store, query, bindings, indexed=False)
    assert scan.rows
    assert query_endpoint(endpoint, query, bindings) == scan
    assert query_endpoint(endpoint, query, bindings, indexed=False) == scan
