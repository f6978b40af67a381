"""Queries on a remote endpoint: the same rows as the embedded store, safe binding, clear errors."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from servers import FakeEndpoint, OxigraphServer, free_port

from kg.cli import main
from kg.errors import EndpointError, QueryError, UsageError
from kg.queries import NamedQuery, OutputFormat, bind_params, list_queries, load_query, run_query
from kg.remote import Endpoint, TransientEndpointError, query_endpoint
from kg.sinks.remote import push

SEED = "NCT03737461"
# Parameters for each named query: the seed and shared records that give rows.
CASES: dict[str, list[dict[str, str]]] = {
    "trial-sponsors": [{"nct": SEED}, {"nct": "NCT03828656"}, {"nct": "NCT00005182"}],
    "trial-sites": [{"nct": SEED}, {"nct": "NCT05774483"}],
    "trial-interventions": [{"nct": SEED}, {"nct": "NCT03934658"}],
    "related-trials": [{"nct": SEED}],
    "trial-publications": [{"nct": SEED}, {"nct": "NCT05774483"}, {"nct": "NCT00000487"}],
    "sponsor-network": [{}],
    "sponsor-trials": [
        {"sponsor": "University Hospital, Montpellier"},
        {"sponsor": "national cancer institute (nci)", "role": "lead"},
    ],
    "sponsors-by-class": [{}, {"class": "INDUSTRY"}],
    "trials-per-country": [{}],
    "trials-per-city": [{}],
    "trials-sharing-condition": [{"nct": "NCT03828656"}, {"nct": "NCT03630809"}],
    "trials-sharing-intervention": [{"nct": "NCT06751849"}],
    "sponsor-publications": [{}, {"role": "lead"}],
    "published-without-results": [{}],
    "recruiting-near": [
        {"lat": "40.71", "lon": "-74.01", "km": "25"},
        {"lat": "28.68", "lon": "115.85", "km": "10"},
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
# A query added later without an entry here runs with its defaults (test below: it needs none).
PARITY = [
    pytest.param(q.name, params, id=f"{q.name}-{n}")
    for q in list_queries()
    for n, params in enumerate(CASES.get(q.name, [{}]))
]


def test_parity_covers_every_named_query() -> None:
    uncovered = [q.name for q in list_queries()
                 if q.name not in CASES and any(p.default is None for p in q.params)]
    assert uncovered == []
    assert set(CASES) <= {q.name for q in list_queries()}


@pytest.mark.parametrize(("name", "params"), PARITY)
def test_a_named_query_gives_the_same_rows_remotely_as_locally(
    shared_store: ox.Store, shared_server: OxigraphServer, name: str, params: dict[str, str]
) -> None:
    query = load_query(name)
    bindings = bind_params(query, params)
    local = run_query(shared_store, query, bindings)
    remote = query_endpoint(Endpoint(shared_server.query_url, timeout=120), query, bindings)
    assert local.rows
    assert remote == local


# --- injection -----------------------------------------------------------------------------------

HOSTILE = [
    'say "hi"',
    "a > b",
    "two\nlines\r\n",
    "} } ; DROP ALL ; #",
    '" } UNION { ?t ?p ?o } #',
    "SELECT * WHERE { ?s ?p ?o }",
    "back\\slash \\u0022 and \\U0001F600",
    "tab\tbell\x07 and é",
]
FIND = NamedQuery(
    "find", "SELECT ?t WHERE { ?t <http://purl.org/dc/terms/identifier> ?nct }", "", (), ""
)


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An N-Quads file whose identifiers are the hostile values, one graph each."""
    store = ox.Store()
    for n, value in enumerate(HOSTILE):
        store.add(ox.Quad(ox.NamedNode(f"http://t/{n}"),
                          ox.NamedNode("http://purl.org/dc/terms/identifier"),
                          ox.Literal(value), ox.NamedNode(f"http://g/{n}")))
    path = tmp_path_factory.mktemp("hostile") / "hostile.nq"
    store.dump(str(path), ox.RdfFormat.N_QUADS)
    return path


@pytest.mark.parametrize("protocol", ["store", "update"])
def test_hostile_values_round_trip_and_bind_as_one_literal_remotely(
    make_server: type[OxigraphServer], hostile_data: Path, tmp_path: Path, protocol: str
) -> None:
    server = make_server().start()
    if protocol == "store":
        push(hostile_data, journal=tmp_path / "journal", store_url=server.store_url)
    else:
        push(hostile_data, journal=tmp_path / "journal", update_url=server.update_url)
    endpoint = Endpoint(server.query_url)
    for n, value in enumerate(HOSTILE):
        table = query_endpoint(endpoint, FIND, bind_params(FIND, {"nct": value}))
        assert [c.value for row in table.rows for c in row if c] == [f"http://t/{n}"], value


# --- errors --------------------------------------------------------------------------------------

ASK_ALL = NamedQuery("all", "SELECT * WHERE { ?s ?p ?o }", "", (), "")


def test_an_endpoint_that_is_down_is_named_in_the_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(TransientEndpointError, match="connection refused"):
        query_endpoint(Endpoint(url), ASK_ALL)


def test_a_slow_endpoint_times_out(fake_endpoint: FakeEndpoint) -> None:
    fake_endpoint.delay = 2.5
    with pytest.raises(TransientEndpointError, match="did not answer within 1 s"):
        query_endpoint(Endpoint(fake_endpoint.url + "/query", timeout=1), ASK_ALL)


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("text/html", b"<html><body>Welcome to nginx</body></html>", "answered text/html"),
        ("application/sparql-results+json", b'{"head": ', "malformed JSON"),
        ("application/json", b'{"answer": 42}', "not SPARQL results"),
        ("application/json", b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": 1}]}}',
         "not SPARQL results"),
    ],
)
def test_garbage_from_an_endpoint_is_an_endpoint_error(
    fake_endpoint: FakeEndpoint, content_type: str, body: bytes, message: str
) -> None:
    fake_endpoint.content_type, fake_endpoint.body = content_type, body
    with pytest.raises(EndpointError, match=message):
        query_endpoint(Endpoint(fake_endpoint.url + "/query"), ASK_ALL)


@pytest.mark.parametrize(("status", "message"), [
    (401, "KG_ENDPOINT_USER"), (403, "refused access"), (404, "not found"), (503, "HTTP 503"),
    (500, "HTTP 500"),
])
def test_an_http_error_status_says_what_went_wrong(
    fake_endpoint: FakeEndpoint, status: int, message: str
) -> None:
    fake_endpoint.status, fake_endpoint.body = status, b"nope\n"
    with pytest.raises(EndpointError, match=message):
        query_endpoint(Endpoint(fake_endpoint.url + "/query"), ASK_ALL)


def test_a_malformed_query_is_a_query_error_with_the_servers_message(
    shared_server: OxigraphServer,
) -> None:
    broken = NamedQuery("broken", "SELECT ?x WHERE { ?x ", "", (), "")
    with pytest.raises(QueryError, match=r"broken: .*refused the query: error at"):
        query_endpoint(Endpoint(shared_server.query_url), broken)


def test_typed_literals_from_older_stores_read_as_literals(fake_endpoint: FakeEndpoint) -> None:
    fake_endpoint.body = (
        b'{"head": {"vars": ["n", "s"]}, "results": {"bindings": [{"n": {"type": "typed-literal",'
        b' "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "3"}, "s": {"type": '
        b'"literal", "datatype": "http://www.w3.org/2001/XMLSchema#string", "value": "x"}}]}}'
    )
    table = query_endpoint(Endpoint(fake_endpoint.url + "/q"), ASK_ALL)
    assert [(c.value, c.datatype) for c in table.rows[0] if c] == [
        ("3", "http://www.w3.org/2001/XMLSchema#integer"), ("x", None)]


def test_a_bearer_token_from_the_environment_is_sent(fake_endpoint: FakeEndpoint) -> None:
    endpoint = Endpoint.from_env(fake_endpoint.url + "/q", environ={"KG_ENDPOINT_TOKEN": "s3cr3t"})
    query_endpoint(endpoint, ASK_ALL)
    assert fake_endpoint.seen[0][2]["Authorization"] == "Bearer s3cr3t"


def test_a_user_and_password_from_the_environment_are_sent_as_basic_auth(
    fake_endpoint: FakeEndpoint,
) -> None:
    env = {"KG_ENDPOINT_USER": "ann", "KG_ENDPOINT_PASSWORD": "pw:1"}
    query_endpoint(Endpoint.from_env(fake_endpoint.url + "/q", environ=env), ASK_ALL)
    sent = fake_endpoint.seen[0][2]["Authorization"]
    assert base64.b64decode(sent.removeprefix("Basic ")) == b"ann:pw:1"


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(UsageError, match="not in the URL"):
        Endpoint.from_env("http://ann:pw@example.org/sparql", environ={})


def test_a_timeout_from_the_environment_must_be_a_number() -> None:
    with pytest.raises(UsageError, match="KG_ENDPOINT_TIMEOUT"):
        Endpoint.from_env("http://example.org/sparql", environ={"KG_ENDPOINT_TIMEOUT": "soon"})


# --- the command line -----------------------------------------------------------------------------


def kg(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
       ) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["kg", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    out = capsys.readouterr()
    return int(stop.value.code or 0), out.out, out.err


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_query_endpoint_prints_what_the_store_prints(
    shared_store_path: Path, shared_server: OxigraphServer, fmt: OutputFormat,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["query", "trial-sponsors", "-p", f"nct={SEED}", "-f", fmt.value]
    local = kg([*args, "--store", str(shared_store_path)], monkeypatch, capsys)
    remote = kg([*args, "--endpoint", shared_server.query_url], monkeypatch, capsys)
    assert local[0] == remote[0] == 0
    assert remote[1] == local[1]
    assert "University Hospital, Montpellier" in local[1]


def test_query_endpoint_that_is_down_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    code, out, err = kg(["query", "dataset-summary", "--endpoint", url, "--timeout", "2"],
                        monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err == f"kg: error: cannot reach endpoint {url}: connection refused (is it running?)\n"
