"""recruiting-near read by kg itself from the site keys (index format 8, kg.near): the scan's rows.

Every comparison is with the scan (``queries/recruiting-near.rq`` run as written), rows and order,
and every case checks that kg did read the answer itself (not a fallback to the SPARQL).
"""

from __future__ import annotations

import dataclasses
import json
import random

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.index import index_triples, site_key
from kg.indexed import choose, store_ask, store_lookup
from kg.native import native_table
from kg.near import MAX_FINE_CELLS, NEAR_VARIABLES, box_cells, near_rows
from kg.queries import (
    OutputFormat,
    ResultTable,
    bind_params,
    format_results,
    load_query,
    run_query,
)
from kg.query_output import Page, read_page, stream_answer
from kg.sinks import StoreSink, open_store
from kg.stats import STATS_GRAPH
from kg.terms import DEFAULT_BASE, SDO, XSD, T, term_value

_SITES = """PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT DISTINCT ?lat ?lon WHERE { ?site tkg:fineGeoCell ?cell ; schema:geo ?geo .
  ?geo schema:latitude ?lat ; schema:longitude ?lon } ORDER BY ?lat ?lon"""


def _places(store: ox.Store) -> list[tuple[str, str]]:
    result = store.query(_SITES, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return [(s["lat"].value, s["lon"].value) for s in result]  # type: ignore[union-attr]


def _native_equals_scan(store: ox.Store, lat: str, lon: str, km: str) -> ResultTable:
    """kg's own reading gives the scan's rows in the scan's order; returns them."""
    query = load_query("recruiting-near")
    bindings = bind_params(query, {"lat": lat, "lon": lon, "km": km})
    chosen = choose(query, bindings, store_ask(store), lookup=store_lookup(store))
    assert chosen.native == "index 8", f"{lat} {lon} {km}: no native variant chosen"
    native = native_table(store, chosen, bindings)
    assert native is not None, f"{lat} {lon} {km}: kg could not read the answer itself"
    scan = run_query(store, query, bindings, indexed=False)
    assert native.variables == scan.variables == NEAR_VARIABLES
    assert native == scan, f"{lat} {lon} {km}"
    assert run_query(store, query, bindings) == scan  # the path every caller takes
    return scan


def _sampled(store: ox.Store, seed: int, count: int, kms: tuple[str, ...]) -> int:
    """Compare at ``count`` sites' coordinates (seeded) and each box size; return the rows."""
    places = _places(store)
    rows = 0
    for lat, lon in random.Random(seed).sample(places, min(count, len(places))):  # noqa: S311
        rows += sum(len(_native_equals_scan(store, lat, lon, km).rows) for km in kms)
    return rows


def test_native_rows_equal_the_scan_on_the_shared_records(shared_store: ox.Store) -> None:
    assert _sampled(shared_store, 8, 8, ("1", "25", "150")) > 200  # not only empty answers


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    from kg.synth import load_params, write_zip

    root = tmp_path_factory.mktemp("near")
    registry = write_zip(root / "synth.zip", load_params(), 200, seed=8)
    build([str(registry)], StoreSink(root / "store"), base=DEFAULT_BASE)
    return open_store(root / "store")


def test_native_rows_equal_the_scan_on_a_synthetic_registry(synthetic: ox.Store) -> None:
    assert _sampled(synthetic, 9, 8, ("3", "25", "80")) > 100


def test_a_box_s_keys_are_read_by_threads_side_by_side_with_the_same_rows(
    synthetic: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A box of many cells is read in shares, each on a thread of its own; one reader (a small
    box, or KEY_READERS 1) gives the same rows."""
    import threading

    import kg.near

    calls: list[tuple[str, int]] = []
    read = kg.near._cell_keys

    def spy(store: ox.Store, cells: list[str]) -> list[object]:
        calls.append((threading.current_thread().name, len(cells)))
        return read(store, cells)

    monkeypatch.setattr(kg.near, "_cell_keys", spy)
    for lat, lon in _places(synthetic):  # a place with recruiting sites within 80 km
        many = _native_equals_scan(synthetic, lat, lon, "80")
        if many.rows:
            break
    assert many.rows
    calls.clear()
    many = _native_equals_scan(synthetic, lat, lon, "80")
    cells = box_cells(float(lat), float(lon), 80, 16, MAX_FINE_CELLS)
    assert cells is not None and len(cells) >= kg.near.KEY_READERS * kg.near.CELLS_A_READER
    # read twice: by native_table, then by run_query (kg.near.near_rows each time)
    assert len(calls) == 2 * kg.near.KEY_READERS and sum(n for _, n in calls) == 2 * len(cells)
    assert all(name.startswith("kg-near") for name, _ in calls)
    calls.clear()
    monkeypatch.setattr(kg.near, "KEY_READERS", 1)
    assert _native_equals_scan(synthetic, lat, lon, "80") == many
    assert [name for name, _ in calls] == [threading.current_thread().name] * 2
    calls.clear()
    monkeypatch.setattr(kg.near, "KEY_READERS", 8)
    _native_equals_scan(synthetic, lat, lon, "1")  # a few cells: one reader, this thread
    assert [name for name, _ in calls] == [threading.current_thread().name] * 2


def test_a_page_and_its_count_come_from_the_native_answer(synthetic: ox.Store) -> None:
    query = load_query("recruiting-near")
    lat, lon = _places(synthetic)[0]
    bindings = bind_params(query, {"lat": lat, "lon": lon, "km": "2000"})
    assert near_rows(synthetic, bindings) is None  # over MAX_FINE_CELLS: the SPARQL answers
    for lat, lon in random.Random(3).sample(_places(synthetic), 20):  # noqa: S311
        bindings = bind_params(query, {"lat": lat, "lon": lon, "km": "150"})
        scan = run_query(synthetic, query, bindings, indexed=False)
        if len(scan.rows) > 12:
            break
    assert len(scan.rows) > 12
    chosen = choose(query, bindings, store_ask(synthetic), lookup=store_lookup(synthetic))

    def run(q: object, b: object) -> ResultTable:
        raise AssertionError("the native page runs no query")

    page = read_page(chosen, bindings, Page(5, 7), run, synthetic)
    assert page.total == len(scan.rows)
    assert page.table.rows == scan.rows[7:12]
    # The whole answer is written by kg's own writer from its reading, not by the store (its
    # SPARQL would run): the same bytes as the scan's answer streamed by the store.
    written = stream_answer(synthetic, chosen, bindings, OutputFormat.CSV)
    assert written is not None and written[0].decode() == format_results(scan, OutputFormat.CSV)
    assert stream_answer(synthetic, query, bindings, OutputFormat.CSV) == written


def test_a_query_without_the_native_header_is_never_read_natively(synthetic: ox.Store) -> None:
    """(A store without the keys: tests/test_indexed_formats.py, format 7.)"""
    query = load_query("recruiting-near")
    lat, lon = _places(synthetic)[0]
    bindings = bind_params(query, {"lat": lat, "lon": lon, "km": "25"})
    chosen = choose(query, bindings, store_ask(synthetic), lookup=store_lookup(synthetic))
    assert native_table(synthetic, chosen, bindings) is not None
    plain = dataclasses.replace(chosen, native="")  # as a user's own file would be
    assert native_table(synthetic, plain, bindings) is None
    assert native_table(synthetic, query, bindings) is None  # the scan


# --- A trial graph made by hand, its keys from kg.index, beside the ontology's concepts -----------

_DEC = f"^^<{XSD}decimal>"
_TRIAL = "<http://x/trial/NCT0000001>"
_GRAPH = "<http://x/graph/NCT0000001>"


def _site(n: int, lat: str, lon: str) -> list[tuple[str, str, str]]:
    site, geo = f"<http://x/trial/NCT0000001/site/{n}>", f"<http://x/trial/NCT0000001/site/{n}/g>"
    return [
        (_TRIAL, T.site, site),
        (site, SDO.geo, geo),
        (geo, SDO.latitude, f'"{lat}"{_DEC}'),
        (geo, SDO.longitude, f'"{lon}"{_DEC}'),
    ]


def _load(store: ox.Store, triples: list[tuple[str, str, str]], graph: str = _GRAPH) -> None:
    keys = index_triples(triples, _TRIAL, graph)
    lines = "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in [*triples, *keys])
    store.load(lines.encode(), format=ox.RdfFormat.N_QUADS)


@pytest.fixture
def handmade(shared_store: ox.Store) -> ox.Store:
    """The ontology graph (the concepts' notations) and the statistics graph of a kg store."""
    store = ox.Store()
    for graph in ("https://w3id.org/trialkg/ontology", STATS_GRAPH):
        store.extend(shared_store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    return store


def _case(store: ox.Store, km: str = "30") -> ResultTable:
    return _native_equals_scan(store, "43.6", "3.9", km)


def test_every_combination_of_a_sites_values_is_a_row(handmade: ox.Store) -> None:
    """Two names, three addresses (one without a town, one a literal), two titles, a point out
    of the box."""
    s1 = "<http://x/trial/NCT0000001/site/1>"
    a, b = "<http://x/a1>", "<http://x/a2>"
    triples = [
        (_TRIAL, SDO.status, "<http://schema.org/Recruiting>"),
        (_TRIAL, "<http://purl.org/dc/terms/identifier>", '"NCT0000001"'),
        (_TRIAL, SDO.name, '"Title B"'),
        (_TRIAL, SDO.name, '"Title A"'),
        *_site(1, "43.61", "3.87"),
        (s1, SDO.name, '"CHU"'),
        (s1, SDO.name, '"Hôpital \\"Lapeyronie\\""'),
        (s1, SDO.address, a),
        (a, SDO.addressLocality, '"Montpellier"'),
        (a, SDO.addressCountry, '"France"'),
        (s1, SDO.address, b),
        (b, SDO.addressCountry, '"France"'),
        (s1, SDO.address, '"a literal: no town, no country"'),
        *_site(2, "43.7", "3.95"),  # no name, no address
        *_site(3, "45.0", "3.9"),  # out of a 30 km box
        *_site(10, "43.5", "3.8"),  # after site 2 in the order (a number, not a string)
        (f"<http://x/trial/NCT0000001/site/{10}>", T.siteStatus, "<http://schema.org/Recruiting>"),
    ]
    _load(handmade, triples)
    rows = _case(handmade).rows
    assert len(rows) == 2 * 2 * 3 + 2 + 2  # site 1: titles x names x addresses; 2 and 10: titles
    sites = [r[-1].value for r in rows]  # type: ignore[union-attr]
    assert sites[0].endswith("/site/1") and sites[-1].endswith("/site/10")
    assert rows[0][1].value == "Title A"  # type: ignore[union-attr]


def test_a_site_whose_own_status_is_not_recruiting_is_left_out(handmade: ox.Store) -> None:
    triples = [
        (_TRIAL, SDO.status, "<http://schema.org/Recruiting>"),
        (_TRIAL, "<http://purl.org/dc/terms/identifier>", '"NCT0000001"'),
        (_TRIAL, SDO.name, '"T"'),
        *_site(1, "43.61", "3.87"),
        ("<http://x/trial/NCT0000001/site/1>", T.siteStatus, "<http://schema.org/Completed>"),
        *_site(2, "43.62", "3.88"),
    ]
    _load(handmade, triples)
    rows = _case(handmade).rows
    assert [r[-1].value for r in rows] == ["http://x/trial/NCT0000001/site/2"]  # type: ignore[union-attr]


def test_an_untitled_trial_takes_any_graphs_title_as_the_scan_does(handmade: ox.Store) -> None:
    triples = [
        (_TRIAL, SDO.status, "<http://schema.org/Recruiting>"),
        (_TRIAL, "<http://purl.org/dc/terms/identifier>", '"NCT0000001"'),
        *_site(1, "43.61", "3.87"),
    ]
    _load(handmade, triples)
    assert [r[1] for r in _case(handmade).rows] == [None]
    # Another record names the trial (a related trial's listing): its title shows, key unchanged.
    other = "<http://x/graph/NCT0000002>"
    named = f'{_TRIAL} {SDO.name} "Named elsewhere" {other} .\n'
    handmade.load(named.encode(), format=ox.RdfFormat.N_QUADS)
    titles = [r[1].value for r in _case(handmade).rows]  # type: ignore[union-attr]
    assert titles == ["Named elsewhere"]


def test_a_trial_that_is_not_recruiting_has_no_site_keys(handmade: ox.Store) -> None:
    triples = [
        (_TRIAL, SDO.status, "<http://schema.org/Completed>"),
        (_TRIAL, "<http://purl.org/dc/terms/identifier>", '"NCT0000001"'),
        *_site(1, "43.61", "3.87"),
    ]
    assert not [t for t in index_triples(triples, _TRIAL, _GRAPH) if t[1] == T.recruitingSiteKey]
    _load(handmade, triples)
    assert _case(handmade).rows == ()


def test_a_value_kg_does_not_write_makes_kg_run_the_sparql(handmade: ox.Store) -> None:
    """A title with a language: the key says false, kg runs the query (same rows)."""
    triples = [
        (_TRIAL, SDO.status, "<http://schema.org/Recruiting>"),
        (_TRIAL, "<http://purl.org/dc/terms/identifier>", '"NCT0000001"'),
        (_TRIAL, SDO.name, '"Essai"@fr'),
        *_site(1, "43.61", "3.87"),
    ]
    _load(handmade, triples)
    query = load_query("recruiting-near")
    bindings = bind_params(query, {"lat": "43.6", "lon": "3.9", "km": "30"})
    chosen = choose(query, bindings, store_ask(handmade), lookup=store_lookup(handmade))
    assert native_table(handmade, chosen, bindings) is None
    scan = run_query(handmade, query, bindings, indexed=False)
    assert run_query(handmade, query, bindings) == scan
    assert [r[1].value for r in scan.rows] == ["Essai"]  # type: ignore[union-attr]


def test_a_point_on_the_edge_of_the_box_is_left_to_the_engine(handmade: ox.Store) -> None:
    """43.6 + 30 / 111.32 degrees north: kg does not decide which side of the edge it falls."""
    from decimal import Decimal

    edge = str(Decimal("43.6") + Decimal(30 / 111.32).quantize(Decimal("1e-15")))
    triples = [
        (_TRIAL, SDO.status, "<http://schema.org/Recruiting>"),
        (_TRIAL, "<http://purl.org/dc/terms/identifier>", '"NCT0000001"'),
        *_site(1, edge, "3.9"),
    ]
    _load(handmade, triples)
    query = load_query("recruiting-near")
    bindings = bind_params(query, {"lat": "43.6", "lon": "3.9", "km": "30"})
    assert near_rows(handmade, bindings) is None
    assert run_query(handmade, query, bindings) == run_query(
        handmade, query, bindings, indexed=False
    )


def test_the_site_key_holds_what_the_query_reads_in_the_record() -> None:
    site = "<http://x/trial/NCT0000001/site/1>"
    objects = {
        SDO.status: {_TRIAL: ["<http://schema.org/Recruiting>", '"odd literal"']},
        T.siteStatus: {site: ["<http://schema.org/Recruiting>"]},
        "<http://purl.org/dc/terms/identifier>": {_TRIAL: ['"NCT0000001"']},
        SDO.name: {site: ['"CHU"']},
        SDO.address: {site: ["<http://x/a>", '"a literal address"']},
        SDO.addressCountry: {"<http://x/a>": ['"France"']},
    }
    point = (f'"43.610"{_DEC}', f'"-3.0"{_DEC}')
    key = json.loads(term_value(site_key(point, site, _TRIAL, objects)) or "")
    assert key == [
        "43.61", "-3", site[1:-1], _TRIAL[1:-1], ["http://schema.org/Recruiting"],
        ["http://schema.org/Recruiting"], ["NCT0000001"], None, ["CHU"],
        [[None, "France"], [None, None]],  # the literal address: no town, no country
    ]
    double = (f'"43.61"^^<{XSD}double>', point[1])
    assert term_value(site_key(double, site, _TRIAL, objects)) == "false"


def test_box_cells_cover_the_box_and_stop_at_the_cap() -> None:
    cells = box_cells(43.6, 3.9, 25, 16, MAX_FINE_CELLS)
    assert cells is not None and "697 62" in cells  # floor(16 x 43.6), floor(16 x 3.9)
    assert box_cells(43.6, 3.9, 400, 16, MAX_FINE_CELLS) is None


def test_a_blank_node_site_gets_a_false_key() -> None:
    """No key of a graph can name a blank node for a reader: kg runs the query for its box."""
    geo = "_:g"
    triples = [
        (_TRIAL, SDO.status, "<http://schema.org/Recruiting>"),
        (_TRIAL, T.site, "_:s"),
        ("_:s", SDO.geo, geo),
        (geo, SDO.latitude, f'"43.61"{_DEC}'),
        (geo, SDO.longitude, f'"3.87"{_DEC}'),
    ]
    keys = [t for t in index_triples(triples, _TRIAL, _GRAPH) if t[1] == T.recruitingSiteKey]
    assert keys == [("<https://w3id.org/trialkg/cell/16/697/61>", T.recruitingSiteKey, '"false"')]
