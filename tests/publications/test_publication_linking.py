"""Linking a trial to its publications: registry references, databank links, DOI, title matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from pubserver import (
    CRACKED_POTS,
    RESPINE_DOI,
    RESPINE_PMID,
    SEED,
    SEED_NCT,
    Recorded,
    Reply,
    fixture_bytes,
)

from kg.crossref import Crossref
from kg.http import HttpClient
from kg.model import Trial
from kg.model_pub import ArticleSource, LinkSource, RegistryRef, TrialReferences
from kg.publication_links import Linker, references_from_store, references_of
from kg.pubmed import PubMed
from kg.sinks import open_store
from kg.sources import InputFile, read_records
from kg.terms import Minter

CITE = Minter().publication(text="Carberry J. Cracked pots and their repair. J Psychoceram.")
POTS = RegistryRef(
    CITE, title=CRACKED_POTS, journal="J Psychoceram", year=2019, authors=("Carberry J",)
)


def _linker(**kwargs: object) -> Linker:
    http = HttpClient(rate=0, sleep=lambda _: None)
    return Linker(PubMed(http), Crossref(http), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def seed_refs(seed_store_path: Path) -> TrialReferences:
    (refs,) = references_from_store(open_store(seed_store_path), [SEED_NCT])
    return refs


def test_store_references_are_those_the_record_gives(seed_refs: TrialReferences) -> None:
    (trial,) = [r for r in read_records(InputFile(str(SEED))) if isinstance(r, Trial)]
    assert references_of(trial) == seed_refs


def test_seed_reference_has_the_doi_node_title_and_authors(seed_refs: TrialReferences) -> None:
    (ref,) = seed_refs.references
    assert ref.node == Minter().publication(doi=RESPINE_DOI)
    assert (ref.doi, ref.pmid, ref.year, ref.journal) == (RESPINE_DOI, None, 2024, "Ann Rheum Dis")
    assert (ref.authors[0], ref.authors[-1], len(ref.authors)) == (
        "Pers YM",
        "RESPINE consortium",
        32,
    )


def test_a_store_without_the_trial_gives_no_reference(seed_store_path: Path) -> None:
    assert references_from_store(open_store(seed_store_path), ["NCT00000001"]) == [
        TrialReferences("NCT00000001")
    ]


def test_every_trial_of_the_store_is_listed_once(seed_store_path: Path) -> None:
    assert [t.nct_id for t in references_from_store(open_store(seed_store_path))] == [SEED_NCT]


def test_the_seed_doi_resolves_to_its_pubmed_record_as_one_link(
    recorded: Recorded, seed_refs: TrialReferences
) -> None:
    respine = _linker().link(seed_refs).links[0]
    assert respine.sources == (
        LinkSource.REGISTRY_REFERENCE,
        LinkSource.PUBMED_DATABANK,
        LinkSource.DOI_MATCH,
    )
    assert respine.references == seed_refs.references
    assert respine.article is not None
    assert (respine.article.pmid, respine.confidence) == (RESPINE_PMID, None)


def test_an_article_listing_the_trial_in_its_databank_is_linked(
    recorded: Recorded, seed_refs: TrialReferences
) -> None:
    protocol = _linker().link(seed_refs).links[1]
    assert protocol.sources == (LinkSource.PUBMED_DATABANK,)
    assert protocol.references == ()
    assert protocol.article is not None
    assert protocol.article.pmid == "99000001"


def test_both_links_need_one_fetch_of_two_records(
    recorded: Recorded, seed_refs: TrialReferences
) -> None:
    _linker().link(seed_refs)
    assert [r.query["id"] for r in recorded.requests if r.path.endswith("efetch.fcgi")] == [
        f"{RESPINE_PMID},99000001"
    ]


def test_a_title_match_is_a_candidate_with_its_confidence(recorded: Recorded) -> None:
    links = _linker().link(TrialReferences("NCT00000002", (POTS,))).links
    registry, candidate = links
    assert (registry.sources, registry.article, registry.references) == (
        (LinkSource.REGISTRY_REFERENCE,),
        None,
        (POTS,),
    )
    assert candidate.sources == (LinkSource.TITLE_MATCH,)
    assert (candidate.references, candidate.candidate_for, candidate.confidence) == ((), POTS, 1.0)
    assert candidate.article is not None
    assert candidate.article.pmid == "99000003"


def test_a_title_match_below_the_threshold_is_dropped(recorded: Recorded) -> None:
    other_journal = RegistryRef(CITE, title=CRACKED_POTS, journal="Ann Rheum Dis", year=2019)
    trial = TrialReferences("NCT00000002", (other_journal,))
    assert [len(_linker(min_confidence=m).link(trial).links) for m in (0.85, 0.95)] == [2, 1]


def test_titles_are_not_searched_when_asked_not_to(recorded: Recorded) -> None:
    _linker(titles=False).link(TrialReferences("NCT00000002", (POTS,)))
    assert "[ti]" not in " ".join(r.query.get("term", "") for r in recorded.requests)


def test_a_doi_pubmed_lacks_is_read_from_crossref(recorded: Recorded) -> None:
    ref = RegistryRef(Minter().publication(doi="10.5555/kg-test-0001"), doi="10.5555/kg-test-0001")
    (link,) = _linker().link(TrialReferences("NCT00000002", (ref,))).links
    assert link.sources == (LinkSource.REGISTRY_REFERENCE, LinkSource.DOI_MATCH)
    assert link.article is not None
    assert (link.article.source, link.article.title) == (
        ArticleSource.CROSSREF,
        "Toward a unified theory of high-energy metaphysics: silly string theory",
    )


def test_a_pubmed_record_with_another_doi_is_not_the_reference(recorded: Recorded) -> None:
    recorded.script(
        'esearch:"10.5555/kg-test-0002"[doi]',
        Reply(body=fixture_bytes("esearch_si_NCT00777179.json")),
    )
    ref = RegistryRef(Minter().publication(doi="10.5555/kg-test-0002"), doi="10.5555/kg-test-0002")
    (link,) = _linker().link(TrialReferences("NCT00000002", (ref,))).links
    assert (link.sources, link.article, link.references) == (
        (LinkSource.REGISTRY_REFERENCE,),
        None,
        (ref,),
    )


def test_a_registry_pmid_is_fetched_without_a_search(recorded: Recorded) -> None:
    ref = RegistryRef(Minter().publication(pmid="99000002"), pmid="99000002")
    (link,) = _linker().link(TrialReferences("NCT00000002", (ref,))).links
    assert link.article is not None
    assert link.article.pmid == "99000002"
    assert [r.query.get("term") for r in recorded.requests if "esearch" in r.path] == [
        "NCT00000002[si]"
    ]
