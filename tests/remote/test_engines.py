"""Every engine, the same answers: each named query gives the embedded store's rows (same order,
same canonical values) on Oxigraph server with and without a union default graph, Virtuoso 7 and
``kg serve``, the last two with small row caps so answers come in pages; a cut or partial answer
is read whole or refused, never taken for the whole.

The engines hold the shared records' store (seed + every shared record). The parameter cases are
those of tests/test_named_queries.py plus the roles and spellings that broke on Virtuoso.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from engines import KgServe, bulk_load
from servers import OxigraphServer
from typer.testing import CliRunner
from virtuoso import VirtuosoServer

from kg.errors import EndpointError
from kg.queries import NamedQuery, ResultTable, bind_params, list_queries, load_query, run_query
from kg.remote import Endpoint, pages_by_rank, query_endpoint
from kg.terms import DEFAULT_BASE
from kg.validate._remote import Endpoint as RemoteGraphs

SEED = "NCT03737461"
CASES: dict[str, list[dict[str, str]]] = {
    "trial-sponsors": [{"nct": SEED}, {"nct": "NCT03828656"}, {"nct": "NCT05774483"},
                       {"nct": "NCT00005182"}],
    "trial-sites": [{"nct": SEED}, {"nct": "NCT05774483"}],
    "trial-interventions": [{"nct": SEED}, {"nct": "NCT03934658"}],
    "related-trials": [{"nct": SEED}, {"nct": "NCT05774483"}],
    "trial-publications": [{"nct": SEED}, {"nct": "NCT05774483"}, {"nct": "NCT00000487"}],
    "sponsor-network": [{}],
    "sponsor-trials": [
        {"sponsor": "UNIVERSITY HOSPITAL, MONTPELLIER"},
        {"sponsor": "University Hospital, Montpellier", "role": "lead"},
        {"sponsor": "rationalpsych", "role": "collaborator"},
        {"sponsor": "RationalPsych", "role": "lead"},
        {"sponsor": f"{DEFAULT_BASE}org/nightware"},
        {"sponsor": "national cancer institute (nci)"},
    ],
    "sponsors-by-class": [{}, {"class": "INDUSTRY"}],
    "trials-per-country": [{}],
    "trials-per-city": [{}],
    "trials-sharing-condition": [{"nct": SEED}, {"nct": "NCT03828656"}],
    "trials-sharing-intervention": [{"nct": SEED}, {"nct": "NCT06751849"}],
    "sponsor-publications": [{}, {"role": "lead"}],
    "publications-per-sponsor": [{}, {"role": "any"}, {"role": "collaborator"}],
    "published-without-results": [{}],
    "trials-without-results-publication": [{"asOf": "2025-06-30"},
                                           {"asOf": "2025-06-30", "which": "all"}],
    # Two of the four boxes of test_named_queries (each reads every site): none, and many rows.
    "recruiting-near": [
        {"lat": "43.61", "lon": "3.88", "km": "500"},
        {"lat": "40.85", "lon": "-73.87", "km": "50"},
    ],
    "dataset-summary": [{}],
    "trial-adverse-events": [{"nct": "NCT03694327"}, {"nct": "NCT01065844"}],
    "trial-results": [{"nct": "NCT05372913"}, {"nct": "NCT01642004"}],
    "adverse-events-by-intervention": [
        {"intervention": "placebo"},
        {"intervention": "D000077716", "seriousness": "any"},
    ],
    "results-summary": [{}],
}
# A query added later without an entry here runs with its defaults (checked below).
CASE_IDS = [
    (q.name, n, params)
    for q in list_queries()
    for n, params in enumerate(CASES.get(q.name, [{}]))
]
ENGINES = ["oxigraph_union", "oxigraph_plain", "virtuoso_capped", "kg_serve_capped"]
# Debian ships 10,000; small, so the larger answers come in pages. Each page sorts the whole
# answer again, so the pages of an answer cost about (rows / cap) times one sorted answer.
VIRTUOSO_CAP = 2000
KG_SERVE_CAP = 2000


# --- the engines ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxigraph_union(shared_store_path: Path) -> Iterator[str]:
    server = OxigraphServer(shared_store_path, union=True, read_only=True).start()
    yield server.query_url
    server.stop()


@pytest.fixture(scope="module")
def oxigraph_plain(shared_store_path: Path) -> Iterator[str]:
    """Oxigraph server as it starts by default: the default graph is only the default graph."""
    server = OxigraphServer(shared_store_path, union=False, read_only=True).start()
    yield server.query_url
    server.stop()


@pytest.fixture(scope="module")
def shared_nquads(shared_store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole store (ontology too, as kg push sends it) as one N-Quads file."""
    path = tmp_path_factory.mktemp("engines") / "shared.nq"
    shared_store.dump(str(path), ox.RdfFormat.N_QUADS)
    return path


@pytest.fixture(scope="module")
def virtuoso_capped(shared_nquads: Path) -> Iterator[VirtuosoServer]:
    # The default buffers (as VirtuosoServer sets them): Virtuoso estimates a query's cost from
    # them, and with few (Debian's ini ships 10,000) publications-per-sponsor passes its limit.
    server = VirtuosoServer(max_rows=VIRTUOSO_CAP).start()
    try:
        seconds = bulk_load(server, shared_nquads)
        quads = server.scalar(
            "SPARQL SELECT COUNT(*) WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/trialkg/')) };"
        )
        assert int(quads) == sum(1 for _ in shared_nquads.open("rb")), seconds
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def kg_serve_capped(shared_store_path: Path) -> Iterator[str]:
    server = KgServe(shared_store_path, max_rows=KG_SERVE_CAP).start()
    yield server.query_url
    server.stop()


@pytest.fixture(scope="module")
def local_answers() -> dict[tuple[str, int], ResultTable]:
    """Each case's rows on the embedded store, computed once."""
    return {}


def _url(request: pytest.FixtureRequest, engine: str) -> str:
    value = request.getfixturevalue(engine)
    return value.query_url if isinstance(value, VirtuosoServer) else str(value)


# --- parity ---------------------------------------------------------------------------------------


def test_the_cases_cover_every_named_query() -> None:
    names = {q.name for q in list_queries()}
    assert set(CASES) <= names
    assert [q.name for q in list_queries()
            if q.name not in CASES and any(p.default is None for p in q.params)] == []


def _local(
    store: ox.Store, answers: dict[tuple[str, int], ResultTable], name: str, n: int,
    params: dict[str, str],
) -> ResultTable:
    if (name, n) not in answers:
        query = load_query(name)
        answers[name, n] = run_query(store, query, bind_params(query, params))
    return answers[name, n]


@pytest.fixture(scope="module")
def engine_urls(request: pytest.FixtureRequest) -> dict[str, str]:
    """Every engine's query URL (each started once for the module)."""
    return {engine: _url(request, engine) for engine in ENGINES}


@pytest.mark.parametrize(("name", "n", "params"), CASE_IDS,
                         ids=[f"{name}-{n}" for name, n, _ in CASE_IDS])
def test_a_named_query_gives_the_embedded_stores_rows_on_every_engine(
    shared_store: ox.Store, local_answers: dict[tuple[str, int], ResultTable],
    engine_urls: dict[str, str], name: str, n: int, params: dict[str, str],
) -> None:
    query = load_query(name)
    bindings = bind_params(query, params)
    # The engines answer at once (each is its own process); the store answers meanwhile.
    with ThreadPoolExecutor(len(engine_urls)) as pool:
        pending = {engine: pool.submit(query_endpoint, Endpoint(url, timeout=300), query, bindings)
                   for engine, url in engine_urls.items()}
        local = _local(shared_store, local_answers, name, n, params)
        remote = {engine: future.result() for engine, future in pending.items()}
    differ = {engine: _first_difference(local, table) for engine, table in remote.items()
              if (table.variables, table.rows) != (local.variables, local.rows)}
    assert differ == {}, f"the store gives {len(local.rows)} rows"


def _first_difference(local: ResultTable, remote: ResultTable) -> str:
    if remote.variables != local.variables:
        return f"columns {remote.variables}"
    at = next((i for i, (a, b) in enumerate(zip(local.rows, remote.rows, strict=False)) if a != b),
              min(len(local.rows), len(remote.rows)))
    mine = local.rows[at] if at < len(local.rows) else None
    theirs = remote.rows[at] if at < len(remote.rows) else None
    return f"{len(remote.rows)} rows; row {at}: {theirs} where the store has {mine}"


def test_every_named_query_has_a_case_with_rows(
    shared_store: ox.Store, local_answers: dict[tuple[str, int], ResultTable],
) -> None:
    """Each query is compared on real rows somewhere, and some answers are larger than the caps."""
    tables = {(name, n): _local(shared_store, local_answers, name, n, params)
              for name, n, params in CASE_IDS}
    with_rows = {name for (name, _), table in tables.items() if table.rows}
    assert with_rows == {q.name for q in list_queries()}
    paged = [k for k, table in tables.items() if len(table.rows) > KG_SERVE_CAP]
    assert paged, "no case is larger than the caps: paging would go untested"


# --- caps, on real servers ------------------------------------------------------------------------

LARGE = f"{DEFAULT_BASE}graph/NCT05552976"  # 5,125 triples: three pages at either cap


@pytest.mark.parametrize("engine", ["virtuoso_capped", "kg_serve_capped"])
def test_a_trial_graph_larger_than_the_cap_is_read_whole(
    request: pytest.FixtureRequest, shared_store: ox.Store, engine: str
) -> None:
    expected = {q.triple for q in shared_store.quads_for_pattern(
        None, None, None, ox.NamedNode(LARGE))}
    assert len(expected) > 2 * max(VIRTUOSO_CAP, KG_SERVE_CAP)
    text = RemoteGraphs(_url(request, engine)).graph(LARGE)
    got = [q.triple for q in ox.parse(text, ox.RdfFormat.N_TRIPLES)]
    assert len(got) == len(expected)
    assert set(got) == expected


def test_a_capped_answer_that_cannot_be_paged_is_refused_naming_the_cap(
    kg_serve_capped: str,
) -> None:
    # A VALUES block after the WHERE group: no page can be cut from it, so the answer is refused.
    trailing = NamedQuery(
        "trailing",
        "PREFIX tkg: <https://w3id.org/trialkg/ontology#>\n"
        "SELECT ?site ?copy WHERE { ?site a tkg:Site } VALUES ?copy { 1 2 }",
        "", (), "",
    )
    with pytest.raises(EndpointError, match=rf"cut the answer at its cap of {KG_SERVE_CAP} rows"):
        query_endpoint(Endpoint(kg_serve_capped, timeout=300), trailing)


def test_virtuosos_partial_answer_at_its_time_limit_is_refused(
    virtuoso_capped: VirtuosoServer,
) -> None:
    # Virtuoso's anytime query: the 'timeout' parameter (ms) cuts the query and Virtuoso answers
    # 200 with what it had, flagged only by X-SQL-State: S1TAT (seen on Debian's 7.2.x).
    heavy = NamedQuery(
        "heavy",
        "PREFIX tkg: <https://w3id.org/trialkg/ontology#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?a a tkg:Site . ?b a tkg:Site FILTER(STR(?a) < STR(?b)) }",
        "", (), "",
    )
    endpoint = Endpoint(virtuoso_capped.query_url + "?timeout=300", timeout=120)
    started = time.monotonic()
    with pytest.raises(EndpointError, match=r"partial answer \(S1TAT.*MaxQueryExecutionTime"):
        query_endpoint(endpoint, heavy)
    assert time.monotonic() - started < 60


def test_kg_query_exits_non_zero_naming_the_cap_it_cannot_page_past(
    kg_serve_capped: str, tmp_path: Path
) -> None:
    rq = tmp_path / "copies.rq"
    rq.write_text("PREFIX tkg: <https://w3id.org/trialkg/ontology#>\n"
                  "SELECT ?site ?copy WHERE { ?site a tkg:Site } VALUES ?copy { 1 2 }\n")
    done = subprocess.run(
        [sys.executable, "-m", "kg", "query", str(rq), "--endpoint", kg_serve_capped],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert f"cut the answer at its cap of {KG_SERVE_CAP} rows" in done.stderr
    assert "--max-rows" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_every_engine_tells_what_the_store_holds(
    shared_store: ox.Store, engine_urls: dict[str, str]
) -> None:
    """The store markers (statistics, index formats by an integer cast, answers) read alike."""
    from kg.indexed import capabilities, endpoint_ask, store_ask

    local = capabilities(store_ask(shared_store))
    assert {
        "statistics", "index", "index 2", "index 3", "index 4", "index 5", "index 6",
        "index 7", "index 8", "answers",
    } <= local
    for engine, url in engine_urls.items():
        assert capabilities(endpoint_ask(Endpoint(url, timeout=300))) == local, engine


# --- pages by block of ranks or by keys (issue 15, fourth pass) -----------------------------------

BLOCK_CASES = [
    ("publications-per-sponsor", {"role": "any"}),
    ("sponsor-publications", {"role": "lead"}),
    ("sponsors-by-class", {"class": "INDUSTRY"}),
    ("trials-without-results-publication", {"asOf": "2025-06-30", "which": "all"}),
]


@pytest.mark.parametrize(("name", "params"), BLOCK_CASES, ids=[c[0] for c in BLOCK_CASES])
def test_block_pages_are_the_stores_on_every_engine(
    shared_store: ox.Store, engine_urls: dict[str, str], name: str, params: dict[str, str],
) -> None:
    """The ranked forms' comparisons (``?side``, kg.rank_blocks) and the keys bound as ``VALUES``
    (kg.key_pages) read alike on every engine."""
    from kg.indexed import choose, endpoint_ask
    from kg.key_pages import keys_paged, read_keys_page
    from kg.queries import Bindings
    from kg.query_output import Page, read_page
    from kg.rank_blocks import block_paged, find_block, ranked_form

    query = load_query(name)
    bindings = bind_params(query, params)
    whole = run_query(shared_store, query, bindings, indexed=False)
    # Pages of up to 40 rows (a third of publications-per-sponsor's answer bound 259 ranks a page:
    # 91 s over the engines).
    size = max(1, min(40, len(whole.rows) // 3))
    for engine, url in engine_urls.items():
        endpoint = Endpoint(url, timeout=300)
        chosen = choose(query, bindings, endpoint_ask(endpoint))
        assert block_paged(chosen) or keys_paged(chosen), engine

        def run(q: NamedQuery, b: Bindings, endpoint: Endpoint = endpoint) -> ResultTable:
            return query_endpoint(endpoint, q, b, indexed=False)

        # Virtuoso plans the bound ranks from the other end (kg.remote.pages_by_rank): kg asks it
        # for LIMIT/OFFSET pages instead; every other engine starts from the ranks or keys.
        by_rank = pages_by_rank(endpoint)
        assert by_rank is (engine != "virtuoso_capped"), engine
        if by_rank:
            fast = (read_keys_page(run, chosen, bindings, 0, 1) if keys_paged(chosen)
                    else find_block(run, ranked_form(chosen), bindings))
            assert fast is not None, engine  # not the slow way
        for offset in (0, len(whole.rows) - 1):  # the first page and the last row
            page = read_page(chosen, bindings, Page(size, offset), run, by_rank=by_rank)
            assert page.table.rows == whole.rows[offset : offset + size], (engine, offset)
            assert page.total == len(whole.rows), engine


@pytest.mark.parametrize(
    ("name", "nct"),
    [
        ("trials-sharing-condition", "NCT03828656"),
        ("trials-sharing-condition", "NCT05029726"),
        ("trials-sharing-intervention", "NCT06875310"),  # names and MeSH terms, 176 rows
        ("trials-sharing-intervention", "NCT04267848"),
    ],
)
def test_head_pages_are_the_stores_on_every_engine(
    shared_store: ox.Store, engine_urls: dict[str, str], name: str, nct: str,
) -> None:
    """trials-sharing-condition's and trials-sharing-intervention's pages (index formats 4 and 7:
    the first pairs in NCT order, then their titles, and the count from the keys;
    kg.head_pages) read alike on every engine."""
    from kg.head_pages import head_paged, read_head_page
    from kg.indexed import choose, endpoint_ask
    from kg.queries import Bindings
    from kg.query_output import Page, read_page

    query = load_query(name)
    bindings = bind_params(query, {"nct": nct})
    whole = run_query(shared_store, query, bindings, indexed=False)
    assert len(whole.rows) > 10
    for engine, url in engine_urls.items():
        endpoint = Endpoint(url, timeout=300)
        chosen = choose(query, bindings, endpoint_ask(endpoint))
        assert head_paged(chosen), engine

        def run(q: NamedQuery, b: Bindings, endpoint: Endpoint = endpoint) -> ResultTable:
            return query_endpoint(endpoint, q, b, indexed=False)

        assert read_head_page(run, chosen, bindings, 0, 1) is not None, engine  # not the slow way
        by_rank = pages_by_rank(endpoint)
        for offset, size in ((0, 5), (7, 3), (len(whole.rows) - 2, 5)):
            page = read_page(chosen, bindings, Page(size, offset), run, by_rank=by_rank)
            assert page.table.rows == whole.rows[offset : offset + size], (engine, offset)
            assert page.total == len(whole.rows), engine


def test_kg_query_pages_virtuoso_with_limit_and_offset(
    shared_store: ox.Store, virtuoso_capped: VirtuosoServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`kg query --limit` on Virtuoso sends no bound ranks (72 s a page there, 6 s this way)."""
    import kg.cli.query as cli_query
    from kg.cli import app
    from kg.queries import OutputFormat, format_results

    sent: list[str] = []

    def spy(endpoint: Endpoint, query: NamedQuery, *args: object, **kw: object) -> ResultTable:
        sent.append(query.text)
        return query_endpoint(endpoint, query, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(cli_query, "query_endpoint", spy)
    query = load_query("publications-per-sponsor")
    whole = run_query(shared_store, query, bind_params(query, {}), indexed=False)
    done = CliRunner().invoke(app, [
        "query", "publications-per-sponsor", "--endpoint", virtuoso_capped.query_url,
        "--limit", "5", "--offset", "400", "--format", "csv",
    ])
    assert done.exit_code == 0, done.output
    expected = ResultTable(whole.variables, whole.rows[400:405])
    assert done.stdout.splitlines() == format_results(expected, OutputFormat("csv")).splitlines()
    assert f"rows 401-405 of {len(whole.rows)}" in done.stderr
    assert sent and not any("VALUES ?rank" in text for text in sent)
