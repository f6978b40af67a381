"""``kg serve``'s /sparql as SPARQL 1.1 Protocol says: the dataset, ASK in CSV/TSV, graph results
in N-Quads and TriG, and a service description that names the URL it is reached at.

Expected counts come from the store's own quads (``quads_for_pattern``), never from /sparql.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest
from publish_support import SEED_NCT, Server

from kg.terms import iri

BASE = "https://w3id.org/trialkg/"
SEED_GRAPH = f"{BASE}graph/{SEED_NCT}"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _query(template: str, *graphs: str) -> str:
    """Fill <G0>, <G1>... of a query template with IRIs as kg.terms writes them (escaped)."""
    for n, graph in enumerate(graphs):
        template = template.replace(f"<G{n}>", iri(graph))
    return template


def _post(
    server: Server, fields: list[tuple[str, str]], accept: str
) -> tuple[int, dict[str, str], bytes]:
    return server.request(
        "/sparql", method="POST", headers={**FORM, "Accept": accept},
        body=urlencode(fields).encode(),
    )


def _count(server: Server, query: str, *extra: tuple[str, str]) -> int:
    status, _, body = _post(server, [("query", query), *extra], "application/sparql-results+json")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _graphs(server: Server, query: str, *extra: tuple[str, str]) -> set[str]:
    status, _, body = _post(server, [("query", query), *extra], "application/sparql-results+json")
    assert status == 200, body
    return {row["g"]["value"] for row in json.loads(body)["results"]["bindings"]}


@pytest.fixture(scope="module")
def graph_sizes(publish_store: ox.Store) -> dict[str, int]:
    """Quads per named graph, read from the store directly."""
    sizes: dict[str, int] = {}
    for quad in publish_store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            sizes[quad.graph_name.value] = sizes.get(quad.graph_name.value, 0) + 1
    return sizes


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NAMED = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


COUNT_FROM = "SELECT (COUNT(*) AS ?n) FROM <G0> WHERE { ?s ?p ?o }"


def test_from_makes_one_graph_the_default_graph(
    server: Server, graph_sizes: dict[str, int]
) -> None:
    assert _count(server, _query(COUNT_FROM, SEED_GRAPH)) == graph_sizes[SEED_GRAPH]
    assert _count(server, COUNT) == sum(graph_sizes.values()) > graph_sizes[SEED_GRAPH]


def test_from_named_alone_leaves_only_those_graphs_named(
    server: Server, graph_sizes: dict[str, int]
) -> None:
    other = next(g for g in graph_sizes if g != SEED_GRAPH)
    query = _query("SELECT DISTINCT ?g FROM NAMED <G0> FROM NAMED <G1> "
                   "WHERE { GRAPH ?g { ?s ?p ?o } }", SEED_GRAPH, other)
    assert _graphs(server, query) == {SEED_GRAPH, other}
    named_only = _query("SELECT (COUNT(*) AS ?n) FROM NAMED <G0> WHERE { ?s ?p ?o }", other)
    assert _count(server, named_only) == 0
    assert _graphs(server, NAMED) == set(graph_sizes)


def test_protocol_graphs_define_the_dataset_over_the_querys_own(
    server: Server, graph_sizes: dict[str, int]
) -> None:
    other = next(g for g in graph_sizes if g != SEED_GRAPH)
    assert _count(server, COUNT, ("default-graph-uri", other)) == graph_sizes[other]
    both = _count(server, COUNT, ("default-graph-uri", other), ("default-graph-uri", SEED_GRAPH))
    assert both == graph_sizes[other] + graph_sizes[SEED_GRAPH]
    # The protocol's dataset wins over FROM, and names no graph unless named-graph-uri does.
    query = _query(COUNT_FROM, SEED_GRAPH)
    assert _count(server, query, ("default-graph-uri", other)) == graph_sizes[other]
    assert _graphs(server, NAMED, ("default-graph-uri", other)) == set()
    assert _graphs(server, NAMED, ("named-graph-uri", other)) == {other}
    assert _count(server, COUNT, ("named-graph-uri", other)) == 0


def test_a_graph_uri_that_is_not_an_iri_is_a_400(server: Server) -> None:
    status, _, body = _post(server, [("query", COUNT), ("default-graph-uri", "not an iri")],
                            "application/sparql-results+json")
    assert status == 400
    assert b"not an IRI" in body


@pytest.mark.parametrize(("accept", "fmt", "expected"), [
    ("text/csv", None, "_askResult\r\ntrue\r\n"),
    ("text/tab-separated-values", None, "?_askResult\ntrue\n"),
    ("*/*", "csv", "_askResult\r\ntrue\r\n"),
    ("*/*", "tsv", "?_askResult\ntrue\n"),
])
def test_ask_answers_in_csv_and_tsv(server: Server, accept: str, fmt: str | None,
                                    expected: str) -> None:
    fields = [("query", _query("ASK { GRAPH <G0> { ?s ?p ?o } }", SEED_GRAPH))]
    if fmt:
        fields.append(("format", fmt))
    status, headers, body = _post(server, fields, accept)
    assert status == 200
    assert headers["content-type"].split(";")[0] == (accept if not fmt else
                                                     {"csv": "text/csv",
                                                      "tsv": "text/tab-separated-values"}[fmt])
    assert body.decode() == expected
    fields[0] = ("query", "ASK { ?s <http://example.org/nothing> ?o }")
    assert _post(server, fields, accept)[2].decode() == expected.replace("true", "false")


@pytest.mark.parametrize(("accept", "fmt"), [
    ("application/n-quads", ox.RdfFormat.N_QUADS),
    ("application/trig", ox.RdfFormat.TRIG),
])
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_graph_results_in_n_quads_and_trig_hold_the_n_triples_triples(
    server: Server, publish_store: ox.Store, accept: str, fmt: ox.RdfFormat, form: str
) -> None:
    site = f"{BASE}trial/{SEED_NCT}/site/1"
    trial = ox.NamedNode(site)
    if form == "CONSTRUCT":
        query = _query("CONSTRUCT { <G0> ?p ?o } WHERE { GRAPH <G1> { <G0> ?p ?o } }", site,
                       SEED_GRAPH)
    else:
        query = _query("DESCRIBE <G0>", site)
    status, headers, body = _post(server, [("query", query)], accept)
    assert status == 200
    assert headers["content-type"].split(";")[0] == accept
    quads = list(ox.parse(body, fmt))
    assert all(q.graph_name == ox.DefaultGraph() for q in quads)
    expected = {q.triple for q in publish_store.quads_for_pattern(trial, None, None, None)}
    assert {q.triple for q in quads} == expected
    assert len(expected) > 3
    by_param = _post(server, [("query", query), ("format", "nquads")], "*/*")
    assert {q.triple for q in ox.parse(by_param[2], ox.RdfFormat.N_QUADS)} == expected


@pytest.mark.parametrize("host", [None, "sparql.example.org:8443"])
def test_service_description_names_the_url_it_was_reached_at(server: Server,
                                                            host: str | None) -> None:
    headers = {"Accept": "text/turtle"}
    if host:
        headers["Host"] = host
    status, _, body = server.request("/sparql?x=1", headers=headers)
    assert status == 200
    triples = list(ox.parse(body, ox.RdfFormat.TURTLE))
    endpoints = [t.object.value for t in triples if t.predicate.value == SD + "endpoint"]
    parts = urlsplit(server.url)
    expected = f"http://{host or parts.netloc}/sparql"
    assert endpoints == [expected]
    formats = {t.object.value for t in triples if t.predicate.value == SD + "resultFormat"}
    assert {"http://www.w3.org/ns/formats/N-Quads", "http://www.w3.org/ns/formats/TriG"} <= formats
