"""PubMed XML and Crossref work JSON read into typed articles."""

from __future__ import annotations

import orjson
import pytest
from pubserver import FIXTURES, RESPINE_DOI, RESPINE_PMID

from kg.errors import InputError
from kg.model import PartialDate
from kg.model_pub import Article, ArticleSource, MeshHeading, MeshQualifier, PublicationType
from kg.sources.crossref_json import read_crossref_work
from kg.sources.pubmed_xml import read_pubmed_xml


@pytest.fixture(scope="module")
def respine() -> Article:
    (article,) = read_pubmed_xml((FIXTURES / "efetch_39393844.xml").read_bytes())
    return article


@pytest.fixture(scope="module")
def fictitious() -> dict[str, Article]:
    articles = read_pubmed_xml((FIXTURES / "efetch_fictitious.xml").read_bytes())
    return {a.pmid or "": a for a in articles}


@pytest.fixture(scope="module")
def work() -> Article:
    return read_crossref_work(
        orjson.loads((FIXTURES / "crossref_work_kg-test-0001.json").read_bytes())
    )


# --- PubMed XML -----------------------------------------------------------------------------------


def test_pubmed_record_gives_identifiers_from_the_article_id_list(respine: Article) -> None:
    # Its reference list holds other ids (10.1016/S0140-6736(21)00733-9): they are not its own.
    assert (respine.source, respine.pmid, respine.doi, respine.pmcid) == (
        ArticleSource.PUBMED,
        RESPINE_PMID,
        RESPINE_DOI,
        None,
    )


def test_pubmed_title_loses_nlms_closing_full_stop(respine: Article) -> None:
    assert respine.title is not None
    assert respine.title.endswith("(RESPINE study)")


def test_pubmed_journal_has_names_and_every_issn(respine: Article) -> None:
    journal = respine.journal
    assert journal is not None
    assert (journal.name, journal.iso_abbreviation, journal.short_name, journal.nlm_id) == (
        "Annals of the rheumatic diseases",
        "Ann Rheum Dis",
        "Ann Rheum Dis",
        "0372355",
    )
    assert journal.issns == ("1468-2060", "0003-4967")


def test_pubmed_issue_gives_date_volume_issue_and_pages(respine: Article) -> None:
    assert (respine.date, respine.volume, respine.issue, respine.page_start, respine.page_end) == (
        PartialDate(2024, 10, 21),
        "83",
        "11",
        "1572",
        "1583",
    )


def test_pubmed_authors_keep_their_order_names_and_affiliations(respine: Article) -> None:
    first, last = respine.authors[0], respine.authors[-1]
    assert len(respine.authors) == 32
    assert (first.name, first.family, first.given, first.initials) == (
        "Pers YM",
        "Pers",
        "Yves-Marie",
        "YM",
    )
    assert first.affiliations == (
        "IRMB, Univ Montpellier, INSERM, CHU Montpellier, Montpellier, France.",
    )
    assert (last.collective, last.name) == ("RESPINE consortium", "RESPINE consortium")


def test_pubmed_mesh_headings_keep_descriptor_ids_and_qualifiers(respine: Article) -> None:
    by_id = {h.descriptor_id: h for h in respine.mesh}
    assert {"D017116", "D055959", "D045164"} <= set(by_id)
    assert by_id["D017116"] == MeshHeading(
        "D017116", "Low Back Pain", True, (MeshQualifier("Q000628", "therapy", True),)
    )


def test_pubmed_publication_types_and_databank_ids_are_read(respine: Article) -> None:
    assert PublicationType("D016449", "Randomized Controlled Trial") in respine.publication_types
    assert respine.databank_ids == ("NCT03737461",)
    assert respine.record_date == PartialDate(2024, 11, 14)


def test_orcid_url_becomes_the_bare_identifier(fictitious: dict[str, Article]) -> None:
    assert fictitious["99000001"].authors[0].orcid == "0000-0002-1825-0097"


def test_an_author_marked_invalid_is_skipped(fictitious: dict[str, Article]) -> None:
    assert [a.name for a in fictitious["99000001"].authors] == [
        "Carberry J",
        "Smith JA Jr",
        "RESPINE consortium",
    ]


def test_medline_date_gives_year_and_first_month(fictitious: dict[str, Article]) -> None:
    assert fictitious["99000001"].date == PartialDate(2021, 11)


def test_abbreviated_page_range_is_expanded(fictitious: dict[str, Article]) -> None:
    protocol, trial = fictitious["99000001"], fictitious["99000003"]
    assert (protocol.page_start, protocol.page_end) == ("e105", "e112")
    assert (trial.page_start, trial.page_end) == ("11", "19")


def test_pmcid_and_inline_markup_of_titles_are_read(fictitious: dict[str, Article]) -> None:
    protocol = fictitious["99000001"]
    assert protocol.pmcid == "PMC9900001"
    assert protocol.title is not None
    assert protocol.title.startswith("Intradiscal allogenic stromal cells")


def test_book_records_are_not_articles(fictitious: dict[str, Article]) -> None:
    assert sorted(fictitious) == ["99000001", "99000002", "99000003", "99000004"]


def test_each_record_has_its_own_stable_digest(fictitious: dict[str, Article]) -> None:
    again = read_pubmed_xml((FIXTURES / "efetch_fictitious.xml").read_bytes())
    assert [a.source_digest for a in again] == [a.source_digest for a in fictitious.values()]
    assert len({a.source_digest for a in again}) == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<PubmedArticleSet><PubmedArticle>", "not well-formed"),
        (b"<eFetchResult><ERROR>bad id</ERROR></eFetchResult>", "expected <PubmedArticleSet>"),
        (
            b"<PubmedArticleSet><PubmedArticle><MedlineCitation/></PubmedArticle></PubmedArticleSet>",
            "without PMID",
        ),
    ],
)
def test_unreadable_pubmed_xml_is_an_input_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_pubmed_xml(data, label="efetch")


def test_an_entity_is_never_expanded() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        b"<ArticleTitle>&x;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        b"</PubmedArticleSet>"
    )
    (article,) = read_pubmed_xml(data)
    assert article.title is None or "root:" not in article.title


# --- Crossref -------------------------------------------------------------------------------------


def test_crossref_work_gives_doi_title_and_journal(work: Article) -> None:
    assert (work.source, work.doi, work.pmid) == (
        ArticleSource.CROSSREF,
        "10.5555/kg-test-0001",
        None,
    )
    assert work.title == "Toward a unified theory of high-energy metaphysics: silly string theory"
    assert work.journal is not None
    assert (work.journal.name, work.journal.short_name, work.journal.issns) == (
        "Journal of Psychoceramics",
        "J Psychoceram",
        ("0264-3561", "0264-3562"),
    )


def test_crossref_work_prefers_the_print_date(work: Article) -> None:
    assert (work.date, work.volume, work.issue, work.page_start, work.page_end) == (
        PartialDate(2016, 12),
        "4",
        "4",
        "7",
        "10",
    )


def test_crossref_authors_get_initials_orcid_and_groups(work: Article) -> None:
    carberry, smith, group = work.authors
    assert (carberry.name, carberry.orcid, carberry.affiliations) == (
        "Carberry J",
        "0000-0002-1825-0097",
        ("Brown University",),
    )
    assert smith.name == "Smith JA"
    assert group.collective == "Psychoceramics Study Group"


def test_crossref_journal_article_is_a_journal_article(work: Article) -> None:
    assert work.publication_types == (PublicationType("D016428", "Journal Article"),)


def test_something_that_is_not_a_work_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not a Crossref work"):
        read_crossref_work({"status": "ok", "message-type": "work-list", "message": {}})
