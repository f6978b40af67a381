"""Linked publications mapped into DESIGN.md's vocabulary, merged with the registry's own node."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyoxigraph as ox
import pytest
import rdflib
from pubserver import CRACKED_POTS, FIXTURES, RESPINE_DOI, RESPINE_PMID, SEED, SEED_NCT

from kg.mapping.articles import map_trial_publications, publications_graph
from kg.model import Trial
from kg.model_pub import Article, ArticleLink, LinkSource, RegistryRef, TrialPublications
from kg.ontology import ONTOLOGY_FILE, load_ontology
from kg.publication_identity import merge_aliases
from kg.publication_links import (
    PUBLICATIONS_ONTOLOGY_FILE,
    load_publications_ontology,
    references_of,
)
from kg.sources import InputFile, read_records
from kg.sources.crossref_json import read_crossref_work
from kg.sources.pubmed_xml import read_pubmed_xml
from kg.terms import TKG, Minter

MINT = Minter()
TRIAL = MINT.trial(SEED_NCT)[1:-1]
DOI_NODE = MINT.publication(doi=RESPINE_DOI)[1:-1]
PAPER = MINT.publication(pmid=RESPINE_PMID)[1:-1]
"""The seed paper's one node: the registry gives its DOI, PubMed its PMID, which keys it."""
GRAPH = publications_graph(MINT, SEED_NCT)[1:-1]
PREFIXES = """
PREFIX schema: <http://schema.org/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def _articles(name: str) -> dict[str, Article]:
    return {a.pmid or "": a for a in read_pubmed_xml((FIXTURES / name).read_bytes())}


RESPINE = _articles("efetch_39393844.xml")[RESPINE_PMID]
FICTITIOUS = _articles("efetch_fictitious.xml")


def _seed_links() -> TrialPublications:
    (trial,) = [r for r in read_records(InputFile(str(SEED))) if isinstance(r, Trial)]
    refs = references_of(trial).references
    registry = (LinkSource.REGISTRY_REFERENCE, LinkSource.PUBMED_DATABANK, LinkSource.DOI_MATCH)
    return TrialPublications(
        SEED_NCT,
        (
            ArticleLink(RESPINE, registry, refs),
            ArticleLink(FICTITIOUS["99000001"], (LinkSource.PUBMED_DATABANK,)),
        ),
    )


def _nquads(pubs: TrialPublications) -> str:
    graph = publications_graph(MINT, pubs.nct_id)
    triples = dict.fromkeys(map_trial_publications(pubs, MINT, generated_at="2024-01-01T00:00:00Z"))
    return "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)


@pytest.fixture(scope="module")
def merged(seed_nq: Path) -> ox.Store:
    """The seed's graph and its linked publications' graph, with both ontology files."""
    store = ox.Store()
    store.load(path=str(seed_nq), format=ox.RdfFormat.N_QUADS)
    store.load(_nquads(_seed_links()).encode(), ox.RdfFormat.N_QUADS)
    load_ontology(store)
    load_publications_ontology(store)
    merge_aliases(store)  # as every load into the embedded store does
    return store


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return sorted(tuple(t.value if t is not None else "" for t in row) for row in result)


def _values(store: ox.Store, subject: str, prop: str) -> list[str]:
    return [r[0] for r in _rows(store, f"SELECT DISTINCT ?o WHERE {{ <{subject}> {prop} ?o }}")]


# --- the seed's paper: one node -------------------------------------------------------------------


def test_the_seed_trial_cites_its_paper_as_one_node_and_the_protocol(merged: ox.Store) -> None:
    cited = _values(merged, TRIAL, "schema:citation")
    assert cited == [PAPER, MINT.publication(pmid="99000001")[1:-1]]


def test_the_seed_paper_carries_the_citation_and_the_pubmed_facts(merged: ox.Store) -> None:
    assert _values(merged, PAPER, "bibo:pmid") == [RESPINE_PMID]
    assert _values(merged, PAPER, "bibo:doi") == [RESPINE_DOI]
    assert _values(merged, PAPER, "schema:datePublished") == ["2024-10-21"]
    assert len(_values(merged, PAPER, "schema:name")) == 1
    assert len(_values(merged, PAPER, "tkg:citationText")) == 1
    assert "http://id.nlm.nih.gov/mesh/D017116" in _values(merged, PAPER, "schema:about")


def test_the_seed_paper_is_described_by_the_page_and_by_pubmed(merged: ox.Store) -> None:
    sources = _rows(
        merged,
        f"""SELECT DISTINCT ?format ?title WHERE {{
              GRAPH ?g {{ <{PAPER}> ?p ?o }}
              ?g prov:wasDerivedFrom ?source .
              ?source tkg:sourceFormat ?format ; <http://purl.org/dc/terms/title> ?title }}""",
    )
    assert ("web-page", SEED.name) in sources
    assert ("pubmed-xml", f"PubMed {RESPINE_PMID}") in sources


def test_the_doi_node_is_an_alias_without_facts(merged: ox.Store) -> None:
    assert _rows(merged, f"SELECT DISTINCT ?p ?o WHERE {{ <{DOI_NODE}> ?p ?o }}") == [
        ("http://www.w3.org/2002/07/owl#sameAs", PAPER)
    ]
    assert _rows(merged, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{DOI_NODE}> }}") == []
    stale = _rows(
        merged,
        f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
              FILTER(STRSTARTS(STR(?s), "{DOI_NODE}/") || STRSTARTS(STR(?o), "{DOI_NODE}/")) }}""",
    )
    assert stale == []


def test_the_seed_paper_keeps_one_author_list(merged: ox.Store) -> None:
    (head,) = _values(merged, PAPER, "bibo:authorList")
    names = _rows(
        merged,
        f"""SELECT ?cell (SAMPLE(?n) AS ?name) (COUNT(DISTINCT ?first) AS ?firsts) WHERE {{
              <{head}> rdf:rest* ?cell . ?cell rdf:first ?first .
              OPTIONAL {{ ?first schema:name ?n }}
            }} GROUP BY ?cell""",
    )
    assert len(names) == 32
    assert {row[2] for row in names} == {"1"}


def test_a_citation_author_gains_pubmeds_given_name_and_affiliation(merged: ox.Store) -> None:
    person = MINT.person("Pers YM", PAPER)[1:-1]
    assert _values(merged, person, "schema:name") == ["Pers YM"]
    assert _values(merged, person, "schema:givenName") == ["Yves-Marie"]
    assert _values(merged, person, "tkg:affiliationText") == [
        "IRMB, Univ Montpellier, INSERM, CHU Montpellier, Montpellier, France."
    ]


def test_the_journal_node_gains_its_issns_and_full_name(merged: ox.Store) -> None:
    journal = MINT.periodical("Ann Rheum Dis")[1:-1]
    assert _values(merged, journal, "schema:issn") == ["0003-4967", "1468-2060"]
    assert _values(merged, journal, "schema:name") == ["Ann Rheum Dis"]


def test_link_sources_are_concepts_of_the_link_source_scheme(merged: ox.Store) -> None:
    rows = _rows(
        merged,
        f"""SELECT ?code WHERE {{
              <{TRIAL}> tkg:publicationLink ?link . ?link tkg:linkedPublication <{PAPER}> ;
                tkg:linkSource ?c .
              ?c skos:inScheme tkg:LinkSourceScheme ; skos:notation ?code }}""",
    )
    assert rows == [("DOI_MATCH",), ("PUBMED_DATABANK",), ("REGISTRY_REFERENCE",)]


def test_publication_types_are_mesh_concepts_of_the_scheme(merged: ox.Store) -> None:
    rows = _rows(
        merged,
        f"""SELECT ?code WHERE {{ <{PAPER}> tkg:publicationType ?t .
              ?t skos:inScheme tkg:PublicationTypeScheme ; skos:notation ?code }}""",
    )
    assert rows == [("D016428",), ("D016448",), ("D016449",)]


def test_every_tkg_term_used_is_declared_in_the_ontology_files(merged: ox.Store) -> None:
    declared = rdflib.Graph().parse(ONTOLOGY_FILE).parse(PUBLICATIONS_ONTOLOGY_FILE)
    used = _rows(
        merged,
        f"""SELECT DISTINCT ?term WHERE {{ GRAPH <{GRAPH}> {{
              {{ ?s ?term ?o }} UNION {{ ?s ?p ?term FILTER(isIRI(?term)) }} }}
              FILTER(STRSTARTS(STR(?term), "{TKG}")) }}""",
    )
    assert len(used) > 8
    assert [t for (t,) in used if (rdflib.URIRef(t), None, None) not in declared] == []


# --- other articles ------------------------------------------------------------------------------


def _store_of(pubs: TrialPublications) -> ox.Store:
    store = ox.Store()
    store.load(_nquads(pubs).encode(), ox.RdfFormat.N_QUADS)
    return store


def test_an_author_with_an_orcid_is_the_same_as_the_orcid_iri() -> None:
    store = _store_of(
        TrialPublications(
            SEED_NCT, (ArticleLink(FICTITIOUS["99000001"], (LinkSource.PUBMED_DATABANK,)),)
        )
    )
    person = MINT.person("Carberry J", MINT.publication(pmid="99000001")[1:-1])[1:-1]
    assert _values(store, person, "schema:sameAs") == ["https://orcid.org/0000-0002-1825-0097"]
    assert len(_values(store, person, "tkg:affiliationText")) == 2
    assert _values(store, person, "rdf:type") == ["http://schema.org/Person"]


def test_a_title_match_is_not_cited_and_shows_its_confidence() -> None:
    ref = RegistryRef(MINT.publication(text="Carberry J. Cracked pots."), title=CRACKED_POTS)
    link = ArticleLink(
        FICTITIOUS["99000003"], (LinkSource.TITLE_MATCH,), candidate_for=ref, confidence=0.9312
    )
    store = _store_of(TrialPublications(SEED_NCT, (link,)))
    (row,) = _rows(
        store,
        f"""SELECT ?pub ?confidence ?candidate WHERE {{ <{TRIAL}> tkg:publicationLink ?l .
              ?l tkg:linkedPublication ?pub ; tkg:linkConfidence ?confidence ;
                 tkg:candidateFor ?candidate }}""",
    )
    assert row == (MINT.publication(pmid="99000003")[1:-1], "0.931", ref.node[1:-1])
    assert _values(store, TRIAL, "schema:citation") == []


def test_a_crossref_work_is_keyed_by_doi_and_named_in_provenance() -> None:
    work = read_crossref_work(
        orjson.loads((FIXTURES / "crossref_work_kg-test-0001.json").read_bytes())
    )
    ref = RegistryRef(MINT.publication(doi="10.5555/KG-TEST-0001"), doi="10.5555/KG-TEST-0001")
    link = ArticleLink(work, (LinkSource.REGISTRY_REFERENCE, LinkSource.DOI_MATCH), (ref,))
    store = _store_of(TrialPublications(SEED_NCT, (link,)))
    node = MINT.publication(doi="10.5555/kg-test-0001")[1:-1]
    assert _values(store, node, "bibo:doi") == ["10.5555/KG-TEST-0001"]  # the registry's spelling
    assert _rows(
        store, "SELECT ?t WHERE { ?g prov:wasDerivedFrom ?s . ?s tkg:sourceFormat ?t }"
    ) == [("crossref-json",)]


def test_a_registry_reference_nobody_knows_is_still_a_registry_link() -> None:
    ref = RegistryRef(MINT.publication(text="A book. 1984."), text="A book. 1984.")
    store = _store_of(
        TrialPublications(SEED_NCT, (ArticleLink(None, (LinkSource.REGISTRY_REFERENCE,), (ref,)),))
    )
    assert _values(store, TRIAL, "schema:citation") == [ref.node[1:-1]]


def test_mapping_is_deterministic() -> None:
    assert _nquads(_seed_links()) == _nquads(_seed_links())
