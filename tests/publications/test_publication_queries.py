"""The named queries over linked publications: trial-publications' link source, the reporting gap,
publications per sponsor; and the gap report built on them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from pubserver import CRACKED_POTS, FIXTURES, RESPINE_PMID, SEED_NCT

from kg.mapping.articles import map_trial_publications, publications_graph
from kg.model_pub import ArticleLink, LinkSource, RegistryRef, TrialPublications
from kg.ontology import load_ontology
from kg.publication_links import load_publications_ontology
from kg.publication_report import GapRow, reporting_gap
from kg.queries import ResultTable, bind_params, load_query, run_query
from kg.sinks import open_store
from kg.sources.pubmed_xml import read_pubmed_xml
from kg.terms import Minter

MINT = Minter()
AS_OF = "2025-06-30"


def _query(store: ox.Store, name: str, **params: str) -> ResultTable:
    query = load_query(name)
    return run_query(store, query, bind_params(query, params))


def _column(table: ResultTable, *names: str) -> list[tuple[str | None, ...]]:
    col = {v: k for k, v in enumerate(table.variables)}
    return [
        tuple(c.value if (c := row[col[n]]) is not None else None for n in names)
        for row in table.rows
    ]


def _with_links(seed_nq: Path, *links: ArticleLink) -> ox.Store:
    store = ox.Store()
    store.load(path=str(seed_nq), format=ox.RdfFormat.N_QUADS)
    graph = publications_graph(MINT, SEED_NCT)
    triples = map_trial_publications(TrialPublications(SEED_NCT, links), MINT)
    store.load(
        "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples).encode(), ox.RdfFormat.N_QUADS
    )
    load_ontology(store)
    load_publications_ontology(store)
    return store


# --- trial-publications ---------------------------------------------------------------------------


def test_trial_publications_keeps_its_columns_and_adds_link_source_and_confidence() -> None:
    table = _query(ox.Store(), "trial-publications", nct=SEED_NCT)
    assert table.variables == (
        "title",
        "journal",
        "date",
        "doi",
        "pmid",
        "type",
        "authors",
        "publication",
        "linkSource",
        "confidence",
    )


def test_a_citation_without_links_is_a_registry_reference(seed_store: ox.Store) -> None:
    rows = _column(
        _query(seed_store, "trial-publications", nct=SEED_NCT), "linkSource", "confidence"
    )
    assert rows == [("REGISTRY_REFERENCE", None)]


def test_a_title_match_is_listed_with_its_confidence_never_as_a_citation(seed_nq: Path) -> None:
    (pots,) = [
        a
        for a in read_pubmed_xml((FIXTURES / "efetch_fictitious.xml").read_bytes())
        if a.pmid == "99000003"
    ]
    ref = RegistryRef(MINT.publication(text=CRACKED_POTS), title=CRACKED_POTS)
    store = _with_links(
        seed_nq, ArticleLink(pots, (LinkSource.TITLE_MATCH,), candidate_for=ref, confidence=0.92)
    )
    rows = _column(
        _query(store, "trial-publications", nct=SEED_NCT), "pmid", "linkSource", "confidence"
    )
    assert sorted(rows, key=str) == [
        ("99000003", "TITLE_MATCH", "0.92"),
        (None, "REGISTRY_REFERENCE", None),
    ]
    cited = store.query(
        f"ASK {{ {MINT.trial(SEED_NCT)} <http://schema.org/citation> "
        f"{MINT.publication(pmid='99000003')} }}",
        use_default_graph_as_union=True,
    )
    assert not bool(cited)


# --- trials-without-results-publication -----------------------------------------------------------


def test_the_gap_lists_completed_trials_without_a_results_paper(linked_gap_store: Path) -> None:
    table = _query(open_store(linked_gap_store), "trials-without-results-publication", asOf=AS_OF)
    assert _column(table, "nct", "agencyClass", "searched", "resultsPublications") == [
        ("NCT01738087", "INDUSTRY", "true", "0"),
        ("NCT00405041", "OTHER_GOV", "true", "0"),
        ("NCT06503835", "OTHER_GOV", "true", "0"),
    ]


def test_a_pubmed_rct_and_a_result_reference_both_close_the_gap(linked_gap_store: Path) -> None:
    table = _query(
        open_store(linked_gap_store), "trials-without-results-publication", asOf=AS_OF, which="all"
    )
    reported = {nct: n for nct, n in _column(table, "nct", "resultsPublications") if n != "0"}
    assert reported == {"NCT00777179": "1", "NCT01534065": "2"}


def test_only_trials_completed_long_enough_ago_count(linked_gap_store: Path) -> None:
    table = _query(
        open_store(linked_gap_store),
        "trials-without-results-publication",
        asOf=AS_OF,
        years="15",
        which="all",
    )
    assert _column(table, "nct", "completion") == [("NCT00405041", "2008-04")]


def test_reporting_gap_groups_the_query_rows_by_sponsor_class(linked_gap_store: Path) -> None:
    assert reporting_gap(open_store(linked_gap_store), as_of=date(2025, 6, 30)) == [
        GapRow("INDUSTRY", 3, 2, 3),
        GapRow("OTHER_GOV", 2, 0, 2),
    ]


# --- publications-per-sponsor ---------------------------------------------------------------------


def test_publications_per_sponsor_counts_pubmed_links_and_results(linked_gap_store: Path) -> None:
    table = _query(open_store(linked_gap_store), "publications-per-sponsor")
    rows = _column(
        table,
        "sponsor",
        "trials",
        "trialsWithPublications",
        "publications",
        "pubmedLinked",
        "resultsPublications",
    )
    assert len(rows) == 5  # the five leads; the seed's page names no lead sponsor
    assert rows[:2] == [
        ("Intrinsic Therapeutics", "1", "1", "2", "0", "2"),  # two RESULT references
        ("Genzyme, a Sanofi Company", "1", "1", "1", "1", "1"),  # PubMed's RCT of NCT00777179
    ]


def test_an_article_cited_by_doi_and_by_pmid_counts_once(seed_nq: Path) -> None:
    (respine,) = read_pubmed_xml((FIXTURES / "efetch_39393844.xml").read_bytes())
    doi_node = MINT.publication(doi=respine.doi)
    ref = RegistryRef(doi_node, doi=respine.doi)
    store = _with_links(seed_nq, ArticleLink(respine, (LinkSource.REGISTRY_REFERENCE,), (ref,)))
    # Another trial of one of the seed's sponsors cites the paper by its PMID.
    lead = store.query(
        f"SELECT ?o WHERE {{ {MINT.trial(SEED_NCT)} <http://schema.org/sponsor> ?o }}"
        " ORDER BY ?o LIMIT 1",
        use_default_graph_as_union=True,
    )
    assert isinstance(lead, ox.QuerySolutions)
    org = next(iter(lead))["o"]
    other, graph = (
        ox.NamedNode(MINT.trial("NCT00000002")[1:-1]),
        ox.NamedNode(MINT.graph("NCT00000002")[1:-1]),
    )
    sdo, tkg = "http://schema.org/", "https://w3id.org/trialkg/ontology#"
    store.extend(
        [
            ox.Quad(other, ox.NamedNode(sdo + "sponsor"), org, graph),
            ox.Quad(other, ox.NamedNode(tkg + "leadSponsor"), org, graph),
            ox.Quad(
                other,
                ox.NamedNode(sdo + "citation"),
                ox.NamedNode(MINT.publication(pmid=RESPINE_PMID)[1:-1]),
                graph,
            ),
        ]
    )
    rows = _column(
        _query(store, "publications-per-sponsor", role="any"),
        "org",
        "trials",
        "trialsWithPublications",
        "publications",
    )
    assert (org.value, "2", "2", "1") in rows


@pytest.mark.parametrize("role", ["lead", "collaborator", "any"])
def test_every_role_of_publications_per_sponsor_runs(linked_gap_store: Path, role: str) -> None:
    table = _query(open_store(linked_gap_store), "publications-per-sponsor", role=role)
    assert table.variables[0] == "sponsor"
    assert table.rows
