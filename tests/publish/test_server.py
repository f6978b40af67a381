"""``kg serve`` over real HTTP: dereferencing, content negotiation, pages, SPARQL, VoID, limits."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
from publish_support import EVIL_NAME, SEED_NCT, SIMILAR_NCT, Server

from kg.queries import bind_params, list_queries, run_query, with_values

BASE = "https://w3id.org/trialkg/"
TRIAL = f"/trial/{SEED_NCT}"
FORMATS = {
    "text/turtle": ("ttl", ox.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES),
    "application/rdf+xml": ("rdf", ox.RdfFormat.RDF_XML),
}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _triples(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(body, fmt)}


def _value(term: object) -> str:
    """The IRI or lexical form of a term."""
    return term.value if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) else str(term)


@pytest.mark.parametrize("media_type", [*FORMATS, "text/html"])
def test_trial_iri_redirects_to_the_document_the_accept_header_asks_for(
    server: Server, media_type: str
) -> None:
    status, headers, _ = server.request(TRIAL, headers={"Accept": media_type})
    ext = FORMATS[media_type][0] if media_type in FORMATS else "html"
    assert (status, headers["location"]) == (303, f"{TRIAL}.{ext}")
    assert "Accept" in headers["vary"]


@pytest.mark.parametrize("media_type", list(FORMATS))
def test_trial_document_parses_in_its_format_and_describes_the_trial(
    server: Server, media_type: str
) -> None:
    ext, fmt = FORMATS[media_type]
    status, headers, body = server.request(f"{TRIAL}.{ext}")
    assert status == 200
    assert headers["content-type"].split(";")[0] == media_type
    triples = _triples(body, fmt)
    trial = ox.NamedNode(BASE + TRIAL[1:])
    sponsors = {
        t.object for t in triples if t.subject == trial and t.predicate.value.endswith("/sponsor")
    }
    assert len(sponsors) == 17


def test_every_document_format_holds_the_same_triples(server: Server) -> None:
    graphs = [_triples(server.request(f"{TRIAL}.{ext}")[2], fmt) for ext, fmt in FORMATS.values()]
    assert all(g == graphs[0] for g in graphs[1:])


def test_trial_document_includes_the_sites_it_owns_and_the_names_it_links_to(
    server: Server,
) -> None:
    triples = _triples(server.request(f"{TRIAL}.nt")[2], ox.RdfFormat.N_TRIPLES)
    subjects = {_value(t.subject) for t in triples}
    assert f"{BASE}trial/{SEED_NCT}/site/9/address" in subjects
    names = {_value(t.subject) for t in triples if t.predicate.value == "http://schema.org/name"}
    assert f"{BASE}publication/doi/10.1136/ard-2024-225771" in names


def test_browser_accept_header_gets_the_html_page(server: Server) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert server.request(TRIAL, headers={"Accept": accept})[1]["location"] == f"{TRIAL}.html"


def test_json_accept_header_gets_json_ld(server: Server) -> None:
    headers = server.request(TRIAL, headers={"Accept": "application/json"})[1]
    assert headers["location"] == f"{TRIAL}.jsonld"


def test_unacceptable_media_type_is_406(server: Server) -> None:
    assert server.request(TRIAL, headers={"Accept": "image/png"})[0] == 406


@pytest.mark.parametrize("path", ["/trial/NCT99999999", "/trial/NCT99999999.ttl", "/nothing/here"])
def test_unknown_iri_is_404(server: Server, path: str) -> None:
    assert server.request(path, headers={"Accept": "text/turtle"})[0] == 404


def test_unknown_document_extension_is_404(server: Server) -> None:
    assert server.request(f"{TRIAL}.exe")[0] == 404


def test_organisation_publication_person_and_site_iris_dereference(server: Server) -> None:
    paths = [
        "/org/aphp",
        "/publication/doi/10.1136/ard-2024-225771",
        "/person/christian-cj-jorgensen-c033d43c",
        f"{TRIAL}/site/3",
    ]
    for path in paths:
        status, headers, _ = server.request(path, headers={"Accept": "text/turtle"})
        assert (status, headers["location"]) == (303, f"{path}.ttl"), path
        assert server.request(f"{path}.ttl")[0] == 200, path


def test_graph_iri_gives_the_record_with_its_provenance(server: Server) -> None:
    status, _, body = server.request(f"/graph/{SEED_NCT}.nt")
    triples = _triples(body, ox.RdfFormat.N_TRIPLES)
    predicates = {t.predicate.value for t in triples}
    assert status == 200
    assert "http://www.w3.org/ns/prov#wasDerivedFrom" in predicates


def test_document_revalidates_with_its_etag(server: Server) -> None:
    etag = server.request(f"{TRIAL}.ttl")[1]["etag"]
    assert server.request(f"{TRIAL}.ttl", headers={"If-None-Match": etag})[0] == 304


def test_trial_page_shows_title_sponsors_sites_and_doi_link(server: Server) -> None:
    status, headers, body = server.request(f"{TRIAL}.html")
    page = body.decode()
    assert status == 200
    assert "Efficacy of Intradiscal Injection of BM-MSC" in page
    assert page.count('class="sponsor"') == 17
    assert page.count('class="site"') == 9
    assert 'href="https://doi.org/10.1136/ard-2024-225771"' in page
    assert "content-security-policy" in headers


def test_trial_page_lists_the_computed_similar_trial(server: Server) -> None:
    page = server.request(f"{TRIAL}.html")[2].decode()
    similar = page.split('id="similar"')[1]
    assert f'href="/trial/{SIMILAR_NCT}"' in similar
    assert "0.42" in similar


def test_trial_page_offers_a_download_in_every_format(server: Server) -> None:
    page = server.request(f"{TRIAL}.html")[2].decode()
    for ext, _ in FORMATS.values():
        assert f'href="{TRIAL}.{ext}"' in page


def test_site_with_coordinates_shows_them_on_the_trial_page(server: Server) -> None:
    page = server.request("/trial/NCT00405041.html")[2].decode()
    assert re.search(r'class="coords"[^>]*>-?\d+\.\d+, -?\d+\.\d+<', page)


def test_trial_page_embeds_schema_org_json_ld(server: Server) -> None:
    page = server.request(f"{TRIAL}.html")[2].decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert script is not None
    doc = json.loads(script.group(1))
    assert (doc["@type"], len(doc["sponsor"])) == ("MedicalTrial", 17)


def test_page_escapes_html_in_the_data(server: Server) -> None:
    page = server.request("/org/escaping-test.html")[2].decode()
    title = re.search(r'<h1 id="title">(.*?)</h1>', page, re.S)
    assert "<script>alert" not in page
    assert title is not None and html.unescape(title.group(1)) == EVIL_NAME


def test_page_never_links_a_javascript_url(server: Server) -> None:
    page = server.request("/org/escaping-test.html")[2].decode()
    assert 'href="javascript:' not in page.lower()


def test_json_ld_in_a_page_cannot_close_its_script_element(server: Server) -> None:
    page = server.request("/org/escaping-test.html")[2].decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert script is not None
    assert json.loads(script.group(1))["name"] == EVIL_NAME


def test_ontology_page_has_an_anchor_for_each_hash_iri(server: Server) -> None:
    status, _, body = server.request("/ontology", headers={"Accept": "text/html"})
    assert status == 200
    assert 'id="site"' in body.decode()


def test_ontology_negotiates_turtle_in_place(server: Server) -> None:
    status, headers, body = server.request("/ontology", headers={"Accept": "text/turtle"})
    assert (status, headers["content-location"]) == (200, "/ontology.ttl")
    assert ox.NamedNode("https://w3id.org/trialkg/ontology#site") in {
        q.subject for q in ox.parse(body, ox.RdfFormat.TURTLE)
    }


# --- VoID and dumps ------------------------------------------------------------------------------


def _void(server: Server) -> list[ox.Triple]:
    status, _, body = server.request("/void", headers={"Accept": "text/turtle"})
    assert status == 200
    return [q.triple for q in ox.parse(body, ox.RdfFormat.TURTLE)]


def test_void_lists_the_dump_with_the_checksum_of_the_served_file(server: Server) -> None:
    triples = _void(server)
    checksum = next(
        _value(t.object) for t in triples if t.predicate.value.endswith("#checksumValue")
    )
    url = next(_value(t.object) for t in triples if t.predicate.value.endswith("#downloadURL"))
    status, _, body = server.request("/" + url.removeprefix(BASE))
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == checksum


def test_void_names_the_sparql_endpoint(server: Server) -> None:
    endpoints = {
        _value(t.object) for t in _void(server) if t.predicate.value.endswith("#sparqlEndpoint")
    }
    assert endpoints == {f"{BASE}sparql"}


def test_well_known_void_redirects_to_the_description(server: Server) -> None:
    status, headers, _ = server.request("/.well-known/void")
    assert (status, headers["location"]) == (303, "/void")


# --- SPARQL ------------------------------------------------------------------------------------


def _example_params(example: str) -> dict[str, str]:
    pairs = re.findall(r'--param\s+(?:"([^"]*)"|(\S+))', example)
    return dict((a or b).split("=", 1) for a, b in pairs)


def _rows(doc: dict[str, object], drop: set[str]) -> list[tuple[tuple[str, str], ...]]:
    head = doc["head"]["vars"]  # type: ignore[index]
    out = []
    for binding in doc["results"]["bindings"]:  # type: ignore[index]
        out.append(
            tuple(
                (binding[v]["type"], binding[v]["value"]) if v in binding else ("", "")
                for v in head
                if v not in drop
            )
        )
    return out


def _expected(
    store: ox.Store, name: str, params: dict[str, str]
) -> list[tuple[tuple[str, str], ...]]:
    query = next(q for q in list_queries() if q.name == name)
    table = run_query(store, query, bind_params(query, params))
    return [tuple((c.kind, c.value) if c else ("", "") for c in row) for row in table.rows][:50]


NAMED = [q for q in list_queries()]


@pytest.mark.parametrize("query", NAMED, ids=[q.name for q in NAMED])
def test_sparql_endpoint_answers_each_named_query_like_kg_query(
    server: Server, publish_store: ox.Store, query: object
) -> None:
    params = _example_params(query.example)  # type: ignore[attr-defined]
    bindings = bind_params(query, params)  # type: ignore[arg-type]
    text = with_values(query.text, bindings)  # type: ignore[attr-defined]
    status, _, body = server.request(
        "/sparql",
        method="POST",
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
        body=text.encode(),
    )
    assert status == 200, body
    got = _rows(json.loads(body), {v.value for v in bindings})
    assert got == _expected(publish_store, query.name, params)  # type: ignore[attr-defined]


def test_named_query_url_gives_the_rows_of_kg_query(
    server: Server, publish_store: ox.Store
) -> None:
    status, _, body = server.request(f"/queries/trial-sponsors?nct={SEED_NCT}&format=json")
    assert status == 200
    assert _rows(json.loads(body), set()) == _expected(
        publish_store, "trial-sponsors", {"nct": SEED_NCT}
    )


def test_unknown_named_query_is_404(server: Server) -> None:
    assert server.request("/queries/no-such-query")[0] == 404


def test_named_query_without_its_parameter_is_400(server: Server) -> None:
    assert server.request("/queries/trial-sponsors")[0] == 400


def test_sparql_get_returns_results_with_cors_header(server: Server) -> None:
    query = quote("SELECT ?id WHERE { ?t <http://purl.org/dc/terms/identifier> ?id } LIMIT 1")
    status, headers, _ = server.request(
        f"/sparql?query={query}", headers={"Origin": "https://example.org"}
    )
    assert (status, headers["access-control-allow-origin"]) == (200, "*")


def test_sparql_preflight_allows_cross_origin_posts(server: Server) -> None:
    status, headers, _ = server.request(
        "/sparql",
        method="OPTIONS",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert status == 200
    assert "POST" in headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_results_come_in_the_accepted_format(
    server: Server, accept: str, media_type: str
) -> None:
    body = urlencode(
        {"query": f'SELECT ?t WHERE {{ ?t <http://purl.org/dc/terms/identifier> "{SEED_NCT}" }}'}
    )
    status, headers, data = server.request(
        "/sparql", method="POST", headers={**FORM, "Accept": accept}, body=body.encode()
    )
    assert (status, headers["content-type"].split(";")[0]) == (200, media_type)
    assert f"{BASE}trial/{SEED_NCT}".encode() in data


def test_csv_results_parse_as_csv(server: Server) -> None:
    body = urlencode({"query": "SELECT ?s WHERE { ?s a <http://schema.org/MedicalTrial> }"})
    data = server.request(
        "/sparql", method="POST", headers={**FORM, "Accept": "text/csv"}, body=body.encode()
    )[2]
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == ["s"] and len(rows) > 2


def test_construct_returns_turtle(server: Server) -> None:
    query = f"CONSTRUCT {{ ?t ?p ?o }} WHERE {{ ?t ?p ?o FILTER(?t = <{BASE}trial/{SEED_NCT}>) }}"
    status, headers, body = server.request(
        "/sparql",
        method="POST",
        headers={**FORM, "Accept": "text/turtle"},
        body=urlencode({"query": query}).encode(),
    )
    assert (status, headers["content-type"].split(";")[0]) == (200, "text/turtle")
    assert len(list(ox.parse(body, ox.RdfFormat.TURTLE))) > 30


def test_ask_returns_a_boolean(server: Server) -> None:
    status, _, body = server.request("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert (status, json.loads(body)["boolean"]) == (200, True)


def test_results_beyond_the_row_limit_are_cut_and_flagged(server: Server) -> None:
    status, headers, body = server.request(
        "/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
    )
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 50
    assert headers["x-sparql-maxrows"] == "50"


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a/s> <http://a/p> 1 }",
        "DELETE WHERE { ?s ?p ?o }",
        "DROP ALL",
        "LOAD <http://example.org/data.ttl>",
        "PREFIX ex: <http://example.org/> CLEAR GRAPH ex:g",
    ],
)
def test_update_sent_as_a_query_is_refused(server: Server, update: str) -> None:
    status, _, _ = server.request("/sparql?" + urlencode({"query": update}))
    assert status == 403


def test_update_form_parameter_is_refused(server: Server) -> None:
    body = urlencode({"update": "DROP ALL"}).encode()
    assert server.request("/sparql", method="POST", headers=FORM, body=body)[0] == 403


def test_sparql_update_content_type_is_refused(server: Server) -> None:
    status, _, _ = server.request(
        "/sparql",
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
        body=b"DROP ALL",
    )
    assert status == 403


def test_store_is_unchanged_after_refused_updates(server: Server) -> None:
    server.request("/sparql?" + urlencode({"query": "DROP ALL"}))
    query = f'ASK {{ ?t <http://purl.org/dc/terms/identifier> "{SEED_NCT}" }}'
    assert json.loads(server.request("/sparql?" + urlencode({"query": query}))[2])["boolean"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?x ?y ?z . \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?x ?y ?z #\n SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_federated_service_query_is_refused(server: Server, query: str) -> None:
    assert server.request("/sparql?" + urlencode({"query": query}))[0] == 403


def test_word_service_inside_a_string_is_allowed(server: Server) -> None:
    query = 'SELECT * WHERE { ?s <http://schema.org/name> "SERVICE" }'
    assert server.request("/sparql?" + urlencode({"query": query}))[0] == 200


def test_oversized_query_is_refused(server: Server) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 40_000
    status, _, _ = server.request(
        "/sparql",
        method="POST",
        headers={"Content-Type": "application/sparql-query"},
        body=query.encode(),
    )
    assert status == 413


def test_malformed_query_is_400(server: Server) -> None:
    assert server.request("/sparql?" + urlencode({"query": "SELECT WHERE {"}))[0] == 400


def test_query_over_the_time_limit_is_stopped_and_the_endpoint_recovers(server: Server) -> None:
    slow = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?f ?i"
    status, _, _ = server.request("/sparql?" + urlencode({"query": slow}))
    assert status == 503
    assert server.request("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}))[0] == 200


def test_burst_of_concurrent_queries_all_succeed(server: Server) -> None:
    queries = [q for q in NAMED if not q.params or "nct" in {p.name for p in q.params}][:6]

    def one(i: int) -> int:
        q = queries[i % len(queries)]
        params = {"nct": SEED_NCT} if q.params else {}
        text = with_values(q.text, bind_params(q, params))
        status = server.request(
            "/sparql",
            method="POST",
            headers={"Content-Type": "application/sparql-query"},
            body=text.encode(),
        )[0]
        page = server.request(f"{TRIAL}.html")[0] if i % 4 == 0 else 200
        return status if page == 200 else page

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(one, range(48)))
    assert statuses == [200] * 48
