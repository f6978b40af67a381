"""Indexed named queries give the scan's rows; kg picks them only when the store has what they read.

Every comparison runs the shipped scan (``queries/NAME.rq``, ``indexed=False``) and the query kg
picks (``run_query``'s default) on the same store, and first checks that the indexed variant was
indeed picked, so a silent fallback cannot make a test pass.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.index import geo_cell, index_triples, lower_literal
from kg.indexed import (
    INDEXED_DIR,
    box_cells,
    capabilities,
    choose,
    indexed_variant,
    indexed_variants,
    requirements,
    store_ask,
)
from kg.queries import ResultTable, bind_params, list_queries, load_query, run_query
from kg.sinks import StoreSink, open_store
from kg.stats import STATS_GRAPH
from kg.terms import DEFAULT_BASE, MESH, RDF_TYPE, TKG, literal

Params = dict[str, str]

_SPONSOR_NAMES = """PREFIX schema: <http://schema.org/>
SELECT DISTINCT ?name ?org WHERE { ?trial schema:sponsor ?org . ?org schema:alternateName ?name }
ORDER BY ?name ?org"""
_TRIALS = """PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?nct WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ; a ?type } } ORDER BY ?nct"""
_SITES = """PREFIX schema: <http://schema.org/>
SELECT DISTINCT ?lat ?lon WHERE { ?geo schema:latitude ?lat ; schema:longitude ?lon }
ORDER BY ?lat ?lon"""


def _column(store: ox.Store, text: str, var: str) -> list[ox.Literal | ox.NamedNode]:
    result = store.query(text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return [sol[var] for sol in result]  # type: ignore[misc]


def _compare(store: ox.Store, name: str, params: Params) -> ResultTable:
    query = load_query(name)
    bindings = bind_params(query, params)
    picked = choose(query, bindings, store_ask(store))
    assert picked.text != query.text, f"{name} {params}: the indexed variant was not picked"
    scan = run_query(store, query, bindings, indexed=False)
    fast = run_query(store, query, bindings)
    assert fast == scan, f"{name} {params}"
    return scan


def _cases(store: ox.Store, count: int, seed: int) -> list[tuple[str, Params]]:
    """Every indexed query, with parameters drawn from the store (seeded)."""
    rng = random.Random(seed)  # noqa: S311 - sampling test cases, not secrets
    ncts = [t.value for t in _column(store, _TRIALS, "nct")]
    names = [t.value for t in _column(store, _SPONSOR_NAMES, "name")]
    orgs = sorted({t.value for t in _column(store, _SPONSOR_NAMES, "org")})
    sites = list(
        zip(_column(store, _SITES, "lat"), _column(store, _SITES, "lon"), strict=True)
    )
    cases: list[tuple[str, Params]] = [
        ("trials-per-country", {}),
        ("trials-per-city", {}),
        ("dataset-summary", {}),
        ("sponsors-by-class", {}),
        ("sponsors-by-class", {"class": "INDUSTRY"}),
        ("sponsors-by-class", {"class": "NIH"}),
    ]
    for nct in rng.sample(ncts, min(count, len(ncts))):
        cases.append(("trials-sharing-condition", {"nct": nct}))
        cases.append(("trials-sharing-intervention", {"nct": nct}))
    for name in rng.sample(names, min(count, len(names))):
        role = rng.choice(["any", "lead", "collaborator"])
        spelt = rng.choice([name, name.upper(), name.lower()])
        cases.append(("sponsor-trials", {"sponsor": spelt, "role": role}))
    for org in rng.sample(orgs, min(3, len(orgs))):
        cases.append(("sponsor-trials", {"sponsor": org}))
    cases.append(("sponsor-trials", {"sponsor": "no such sponsor"}))
    for lat, lon in rng.sample(sites, min(count, len(sites))):
        km = rng.choice(["5", "25", "50"])  # boxes over at most 256 cells up to latitude ~80
        cases.append(("recruiting-near", {"lat": lat.value, "lon": lon.value, "km": km}))
    return cases


def test_every_indexed_variant_answers_a_shipped_query_and_says_what_it_reads() -> None:
    shipped = {q.name for q in list_queries()}
    variants = sorted(p.stem for p in INDEXED_DIR.glob("*.rq"))
    assert len(variants) == 14
    for name in variants:
        assert name in shipped
        variant = indexed_variant(load_query(name))
        assert variant is not None
        for older in indexed_variants(load_query(name)):
            assert requirements(older) <= {
                "statistics", "index", "index 2", "index 3", "index 4", "index 5", "index 7",
                "answers",
            }
            assert requirements(older)


def test_indexed_queries_give_the_scans_rows_on_the_shared_records(
    shared_store: ox.Store,
) -> None:
    assert capabilities(store_ask(shared_store)) == {
        "statistics", "index", "index 2", "index 3",
        "index 4", "index 5", "index 6", "index 7", "index 8", "answers"
    }
    nonempty = 0
    for name, params in _cases(shared_store, 12, seed=1):
        nonempty += bool(_compare(shared_store, name, params).rows)
    assert nonempty > 40  # the comparisons are not between empty answers


def test_the_seed_store_is_found_by_any_spelling_case_aside(shared_store: ox.Store) -> None:
    rows = _compare(shared_store, "sponsor-trials", {"sponsor": "UNIVERSITY HOSPITAL, MONTPELLIER"})
    nct = rows.variables.index("nct")
    assert "NCT03737461" in {row[nct].value for row in rows.rows if row[nct] is not None}


def test_indexed_queries_give_the_scans_rows_on_a_synthetic_registry(tmp_path: Path) -> None:
    from kg.synth import load_params, write_zip

    registry = write_zip(tmp_path / "synth.zip", load_params(), 150, seed=3)
    path = tmp_path / "store"
    build([str(registry)], StoreSink(path), base=DEFAULT_BASE)
    store = open_store(path)
    for name, params in _cases(store, 8, seed=2):
        _compare(store, name, params)


def test_a_store_without_statistics_runs_the_scans(seed_store: ox.Store) -> None:
    """An in-memory load of N-Quads (no statistics graph): every query runs as written."""
    assert capabilities(store_ask(seed_store)) == frozenset()
    for name in sorted(p.stem for p in INDEXED_DIR.glob("*.rq")):
        query = load_query(name)
        params = {"nct": "NCT03737461", "sponsor": "x", "lat": "43.6", "lon": "3.87",
                  "intervention": "placebo"}
        declared = {p.name for p in query.params}
        bindings = bind_params(query, {k: v for k, v in params.items() if k in declared})
        assert choose(query, bindings, store_ask(seed_store)) is query


def test_a_store_with_an_unindexed_trial_graph_keeps_statistics_but_not_the_index(
    tmp_path: Path, seed_path: Path
) -> None:
    """A trial graph from an older kg (no index triples) turns the index off, not the counts."""
    path = tmp_path / "store"
    build([str(seed_path)], StoreSink(path), base=DEFAULT_BASE)
    store = ox.Store(str(path))
    graph = ox.NamedNode(f"{DEFAULT_BASE}graph/NCT03737461")
    for quad in list(store.quads_for_pattern(None, ox.NamedNode(TKG + "recordGraph"), None, graph)):
        store.remove(quad)
    from kg.stats import refresh

    refresh(store)
    assert capabilities(store_ask(store)) == {"statistics", "answers"}
    query = load_query("sponsor-trials")
    bindings = bind_params(query, {"sponsor": "APHP"})
    assert choose(query, bindings, store_ask(store)) is query
    _compare(store, "trials-per-country", {})


def test_a_users_own_query_file_is_never_swapped(tmp_path: Path, shared_store: ox.Store) -> None:
    own = tmp_path / "trials-per-country.rq"
    own.write_text(load_query("trials-per-country").text + "\n# mine\n", "utf-8")
    query = load_query(str(own))
    assert choose(query, {}, store_ask(shared_store)) is query


def test_a_box_over_too_many_cells_runs_the_scan(shared_store: ox.Store) -> None:
    query = load_query("recruiting-near")
    bindings = bind_params(query, {"lat": "43.6", "lon": "3.87", "km": "2000"})
    assert choose(query, bindings, store_ask(shared_store)) is query
    assert box_cells(43.6, 3.87, 2000) == []


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12))
def test_python_lower_case_is_sparql_lcase(text: str) -> None:
    """The stored keys (Python) and the scans' LCASE (the store) lower-case alike."""
    result = ox.Store().query(f"SELECT (LCASE({literal(text)}) AS ?k) {{}}")
    assert isinstance(result, ox.QuerySolutions)
    (row,) = list(result)
    assert row["k"].value == text.lower()  # type: ignore[union-attr]
    key = lower_literal(literal(text))
    assert key is not None
    (parsed,) = ox.parse(f"<urn:s> <urn:p> {key} .", format=ox.RdfFormat.N_TRIPLES)
    assert parsed.object == ox.Literal(text.lower())


@settings(max_examples=100, deadline=None)
@given(
    st.decimals(min_value=-90, max_value=90, places=5),
    st.decimals(min_value=-180, max_value=180, places=5),
    st.sampled_from(["0.5", "5", "25", "60", "100", "300"]),
)
def test_the_cells_of_a_box_hold_every_point_the_box_holds(lat, lon, km) -> None:  # type: ignore[no-untyped-def]
    cells = set(box_cells(float(lat), float(lon), float(km)))
    if not cells:
        return  # too many cells: the scan runs
    dlat = float(km) / 111.32
    for fy in (-1.0, -0.5, 0.0, 0.5, 1.0):
        point_lat = float(lat) + fy * dlat
        if -90 <= point_lat <= 90:
            assert geo_cell(point_lat, float(lon)) in cells


PLACEBO = "<http://x/intervention-name/placebo>"  # {base}intervention-name/ and the name key


def test_index_triples_of_a_record() -> None:
    site, geo = "<http://x/t/site/1>", "<http://x/t/site/1/geo>"
    dec = "^^<http://www.w3.org/2001/XMLSchema#decimal>"
    triples = [
        ("<http://x/org>", "<http://schema.org/alternateName>", '"Hôpital \\"A\\""'),
        ("<http://x/i>", RDF_TYPE, f"<{TKG}Intervention>"),
        ("<http://x/i>", "<http://schema.org/name>", '"Placebo"'),
        ("<http://x/t>", "<http://schema.org/studySubject>", "<http://x/i>"),
        ("<http://x/i2>", RDF_TYPE, f"<{TKG}Intervention>"),  # the trial's, with two spellings
        ("<http://x/i2>", "<http://schema.org/name>", '"PLACEBO"'),
        ("<http://x/t>", "<http://schema.org/studySubject>", "<http://x/i2>"),
        ("<http://x/j>", RDF_TYPE, f"<{TKG}Intervention>"),  # no intervention of the trial's
        ("<http://x/j>", "<http://schema.org/name>", '"Other: \\"x\\" é"'),
        ("<http://x/org>", "<http://schema.org/name>", '"Not an intervention"'),
        ("<http://x/t>", "<http://schema.org/healthCondition>", "<http://x/c>"),
        ("<http://x/t>", f"<{TKG}conditionMeshTerm>", "<http://x/D1>"),
        ("<http://x/t2>", "<http://schema.org/healthCondition>", "<http://x/c2>"),
        ("<http://x/t>", f"<{TKG}site>", site),
        (site, "<http://schema.org/geo>", geo),
        (geo, "<http://schema.org/latitude>", f'"-0.5"{dec}'),
        (geo, "<http://schema.org/longitude>", f'"3.87"{dec}'),
        ("<http://x/t>", f"<{TKG}interventionMeshTerm>", f"<{MESH}D0X1>"),
        ("<http://x/t>", f"<{TKG}interventionMeshAncestor>", f"<{MESH}D0X1>"),
        ("<http://x/t>", f"<{TKG}interventionMeshAncestor>", f"<{MESH}\u212a2>"),
    ]
    recruiting = ("<http://x/t>", "<http://schema.org/status>", "<http://schema.org/Recruiting>")
    completed = ("<http://x/t>", "<http://schema.org/status>", "<http://schema.org/Completed>")
    title = ("<http://x/t>", "<http://schema.org/name>", '"A trial"@en')
    # Only a recruiting trial's sites have cells: recruiting-near looks for no other.
    # Without a title of its own, the trial's conditions get the untitled key (the trial).
    assert index_triples([*triples, completed], "<http://x/t>", "<http://x/g>") == [
        ("<http://x/t>", f"<{TKG}recordGraph>", "<http://x/g>"),
        ("<http://x/g>", f"<{TKG}indexFormat>", '"8"'),
        ("<http://x/c>", f"<{TKG}conditionUntitledTrial>", "<http://x/t>"),
        ("<http://x/c>", f"<{TKG}conditionTrialId>", '"t"'),  # the last part of the trial's IRI
        ("<http://x/D1>", f"<{TKG}meshTermUntitledTrial>", "<http://x/t>"),
        ("<http://x/D1>", f"<{TKG}meshTermTrialId>", '"t"'),
        (f"<{MESH}D0X1>", f"<{TKG}interventionMeshTermUntitledTrial>", "<http://x/t>"),
        (f"<{MESH}D0X1>", f"<{TKG}interventionMeshTermTrialId>", '"t"'),  # the term, no ancestor
        ("<http://x/org>", f"<{TKG}alternateNameKey>", '"hôpital \\"a\\""'),
        ("<http://x/i>", f"<{TKG}interventionNameKey>", '"placebo"'),
        ("<http://x/i2>", f"<{TKG}interventionNameKey>", '"placebo"'),
        ("<http://x/j>", f"<{TKG}interventionNameKey>", '"other: \\"x\\" é"'),
        # One node per name key of the trial's own interventions (not <http://x/j>'s).
        (PLACEBO, f"<{TKG}interventionNameUntitledTrial>", "<http://x/t>"),
        (PLACEBO, f"<{TKG}interventionNameTrialId>", '"t"'),
        (PLACEBO, f"<{TKG}interventionNameSpelling>", '"Placebo"'),
        (PLACEBO, f"<{TKG}interventionNameSpelling>", '"PLACEBO"'),
        (f"<{MESH}D0X1>", f"<{TKG}meshIdKey>", '"d0x1"'),  # once, term or ancestor
        (f"<{MESH}\u212a2>", f"<{TKG}meshIdKey>", '"k2"'),  # LCASE of the Kelvin sign
    ]
    second = ("<http://x/t>", "<http://schema.org/name>", '"Second"')
    out = index_triples([*triples, title, second, recruiting], "<http://x/t>", "<http://x/g>")
    assert out == [
        ("<http://x/t>", f"<{TKG}recordGraph>", "<http://x/g>"),
        ("<http://x/g>", f"<{TKG}indexFormat>", '"8"'),
        ("<http://x/t>", f"<{TKG}ownTitle>", '"A trial"@en'),
        ("<http://x/t>", f"<{TKG}ownTitle>", '"Second"'),
        ("<http://x/c>", f"<{TKG}conditionTrialTitle>", '"A trial"@en'),
        ("<http://x/c>", f"<{TKG}conditionTrialTitle>", '"Second"'),
        ("<http://x/c>", f"<{TKG}conditionTrialId>", '"t"'),
        ("<http://x/D1>", f"<{TKG}meshTermTrialTitle>", '"A trial"@en'),
        ("<http://x/D1>", f"<{TKG}meshTermTrialTitle>", '"Second"'),
        ("<http://x/D1>", f"<{TKG}meshTermTrialId>", '"t"'),
        (f"<{MESH}D0X1>", f"<{TKG}interventionMeshTermTrialTitle>", '"A trial"@en'),
        (f"<{MESH}D0X1>", f"<{TKG}interventionMeshTermTrialTitle>", '"Second"'),
        (f"<{MESH}D0X1>", f"<{TKG}interventionMeshTermTrialId>", '"t"'),
        ("<http://x/org>", f"<{TKG}alternateNameKey>", '"hôpital \\"a\\""'),
        ("<http://x/i>", f"<{TKG}interventionNameKey>", '"placebo"'),
        ("<http://x/i2>", f"<{TKG}interventionNameKey>", '"placebo"'),
        ("<http://x/j>", f"<{TKG}interventionNameKey>", '"other: \\"x\\" é"'),
        (PLACEBO, f"<{TKG}interventionNameTrialTitle>", '"A trial"@en'),
        (PLACEBO, f"<{TKG}interventionNameTrialTitle>", '"Second"'),
        (PLACEBO, f"<{TKG}interventionNameTrialId>", '"t"'),
        (PLACEBO, f"<{TKG}interventionNameSpelling>", '"Placebo"'),
        (PLACEBO, f"<{TKG}interventionNameSpelling>", '"PLACEBO"'),
        (f"<{MESH}D0X1>", f"<{TKG}meshIdKey>", '"d0x1"'),
        (f"<{MESH}\u212a2>", f"<{TKG}meshIdKey>", '"k2"'),
        (site, f"<{TKG}geoCell>", '"-2 15"'),
        (site, f"<{TKG}fineGeoCell>", '"-8 61"'),
        # The site key (format 8): false, as a title with a language is no value kg writes there.
        ("<https://w3id.org/trialkg/cell/16/-8/61>", f"<{TKG}recruitingSiteKey>", '"false"'),
    ]


def test_the_statistics_graph_holds_no_type_and_no_schema_term(shared_store: ox.Store) -> None:
    """No scan query, class count or validation sees the statistics graph's rows."""
    quads = list(shared_store.quads_for_pattern(None, None, None, ox.NamedNode(STATS_GRAPH)))
    assert quads
    assert all(q.predicate.value.startswith(TKG) for q in quads)
