"""Typed records of publications found beyond the registry: PubMed articles, Crossref works, links.

Readers (:mod:`kg.sources.pubmed_xml`, :mod:`kg.sources.crossref_json`) turn one PubMed record or
one Crossref work into an :class:`Article`; :mod:`kg.publication_links` says how each article was
linked to a trial (:class:`ArticleLink`), and :mod:`kg.mapping.articles` maps the result. Nothing
past a reader sees raw XML or JSON. Kept apart from :mod:`kg.model`, whose records are the
registry's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kg.model import PartialDate

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "UNVERIFIED_DATABANK_CONFIDENCE",
    "Article",
    "ArticleAuthor",
    "ArticleLink",
    "ArticleSource",
    "Journal",
    "LinkSource",
    "MeshHeading",
    "MeshQualifier",
    "PublicationType",
    "RegistryRef",
    "TrialPublications",
    "TrialReferences",
]


DEFAULT_MIN_CONFIDENCE = 0.85
"""The lowest confidence at which a title match is kept (as a candidate)."""
UNVERIFIED_DATABANK_CONFIDENCE = 0.5
"""The confidence of an article PubMed's ``[si]`` search returned for a trial whose NCT number
its record's databank list does not give (:attr:`LinkSource.PUBMED_SEARCH`)."""


class ArticleSource(StrEnum):
    """Where an article's metadata came from (the ``tkg:sourceFormat`` of its provenance)."""

    PUBMED = "pubmed-xml"
    CROSSREF = "crossref-json"


class LinkSource(StrEnum):
    """How kg found that a publication belongs to a trial (the ``tkg:linkSource`` notations)."""

    REGISTRY_REFERENCE = "REGISTRY_REFERENCE"
    """The registry record lists the publication among its references."""
    PUBMED_DATABANK = "PUBMED_DATABANK"
    """PubMed lists the trial's NCT number in the article's databank list (``[si]``)."""
    DOI_MATCH = "DOI_MATCH"
    """The record (PubMed or Crossref) was found by the DOI of a registry reference."""
    TITLE_MATCH = "TITLE_MATCH"
    """A PubMed record whose title resembles a registry citation's: a candidate, never asserted."""
    PUBMED_SEARCH = "PUBMED_SEARCH"
    """PubMed's ``NCT...[si]`` search returned the article, but its record's databank list does
    not name the trial: a candidate with :data:`UNVERIFIED_DATABANK_CONFIDENCE`, never asserted."""


@dataclass(frozen=True, slots=True)
class Journal:
    """The journal of an article: its full name, abbreviations and ISSNs."""

    name: str | None = None
    iso_abbreviation: str | None = None
    medline_abbreviation: str | None = None
    """NLM's title abbreviation (``MedlineTA``), the one NLM citations give ("Ann Rheum Dis")."""
    issn_print: str | None = None
    issn_electronic: str | None = None
    issn_linking: str | None = None
    nlm_id: str | None = None

    @property
    def short_name(self) -> str | None:
        """Return the abbreviation a citation gives, else the full name.

        >>> Journal("Annals of the rheumatic diseases", "Ann Rheum Dis").short_name
        'Ann Rheum Dis'
        """
        return self.medline_abbreviation or self.iso_abbreviation or self.name

    @property
    def issns(self) -> tuple[str, ...]:
        """Return every distinct ISSN, print first.

        >>> Journal(issn_print="0003-4967", issn_linking="0003-4967").issns
        ('0003-4967',)
        """
        found = (self.issn_print, self.issn_electronic, self.issn_linking)
        return tuple(dict.fromkeys(i for i in found if i))


@dataclass(frozen=True, slots=True)
class ArticleAuthor:
    """A person (family, given names, initials) or a group (``collective``) of an author list."""

    family: str | None = None
    given: str | None = None
    initials: str | None = None
    suffix: str | None = None
    collective: str | None = None
    affiliations: tuple[str, ...] = ()
    orcid: str | None = None
    """The bare ORCID iD, ``0000-0002-1825-0097``."""

    @property
    def name(self) -> str:
        """Return the name as an NLM citation writes it ("Pers YM"), or the group's name.

        >>> ArticleAuthor("Pers", "Yves-Marie", "YM").name, ArticleAuthor(collective="X group").name
        ('Pers YM', 'X group')
        """
        if self.collective:
            return self.collective
        parts = [self.family or self.given or "", self.initials or "", self.suffix or ""]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class MeshQualifier:
    """A MeSH qualifier (subheading) of a heading: ``Q000628`` "therapy"."""

    qualifier_id: str
    name: str
    major: bool = False


@dataclass(frozen=True, slots=True)
class MeshHeading:
    """A MeSH heading indexing an article: its descriptor and qualifiers."""

    descriptor_id: str
    name: str
    major: bool = False
    qualifiers: tuple[MeshQualifier, ...] = ()


@dataclass(frozen=True, slots=True)
class PublicationType:
    """A PubMed publication type: its MeSH unique id (``D016449``) and name."""

    type_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Article:
    """One publication as PubMed or Crossref describes it; unknown fields are None or empty."""

    source: ArticleSource
    source_digest: str
    """A digest of the record's own text: the provenance node's key (same record, same key)."""
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    title: str | None = None
    journal: Journal | None = None
    date: PartialDate | None = None
    volume: str | None = None
    issue: str | None = None
    page_start: str | None = None
    page_end: str | None = None
    authors: tuple[ArticleAuthor, ...] = ()
    mesh: tuple[MeshHeading, ...] = ()
    publication_types: tuple[PublicationType, ...] = ()
    databank_ids: tuple[str, ...] = ()
    """Accession numbers of the article's databank list (``NCT03737461``), as PubMed gives them."""
    record_date: PartialDate | None = None
    """The source's last revision of the record (PubMed ``DateRevised``, Crossref ``indexed``)."""


@dataclass(frozen=True, slots=True)
class RegistryRef:
    """A reference as a trial's registry record gives it, and the trial graph's node for it."""

    node: str
    """The publication's IRI in the trial's graph, rendered (``<.../publication/doi/...>``)."""
    pmid: str | None = None
    doi: str | None = None
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    authors: tuple[str, ...] = ()
    """Author names in list order, as the citation gives them ("Pers YM")."""
    text: str | None = None


@dataclass(frozen=True, slots=True)
class TrialReferences:
    """A trial and the references its registry record gives: what linking starts from."""

    nct_id: str
    references: tuple[RegistryRef, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleLink:
    """One publication linked to a trial, how it was found, and the registry references it is.

    ``references`` are the registry references this article is (asserted: registry reference,
    DOI match). A title match is never one of them: the reference it may be is ``candidate_for``
    and its ``confidence`` (0 to 1) says how alike they are. ``article`` is None for a registry
    reference that neither PubMed nor Crossref knows.
    """

    article: Article | None
    sources: tuple[LinkSource, ...]
    references: tuple[RegistryRef, ...] = ()
    candidate_for: RegistryRef | None = None
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class TrialPublications:
    """Every publication linked to one trial, in a stable order."""

    nct_id: str
    links: tuple[ArticleLink, ...] = ()
