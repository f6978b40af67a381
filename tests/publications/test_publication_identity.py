"""Publication links are proven, and one paper is one node (issue 14, item 9).

A PubMed record returned by the trial's ``[si]`` search is a databank link only when its own
DataBankList names the trial. A paper the registry names by DOI and PubMed (or another trial) by
PMID is one node carrying every fact, cited by every trial, in every graph of the store; its DOI
IRI is left as an ``owl:sameAs`` alias without facts, also after the trial is rebuilt.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from pubserver import (
    REPO,
    RESPINE_DOI,
    RESPINE_PMID,
    SEED,
    SEED_NCT,
    Recorded,
    Reply,
    fixture_bytes,
)

from kg.build import build
from kg.cli.publications import fetch_publications
from kg.crossref import Crossref
from kg.http import HttpClient
from kg.mapping.articles import map_trial_publications
from kg.model_pub import UNVERIFIED_DATABANK_CONFIDENCE, LinkSource, TrialReferences
from kg.publication_identity import merge_aliases, publication_aliases_in
from kg.publication_links import Linker
from kg.pubmed import PubMed
from kg.queries import bind_params, load_query, run_query, with_values
from kg.sinks import StoreSink, open_store
from kg.terms import Minter

MINT = Minter()
PAPER = MINT.publication(pmid=RESPINE_PMID)[1:-1]
DOI_NODE = MINT.publication(doi=RESPINE_DOI)[1:-1]
OTHER = "NCT00777179"
"""A shared record; PubMed's (recorded) 99000002 names it in its DataBankList."""
OTHER_SEARCH = f"esearch_si_{OTHER}.json"
"""PubMed's recorded answer to ``NCT00777179[si]``: 99000002."""
PREFIXES = """
PREFIX schema: <http://schema.org/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def _linker() -> Linker:
    http = HttpClient(rate=0, sleep=lambda _: None)
    return Linker(PubMed(http), Crossref(http))


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return sorted(tuple(t.value if t is not None else "" for t in row) for row in result)


def _citing(store: ox.Store, pub: str) -> list[tuple[str, ...]]:
    query = "SELECT DISTINCT ?nct WHERE { ?t schema:citation ?pub ; dcterms:identifier ?nct }"
    result = store.query(
        PREFIXES + with_values(query, {ox.Variable("pub"): ox.NamedNode(pub)}),
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    return sorted((row["nct"].value,) for row in result if row["nct"] is not None)


def _with_references(tmp_path: Path, nct: str, references: list[dict[str, str]]) -> Path:
    """A shared record with its references replaced (written to tmp, never into the repo)."""
    record = json.loads((REPO.parent / "shared" / "data" / "ctgov" / f"{nct}.json").read_bytes())
    record["protocolSection"]["referencesModule"] = {"references": references}
    path = tmp_path / f"{nct}.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def _fetch(store: Path, ids: list[str] | None = None) -> None:
    fetch_publications(ids, store=store, cache=None)


# --- the databank link is proven ---------------------------------------------------------------


def test_a_record_whose_databank_names_another_trial_is_only_a_candidate(
    recorded: Recorded,
) -> None:
    # PubMed's search finds 99000002 for the seed, but its record lists NCT00777179 only.
    recorded.script(f"esearch:{SEED_NCT}[si]", Reply(body=fixture_bytes(OTHER_SEARCH)))
    (link,) = _linker().link(TrialReferences(SEED_NCT)).links
    assert link.article is not None
    assert link.article.databank_ids == (OTHER,)
    assert (link.sources, link.confidence) == (
        (LinkSource.PUBMED_SEARCH,),
        UNVERIFIED_DATABANK_CONFIDENCE,
    )


def test_an_unverified_search_hit_is_never_a_citation(recorded: Recorded) -> None:
    recorded.script(f"esearch:{SEED_NCT}[si]", Reply(body=fixture_bytes(OTHER_SEARCH)))
    pubs = _linker().link(TrialReferences(SEED_NCT))
    store = ox.Store()
    graph = "<https://w3id.org/trialkg/graph/publications/x>"
    text = "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in map_trial_publications(pubs, MINT))
    store.load(text.encode(), ox.RdfFormat.N_QUADS)
    assert _rows(store, "SELECT ?p WHERE { ?t schema:citation ?p }") == []
    assert _rows(
        store,
        """SELECT ?source ?confidence WHERE { ?t tkg:publicationLink ?l .
             ?l tkg:linkSource ?source ; tkg:linkConfidence ?confidence }""",
    ) == [("https://w3id.org/trialkg/ontology#linkSource-PUBMED_SEARCH", "0.5")]


def test_the_databank_link_stands_when_the_record_names_the_trial(recorded: Recorded) -> None:
    (link,) = _linker().link(TrialReferences(OTHER)).links
    assert link.article is not None and OTHER in link.article.databank_ids
    assert (link.sources, link.confidence) == ((LinkSource.PUBMED_DATABANK,), None)


def test_a_search_hit_pubmed_has_no_record_of_is_dropped(recorded: Recorded) -> None:
    recorded.script(
        f"esearch:{SEED_NCT}[si]",
        Reply(body=b'{"esearchresult": {"count": "1", "idlist": ["99999999"]}}'),
    )
    assert _linker().link(TrialReferences(SEED_NCT)).links == ()


def test_an_unverified_hit_the_registry_cites_stays_a_registry_citation(
    recorded: Recorded,
) -> None:
    from kg.model_pub import RegistryRef

    ref = RegistryRef(MINT.publication(pmid="99000002"), pmid="99000002")
    recorded.script(f"esearch:{SEED_NCT}[si]", Reply(body=fixture_bytes(OTHER_SEARCH)))
    (link,) = _linker().link(TrialReferences(SEED_NCT, (ref,))).links
    assert (link.sources, link.confidence) == ((LinkSource.REGISTRY_REFERENCE,), None)


# --- one paper, one node ------------------------------------------------------------------------


@pytest.fixture
def two_trials(tmp_path: Path) -> Path:
    """The seed (its paper by DOI) and a trial citing the same paper by PMID, in one store."""
    other = _with_references(
        tmp_path, OTHER, [{"pmid": RESPINE_PMID, "type": "RESULT", "citation": "Pers YM. RESPINE."}]
    )
    path = tmp_path / "store"
    build([str(SEED), str(other)], StoreSink(path))
    return path


def test_doi_then_pmid_is_one_node_cited_by_both_trials(
    recorded: Recorded, two_trials: Path
) -> None:
    _fetch(two_trials)
    store = open_store(two_trials)
    assert _citing(store, PAPER) == [(OTHER,), (SEED_NCT,)]
    assert _rows(store, f"SELECT DISTINCT ?t WHERE {{ ?t schema:citation <{DOI_NODE}> }}") == []


def test_the_one_node_carries_the_registry_and_pubmed_facts(
    recorded: Recorded, two_trials: Path
) -> None:
    _fetch(two_trials)
    store = open_store(two_trials)
    facts: dict[str, set[str]] = {}
    for p, o in _rows(store, f"SELECT DISTINCT ?p ?o WHERE {{ <{PAPER}> ?p ?o }}"):
        facts.setdefault(p, set()).add(o)
    assert facts["http://purl.org/ontology/bibo/pmid"] == {RESPINE_PMID}  # PubMed, the registry
    assert facts["http://purl.org/ontology/bibo/doi"] == {RESPINE_DOI}  # the seed's page
    texts = facts["https://w3id.org/trialkg/ontology#citationText"]
    assert len(texts) == 2 and any(RESPINE_DOI in t for t in texts)  # both registry records
    assert facts["http://schema.org/datePublished"] == {"2024-10-21"}  # PubMed
    assert "https://w3id.org/trialkg/ontology#publicationType" in facts  # PubMed
    lists = _rows(store, f"SELECT DISTINCT ?l WHERE {{ <{PAPER}> bibo:authorList ?l }}")
    assert lists == [(f"{PAPER}/authors/1",)]


def test_the_doi_iri_is_an_alias_without_facts(recorded: Recorded, two_trials: Path) -> None:
    _fetch(two_trials)
    store = open_store(two_trials)
    assert _rows(store, f"SELECT DISTINCT ?p ?o WHERE {{ <{DOI_NODE}> ?p ?o }}") == [
        ("http://www.w3.org/2002/07/owl#sameAs", PAPER)
    ]
    assert _rows(store, f"SELECT ?s ?p WHERE {{ ?s ?p <{DOI_NODE}> }}") == []
    assert _rows(
        store,
        f"""SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{DOI_NODE}/")) }}""",
    ) == []


def test_the_named_queries_count_the_paper_once(recorded: Recorded, two_trials: Path) -> None:
    _fetch(two_trials)
    store = open_store(two_trials)
    query = load_query("trial-publications")
    table = run_query(store, query, bind_params(query, {"nct": SEED_NCT}))
    col = table.variables.index("publication")
    assert sorted(r[col].value for r in table.rows if r[col] is not None) == sorted(
        [MINT.publication(pmid="99000001")[1:-1], PAPER]
    )
    query = load_query("published-without-results")
    table = run_query(store, query, bind_params(query, {}))
    counts = {
        r[0].value: r[table.variables.index("publications")].value
        for r in table.rows
        if r[0] is not None
    }
    assert counts[SEED_NCT] == "2"


def test_a_rebuilt_trial_keeps_the_one_node(recorded: Recorded, two_trials: Path) -> None:
    _fetch(two_trials)
    build([str(SEED)], StoreSink(two_trials))  # the seed's graph again, naming the DOI IRI
    store = open_store(two_trials)
    assert _rows(store, f"SELECT DISTINCT ?t WHERE {{ ?t schema:citation <{DOI_NODE}> }}") == []
    assert _rows(store, f"SELECT DISTINCT ?p WHERE {{ <{DOI_NODE}> ?p ?o }}") == [
        ("http://www.w3.org/2002/07/owl#sameAs",)
    ]
    assert (SEED_NCT,) in _citing(store, PAPER)


def test_a_trial_not_linked_yet_that_cites_the_doi_joins_the_node(
    recorded: Recorded, tmp_path: Path
) -> None:
    other = _with_references(
        tmp_path,
        OTHER,
        [{"type": "BACKGROUND", "citation": f"Pers YM. RESPINE. doi: {RESPINE_DOI}."}],
    )
    path = tmp_path / "store"
    build([str(SEED), str(other)], StoreSink(path))
    _fetch(path, [SEED_NCT])  # PubMed reveals the DOI's PMID through the seed alone
    store = open_store(path)
    assert _citing(store, PAPER) == [(OTHER,), (SEED_NCT,)]


def test_the_dataset_figures_follow_the_aliases_moved(
    recorded: Recorded, two_trials: Path
) -> None:
    """kg void's figures stay those of reading every quad through the fetch (which moves the
    alias's statements in graphs it does not load) and a rebuild of the trial naming the alias."""
    from void_support import counted_by_reading

    from kg.publish.void import collect_statistics
    from kg.terms import DEFAULT_BASE
    from kg.void_counts import read

    for step in ("built", "fetched", "rebuilt"):
        if step == "fetched":
            _fetch(two_trials)
        elif step == "rebuilt":
            build([str(SEED)], StoreSink(two_trials))
        store = open_store(two_trials)
        assert read(store) is not None, step
        assert collect_statistics(store, DEFAULT_BASE) == counted_by_reading(
            store, DEFAULT_BASE
        ), step
        del store


def test_a_second_fetch_changes_nothing(recorded: Recorded, two_trials: Path) -> None:
    _fetch(two_trials)
    first = sorted(str(q) for q in open_store(two_trials))
    _fetch(two_trials)
    second = sorted(str(q) for q in open_store(two_trials))
    assert [q for q in first if "generatedAtTime" not in q] == [
        q for q in second if "generatedAtTime" not in q
    ]


# --- the merge itself ---------------------------------------------------------------------------


def _quad(s: str, p: str, o: str, g: str = "http://g/1") -> ox.Quad:
    obj: ox.NamedNode | ox.Literal = ox.NamedNode(o) if o.startswith("http") else ox.Literal(o)
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, ox.NamedNode(g))


SAME = "http://www.w3.org/2002/07/owl#sameAs"
NAME = "http://schema.org/name"
CITE = "https://w3id.org/trialkg/publication/cite/0123456789abcdef"
DOI = "https://w3id.org/trialkg/publication/doi/10.5555/x"
PMID = "https://w3id.org/trialkg/publication/pmid/1"


def test_a_chain_of_aliases_ends_at_the_pmid_node() -> None:
    store = ox.Store()
    store.extend([_quad(CITE, SAME, DOI), _quad(PMID, SAME, DOI), _quad(CITE, NAME, "A paper")])
    assert publication_aliases_in(store) == {
        ox.NamedNode(CITE): ox.NamedNode(PMID),
        ox.NamedNode(DOI): ox.NamedNode(PMID),
    }
    merge_aliases(store)
    assert _quad(PMID, NAME, "A paper") in set(store)
    assert _quad(CITE, NAME, "A paper") not in set(store)


def test_merging_twice_moves_nothing_the_second_time() -> None:
    store = ox.Store()
    store.extend([_quad(DOI, SAME, PMID), _quad("http://t/1", "http://schema.org/citation", DOI)])
    assert merge_aliases(store).statements == 1
    assert merge_aliases(store).statements == 0
    assert _quad("http://t/1", "http://schema.org/citation", PMID) in set(store)


def test_same_as_between_other_iris_is_left_alone() -> None:
    store = ox.Store()
    store.extend([_quad("http://a/x", SAME, "http://b/y"), _quad("http://a/x", NAME, "x")])
    assert publication_aliases_in(store) == {}
    assert merge_aliases(store).statements == 0
