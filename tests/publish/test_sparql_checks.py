"""The endpoint's query vetting, result limits and formats, without a server."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.publish.negotiation import negotiate
from kg.publish.sparql import ProtocolError, check_query, run_named, run_sparql


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:x ?o }",
        "SELECT ?service WHERE { ?service ?p ?o }",
        'SELECT * WHERE { ?s ?p "INSERT DATA" }',
        "SELECT * WHERE { ?s <http://example.org/service> ?o }",
        "ASK { ?s ?p ?o } # SERVICE in a comment",
    ],
)
def test_read_only_queries_pass_the_check(query: str) -> None:
    assert check_query(query, 10_000) in ("SELECT", "ASK")


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <http://a/s> <http://a/p> 1 }",
        "WITH <http://a/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "load <http://example.org/x>",
        "SELECT * { ?s ?p ?o SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o .SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o \\U00000053ERVICE <http://example.org/sparql> { } }",
    ],
)
def test_updates_and_federated_queries_are_refused(query: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        check_query(query, 10_000)
    assert caught.value.status == 403


def test_long_query_is_413() -> None:
    with pytest.raises(ProtocolError) as caught:
        check_query("SELECT * { ?s ?p ?o }" + " " * 100, 50)
    assert caught.value.status == 413


def test_construct_results_are_cut_at_the_limit(seed_store: ox.Store) -> None:
    result = run_sparql(
        seed_store, "CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples", max_rows=7
    )
    assert result.truncated
    assert len(list(ox.parse(result.body, ox.RdfFormat.N_TRIPLES))) == 7


def test_ask_answers_in_csv(seed_store: ox.Store) -> None:
    result = run_sparql(seed_store, "ASK { ?s ?p ?o }", fmt="csv")
    assert (result.media_type, result.body) == ("text/csv", b"_askResult\r\ntrue\r\n")


def test_a_format_that_does_not_fit_the_query_form_is_a_400(seed_store: ox.Store) -> None:
    with pytest.raises(ProtocolError) as caught:
        run_sparql(seed_store, "ASK { ?s ?p ?o }", fmt="turtle")
    assert caught.value.status == 400


def test_xml_results_are_well_formed(seed_store: ox.Store) -> None:
    from lxml import etree

    result = run_sparql(
        seed_store, "SELECT ?s ?o WHERE { ?s <http://schema.org/name> ?o } LIMIT 5", fmt="xml"
    )
    root = etree.fromstring(result.body)
    assert len(root.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 5


def test_named_query_rejects_a_path_as_its_name(seed_store: ox.Store) -> None:
    with pytest.raises(ProtocolError) as caught:
        run_named(seed_store, "../queries/trial-sites", {})
    assert caught.value.status == 404


def test_named_query_json_matches_kg_query_json(seed_store: ox.Store) -> None:
    result = run_named(seed_store, "trial-sites", {"nct": "NCT03737461"}, fmt="json")
    assert len(json.loads(result.body)["results"]["bindings"]) == 9


def test_negotiation_prefers_the_most_specific_range() -> None:
    offers = ["text/html", "text/turtle"]
    assert negotiate("text/*;q=0.1, text/turtle", offers) == "text/turtle"


def test_negotiation_refuses_q_zero() -> None:
    assert negotiate("text/html;q=0", ["text/html"]) is None
